"""The dashboard in a real headless Chromium (Debian's, driven by Playwright), over a live orchestrator.

Each test saves a screenshot in tests/web/artifacts/ (kept as test artifacts, not committed).
"""

from __future__ import annotations

import pytest

import scenaria as tp
from scenaria.entities.picture import svg

pytestmark = [pytest.mark.browser, pytest.mark.processes]

COMPLETED_FILL = "#c8e6c9"


def _completed_tasks(page) -> int:
    return page.evaluate(f"document.querySelectorAll(\"#graph [fill='{COMPLETED_FILL}']\").length")


def test_the_scenario_list_renders_by_cycle_with_primary_and_tags(standalone_server, configs, page):
    first = tp.create_scenario(configs["chain"], name="baseline")
    second = tp.create_scenario(configs["chain"], name="what if")
    tp.tag(second, "optimistic")
    page.goto(standalone_server.url + "/")
    assert page.title() == "Scenarios - scenaria"
    rows = page.locator("table.scenarios tr")
    assert rows.count() == 3
    assert page.locator("h2").first.inner_text().endswith(f"({first.cycle.id})")
    assert "★" in page.locator("tr.primary").inner_text() and "baseline" in page.locator("tr.primary").inner_text()
    assert "optimistic" in page.locator("table.scenarios").inner_text()


def test_submitting_from_the_page_turns_the_graph_green_without_reload(standalone_server, configs, page):
    scenario = tp.create_scenario(configs["chain"], name="to run")
    page.goto(f"{standalone_server.url}/scenarios/{scenario.id}")
    assert _completed_tasks(page) == 0
    page.evaluate("window.notReloaded = true")
    page.click("#submit")
    page.wait_for_function("document.getElementById('status').textContent.includes('was submitted')")
    submission = tp.get_latest_submission(tp.get(scenario.id))
    assert submission.wait(30)
    expected = svg(tp.get(scenario.id)).count(COMPLETED_FILL)
    page.wait_for_function(
        f"document.querySelectorAll(\"#graph [fill='{COMPLETED_FILL}']\").length === {expected}", timeout=15000
    )
    result_cell = f"td.value[data-id='{scenario.result.id}']"
    page.wait_for_function(f"document.querySelector(\"{result_cell}\").textContent === '12'", timeout=15000)
    assert page.evaluate("window.notReloaded") is True
    assert tp.get(scenario.id).result.read() == 12


def test_cancel_from_the_jobs_page_kills_the_running_job(standalone_server, configs, page):
    scenario = tp.create_scenario(configs["slow"])
    submission = tp.submit(scenario)
    job = submission.jobs[0]
    for _ in range(400):
        if tp.get(job.id).is_running():
            break
        page.wait_for_timeout(50)
    page.goto(standalone_server.url + "/jobs")
    assert page.locator(f"[id='state-{job.id}']").inner_text() == "RUNNING"
    page.click(f"[id='cancel-{job.id}']")
    page.wait_for_function(f"document.getElementById('state-{job.id}').textContent === 'CANCELED'", timeout=15000)
    assert tp.get(job.id).is_canceled()


def test_cancel_from_the_scenario_page_cancels_its_submission(standalone_server, configs, page):
    scenario = tp.create_scenario(configs["slow"])
    page.goto(f"{standalone_server.url}/scenarios/{scenario.id}")
    page.click("#submit")
    page.wait_for_function("document.getElementById('cancel').dataset.submission !== ''")
    submission = tp.get_latest_submission(tp.get(scenario.id))
    for _ in range(400):
        if submission.jobs[0].is_running():
            break
        page.wait_for_timeout(50)
    page.click("#cancel")
    page.wait_for_function("document.getElementById('status').textContent.includes('canceled')")
    assert submission.wait(20) and tp.get(submission.id).submission_status.name == "CANCELED"


def test_the_compare_page_shows_two_scenarios_values(standalone_server, configs, page):
    low = tp.create_scenario(configs["chain"], name="low")
    high = tp.create_scenario(configs["chain"], name="high")
    high.source.write(10)
    for scenario in (low, high):
        assert tp.submit(scenario, wait=True, timeout=30).is_finished()
    page.goto(f"{standalone_server.url}/compare?a={low.id}&b={high.id}")
    headers = page.locator("table.compare th").all_inner_texts()
    assert headers == ["Data node", "low", "high"]
    result_row = page.locator("table.compare tr", has_text="result").all_inner_texts()[0].split("\t")
    assert [cell.strip() for cell in result_row] == ["result", "12", "40"]


def test_a_page_shows_what_changed_before_its_live_stream_connected(standalone_server, configs, page):
    submission = tp.submit(tp.create_scenario(configs["slow"]))
    job = submission.jobs[0]
    for _ in range(400):
        if tp.get(job.id).is_running():
            break
        page.wait_for_timeout(50)

    def connect_late(route):  # the job ends after the page was rendered, before its stream connects
        tp.cancel_job(job)
        assert submission.wait(30)
        route.continue_()

    page.route("**/api/v1/events", connect_late)
    page.goto(standalone_server.url + "/jobs")
    page.wait_for_function(f"document.getElementById('state-{job.id}').textContent === 'CANCELED'", timeout=15000)
