"""The dashboard: server-rendered pages plus a little of our own JavaScript (no build step).

Pages: scenarios by cycle (/), one scenario with its live graph, data nodes and submit button
(/scenarios/{id}), jobs with cancel (/jobs), two scenarios side by side (/compare?a=&b=), and
/login to store the token in a cookie. Actions go through the REST API with the CSRF token.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

import scenaria as tp
from scenaria.web.values import page_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_SCRIPT = """
const csrf = document.body.dataset.csrf;
async function act(path) {
  const r = await fetch(path, {method: 'POST', headers: {'X-CSRF-Token': csrf}});
  const body = await r.json();
  document.getElementById('status').textContent = body.message;
  const cancel = document.getElementById('cancel');
  if (cancel && body.submission) cancel.dataset.submission = body.submission.id;
}
function cancelLatest() {
  const id = document.getElementById('cancel').dataset.submission;
  if (id) act('/api/v1/submissions/cancel/' + id);
}
function live(refresh) {
  const source = new EventSource('/api/v1/events');
  source.onmessage = () => {};
  ['job', 'submission', 'data_node'].forEach(kind => source.addEventListener(kind, refresh));
}
async function refreshGraph() {
  const box = document.getElementById('graph');
  if (!box) return;
  const r = await fetch('/api/v1/scenarios/' + box.dataset.id + '/svg');
  box.innerHTML = await r.text();
  for (const cell of document.querySelectorAll('td.value')) {
    const value = await fetch('/api/v1/datanodes/' + cell.dataset.id + '/read?limit=20');
    cell.textContent = JSON.stringify((await value.json()).data);
  }
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
        "td,th{border:1px solid #ccc;padding:.2em .5em}.primary{font-weight:bold}</style></head>"
        f"<body data-csrf='{csrf}'><nav><a href='/'>Scenarios</a> | <a href='/jobs'>Jobs</a></nav>"
        f"<h1>{escape(title)}</h1><p id='status'></p>{body}<script>{_SCRIPT}</script></body></html>"
    )


def _scenario(scenario_id: str) -> Any:
    found = tp.get(scenario_id) if scenario_id.startswith("SCENARIO_") and tp.exists(scenario_id) else None
    if found is None:
        raise HTTPException(404, f"no scenario {scenario_id}")
    return found


@router.get("/", response_class=HTMLResponse)
def scenarios_page(request: Request) -> HTMLResponse:
    parts = []
    for cycle, scenarios in sorted(tp.get_cycles_scenarios().items(), key=lambda item: str(item[0] and item[0].id)):
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
    return _page(request, "Scenarios", "".join(parts) or "<p>No scenario yet.</p>")


def _values_table(scenario: Any) -> str:
    rows = []
    for key, node in sorted(scenario.data_nodes.items()):
        value = json.dumps(page_of(node.read(), 0, 20, "")["data"])
        rows.append(f"<tr><td>{escape(key)}</td><td class='value' data-id='{escape(node.id)}'>"
                    f"{escape(value)}</td></tr>")  # fmt: skip
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
        "Cancel</button>"
        f"<div id='graph' data-id='{sid}'>{svg(scenario)}</div><h2>Data nodes</h2>{_values_table(scenario)}"
        "<script>document.addEventListener('DOMContentLoaded', () => live(refreshGraph));</script>"
    )
    return _page(request, scenario.name or scenario.id, body)


@router.get("/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, status: str | None = None, config_id: str | None = None) -> HTMLResponse:
    jobs = sorted(tp.get_jobs(), key=lambda job: job.creation_date or 0, reverse=True)
    if status:
        jobs = [job for job in jobs if job.status.name == status.upper()]
    if config_id:
        jobs = [job for job in jobs if job._task_config_id == config_id]
    rows = "".join(
        f"<tr><td>{escape(job.id)}</td><td id='state-{escape(job.id)}'>{job.status.name}</td>"
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
        f"{form}<table class='jobs'><tr><th>Job</th><th>Status</th><th>Duration</th><th>Progress</th>"
        "<th>Logs</th><th></th></tr>"
        f"{rows}</table><script>document.addEventListener('DOMContentLoaded', () => live(refreshJobs));</script>"
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
def compare_page(request: Request, a: str, b: str) -> HTMLResponse:
    left, right = _scenario(a), _scenario(b)
    if left.config_id != right.config_id:
        raise HTTPException(422, f"b: {b} is of config {right.config_id}, not {left.config_id} like {a}")
    rows = "".join(
        f"<tr><td>{escape(key)}</td><td>{escape(str(page_of(left.data_nodes[key].read(), 0, 20, '')['data']))}</td>"
        f"<td>{escape(str(page_of(right.data_nodes[key].read(), 0, 20, '')['data']))}</td></tr>"
        for key in sorted(left.data_nodes)
    )
    head = f"<tr><th>Data node</th><th>{escape(left.name or a)}</th><th>{escape(right.name or b)}</th></tr>"
    return _page(request, "Compare", f"<table class='compare'>{head}{rows}</table>")


@router.get("/login", response_class=HTMLResponse)
def login(request: Request, token: str | None = None) -> Response:
    """Store the token in a cookie (``/login?token=...``), then go to the dashboard."""
    if token is None:
        form = "<form><input name='token' type='password'><button>Log in</button></form>"
        return _page(request, "Log in", form)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie("scenaria_token", token, httponly=True, samesite="strict")
    return response
