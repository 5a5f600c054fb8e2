"""``ENV[...]`` secrets are stored as their template and resolved when the entity is read."""

from __future__ import annotations

import copy
import pickle

import scenaria as tp
from scenaria.config import Config
from scenaria.config.templates import Resolved


def test_a_secret_from_the_environment_is_never_written_in_clear(tmp_path, monkeypatch, repository_type):
    monkeypatch.setenv("DB_PASSWORD", "hunter2-secret")
    node = Config.configure_data_node("d", storage_type="pickle", db_password="ENV[DB_PASSWORD]")
    scenario = tp.create_scenario(Config.configure_scenario("s", [], additional_data_node_configs=[node]))
    assert scenario.d.db_password == "hunter2-secret"  # used resolved
    written = b"".join(path.read_bytes() for path in tmp_path.rglob("*") if path.is_file())
    assert b"hunter2-secret" not in written and b"ENV[DB_PASSWORD]" in written


def test_a_resolved_value_pickles_and_copies_with_its_template():
    value = Resolved("text", "ENV[X]")
    for again in (pickle.loads(pickle.dumps(value)), copy.deepcopy(value)):
        assert again == "text" and again.template == "ENV[X]"
