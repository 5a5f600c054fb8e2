"""The work of one job, as sent to a dispatcher: read the inputs, call the function, write the outputs.

A ``TaskRun`` carries the function and detached copies of the job's data nodes, so it runs the
same in the caller's thread, in a local worker process or on a Dask worker: the data plane is
the worker's, the orchestrator only hears how it ended.

The outputs are *staged*, not written: ``run()`` returns one ``Staged`` per output (a hidden
file beside a file output, say), and the orchestrator commits them all when it accepts the
job's completion, while the job still holds its outputs' locks (``Scheduler._complete``). A run
that fails, is canceled, times out, dies or is orphaned by a stopped orchestrator is never
accepted, so none of its writes lands: a failure between two outputs leaves both as they were.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from scenaria.entities.storage_types import Staged
from scenaria.exceptions import DataNodeWritingError


@dataclasses.dataclass
class TaskRun:
    """One job's function and detached copies of its data nodes (see the module docstring)."""

    job_id: str
    task_config_id: str
    function: Callable[..., Any]
    inputs: list[Any]
    outputs: list[Any]

    def run(self) -> list[Staged]:
        values = [dn.read_or_raise() for dn in self.inputs]
        result = self.function(*values)
        staged: list[Staged] = []
        try:
            for dn, value in zip(self.outputs, self._split(result), strict=True):
                try:
                    done = dn._stage(value, self.job_id)
                    done.version = dn._version_of(value)  # hashed where the value is: no data travels
                    staged.append(done)
                except Exception as exc:
                    raise DataNodeWritingError(
                        f"Task {self.task_config_id!r} (job {self.job_id}) could not write its output "
                        f"{dn.config_id!r} ({dn.storage_type()} data node {dn.id}): "
                        f"{type(exc).__name__}: {exc}"
                    ) from exc
        except BaseException:
            for dn, done in zip(self.outputs, staged, strict=False):
                dn._discard_staged(done)
            raise
        return staged

    def _split(self, result: Any) -> list[Any]:
        """The value for each output: the result itself for one output, its items for several."""
        count = len(self.outputs)
        if count == 0:
            return []
        if count == 1:
            return [result]
        if not isinstance(result, Iterable) or isinstance(result, (str, bytes, dict)):
            raise DataNodeWritingError(self._count_message(f"a {type(result).__name__}"))
        values = list(result)
        if len(values) != count:
            raise DataNodeWritingError(self._count_message(f"{len(values)} values"))
        return values

    def _count_message(self, got: str) -> str:
        names = ", ".join(dn.config_id for dn in self.outputs)
        return (
            f"Task {self.task_config_id!r} has {len(self.outputs)} outputs ({names}) but its function "
            f"returned {got}; return a tuple or list of {len(self.outputs)} values, in that order."
        )


@dataclasses.dataclass
class CopyRun:
    """The work of a reused job (``reuse=True``): stage a copy of another scenario's outputs of
    the same computation as this job's outputs, where it runs, instead of calling the function.

    ``pairs`` are (source, target) detached data nodes; the copies keep the sources' content
    versions, and are committed like any run's writes.
    """

    job_id: str
    task_config_id: str
    pairs: list[tuple[Any, Any]]

    def run(self) -> list[Staged]:
        staged: list[Staged] = []
        try:
            for source, target in self.pairs:
                staged.append(target._stage_copy(source, self.job_id))
        except BaseException:
            for (_, target), done in zip(self.pairs, staged, strict=False):
                target._discard_staged(done)
            raise
        return staged
