"""Tasks and writers of the commit-crash tests: every run and every write leaves a line in a side-effect file."""

from __future__ import annotations

import os
from pathlib import Path


def make(seed):
    """Two outputs (a generic one, a pickle one), from ``seed``; each run is counted in ``runs``."""
    with open("runs", "a") as stream:
        stream.write(f"make {os.getpid()}\n")
    if seed == "gone":  # a value of a class the test deletes before the restart
        from gone_module import Gone

        return {"generic": Gone()}, f"{seed} table"
    return {"generic": seed}, f"{seed} table"


def after(table):
    with open("runs", "a") as stream:
        stream.write(f"after {os.getpid()}\n")
    return f"{table} after"


def note(data, path):
    """A generic ``write_fct``: keeps the value (for ``read_note``) and counts its calls in ``generic_writes``."""
    Path(path).write_text(repr(data))
    with open("generic_writes", "a") as stream:
        stream.write(f"{data!r} {os.getpid()}\n")


def read_note(path):
    return Path(path).read_text() if Path(path).exists() else None


def lines(name: str) -> list[str]:
    return Path(name).read_text().splitlines() if Path(name).exists() else []
