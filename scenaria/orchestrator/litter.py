"""Temporary files that a killed process left behind, removed when an orchestrator starts.

Every temporary file scenaria creates is hidden beside where it goes and says who owns it:

- ``.tmp-<pid>-...``: a data file being written (``data/file.py``), a value file
  (``entities/values.py``), an Excel copy; ``.import-<pid>-...``: an import's staging folder;
  ``.<name>.<pid>.<thread>.tmp``: a record of the filesystem store. Their owner is the process.
- ``.staged-<job id>-...``: a job's output, written where it ran, moved into place when the
  orchestrator accepts the job's end. Its owner is the job, alive while it is unfinished under a
  live orchestrator.

A process that is killed (SIGKILL, a power cut, the OOM killer) leaves them. ``sweep`` runs when
an orchestrator starts, after it took its version's lease and before it resumes that version's
jobs (whose previous owner is therefore dead), and removes those whose owner is dead. It looks
in the storage folder and its sub-folders (generated data files, values), beside the files of
the version's data nodes, and in the filesystem store's folders. A process id is judged on this
host: keep one storage folder per host, or temporary files of another host's live process could
be taken for litter (a job's staged outputs are judged by the job, wherever it ran).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Iterable
from typing import Any

from scenaria.entities.registry import Registry
from scenaria.orchestrator import lease, outputs

logger = logging.getLogger("scenaria")

_BY_PROCESS = re.compile(r"^\.(?:tmp|import)-(\d+)-|^\..+\.(\d+)\.\d+\.tmp$")
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_BY_JOB = re.compile(rf"^\.staged-(JOB_.*_{_UUID})-[0-9a-f]{{8}}-")
_UNFINISHED = frozenset({"SUBMITTED", "BLOCKED", "PENDING", "RUNNING"})


def sweep(registry: Registry, version: str) -> int:
    """Remove the temporary files of dead owners (see the module docstring); how many went."""
    judge = _Judge(registry, version)
    removed = 0
    for folder in _folders(registry, version):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if name.startswith(".") and judge.is_litter(name):
                removed += _remove(os.path.join(folder, name))
    if removed:
        logger.info("Removed %d temporary file(s) that killed processes left.", removed)
    return removed


class _Judge:
    """Whether a temporary file's owner is dead (the process, or the job's orchestrator)."""

    def __init__(self, registry: Registry, version: str) -> None:
        self.repository = registry.repository
        self.version = version
        self.live_versions: dict[str, bool] = {version: False}  # this process took over: its jobs' runs are gone
        self._moves: dict[str, Any] | None = None

    def _still_to_move(self) -> dict[str, Any]:
        """The renames-only commits whose files could not be moved yet (``outputs.finish_moves``)."""
        if self._moves is None:
            self._moves = self.repository.get_meta(outputs.moves_key(self.version)) or {}
        return self._moves

    def is_litter(self, name: str) -> bool:
        by_process = _BY_PROCESS.match(name)
        if by_process:
            return not _process_alive(int(by_process.group(1) or by_process.group(2)))
        by_job = _BY_JOB.match(name)
        return by_job is not None and not self._job_alive(by_job.group(1))

    def _job_alive(self, job_id: str) -> bool:
        job = self.repository.load("job", job_id)
        if job is not None and job_id in self._still_to_move():  # a COMPLETED job's files not moved yet
            return True
        if job is None or job.get("status") not in _UNFINISHED:
            return False
        if job.get("commit_intent"):  # its accepted run's commit was cut: resuming finishes it from these files
            return True
        version = str(job.get("version", ""))
        if version not in self.live_versions:
            self.live_versions[version] = lease.alive(lease.holder(self.repository, version))
        return self.live_versions[version]


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _folders(registry: Registry, version: str) -> Iterable[str]:
    from scenaria.config import Config

    storage = os.path.abspath(Config.core.storage_folder)
    folders = {storage}
    with contextlib.suppress(OSError):
        folders.update(entry.path for entry in os.scandir(storage) if entry.is_dir(follow_symlinks=False))
    for record in registry.repository.find("data_node", version=version):
        path = (record.get("properties") or {}).get("path")
        if isinstance(path, str) and path and "://" not in path:
            folders.add(os.path.dirname(os.path.abspath(path)))
    root = getattr(registry.repository, "root", None)
    if isinstance(root, str):  # a filesystem store
        from scenaria.store.filesystem import FOLDERS

        folders.update(os.path.join(root, folder) for folder in FOLDERS.values())
    return sorted(folders)


def _remove(path: str) -> int:
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            import shutil  # here: slow to import, and most starts find no litter

            shutil.rmtree(path)
        else:
            os.remove(path)
    except FileNotFoundError:
        return 0
    except OSError as exc:
        logger.warning("Could not remove the temporary file %s: %s", path, exc)
        return 0
    return 1
