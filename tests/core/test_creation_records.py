"""The records of new scenarios, tasks and data nodes: made from what their config's entities share
(``entities/shapes.py``), they must be what encoding each entity gives, whatever changes between
two creations."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import scenaria as tp
from scenaria import Config, Frequency, Scope
from scenaria.entities.registry import registry
from scenaria.store.base import encode_record


def double(x):
    return 2 * x


def _stored_as_encoded(scenario) -> None:
    """Each entity of ``scenario`` is stored as its fields say, its text as the encoder writes it."""
    repository = registry().repository
    for entity in [*scenario.data_nodes.values(), *scenario.tasks.values(), scenario]:
        record = {**entity._to_record(), "revision": entity._revision}
        assert repository.load(entity._KIND, entity.id) == json.loads(encode_record(record)), entity.id
        if hasattr(repository, "_conn") and not entity.__dict__.get("_edits"):
            (text,) = (
                repository._conn().execute(f'SELECT body FROM "{entity._KIND}" WHERE id = ?', (entity.id,)).fetchone()
            )
            assert text == encode_record(record)


def _config(tmp_path):
    shared = tmp_path / "shared.csv"
    nodes = [
        Config.configure_data_node("raw", default_data=3, storage_type="in_memory"),
        Config.configure_data_node("table", storage_type="csv", default_path=str(shared)),
        Config.configure_data_node("daily", scope=Scope.CYCLE),
        Config.configure_data_node("everyone", scope=Scope.GLOBAL, default_data={"a": [1, 2]}),
        Config.configure_data_node("out", validity_period=dt.timedelta(hours=2), note="n"),
    ]
    steps = [
        Config.configure_task("t1", double, nodes[0], nodes[1]),
        Config.configure_task("t2", double, [nodes[1], nodes[2], nodes[3]], nodes[4], skippable=True),
    ]
    return Config.configure_scenario("s", steps, frequency=Frequency.DAILY, sequences={"only": [steps[0]]}), shared


def test_records_of_new_entities_are_what_the_entities_encode_to(repository_type, tmp_path):
    config, shared = _config(tmp_path)
    days = [dt.datetime(2026, 1, 1 + n // 3, 8) for n in range(9)]  # three a day: a new cycle, primary or not
    scenarios = []
    for number, day in enumerate(days):
        if number == 5:
            shared.write_text("a\n1\n")  # from now on the csv exists: its data nodes start as written
        scenarios.append(tp.create_scenario(config, creation_date=day, name=None if number % 4 else f"n{number}"))
    for scenario in scenarios:
        _stored_as_encoded(scenario)
    assert [s.is_primary for s in scenarios] == [True, False, False] * 3
    written = [registry().repository.load("data_node", s.table.id)["last_edit_date"] is not None for s in scenarios]
    assert written == [False] * 5 + [True] * 4
    registry().forget()
    again = tp.get(scenarios[-2].id)
    assert again is not scenarios[-2] and again.name is None and tp.get(scenarios[4].id).name == "n4"
    assert again.raw.read() == 3 and again.out.validity_period == dt.timedelta(hours=2)
    assert {dn.config_id for dn in again.data_nodes.values()} == {"raw", "table", "daily", "everyone", "out"}
    assert len({tp.get(s.id).daily.id for s in scenarios}) == 3  # one per cycle


def test_a_new_version_is_recorded_in_the_next_records(tmp_path):
    config, _ = _config(tmp_path)
    first = [tp.create_scenario(config) for _ in range(3)]
    registry().version = "another"
    later = [tp.create_scenario(config) for _ in range(3)]
    for scenario in first + later:
        _stored_as_encoded(scenario)
    assert {registry().repository.load("task", s.tasks["t1"].id)["version"] for s in later} == {"another"}


def test_a_new_entity_changed_before_its_commit_is_stored_as_changed(tmp_path):
    config, _ = _config(tmp_path)
    for _ in range(3):
        tp.create_scenario(config)
    with registry().transaction():
        scenario = tp.create_scenario(config)
        scenario.out.properties["note"] = "changed"
        scenario.tasks["t1"].skippable = True
    _stored_as_encoded(scenario)
    stored = registry().repository.load("data_node", scenario.out.id)
    assert stored["properties"]["note"] == "changed" and stored["revision"] == 2


def test_a_new_entity_changed_in_place_by_a_user_type_is_stored_as_changed(tmp_path, monkeypatch):
    """A storage type that fills a field at creation from something else than the config (here a
    counter) still has its records made from its own values."""
    from scenaria.data.pickle import PickleDataNode

    made = iter(range(100))
    original = PickleDataNode._prepare_new

    def prepare(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self._editor_id = f"editor-{next(made) // 2}"  # the same for two in a row, then another

    monkeypatch.setattr(PickleDataNode, "_prepare_new", prepare)
    config = Config.configure_scenario("p", [Config.configure_task("t", double, Config.configure_data_node("x"))])
    scenarios = [tp.create_scenario(config) for _ in range(7)]
    for scenario in scenarios:
        _stored_as_encoded(scenario)
    assert [registry().repository.load("data_node", s.x.id)["editor_id"] for s in scenarios] == [
        f"editor-{n // 2}" for n in range(7)
    ]


@pytest.mark.parametrize("value", ["\ue000" + "0\ue001", "plain"])
def test_a_property_that_looks_like_a_marker_is_stored_as_it_is(value):
    config = Config.configure_scenario(
        "m", [], additional_data_node_configs=[Config.configure_data_node("x", mark=value)]
    )
    scenarios = [tp.create_scenario(config) for _ in range(4)]
    for scenario in scenarios:
        _stored_as_encoded(scenario)
        assert registry().repository.load("data_node", scenario.x.id)["properties"]["mark"] == value


def test_properties_that_need_escaping_or_tagging_are_stored_as_the_encoder_writes_them():
    # the texts kept and the values put between them: quotes, backslashes, "%", new lines,
    # non-ASCII; a nested dict, a float, a date (tagged); scenario properties of the config
    node = Config.configure_data_node(
        "q", text='say "hi" \\ 100% é\n', nested={"a": [1, 2.5, None]}, day=dt.date(2026, 1, 1), ratio=0.1
    )
    task = Config.configure_task("t", double, node, Config.configure_data_node("r", storage_type="json"))
    config = Config.configure_scenario("e", [task], owner='100% %s "me"')
    scenarios = [tp.create_scenario(config, name=None if n % 2 else f'n"{n}"%') for n in range(5)]
    for scenario in scenarios:
        _stored_as_encoded(scenario)
    stored = registry().repository.load("data_node", scenarios[-1].q.id)["properties"]
    assert stored["text"] == 'say "hi" \\ 100% é\n' and stored["nested"] == {"a": [1, 2.5, None]}
    assert tp.get(scenarios[2].id).properties["owner"] == '100% %s "me"'
