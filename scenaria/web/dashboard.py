"""The dashboard: server-rendered pages plus a little of our own JavaScript (no build step).

Pages: scenarios by cycle (/), one scenario with its live graph, data nodes (tables, charts)
and submit button (/scenarios/{id}), jobs with cancel (/jobs), submissions and their timelines
(/submissions, /submissions/{id}), two or more scenarios side by side with the comparators'
results (/compare?s=&s=), and /login to store the token in a cookie. Actions go through the
REST API with the CSRF token; charts are SVG drawn here (`scenaria.web.charts`).
"""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

import scenaria as tp
from scenaria.web import views
from scenaria.web.listing import UnknownStatus, newest, status_name, stored, unindexed
from scenaria.web.views import node_cell

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
#: how many scenarios or jobs a dashboard list shows at once
PAGE = 100
_SCENARIOS = Query(default_factory=list, description="the scenarios to compare, two or more")

_SCRIPT = """
const csrf = document.body.dataset.csrf;
async function act(path) {
  const r = await fetch(path, {method: 'POST', headers: {'X-CSRF-Token': csrf}});
  const body = await r.json();
  document.getElementById('status').textContent = body.message;
  const cancel = document.getElementById('cancel');
  if (cancel && body.submission) cancel.dataset.submission = body.submission.id;
  const timeline = document.getElementById('timeline');
  if (timeline && body.submission) timeline.href = '/submissions/' + body.submission.id;
}
function cancelLatest() {
  const id = document.getElementById('cancel').dataset.submission;
  if (id) act('/api/v1/submissions/cancel/' + id);
}
function live(refresh) {
  const source = new EventSource('/api/v1/events');
  source.onmessage = () => {};
  source.onopen = refresh;  // what changed between the render (or a lost connection) and now
  ['job', 'submission', 'data_node'].forEach(kind => source.addEventListener(kind, refresh));
}
async function refreshGraph() {
  const box = document.getElementById('graph');
  if (box) box.innerHTML = await (await fetch('/api/v1/scenarios/' + box.dataset.id + '/svg')).text();
  for (const cell of document.querySelectorAll('.value[data-id]')) {
    cell.innerHTML = await (await fetch('/fragments/datanodes/' + cell.dataset.id)).text();
  }
}
async function refreshTimeline() {
  const box = document.getElementById('timeline-box');
  box.innerHTML = await (await fetch('/fragments/submissions/' + box.dataset.id)).text();
}
async function refreshJobs() {
  const r = await fetch('/api/v1/jobs/?limit=1000');
  for (const job of await r.json()) {
    const cell = document.getElementById('state-' + job.id);
    if (cell) cell.textContent = job.status;
    const duration = document.getElementById('duration-' + job.id);
    if (duration && job.execution_duration !== null) duration.textContent = job.execution_duration.toFixed(3) + ' s';
  }
}
"""


def _page(request: Request, title: str, body: str) -> HTMLResponse:
    csrf = escape(request.app.state.csrf)
    return HTMLResponse(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)} - scenaria</title>"
        "<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.2em .5em;vertical-align:top}.primary{font-weight:bold}"
        "svg.chart{display:block;margin:.3em 0}</style></head>"
        f"<body data-csrf='{csrf}'><nav><a href='/'>Scenarios</a> | <a href='/jobs'>Jobs</a> | "
        "<a href='/submissions'>Submissions</a></nav>"
        f"<h1>{escape(title)}</h1><p id='status'></p>{body}<script>{_SCRIPT}</script></body></html>"
    )


def _scenario(scenario_id: str) -> Any:
    found = tp.get(scenario_id) if scenario_id.startswith("SCENARIO_") and tp.exists(scenario_id) else None
    if found is None:
        raise HTTPException(404, f"no scenario {scenario_id}")
    return found


@router.get("/", response_class=HTMLResponse)
def scenarios_page(request: Request, offset: int = 0) -> HTMLResponse:
    """A page of `PAGE` scenarios (paged by the store), grouped by cycle."""
    total, page = stored(tp.Scenario, max(0, offset), PAGE)
    grouped: dict[Any, list[Any]] = {}
    for scenario in page:
        grouped.setdefault(scenario.cycle, []).append(scenario)
    parts = []
    for cycle, scenarios in sorted(grouped.items(), key=lambda item: str(item[0] and item[0].id)):
        title = escape(f"{cycle.name} ({cycle.id})") if cycle is not None else "No cycle"
        rows = "".join(
            f"<tr class='{'primary' if s.is_primary else ''}'><td><a href='/scenarios/{escape(s.id)}'>"
            f"{escape(s.name or s.id)}</a>{' ★' if s.is_primary else ''}</td><td>{escape(s.config_id)}</td>"
            f"<td>{escape(', '.join(sorted(s.tags)))}</td><td>{escape(str(s.creation_date))}</td></tr>"
            for s in scenarios
        )
        parts.append(
            f"<h2>{title}</h2><table class='scenarios'><tr><th>Scenario</th><th>Config</th><th>Tags</th>"
            f"<th>Created</th></tr>{rows}</table>"
        )
    body = "".join(parts) + _more(request, offset, total)
    return _page(request, "Scenarios", body if parts else "<p>No scenario yet.</p>")


def _more(request: Request, offset: int, total: int) -> str:
    """The link to the next page of a dashboard list, when there is one."""
    if offset + PAGE >= total:
        return ""
    query = escape("&".join(f"{k}={v}" for k, v in {**request.query_params, "offset": offset + PAGE}.items()))
    shown = f"{offset + 1}-{offset + PAGE} of {total}"
    return f"<p class='more'>{shown} <a id='next' href='{request.url.path}?{query}'>next {PAGE}</a></p>"


def _values_table(scenario: Any) -> str:
    rows = [
        f"<tr><td><a href='/datanodes/{escape(node.id)}'>{escape(key)}</a></td>"
        f"<td class='value' data-id='{escape(node.id)}'>{node_cell(node)}</td></tr>"
        for key, node in sorted(scenario.data_nodes.items())
    ]
    return "<table class='values'><tr><th>Data node</th><th>Value</th></tr>" + "".join(rows) + "</table>"


@router.get("/scenarios/{scenario_id}", response_class=HTMLResponse)
def scenario_page(request: Request, scenario_id: str) -> HTMLResponse:
    from scenaria.entities.picture import svg

    scenario = _scenario(scenario_id)
    sid = escape(scenario.id)
    latest = tp.get_latest_submission(scenario)
    body = (
        f"<button id='submit' onclick=\"act('/api/v1/scenarios/submit/{sid}')\">Submit</button> "
        f"<button id='cancel' data-submission='{escape(latest.id) if latest else ''}' onclick='cancelLatest()'>"
        "Cancel</button> "
        f"<a id='timeline' href='{'/submissions/' + escape(latest.id) if latest else '/submissions'}'>Timeline</a>"
        f"<div id='graph' data-id='{sid}'>{svg(scenario)}</div><h2>Data nodes</h2>{_values_table(scenario)}"
        "<script>document.addEventListener('DOMContentLoaded', () => live(refreshGraph));</script>"
    )
    return _page(request, scenario.name or scenario.id, body)


@router.get("/datanodes/{datanode_id}", response_class=HTMLResponse)
def data_node_page(request: Request, datanode_id: str) -> HTMLResponse:
    """One data node: its value, as on the scenario page, and its edit history."""
    node = views.found("DATANODE_", datanode_id)
    body = views.node_page(node) + (
        "<script>document.addEventListener('DOMContentLoaded', () => live(refreshGraph));</script>"
    )
    return _page(request, node.config_id, body)


@router.get("/jobs", response_class=HTMLResponse)
def jobs_page(
    request: Request, status: str | None = None, config_id: str | None = None, offset: int = 0
) -> HTMLResponse:
    """The newest `PAGE` jobs (paged by the store), filtered."""
    keep = unindexed(config=(lambda job: job._task_config_id, config_id or None))
    try:
        total, jobs = newest(tp.Job, max(0, offset), PAGE, keep, status=status_name(tp.Status, status))
        refusal = ""
    except UnknownStatus as exc:  # a message, not an empty table that looks like "no such jobs"
        total, jobs, refusal = 0, [], f"<p class='error' id='filter-error'>{escape(str(exc))}.</p>"
    rows = "".join(
        f"<tr><td>{escape(job.id)}</td><td><a href='/submissions/{escape(job.submit_id)}'>timeline</a></td>"
        f"<td id='state-{escape(job.id)}'>{job.status.name}</td>"
        f"<td id='duration-{escape(job.id)}'>"
        f"{'' if job.execution_duration is None else f'{job.execution_duration:.3f} s'}</td>"
        f"<td>{_progress(job)}</td><td>{_logs(job)}</td>"
        f"<td><button id='cancel-{escape(job.id)}' onclick=\"act('/api/v1/jobs/cancel/{escape(job.id)}')\">"
        "Cancel</button></td></tr>"
        for job in jobs
    )
    form = (
        f"<form>Status <input name='status' value='{escape(status or '')}'> Task config "
        f"<input name='config_id' value='{escape(config_id or '')}'> <button>Filter</button></form>"
    )
    body = (
        f"{form}{refusal}<table class='jobs'><tr><th>Job</th><th>Submission</th><th>Status</th><th>Duration</th>"
        "<th>Progress</th><th>Logs</th><th></th></tr>"
        f"{rows}</table>{_more(request, offset, total)}"
        "<script>document.addEventListener('DOMContentLoaded', () => live(refreshJobs));</script>"
    )
    return _page(request, "Jobs", body)


def _progress(job: Any) -> str:
    progress = getattr(job, "progress", None)
    if isinstance(progress, int | float) and not isinstance(progress, bool):
        return f"<progress max='1' value='{float(progress):.3f}'></progress>"
    return "" if progress is None else escape(str(progress))


def _logs(job: Any) -> str:
    text = "".join(job.stacktrace) or (job.stdout + job.stderr)
    return f"<details><summary>logs</summary><pre>{escape(text)}</pre></details>" if text else ""


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request, a: str | None = None, b: str | None = None, s: list[str] = _SCENARIOS
) -> HTMLResponse:
    """Two or more scenarios of one config: ``?s=ID&s=ID...`` (or ``?a=ID&b=ID``)."""
    title, body = views.compare_body(views.compare_ids(a, b, s))
    return _page(request, title, body)


@router.get("/submissions", response_class=HTMLResponse)
def submissions_page(request: Request) -> HTMLResponse:
    return _page(request, "Submissions", views.submissions_list())


@router.get("/submissions/{submission_id}", response_class=HTMLResponse)
def submission_page(request: Request, submission_id: str) -> HTMLResponse:
    """A submission's jobs on a timeline (each run a bar), redrawn live while it runs."""
    submission = views.found("SUBMISSION_", submission_id)
    body = (
        f"<p>Of <a href='/scenarios/{escape(submission.entity_id)}'>{escape(submission.entity_id)}</a></p>"
        f"<div id='timeline-box' data-id='{escape(submission.id)}'>{views.timeline(submission)}</div>"
        "<script>document.addEventListener('DOMContentLoaded', () => live(refreshTimeline));</script>"
    )
    return _page(request, f"Submission {submission.id}", body)


@router.get("/login", response_class=HTMLResponse)
def login(request: Request, token: str | None = None) -> Response:
    """Store the token in a cookie (``/login?token=...``), then go to the dashboard."""
    if token is None:
        form = "<form><input name='token' type='password'><button>Log in</button></form>"
        return _page(request, "Log in", form)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie("scenaria_token", token, httponly=True, samesite="strict")
    return response
