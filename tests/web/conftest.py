"""Fixtures of the web tests: a configuration, and the app on a real socket with a live orchestrator."""

from __future__ import annotations

from pathlib import Path

import pytest

import scenaria as tp
from scenaria import Config, Frequency
from tests.web import web_funcs
from tests.web.server import WebServer


def configure() -> dict:
    """chain: source(3) -x2-> middle -x2-> result; table: n(5) -> frame; slow: n -> sleep; broken: n -> raise;
    curve: amplitude(2) -> wave (12 numbers), compared by peaks and gap."""
    source = Config.configure_data_node("source", default_data=3)
    middle = Config.configure_data_node("middle")
    result = Config.configure_data_node("result")
    t1 = Config.configure_task("t1", web_funcs.double, source, middle)
    t2 = Config.configure_task("t2", web_funcs.double, middle, result)
    n = Config.configure_data_node("n", default_data=5)
    frame = Config.configure_data_node("frame")
    slow_out = Config.configure_data_node("slow_out")
    broken_out = Config.configure_data_node("broken_out")
    amplitude = Config.configure_data_node("amplitude", default_data=2)
    wave = Config.configure_data_node("wave")
    return {
        "chain": Config.configure_scenario("chain", [t1, t2], frequency=Frequency.DAILY, sequences={"first": [t1]}),
        "table": Config.configure_scenario("table", [Config.configure_task("make", web_funcs.frame, n, frame)]),
        "slow": Config.configure_scenario("slow", [Config.configure_task("sleep", web_funcs.slow, n, slow_out)]),
        "broken": Config.configure_scenario("broken", [Config.configure_task("fail", web_funcs.boom, n, broken_out)]),
        "curve": Config.configure_scenario(
            "curve",
            [Config.configure_task("make_wave", web_funcs.wave, amplitude, wave)],
            comparators={"wave": [web_funcs.peaks, web_funcs.gap]},
        ),
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


# --- the browser tests: Debian's Chromium driven by Playwright, one screenshot per test -----------------
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, request):
    """A page of its own; its screenshot goes to tests/web/artifacts/TEST_NAME.png when the test ends."""
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    opened = context.new_page()
    yield opened
    ARTIFACTS.mkdir(exist_ok=True)
    opened.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
