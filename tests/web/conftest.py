"""Fixtures of the web tests: a configuration, and the app on a real socket with a live orchestrator."""

from __future__ import annotations

import pytest

import scenaria as tp
from scenaria import Config, Frequency
from tests.web import web_funcs
from tests.web.server import WebServer


def configure() -> dict:
    """chain: source(3) -x2-> middle -x2-> result; table: n(5) -> frame; slow: n -> sleep; broken: n -> raise."""
    source = Config.configure_data_node("source", default_data=3)
    middle = Config.configure_data_node("middle")
    result = Config.configure_data_node("result")
    t1 = Config.configure_task("t1", web_funcs.double, source, middle)
    t2 = Config.configure_task("t2", web_funcs.double, middle, result)
    n = Config.configure_data_node("n", default_data=5)
    frame = Config.configure_data_node("frame")
    slow_out = Config.configure_data_node("slow_out")
    broken_out = Config.configure_data_node("broken_out")
    return {
        "chain": Config.configure_scenario("chain", [t1, t2], frequency=Frequency.DAILY, sequences={"first": [t1]}),
        "table": Config.configure_scenario("table", [Config.configure_task("make", web_funcs.frame, n, frame)]),
        "slow": Config.configure_scenario("slow", [Config.configure_task("sleep", web_funcs.slow, n, slow_out)]),
        "broken": Config.configure_scenario("broken", [Config.configure_task("fail", web_funcs.boom, n, broken_out)]),
    }


@pytest.fixture
def configs():
    return configure()


@pytest.fixture
def server(configs):
    """Development mode: the orchestrator runs in this process, jobs run in the request."""
    tp.Orchestrator().run()
    with WebServer() as running:
        yield running


@pytest.fixture
def standalone_server(configs):
    """Standalone mode: two worker processes, the orchestrator in this process."""
    Config.configure_job_executions(mode="standalone", max_nb_of_workers=2)
    tp.Orchestrator().run()
    with WebServer() as running:
        yield running
