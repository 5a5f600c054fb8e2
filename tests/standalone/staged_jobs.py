"""Task functions of the staged-writes tests: each write of an output leaves a line in a side-effect file."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


class SlowToWrite:
    """A value whose pickling (its write to a pickle data node) records itself, then takes ``seconds``."""

    def __init__(self, text: str, effect: str, seconds: float) -> None:
        self.text, self.effect, self.seconds = text, effect, seconds

    def __reduce__(self):
        with open(self.effect, "a") as stream:
            stream.write(f"write {self.text} {os.getpid()}\n")
        time.sleep(self.seconds)
        return (str, (self.text,))


def slow_write(spec):
    """Returns a value that takes ``spec["seconds"]`` to write: a test acts while the job writes."""
    return SlowToWrite(spec["text"], spec["effect"], spec["seconds"])


class NotJSON:
    pass


def first_then_bad(spec):
    """Two outputs: the first writes fine, the second (JSON) cannot be encoded, so the job fails between them."""
    with Path(spec["effect"]).open("a") as stream:
        stream.write("ran\n")
    return "new", NotJSON()


def writes_seen(effect: Path) -> list[str]:
    return effect.read_text().splitlines() if effect.exists() else []


def wait_for_write(effect: Path, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not writes_seen(effect):
        assert time.monotonic() < deadline, "the job never began writing"
        time.sleep(0.01)


def numbered(spec):
    """The number of this run (1, 2, ...), counted in ``spec["effect"]``; the first run is the quickest."""
    effect = Path(spec["effect"])
    with effect.open("a") as stream:
        stream.write(f"start {os.getpid()}\n")
    number = len(writes_seen(effect))
    time.sleep(0.2 if number == 1 else 0.6)
    return number


def copied(value):
    time.sleep(0.1)
    return value


def killed_once(spec):
    """Record the attempt, then kill its own worker (on the first attempt, or always): a worker that dies."""
    effect = Path(spec["effect"])
    with effect.open("a") as stream:
        stream.write(f"attempt {os.getpid()}\n")
    if spec.get("always") or len(writes_seen(effect)) == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    return "second try"


def record_write(data, effect):
    """A generic data node's ``write_fct``: says which process wrote what."""
    with open(effect, "a") as stream:
        stream.write(f"{data} {os.getpid()}\n")


def generic_then_bad(spec):
    return "generic value", NotJSON()
