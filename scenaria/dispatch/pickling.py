"""Turning a runnable into bytes for another process, and saying clearly why it cannot be.

cloudpickle sends importable module-level functions and classes by reference (the worker imports
them) and everything else by value: functions of ``__main__`` or of a notebook, lambdas,
closures. What cannot travel at all (locks, open files, sockets, connections) is named with the
path that leads to it from the runnable, so the user knows what to move into ``run()``.

cloudpickle's pure-Python hooks cost three times what the C pickler does for the bulk of a
runnable (its data nodes: dicts, strings, dates). So a runnable is pickled by the C pickler with
one hook on the classes and functions it meets: one that cloudpickle would send by reference (its
module already imported, not ``__main__``, not registered to go by value, and the object found at
its name there) goes by name as usual; any other is cloudpickled on its own, and its bytes go
inside, loaded where the runnable is (so a task function of ``__main__`` costs cloudpickle only
itself, with the globals it uses as they are now). Only what cloudpickle cannot pickle either
makes the whole runnable go to cloudpickle, which then says what is wrong. The bytes are one
pickle either way: the worker loads them with ``pickle.loads``. A worker sends a run's result
back the same way (``run.pack``).
"""

from __future__ import annotations

import io
import pickle
import sys
import types
from collections.abc import Iterator
from typing import Any

import cloudpickle

from scenaria.dispatch.tracebacks import dumps
from scenaria.dispatch.wire import PROTOCOL
from scenaria.exceptions import JobError

_MAX_DEPTH = 4


class RunnableNotPicklable(JobError):
    """A job's runnable cannot be pickled to be sent to a worker process."""


def dumps_runnable(job_id: str, runnable: Any) -> bytes:
    """Pickle ``runnable`` for a worker, or raise ``RunnableNotPicklable`` naming the culprit."""
    data = fast_dumps(runnable)
    if data is not None:
        return data
    try:
        return dumps(runnable, PROTOCOL)
    except Exception as exc:
        raise RunnableNotPicklable(explain(job_id, runnable, exc)) from exc


def fast_dumps(obj: Any) -> bytes | None:
    """``obj`` pickled by the C pickler (cloudpickle for what goes by value, see above), or None
    when something in it does not pickle: then cloudpickle is the one to say why."""
    buffer = io.BytesIO()
    try:
        _ByReference(buffer, PROTOCOL).dump(obj)
    except Exception:
        return None
    return buffer.getvalue()


class _ByReference(pickle.Pickler):
    """The C pickler; a class or function that must go by value goes as its own cloudpickle."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, (type, types.FunctionType)) and (_registered or obj not in _IMPORTABLE):
            if not _by_reference(obj):
                return pickle.loads, (dumps(obj, PROTOCOL),)
            if not _registered:  # while a module is registered by value, every object is checked
                _IMPORTABLE[obj] = None
        return NotImplemented


#: Classes and functions found by their name in their module: few (a program's task functions,
#: data node types) and alive as long as their module anyway. Not consulted while a module is
#: registered by value. (After a reload, the pickler finds another object at the name: cloudpickle.)
_IMPORTABLE: dict[Any, None] = {}
_registered = cloudpickle.cloudpickle._PICKLE_BY_VALUE_MODULES  # the set cloudpickle changes in place


def _by_reference(obj: Any) -> bool:
    """Whether the worker can import ``obj`` by its name, as cloudpickle would send it."""
    module_name = getattr(obj, "__module__", None)
    if not isinstance(module_name, str) or module_name == "__main__":
        return False
    module = sys.modules.get(module_name)
    if module is None or _registered_by_value(module_name):
        return False
    found: Any = module
    for part in obj.__qualname__.split("."):
        found = getattr(found, part, None)
    return found is obj


def _registered_by_value(module_name: str) -> bool:
    """Whether the module, or a package above it, was given to ``cloudpickle.register_pickle_by_value``."""
    return bool(_registered) and any(module_name == name or module_name.startswith(name + ".") for name in _registered)


def explain(job_id: str, runnable: Any, error: BaseException) -> str:
    """The message for a runnable that did not pickle: which object, of which type, and why."""
    path, culprit = _culprit(runnable, "runnable", _MAX_DEPTH, set()) or ("runnable", runnable)
    return (
        f"Job {job_id} cannot be sent to a worker process: {path} (of type "
        f"{type(culprit).__module__}.{type(culprit).__qualname__}) cannot be pickled "
        f"({type(error).__name__}: {error}). Objects such as locks, open files, sockets and "
        "database connections cannot travel between processes: create them inside the task's "
        "function instead of capturing them."
    )


def _pickles(obj: Any) -> bool:
    try:
        cloudpickle.dumps(obj, protocol=PROTOCOL)
    except Exception:
        return False
    return True


def _culprit(obj: Any, path: str, depth: int, seen: set[int]) -> tuple[str, Any] | None:
    """The deepest object under ``obj`` that does not pickle, with its path; None if all do."""
    if depth == 0 or id(obj) in seen:
        return None
    seen.add(id(obj))
    for suffix, child in _children(obj):
        if not _pickles(child):
            child_path = path + suffix
            return _culprit(child, child_path, depth - 1, seen) or (child_path, child)
    return None


def _children(obj: Any) -> Iterator[tuple[str, Any]]:
    """What ``obj`` refers to that pickling it would pickle too, as (path suffix, object)."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield f"[{key!r}]", value
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for index, value in enumerate(obj):
            yield f"[{index}]", value
    elif callable(obj) and hasattr(obj, "__code__"):
        code = obj.__code__
        for name, cell in zip(code.co_freevars, obj.__closure__ or (), strict=False):
            try:
                yield f".<closure variable {name!r}>", cell.cell_contents
            except ValueError:  # an empty cell
                continue
        for name in code.co_names:
            if name in getattr(obj, "__globals__", {}):
                yield f".<global {name!r}>", obj.__globals__[name]
    else:
        state = getattr(obj, "__dict__", None)
        if isinstance(state, dict):
            for name, value in state.items():
                yield f".{name}", value
