"""Whether a job runs, is skipped or reuses another's outputs, and why (``job.run_reason``).

A job of a ``skippable`` task is SKIPPED exactly when its outputs were last written by a job of
the same task whose *fingerprint* equals the one it would run with now. The fingerprint is the
hash of three things: the version of the function's code (derived from its bytecode, or pinned
by the ``code_version`` task setting), the task's configuration, and the content versions of
its inputs (``DataNode.content_version``). Deciding by content, not by edit dates, means that
rewriting an input with the same value re-runs nothing, and that changing a function re-runs
its task.

With ``reuse=True``, a job that would run copies instead the outputs of a completed job of the
same task config in another scenario that had the same fingerprint (``CopyRun``): the store
keeps, per fingerprint, the last such job (a meta value), checked again before use.

The decision is taken in the orchestrator, when a job is launched, so it is the same in every
mode; only fingerprints of skippable or reusing tasks are computed (others run at no cost).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import re
import types
import weakref
from typing import Any, NamedTuple

from scenaria.entities import content
from scenaria.entities.job import Job
from scenaria.entities.registry import Registry
from scenaria.entities.status import Status
from scenaria.orchestrator.task_run import CopyRun

#: task properties that say how jobs run, not what they compute: changing them re-runs nothing
_NOT_CONFIGURATION = frozenset(
    {"timeout", "max_retries", "retry_delay", "resources", "priority", "code_version", "reuse"}
)
#: data node properties that differ between scenarios of one configuration
_PER_NODE = frozenset({"path", "is_generated"})
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
FORCED = "Forced by submit(force=True)."


class Decision(NamedTuple):  # a named tuple: quicker to define at import, and to make per job, than a dataclass
    """Run the job (with ``runnable`` when not its task's function) or skip it, and why."""

    run: bool
    reason: str
    fingerprint: dict[str, Any] | None = None
    runnable: CopyRun | None = None


def decide(job: Job, task: Any, registry: Registry) -> Decision:
    """What to do with a PENDING job of ``task`` now that it can start."""
    settings = task.execution
    if not (task.skippable or settings.reuse):
        return Decision(True, FORCED if job.force else f"Task {task.config_id!r} is not skippable.")
    fingerprint = fingerprint_of(task)
    if job.force:
        return Decision(True, FORCED, fingerprint)
    if task.skippable:
        reason, producer = why_run(task, fingerprint, registry)
        if reason is None:
            return Decision(
                False,
                f"Job {producer} wrote its outputs from the same code, configuration and inputs.",
                fingerprint,
            )
    else:
        reason = f"Task {task.config_id!r} is not skippable."
    if settings.reuse:
        donor = find_donor(job, task, fingerprint, registry)
        if donor is not None:
            donor_job, pairs = donor
            return Decision(
                True,
                f"Reused the outputs of job {donor_job.id} (of {donor_job.submit_entity_id}), "
                "which ran the same code, configuration and inputs.",
                fingerprint,
                CopyRun(job.id, task.config_id, pairs),
            )
    return Decision(True, reason, fingerprint)


# --- fingerprints --------------------------------------------------------------------------------
def fingerprint_of(task: Any) -> dict[str, Any]:
    """``code``, ``config``, ``inputs`` (content versions by config id) and ``key``, their hash."""
    code = task.execution.code_version
    code = f"pinned:{code}" if code is not None else code_version(task.function)
    config = config_version(task)
    inputs = {dn.config_id: input_version(dn) for dn in task.input.values()}
    key = content.combine([code, config, *(f"{name}={version}" for name, version in sorted(inputs.items()))])
    return {"key": key, "code": code, "config": config, "inputs": inputs}


def input_version(dn: Any) -> str:
    """The content version of an input; its last edit date when it has none (hashing turned
    off, data outside scenaria's knowledge such as a database table)."""
    version = dn.content_version
    if version is not None:
        return str(version)
    edited = dn.last_edit_date
    return f"edited {edited.isoformat()}" if edited is not None else "never written"


def config_version(task: Any) -> str:
    """What the task computes besides its code: its config id, its data nodes' config ids and
    settings (their paths excepted: they differ per scenario) and its own free properties."""
    parts = [task.config_id]
    for role, nodes in (("in", task.input), ("out", task.output)):
        for name, dn in nodes.items():
            settings = sorted((k, _stable(v)) for k, v in dn.properties.items() if k not in _PER_NODE)
            parts.append(f"{role}:{name}:{dn.storage_type()}:{settings}")
    own = sorted((k, _stable(v)) for k, v in task.properties.items() if k not in _NOT_CONFIGURATION)
    parts.append(repr(own))
    return content.combine(parts)


def _stable(value: Any) -> str:
    """A setting as text that is the same in every process: functions and classes by their
    import path, never by their address in memory."""
    if inspect.isfunction(value) or inspect.isclass(value) or inspect.isbuiltin(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_stable(k)}: {_stable(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_stable(each) for each in value) + "]"
    return _ADDRESS.sub("", repr(value))


_CODE_VERSIONS: weakref.WeakKeyDictionary[Any, tuple[Any, str]] = weakref.WeakKeyDictionary()


def code_version(function: Any) -> str:
    """A version of ``function``'s code: the hash of its bytecode, constants and names, nested
    functions included, and of the functions and classes of its own module that it calls.
    Computed once per function object."""
    code = getattr(function, "__code__", None)
    try:
        cached = _CODE_VERSIONS.get(function)
    except TypeError:  # not weakly referenceable
        cached = None
    if cached is not None and cached[0] is code:
        return cached[1]
    parts: list[bytes] = []
    _feed_callable(parts, function, set())
    version = content.version_of(b"".join(parts)) or ""
    with contextlib.suppress(TypeError):  # not weakly referenceable: computed again next time
        _CODE_VERSIONS[function] = (code, version)
    return version


def _feed_callable(parts: list[bytes], function: Any, seen: set[int]) -> None:
    if id(function) in seen:
        return
    seen.add(id(function))
    if isinstance(function, functools.partial):
        parts.append(f"partial{function.args!r}{sorted(function.keywords.items())!r}".encode())
        _feed_callable(parts, function.func, seen)
        return
    if isinstance(function, types.MethodType):
        _feed_callable(parts, function.__func__, seen)
        return
    code = getattr(function, "__code__", None)
    if isinstance(code, types.CodeType):
        parts.append(f"{function.__defaults__!r}{function.__kwdefaults__!r}".encode())
        _feed_code(parts, code, function, seen)
        return
    if inspect.isclass(function):
        parts.append(f"class {function.__qualname__}".encode())
        for name, member in sorted(vars(function).items()):
            if inspect.isfunction(member):
                parts.append(name.encode())
                _feed_callable(parts, member, seen)
        return
    call = vars(type(function)).get("__call__")
    if inspect.isfunction(call):  # a callable object: its class's code
        _feed_callable(parts, type(function), seen)
        return
    parts.append(f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', repr(function))}".encode())


def _feed_code(parts: list[bytes], code: types.CodeType, function: Any, seen: set[int]) -> None:
    parts.append(code.co_code)
    parts.append(repr(code.co_names).encode())
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            _feed_code(parts, constant, function, seen)
        elif isinstance(constant, frozenset):  # `x in {"a", "b"}`: its order changes with the hash seed
            parts.append(repr(sorted(repr(each) for each in constant)).encode())
        else:
            parts.append(repr(constant).encode())
    module = getattr(function, "__module__", None)
    known = getattr(function, "__globals__", {})
    for name in code.co_names:  # helpers of the same module that it calls: their changes count
        helper = known.get(name)
        if (inspect.isfunction(helper) or inspect.isclass(helper)) and getattr(helper, "__module__", None) == module:
            _feed_callable(parts, helper, seen)


# --- why a skippable job runs ----------------------------------------------------------------------
def why_run(task: Any, fingerprint: dict[str, Any], registry: Registry) -> tuple[str | None, str]:
    """(None, the producing job's id) when the outputs are what ``fingerprint`` would compute
    again; else (the sentence saying why the job must run, "")."""
    outputs = list(task.output.values())
    reason = _outputs_unusable(task, outputs)
    if reason is not None:
        return reason, ""
    writers = {_last_writer(dn) for dn in outputs}
    if len(writers) > 1:
        names = ", ".join(sorted(str(each) for each in writers))
        return f"Its outputs were last written by different jobs ({names}).", ""
    job_id = str(writers.pop())
    producer = registry.cached(job_id)
    if isinstance(producer, Job) and producer._task_id != task.id:
        return f"Its outputs were last written by job {job_id} of another task ({producer._task_id}).", ""
    keys = {dn._fingerprint for dn in outputs}
    if keys == {fingerprint["key"]}:
        return None, job_id
    if None in keys:
        return f"Job {job_id}, which last wrote its outputs, recorded no fingerprint (its task was not skippable).", ""
    return _what_changed(task, fingerprint, job_id, producer), ""


def _last_writer(dn: Any) -> str | None:
    return dn._edits[-1].get("job_id") if dn._edits else None


def _outputs_unusable(task: Any, outputs: list[Any]) -> str | None:
    """Why the outputs cannot be kept whatever their fingerprint (none, never written, gone,
    expired, written by someone else); None when they can."""
    if not outputs:
        return f"Task {task.config_id!r} has no outputs to keep, so it always runs."
    for dn in outputs:
        if not dn._is_written():
            return f"Never run: its output {dn.config_id!r} has never been written."
    for dn in outputs:
        if not dn._has_data():
            return f"Its output {dn.config_id!r} is missing: its data was removed after it was written."
        if dn._validity_period and not dn.is_valid:
            return f"Its output {dn.config_id!r} has expired (its validity period is over)."
        if _last_writer(dn) is None or dn.content_version != dn._content_version:  # an editor, a file changed
            return f"Its output {dn.config_id!r} was last written outside this task, not by one of its jobs."
    return None


def _what_changed(task: Any, fingerprint: dict[str, Any], job_id: str, producer: Any) -> str:
    name = task.config_id
    old = producer._fingerprint if isinstance(producer, Job) else {}
    if not old:
        return f"The code, configuration or inputs of task {name!r} changed since job {job_id} wrote its outputs."
    parts = []
    if old.get("code") != fingerprint["code"]:
        parts.append(f"the code of task {name!r}")
    if old.get("config") != fingerprint["config"]:
        parts.append(f"the configuration of task {name!r}")
    before, now = old.get("inputs", {}), fingerprint["inputs"]
    changed = [key for key in sorted(set(before) | set(now)) if before.get(key) != now.get(key)]
    if changed:
        parts.append(("input " if len(changed) == 1 else "inputs ") + ", ".join(repr(key) for key in changed))
    text = _join(parts) if parts else f"the fingerprint of task {name!r}"
    return f"{text[0].upper()}{text[1:]} changed since job {job_id} wrote its outputs."


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


# --- reuse across scenarios ------------------------------------------------------------------------
def reuse_key(task_config_id: str, fingerprint_key: str) -> str:
    """The store's meta key naming the last completed job of that computation."""
    return f"reuse:{task_config_id}:{fingerprint_key}"


def find_donor(job: Job, task: Any, fingerprint: dict[str, Any], registry: Registry) -> tuple[Job, list[Any]] | None:
    """A completed job of another task of the same config whose outputs hold what this job
    would compute, with (source, target) output pairs; None when there is none (any more)."""
    donor_id = registry.repository.get_meta(reuse_key(task.config_id, fingerprint["key"]))
    donor = registry.cached(donor_id) if isinstance(donor_id, str) and donor_id != job.id else None
    if not isinstance(donor, Job) or donor.status is not Status.COMPLETED or donor._task_id == task.id:
        return None
    donor_task = donor.task
    if donor_task is None:
        return None
    sources = donor_task.output
    pairs = []
    for name, target in task.output.items():
        source = sources.get(name)
        if (
            source is None
            or source.id == target.id
            or source._fingerprint != fingerprint["key"]
            or source.job_ids[-1:] != [donor.id]
            or source.edit_in_progress
            or not source._has_data()
        ):
            return None
        pairs.append((source, target))
    return donor, pairs
