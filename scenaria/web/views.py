"""The dashboard's data views: a data node's cell (table, chart), compare, and submission timelines.

Pages and the fragments their script fetches again on events come from the same functions, so
what a live page shows after an update is what a reload would show.

- ``/compare?s=ID&s=ID...`` (or the older ``?a=ID&b=ID``): two or more scenarios of one config,
  data node by data node, numeric data drawn on one chart, and what each of the config's
  comparators returns;
- ``/submissions`` (the latest) and ``/submissions/{id}``: a submission's jobs as a Gantt
  timeline from their records (run start to end), redrawn while it runs.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse

import scenaria as tp
from scenaria.web.charts import gantt, line_chart, numeric_series
from scenaria.web.listing import newest
from scenaria.web.serialize import jsonable
from scenaria.web.values import page_of

__all__ = ["compare_body", "compare_ids", "found", "node_cell", "node_page", "router", "submissions_list", "timeline"]

router = APIRouter(include_in_schema=False)
_PREVIEW_ROWS = 20
_LATEST_SUBMISSIONS = 50
_MAX_RESULT_TEXT = 2000


def found(prefix: str, entity_id: str) -> Any:
    found = tp.get(entity_id) if entity_id.startswith(prefix) and tp.exists(entity_id) else None
    if found is None:
        raise HTTPException(404, f"no {prefix.rstrip('_').lower()} {entity_id}")
    return found


def _frame_table(value: Any) -> str:
    shown = page_of(value, 0, _PREVIEW_ROWS, "")
    head = "".join(f"<th>{escape(name)}</th>" for name in shown["columns"])
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(str(row.get(name)))}</td>" for name in shown["columns"]) + "</tr>"
        for row in shown["data"]
    )
    more = f"<p class='more'>{shown['total'] - len(shown['data'])} more rows</p>" if shown["next"] else ""
    return f"<table class='frame'><tr>{head}</tr>{rows}</table>{more}"


def _chart_of(value: Any, title: str) -> str:
    lines = numeric_series(value)
    return line_chart({name: list(line) for name, line in lines.items()}, title, "row") if lines else ""


def node_cell(node: Any) -> str:
    """What a data node's cell shows: a DataFrame as a table, other values as JSON (the first
    rows or items), and numeric data as a line chart below."""
    value = node.read()
    if type(value).__name__ == "DataFrame":
        shown = _frame_table(value)
    else:
        shown = escape(json.dumps(page_of(value, 0, _PREVIEW_ROWS, "")["data"]))
    return shown + _chart_of(value, node.config_id)


@router.get("/fragments/datanodes/{datanode_id}", response_class=HTMLResponse)
def node_fragment(datanode_id: str) -> HTMLResponse:
    """A data node's cell, fetched again by the scenario page when the node changes."""
    return HTMLResponse(node_cell(found("DATANODE_", datanode_id)))


def node_page(node: Any) -> str:
    """A data node's value (table, chart) and its edit history, newest first (who wrote it, when)."""
    edits = "".join(
        f"<tr><td>{escape(str(edit.get('timestamp')))}</td><td>{_writer(edit)}</td>"
        f"<td>{escape(str(edit.get('comment') or ''))}</td></tr>"
        for edit in reversed(node.edits)
    )
    owner = f"<a href='/scenarios/{escape(node.owner_id)}'>{escape(node.owner_id)}</a>" if node.owner_id else "none"
    return (
        f"<p>Config {escape(node.config_id)}, owner {owner}, storage {escape(node.storage_type())}</p>"
        f"<div class='value' data-id='{escape(node.id)}'>{node_cell(node)}</div><h2>Edits</h2>"
        f"<table class='edits'><tr><th>When</th><th>By</th><th>Comment</th></tr>{edits}</table>"
    )


def _writer(edit: dict[str, Any]) -> str:
    job_id = edit.get("job_id")
    if job_id:
        return f"job <a href='/api/v1/jobs/{escape(str(job_id))}/logs'>{escape(str(job_id))}</a>"
    return escape(str(edit.get("editor_id") or edit.get("editor") or ""))


# --- compare ---------------------------------------------------------------------------------------
def _compared(scenarios: list[Any]) -> str:
    names = [escape(s.name or s.id) for s in scenarios]
    head = "<tr><th>Data node</th>" + "".join(f"<th>{name}</th>" for name in names) + "</tr>"
    rows, charts = [], []
    for key in sorted(scenarios[0].data_nodes):
        values = [s.data_nodes[key].read() for s in scenarios]
        cells = "".join(f"<td>{escape(json.dumps(page_of(v, 0, _PREVIEW_ROWS, '')['data']))}</td>" for v in values)
        rows.append(f"<tr><td>{escape(key)}</td>{cells}</tr>")
        lines: dict[str, list[tuple[float, float]]] = {}
        for scenario, value in zip(scenarios, values, strict=True):
            for column, line in (numeric_series(value) or {}).items():
                label = scenario.name or scenario.id
                lines[label if column == "value" else f"{label}: {column}"] = list(line)
        if lines:
            charts.append(f"<h3>{escape(key)}</h3>{line_chart(lines, key, 'row')}")
    return f"<table class='compare'>{head}{''.join(rows)}</table><div class='compare-charts'>{''.join(charts)}</div>"


def _result_text(result: Any) -> str:
    if type(result).__name__ == "DataFrame":
        return _frame_table(result)
    text = json.dumps(jsonable(result))
    if len(text) > _MAX_RESULT_TEXT:
        text = text[:_MAX_RESULT_TEXT] + "..."
    return escape(text) + _chart_of(result, "")


def _comparators(scenarios: list[Any]) -> str:
    """What each of the config's comparators returns for these scenarios (an error says what failed)."""
    config = tp.Config.scenarios.get(scenarios[0].config_id)
    configured = dict(getattr(config, "comparators", None) or {})
    if not configured:
        return "<p class='no-comparator'>This scenario config has no comparator.</p>"
    rows: list[str] = []
    for key in sorted(configured):
        try:
            found = tp.compare_scenarios(*scenarios, data_node_config_id=key).get(key, {})
            cells = [(name, _result_text(result)) for name, result in found.items()]
        except Exception as exc:  # a comparator is user code: show its failure, keep the page
            cells = [("(failed)", escape(f"{type(exc).__name__}: {exc}"))]
        rows.extend(
            f"<tr><td>{escape(key)}</td><td>{escape(name)}</td><td class='result'>{text}</td></tr>"
            for name, text in cells
        )
    head = "<tr><th>Data node</th><th>Comparator</th><th>Result</th></tr>"
    return f"<table class='comparators'>{head}{''.join(rows)}</table>"


def compare_body(ids: list[str]) -> tuple[str, str]:
    """The title and body of the compare page of ``ids`` (422 when fewer than two, or of several configs)."""
    if len(ids) < 2:
        raise HTTPException(422, "s: give at least two scenarios to compare (/compare?s=ID&s=ID)")
    scenarios = [found("SCENARIO_", scenario_id) for scenario_id in dict.fromkeys(ids)]
    configs = {s.config_id for s in scenarios}
    if len(configs) > 1:
        raise HTTPException(422, f"s: scenarios of one config only can be compared; got {', '.join(sorted(configs))}")
    body = f"{_compared(scenarios)}<h2>Comparators</h2>{_comparators(scenarios)}"
    return f"Compare {len(scenarios)} scenarios", body


# --- submissions -----------------------------------------------------------------------------------
def timeline(submission: Any) -> str:
    """A submission's jobs: the Gantt timeline, then a table with their states and durations."""
    jobs = sorted(submission.jobs, key=lambda job: (job.run_at or job.creation_date or 0, job.id))
    rows = "".join(
        f"<tr><td>{escape(job.id)}</td><td>{escape(job._task_config_id)}</td><td>{job.status.name}</td>"
        f"<td>{'' if job.execution_duration is None else f'{job.execution_duration:.3f} s'}</td></tr>"
        for job in jobs
    )
    status = submission.submission_status.name
    return (
        f"<p>Status <b id='submission-status'>{status}</b>, submitted {escape(str(submission.creation_date))}</p>"
        f"{gantt(jobs)}<table class='jobs'><tr><th>Job</th><th>Task</th><th>Status</th><th>Duration</th></tr>"
        f"{rows}</table>"
    )


@router.get("/fragments/submissions/{submission_id}", response_class=HTMLResponse)
def timeline_fragment(submission_id: str) -> HTMLResponse:
    return HTMLResponse(timeline(found("SUBMISSION_", submission_id)))


def submissions_list() -> str:
    """The latest submissions, newest first, each linking to its timeline."""
    _, latest = newest(tp.Submission, 0, _LATEST_SUBMISSIONS)
    rows = "".join(
        f"<tr><td><a href='/submissions/{escape(s.id)}'>{escape(s.id)}</a></td><td>{escape(s.entity_id)}</td>"
        f"<td>{s.submission_status.name}</td><td>{escape(str(s.creation_date))}</td></tr>"
        for s in latest
    )
    head = "<tr><th>Submission</th><th>Of</th><th>Status</th><th>Created</th></tr>"
    return f"<table class='submissions'>{head}{rows}</table>" if rows else "<p>No submission yet.</p>"


def compare_ids(a: str | None, b: str | None, s: list[str]) -> list[str]:
    """The scenarios a compare address names: ``s`` repeated, after ``a`` and ``b``."""
    return [item for item in (a, b, *s) if item]
