"""Store files are the owner's alone: folders 0700, files 0600, whatever the umask allows more."""

from __future__ import annotations

import os
import stat

import pytest

import scenaria as tp
from scenaria.config import Config
from tests.config import config_fixture_funcs as funcs


def modes(root) -> dict[str, int]:
    found = {str(root): stat.S_IMODE(os.stat(root).st_mode)}
    for folder, subfolders, files in os.walk(root):
        for name in subfolders + files:
            path = os.path.join(folder, name)
            found[path] = stat.S_IMODE(os.stat(path).st_mode)
    return found


@pytest.mark.parametrize("kind", ["sqlite", "filesystem"])
def test_store_files_and_folders_are_private(tmp_path, kind):
    previous = os.umask(0o022)  # the common default: new files would be world-readable
    try:
        store = tmp_path / "store"
        key = "db_location" if kind == "sqlite" else "root"
        path = store / "scenaria.db" if kind == "sqlite" else store  # the folders the store creates
        Config.configure_core(repository_type=kind, repository_properties={key: str(path)})
        a = Config.configure_data_node("a", default_data=2)
        b = Config.configure_data_node("b")
        scenario = tp.create_scenario(Config.configure_scenario("s", [Config.configure_task("t", funcs.double, a, b)]))
        tp.submit(scenario, wait=True)
        found = modes(store)
    finally:
        os.umask(previous)
    assert len(found) > 2, found
    loose = {path: oct(mode) for path, mode in found.items() if mode & 0o077}
    assert loose == {}
