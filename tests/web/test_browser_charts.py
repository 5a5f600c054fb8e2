"""The dashboard's charts in a real headless Chromium: numeric data, submission timelines, comparisons.

Charts are SVG drawn by the server; the tests count what a reader would see (a line per series
and its points, a bar per job, a row per comparator) and save a screenshot each (tests/web/artifacts/).
"""

from __future__ import annotations

import json

import pytest

import scenaria as tp
from tests.web import web_funcs

pytestmark = [pytest.mark.browser, pytest.mark.processes]


def _count(page, selector: str) -> int:
    return page.locator(selector).count()


def test_a_numeric_series_is_charted_and_redrawn_when_its_job_writes_it(standalone_server, configs, page):
    scenario = tp.create_scenario(configs["curve"], name="waves")
    page.goto(f"{standalone_server.url}/scenarios/{scenario.id}")
    chart = f"td.value[data-id='{scenario.wave.id}'] svg.chart polyline.series"
    assert _count(page, chart) == 0  # never written: nothing to draw
    page.click("#submit")
    page.wait_for_selector(chart, timeout=30000)
    assert page.locator(chart).get_attribute("data-points") == "12"
    assert tp.get(scenario.id).wave.read() == web_funcs.wave(2)


def test_a_dataframe_shows_as_a_table_and_its_numeric_columns_as_lines(standalone_server, configs, page):
    scenario = tp.create_scenario(configs["table"])
    assert tp.submit(scenario, wait=True, timeout=30).is_finished()
    page.goto(f"{standalone_server.url}/scenarios/{scenario.id}")
    cell = f"td.value[data-id='{scenario.frame.id}']"
    assert page.locator(f"{cell} table.frame th").all_inner_texts() == ["i", "square"]
    assert _count(page, f"{cell} table.frame tr") == 6  # the header and five rows
    lines = page.locator(f"{cell} svg.chart polyline.series")
    assert [lines.nth(i).get_attribute("data-name") for i in range(lines.count())] == ["i", "square"]


def test_a_submission_timeline_has_a_bar_per_job_in_run_order(standalone_server, configs, page):
    scenario = tp.create_scenario(configs["chain"])
    submission = tp.submit(scenario, wait=True, timeout=30)
    first, second = sorted(submission.jobs, key=lambda job: job.run_at)
    page.goto(standalone_server.url + "/submissions")
    assert page.locator(f"table.submissions a[href='/submissions/{submission.id}']").count() == 1
    page.click(f"table.submissions a[href='/submissions/{submission.id}']")
    bars = page.locator("svg.gantt rect.bar")
    assert bars.count() == 2
    assert [bars.nth(i).get_attribute("data-job") for i in range(2)] == [first.id, second.id]
    assert {bars.nth(i).get_attribute("data-status") for i in range(2)} == {"COMPLETED"}
    x = [float(bars.nth(i).get_attribute("x")) for i in range(2)]
    width = float(bars.nth(0).get_attribute("width"))
    assert x[1] >= x[0] + width - 1  # t2 starts once t1 ended: its bar begins where t1's ends


def test_a_running_submission_timeline_changes_without_a_reload(standalone_server, configs, page):
    scenario = tp.create_scenario(configs["slow"])
    submission = tp.submit(scenario)
    page.goto(f"{standalone_server.url}/submissions/{submission.id}")
    page.evaluate("window.notReloaded = true")
    page.wait_for_selector("svg.gantt rect.bar[data-status='RUNNING']", timeout=30000)
    tp.cancel_job(submission.jobs[0])
    page.wait_for_selector("svg.gantt rect.bar[data-status='CANCELED']", timeout=30000)
    assert page.locator("#submission-status").inner_text() == "CANCELED"
    assert page.evaluate("window.notReloaded") is True


def test_three_scenarios_compared_with_the_comparators_results(standalone_server, configs, page):
    scenarios = []
    for amplitude in (1, 2, 3):
        scenario = tp.create_scenario(configs["curve"], name=f"amplitude {amplitude}")
        scenario.amplitude.write(amplitude)
        assert tp.submit(scenario, wait=True, timeout=30).is_finished()
        scenarios.append(scenario)
    curves = [web_funcs.wave(amplitude) for amplitude in (1, 2, 3)]
    page.goto(f"{standalone_server.url}/compare?" + "&".join(f"s={s.id}" for s in scenarios))
    assert page.locator("table.compare th").all_inner_texts() == [
        "Data node",
        "amplitude 1",
        "amplitude 2",
        "amplitude 3",
    ]
    amplitude_row = page.locator("table.compare tr", has_text="amplitude").last.all_inner_texts()[0].split("\t")
    assert [cell.strip() for cell in amplitude_row] == ["amplitude", "1", "2", "3"]
    lines = page.locator("div.compare-charts svg.chart polyline.series")  # the wave of each, on one chart
    assert [lines.nth(i).get_attribute("data-name") for i in range(lines.count())] == [s.name for s in scenarios]
    results = {
        row.split("\t")[1].strip(): row.split("\t")[2].strip()
        for row in page.locator("table.comparators tr").all_inner_texts()[1:]
    }
    assert results["peaks"].startswith(json.dumps(web_funcs.peaks(*curves)))  # the result, then its chart
    assert results["gap"].startswith(json.dumps(web_funcs.gap(*curves)))
    gap_chart = page.locator("table.comparators tr", has_text="gap").locator("svg.chart polyline.series")
    assert gap_chart.get_attribute("data-points") == "12"  # a numeric result is charted too


def test_comparing_scenarios_without_comparators_or_of_several_configs_says_so(standalone_server, configs, page):
    chains = [tp.create_scenario(configs["chain"]) for _ in range(3)]
    page.goto(f"{standalone_server.url}/compare?" + "&".join(f"s={s.id}" for s in chains))
    assert page.locator("p.no-comparator").inner_text() == "This scenario config has no comparator."
    assert _count(page, "table.compare th") == 4
    other = tp.create_scenario(configs["curve"])
    answer = page.goto(f"{standalone_server.url}/compare?s={chains[0].id}&s={other.id}")
    assert answer.status == 422 and "one config" in page.content()


def test_a_data_node_page_shows_its_value_and_edit_history(standalone_server, configs, page):
    scenario = tp.create_scenario(configs["curve"])
    submission = tp.submit(scenario, wait=True, timeout=30)
    scenario.wave.write([1, 3, 2], comment="by hand")
    page.goto(f"{standalone_server.url}/scenarios/{scenario.id}")
    page.click(f"a[href='/datanodes/{scenario.wave.id}']")
    assert page.title() == "wave - scenaria"
    edits = page.locator("table.edits tr").all_inner_texts()[1:]
    assert len(edits) == 2 and "by hand" in edits[0] and submission.jobs[0].id in edits[1]
    assert page.locator("div.value svg.chart polyline.series").get_attribute("data-points") == "3"
    scenario.wave.write([5, 4, 3, 2])  # redrawn from the event stream
    page.wait_for_selector("div.value svg.chart polyline.series[data-points='4']", timeout=15000)
