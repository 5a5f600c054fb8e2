"""How entities show themselves: a ``repr`` that says what they are, and HTML for notebooks.

A notebook shows a scenario as its graph with the state of each task's latest job, and a job
as its state, timings and the end of what it printed.
"""

from __future__ import annotations

from html import escape
from typing import Any

from scenaria.drawing import STATE_COLOURS

OUTPUT_TAIL_LINES = 15


def scenario_repr(scenario: Any) -> str:
    name = scenario.name
    named = f"name={name!r}, " if name else ""
    return f"Scenario({named}config_id={scenario.config_id!r}, id={scenario.id!r})"


def job_repr(job: Any) -> str:
    return f"Job(id={job.id!r}, task={job._task_config_id or job._task_id!r}, status={job.status.name})"


def submission_repr(submission: Any) -> str:
    return (
        f"Submission(id={submission.id!r}, entity={submission.entity_id!r}, status={submission.submission_status.name})"
    )


def scenario_html(scenario: Any) -> str:
    """The scenario's title line and its graph as inline SVG."""
    from scenaria.entities.picture import svg

    title = escape(scenario.name or scenario.config_id)
    details = f"config <code>{escape(scenario.config_id)}</code> · <code>{escape(scenario.id)}</code>"
    return f"<div class='scenaria-scenario'><div><b>{title}</b> <small>{details}</small></div>{svg(scenario)}</div>"


def job_html(job: Any) -> str:
    """A small table: task, state (in its picture colour), timings, attempts, then the output's end."""
    fill, stroke = STATE_COLOURS.get(job.status.name, ("#ffffff", "#9e9e9e"))
    state = (
        f"<span style='background:{fill};border:1px solid {stroke};padding:0 6px;border-radius:3px'>"
        f"{escape(job.status.name)}</span>"
    )
    rows = [
        ("job", f"<code>{escape(job.id)}</code>"),
        ("task", f"<code>{escape(job._task_config_id or job._task_id)}</code>"),
        ("state", state),
        ("duration", _seconds(job.execution_duration)),
        ("attempts", str(job.attempts)),
    ]
    error = [line for line in "".join(job.stacktrace).splitlines() if line.strip()]
    if error:
        rows.append(("error", f"<code>{escape(error[-1].strip())}</code>"))
    table = "".join(f"<tr><th style='text-align:left'>{key}</th><td>{value}</td></tr>" for key, value in rows)
    output = _tail("stdout", job.stdout) + _tail("stderr", job.stderr)
    return f"<div class='scenaria-job'><table>{table}</table>{output}</div>"


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.3f} s"


def _tail(title: str, text: str) -> str:
    if not text:
        return ""
    lines = text.rstrip("\n").splitlines()
    shown = "\n".join(lines[-OUTPUT_TAIL_LINES:])
    more = f" (last {OUTPUT_TAIL_LINES} of {len(lines)} lines)" if len(lines) > OUTPUT_TAIL_LINES else ""
    return f"<div><small>{title}{more}</small><pre>{escape(shown)}</pre></div>"
