"""Runnables for the standalone dispatcher tests, importable by worker processes (sent by reference).

The repository is on the orchestrator's ``sys.path`` (pytest puts it there: ``tests`` is a package),
and workers get the orchestrator's ``sys.path``, so these travel by reference
(``tests.dispatch.standalone_jobs.<name>``) like any user module function.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Call:
    """The simplest runnable: call ``fn(*args, **kwargs)``."""

    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    def run(self) -> Any:
        return self.fn(*self.args, **self.kwargs)


def add(a: int, b: int) -> int:
    return a + b


def pid() -> int:
    return os.getpid()


def has_module(name: str) -> bool:
    return name in sys.modules


def fail(message: str) -> None:
    raise ValueError(message)


def record_span(path: str, name: str, seconds: float) -> None:
    """Run for ``seconds`` and append ``name start end`` to ``path``."""
    start = time.time()
    time.sleep(seconds)
    with open(path, "a") as stream:
        stream.write(f"{name} {start} {time.time()}\n")


def append(path: str, text: str) -> None:
    with open(path, "a") as stream:
        stream.write(text)


def wait_for_gate(fifo: str) -> str:
    """Block until the test writes to the named pipe ``fifo``; return what it wrote."""
    with open(fifo) as stream:
        return stream.read()


def print_gated(fifo: str) -> str:
    """Print a line, wait for the test to open the gate, print another."""
    print("first line", flush=True)
    wait_for_gate(fifo)
    print("second line")
    return "done"


def gated_side_effect(fifo: str, path: str) -> None:
    """Say it runs (its pid on stdout), wait at the gate, then write ``path``."""
    print(os.getpid(), flush=True)
    wait_for_gate(fifo)
    Path(path).write_text("side effect")


def sleep_then_write(seconds: float, path: str) -> None:
    time.sleep(seconds)
    Path(path).write_text("side effect")


def exit_with(code: int) -> None:
    os._exit(code)


def kill_myself() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def segfault() -> None:
    ctypes.string_at(0)


def talk(text: str) -> str:
    """Print without a final newline, log a warning, write stderr: a partial line must not leak."""
    print(text, end="")
    logging.getLogger("talker").warning("said %s", text)
    return text


def return_lock() -> Any:
    return threading.Lock()


def _refuse(message: str) -> None:
    raise RuntimeError(message)


class Unloadable:
    """Pickles fine, but unpickling it fails: a result the orchestrator cannot rebuild."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_refuse, ("this object refuses to be unpickled",))


def return_unloadable() -> Unloadable:
    return Unloadable()


class LockedError(Exception):
    """An exception that cannot be pickled: it holds a lock."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.lock = threading.Lock()


class TwoArgError(Exception):
    """Pickles but cannot be rebuilt: ``__init__`` wants two arguments, ``args`` holds one."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code}: {text}")


def raise_locked() -> None:
    raise LockedError("holding a lock")


def raise_two_arg() -> None:
    raise TwoArgError(7, "seven")
