"""Task functions of the standalone end-to-end tests, importable by name (they travel by reference).

Workers run in the orchestrator's working directory (the test's ``tmp_path``), so the functions
leave their traces in relative files: ``spans/<name>`` says when a run began and ended and in
which process, ``attempts/<name>`` gets one line per attempt.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import time
from pathlib import Path


def nap(spec, *upstream):
    """Sleep ``spec["seconds"]`` and record the span; returns the name (after any upstream values)."""
    began = time.time()
    time.sleep(spec.get("seconds", 0))
    spans = Path("spans")
    spans.mkdir(exist_ok=True)
    (spans / spec["name"]).write_text(f"{began} {time.time()} {os.getpid()}")
    return "+".join([*map(str, upstream), spec["name"]])


def span(name: str) -> tuple[float, float, int]:
    """The (began, ended, pid) a ``nap`` recorded."""
    began, ended, pid = Path("spans", name).read_text().split()
    return float(began), float(ended), int(pid)


def overlap(first: str, second: str) -> float:
    """How long the runs of two naps overlapped, in seconds (negative: the gap between them)."""
    (b1, e1, _), (b2, e2, _) = span(first), span(second)
    return min(e1, e2) - max(b1, b2)


def started_marker(name: str) -> Path:
    return Path("started", name)


def sleep_then_write(spec):
    """Say it started (with its pid), sleep, then leave a side effect: killed early, it leaves none."""
    marker = started_marker(spec["name"])
    marker.parent.mkdir(exist_ok=True)
    marker.write_text(str(os.getpid()))
    time.sleep(spec["seconds"])
    Path(spec["effect"]).write_text("done")
    return "new"


def count_attempt(name: str) -> int:
    attempts = Path("attempts")
    attempts.mkdir(exist_ok=True)
    with open(attempts / name, "a") as stream:
        stream.write(f"{os.getpid()}\n")
    return len((attempts / name).read_text().splitlines())


def attempts_of(name: str) -> int:
    path = Path("attempts", name)
    return len(path.read_text().splitlines()) if path.exists() else 0


def flaky(spec):
    """Fail on the first ``spec["failures"]`` attempts, then return the attempt number."""
    attempt = count_attempt(spec["name"])
    if attempt <= spec["failures"]:
        raise RuntimeError(f"attempt {attempt} of {spec['name']} fails on purpose")
    return attempt


def die(how):
    """End the worker process abruptly, in one of several ways."""
    if how == "exit":
        os._exit(3)
    if how == "sigkill":
        os.kill(os.getpid(), signal.SIGKILL)
    if how == "segfault":
        ctypes.string_at(0)
    raise ValueError(how)


def chatty(text):
    """Print on stdout and stderr and log a warning, all visible with the job."""
    print(f"out: {text}")
    print(f"err: {text}", file=sys.stderr)
    logging.getLogger("e2e.chatty").warning("log: %s", text)
    return text.upper()


def double(nb):
    return nb * 2


def fail(value):
    raise ValueError(f"cannot handle {value!r}")


def talk_then_nap(seconds):
    """Say something, then take ``seconds``: a console that shows the line before the end shows it live."""
    print("before the nap", flush=True)
    time.sleep(seconds)
    print("after the nap")
    return seconds
