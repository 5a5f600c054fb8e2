"""Random programs of saves, deletes and (nested, failing) transactions, checked against a model.

The model is the contract in a few lines: an insertion-ordered dict where a replaced record keeps
its place, a deleted one loses it, and a transaction that raises is undone. Every back end must
give the model's answer after every step, inside transactions too.
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenaria.store import open_repository
from tests.support.postgres import POSTGRESQL

IDS = st.sampled_from(["S1", "S2", "S3", "S4", "S5"])
CONFIGS = st.sampled_from(["a", "b", None])

save = st.tuples(st.just("save"), IDS, CONFIGS, st.integers(0, 9))
delete = st.tuples(st.just("delete"), st.lists(IDS, max_size=3))
delete_where = st.tuples(st.just("delete_where"), CONFIGS)
meta = st.tuples(st.just("meta"), st.sampled_from([None, "x", "y"]))
step = st.one_of(save, save, delete, delete_where, meta)
program = st.recursive(
    st.lists(step, max_size=6),
    lambda inner: st.lists(st.one_of(step, st.tuples(st.just("tx"), inner, st.booleans())), max_size=5),
    max_leaves=25,
)


class Boom(Exception):
    pass


class Model:
    def __init__(self) -> None:
        self.records: dict[str, dict] = {}
        self.meta = None

    def find(self, config_id: object = ...) -> list[dict]:
        return [r for r in self.records.values() if config_id is ... or r.get("config_id") == config_id]


def run(repo, model: Model, steps) -> None:
    for op in steps:
        if op[0] == "save":
            _, id, config, n = op
            record = {"id": id, "n": n} if config is None else {"id": id, "config_id": config, "n": n}
            repo.save("scenario", record)
            model.records[id] = record  # a dict keeps a replaced key in place
        elif op[0] == "delete":
            repo.delete("scenario", op[1])
            for id in op[1]:
                model.records.pop(id, None)
        elif op[0] == "delete_where":
            repo.delete_where("scenario", config_id=op[1])
            for record in model.find(op[1]):
                del model.records[record["id"]]
        elif op[0] == "meta":
            repo.set_meta("k", op[1])
            model.meta = op[1]
        else:
            _, inner, fails = op
            saved = copy.deepcopy(model.__dict__)
            try:
                with repo.transaction():
                    run(repo, model, inner)
                    if fails:
                        raise Boom
            except Boom:
                model.__dict__.update(saved)
        check(repo, model)


def check(repo, model: Model) -> None:
    assert repo.find("scenario") == model.find()
    for config in ("a", "b", None):
        assert repo.find("scenario", config_id=config) == model.find(config)
    for offset, limit in ((0, 2), (1, 2), (3, None), (2, 0)):  # pages, in and out of transactions
        end = None if limit is None else offset + limit
        assert repo.find("scenario", offset=offset, limit=limit) == model.find()[offset:end]
        assert repo.find("scenario", config_id="a", offset=offset, limit=limit) == model.find("a")[offset:end]
    assert repo.count("scenario", config_id=["a", None]) == len(model.find("a")) + len(model.find(None))
    assert repo.get_meta("k") == model.meta


@pytest.mark.parametrize("kind", ["memory", "sqlite", "filesystem", POSTGRESQL])
def test_random_programs_match_the_model(kind, tmp_path, request):
    if kind == "postgresql":
        store = open_repository(request.getfixturevalue("postgres_settings"))
    else:
        store = open_repository(
            {
                "memory": {"type": "memory"},
                "sqlite": {"type": "sqlite", "path": str(tmp_path / "m.db")},
                "filesystem": {"type": "filesystem", "root": str(tmp_path / "fs")},
            }[kind]
        )

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(program)
    def prop(steps):
        store.clear()
        model = Model()
        run(store, model, steps)
        # and a fresh reader sees the same committed state
        if kind != "memory":
            with open_repository(store.settings) as other:
                assert other.find("scenario") == model.find()

    try:
        prop()
    finally:
        store.close()
