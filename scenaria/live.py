"""A live view of submissions: ``show_progress`` until they end, in a terminal or a notebook.

One line per job: its task, state, how long it has run, its progress bar and message (see
``report_progress``) or, once failed, the last line of its failure. In a terminal the view is a
``rich`` live table redrawn in place (``pip install "scenaria[progress]"``); in Jupyter it is an
HTML table updated in place (``IPython.display`` with a ``display_id``). Elsewhere (output
redirected to a file) the final table is printed once.

``scenaria run --progress SCRIPT`` shows every submission of the script this way
(``watch_submissions``).
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time
from collections.abc import Iterable
from html import escape
from typing import IO, Any

from scenaria.drawing import STATE_COLOURS
from scenaria.exceptions import DependencyNotInstalled

BAR_WIDTH = 20


def show_progress(
    submissions: Any, *, refresh: float = 0.2, file: IO[str] | None = None, notebook: bool | None = None
) -> None:
    """Show the jobs of ``submissions`` (one, or several) live, and return when all have ended.

    ``notebook`` forces the HTML view (True) or the terminal view (False); by default the HTML
    view is used inside a Jupyter kernel. ``file`` is the terminal view's stream (default stdout).
    """
    chosen = _submissions(submissions)
    if notebook if notebook is not None else _in_notebook():
        _show_html(chosen, refresh)
    else:
        _show_terminal(chosen, refresh, file)


def rows(submissions: Iterable[Any]) -> list[dict[str, Any]]:
    """What the view shows of each job, as plain values (also what the HTML and table are built of)."""
    shown = []
    for submission in submissions:
        for job in submission.jobs:
            failure = [line for line in "".join(job.stacktrace).splitlines() if line.strip()]
            shown.append(
                {
                    "task": job._task_config_id or job._task_id,
                    "state": job.status.name,
                    "duration": _duration(job),
                    "progress": job.progress,
                    "message": (failure[-1].strip() if job.is_failed() and failure else job.progress_message),
                }
            )
    return shown


def watch_submissions(refresh: float = 0.2, file: IO[str] | None = None) -> Watcher:
    """Show every submission made from now on, while it runs (for ``scenaria run --progress``);
    ``close()`` the watcher when the script ends, so that the last view of each is drawn."""
    from scenaria.events import EventEntityType, Notifier

    # Every submission event: the creation is published before the submission can be read back,
    # so a submission is shown at the first of its events that finds it.
    _, events = Notifier.register(EventEntityType.SUBMISSION)
    closing = threading.Event()

    def watch() -> None:
        from scenaria.api import get

        shown: set[str] = set()
        while (event := events.get()) is not None:
            entity_id = event.entity_id
            submission = None if entity_id is None or entity_id in shown else get(entity_id)
            if submission is not None:
                shown.add(submission.id)
                _show_terminal([submission], refresh, file, closing)

    thread = threading.Thread(target=watch, name="scenaria-progress", daemon=True)
    thread.start()
    return Watcher(thread, events, closing)


class Watcher:
    """The thread of ``watch_submissions``. It is a daemon (a script that never closes it still
    exits), so a script that ended at once would lose the last views: ``close`` draws them."""

    def __init__(self, thread: threading.Thread, events: Any, closing: threading.Event) -> None:
        self._thread, self._events, self._closing = thread, events, closing

    def close(self, timeout: float = 10.0) -> None:
        """Draw the submissions still to show, those not finished as they are now, and stop."""
        self._closing.set()
        self._events.put(None)  # after the events already queued: those are shown first
        self._thread.join(timeout)


def _submissions(value: Any) -> list[Any]:
    from scenaria.api import get

    items = list(value) if isinstance(value, (list, tuple, set)) else [value]
    found = [get(item) if isinstance(item, str) else item for item in items]
    if any(item is None or not hasattr(item, "jobs") for item in found):
        raise TypeError("show_progress() takes a submission (or its id), or a list of them")
    return found


def _finished(submissions: list[Any]) -> bool:
    return all(submission.is_finished() for submission in submissions)


def _duration(job: Any) -> float | None:
    started = job.run_at
    if started is None:
        return None
    ended = job.finished_at or dt.datetime.now(started.tzinfo)
    return max(0.0, (ended - started).total_seconds())


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    try:
        return shell is not None and getattr(shell.get_ipython(), "kernel", None) is not None
    except Exception:  # an IPython without a running shell
        return False


# --- terminal ------------------------------------------------------------------------------------
def _table(submissions: list[Any]) -> Any:
    from rich.progress_bar import ProgressBar
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
    for column in ("task", "state", "time", "progress", "message"):
        table.add_column(column, no_wrap=column != "message")
    for row in rows(submissions):
        fraction = row["progress"]
        bar: Any = "" if fraction is None else ProgressBar(total=1.0, completed=fraction, width=BAR_WIDTH)
        colour = _RICH_STYLES.get(row["state"], "")
        seconds = "" if row["duration"] is None else f"{row['duration']:.1f}s"
        table.add_row(row["task"], f"[{colour}]{row['state']}[/]" if colour else row["state"], seconds, bar,
                      row["message"] or "")  # fmt: skip
    return table


_RICH_STYLES = {"COMPLETED": "green", "FAILED": "bold red", "RUNNING": "cyan", "CANCELED": "yellow",
                "ABANDONED": "yellow", "PENDING": "blue", "BLOCKED": "magenta", "SKIPPED": "dim"}  # fmt: skip


def _show_terminal(
    submissions: list[Any], refresh: float, file: IO[str] | None, stop: threading.Event | None = None
) -> None:
    try:
        from rich.console import Console
        from rich.live import Live
    except ImportError as exc:
        raise DependencyNotInstalled(
            'show_progress() in a terminal needs rich: pip install "scenaria[progress]"'
        ) from exc
    console = Console(file=file or sys.stdout)
    if not console.is_terminal:  # redirected: no redrawing, only the end
        _wait(submissions, refresh, stop)
        console.print(_table(submissions))
        return
    with Live(_table(submissions), console=console, auto_refresh=False) as live:
        while _waiting(submissions, stop):
            time.sleep(refresh)
            live.update(_table(submissions), refresh=True)
        live.update(_table(submissions), refresh=True)


def _waiting(submissions: list[Any], stop: threading.Event | None) -> bool:
    """Whether to draw again later: some submission runs, and the view is not asked to stop."""
    return not _finished(submissions) and not (stop is not None and stop.is_set())


def _wait(submissions: list[Any], refresh: float, stop: threading.Event | None = None) -> None:
    while _waiting(submissions, stop):
        time.sleep(refresh)


# --- notebook ------------------------------------------------------------------------------------
def html(submissions: list[Any]) -> str:
    """The notebook view: a table of the jobs, each state in its picture colour."""
    lines = []
    for row in rows(submissions):
        fill, stroke = STATE_COLOURS.get(row["state"], ("#ffffff", "#9e9e9e"))
        state = f"<span style='background:{fill};border:1px solid {stroke};padding:0 6px'>{escape(row['state'])}</span>"
        fraction = row["progress"]
        bar = "" if fraction is None else f"<progress value='{fraction:.3f}' max='1'></progress> {fraction * 100:.0f}%"
        seconds = "" if row["duration"] is None else f"{row['duration']:.1f}s"
        cells = (escape(row["task"]), state, seconds, bar, escape(row["message"] or ""))
        lines.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    header = "".join(f"<th>{name}</th>" for name in ("task", "state", "time", "progress", "message"))
    return f"<table class='scenaria-progress'><tr>{header}</tr>{''.join(lines)}</table>"


def _show_html(submissions: list[Any], refresh: float) -> None:
    from IPython.display import HTML, display

    handle = display(HTML(html(submissions)), display_id=True)
    while not _finished(submissions):
        time.sleep(refresh)
        handle.update(HTML(html(submissions)))
    handle.update(HTML(html(submissions)))
