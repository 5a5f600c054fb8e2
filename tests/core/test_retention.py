"""The retention setting: checked by Config.check, applied by a live orchestrator."""

from __future__ import annotations

import datetime as dt
import time

import pytest

import scenaria as tp
from scenaria.config import Config
from scenaria.exceptions import ConfigCheckError
from scenaria.orchestrator.retention import prune


def double(x: int) -> int:
    return 2 * x


def _scenario_config():
    number = Config.configure_pickle_data_node("number", default_data=1)
    out = Config.configure_pickle_data_node("out")
    return Config.configure_scenario("s", [Config.configure_task("t", double, number, out)])


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"retention_older_than": "soon"}, "retention_older_than"),
        ({"retention_keep": -1}, "retention_keep"),
        ({"retention_keep": "ten"}, "retention_keep"),
        ({"retention_keep": 5, "retention_period": "0s"}, "retention_period"),
    ],
)
def test_a_bad_retention_is_refused_by_the_check(settings: dict, key: str) -> None:
    Config.configure_core(**settings)
    with pytest.raises(ConfigCheckError) as raised:
        Config.check()
    assert key in str(raised.value)


def test_a_live_orchestrator_prunes_what_the_retention_lets_go() -> None:
    config = _scenario_config()
    Config.configure_core(retention_keep=0, retention_period="0.05s")
    scenario = tp.create_scenario(config)
    first = tp.submit(scenario)
    second = tp.submit(scenario)  # its job is the task's latest: kept
    deadline = time.monotonic() + 10
    while tp.get(first.id) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert tp.get(first.id) is None
    assert [s.id for s in tp.get_submissions()] == [second.id]
    tp.Orchestrator().stop()


def test_prune_by_age_and_count_never_takes_a_latest_job() -> None:
    from scenaria.entities.registry import registry

    scenario = tp.create_scenario(_scenario_config())
    submissions = [tp.submit(scenario) for _ in range(3)]
    tp.Orchestrator().stop()
    assert prune(registry(), keep=5).submissions == []
    assert prune(registry(), older_than=dt.timedelta(days=1)).submissions == []
    dry = prune(registry(), keep=1, dry_run=True)
    assert dry.submissions == [submissions[0].id, submissions[1].id]
    assert len(tp.get_submissions()) == 3
    assert prune(registry(), keep=0).submissions == dry.submissions
    assert [s.id for s in tp.get_submissions()] == [submissions[2].id]
    assert len(tp.get_jobs()) == 1
