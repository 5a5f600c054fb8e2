"""Checks of where file data lives, for the modes where other processes or hosts read it.

In dask mode with a scheduler ``address``, jobs read and write file data nodes on the cluster's
workers, which may run on other hosts and always run in working directories of their own: a
relative ``storage_folder`` (the default ``user_data/`` included) or a relative ``default_path``
/ ``path`` of a file data node would name a different file in each process. So such a path is
an error there, not a guess: the fix is an absolute path on storage that every worker and the
orchestrator mount at the same place, or an fsspec URL (``s3://bucket/folder``). Without an
address the local cluster runs on this host in this working directory, and relative paths work.
With an address that is not this host's loopback, workers may run on other hosts, where an
absolute path may name a machine-local folder: scenaria cannot tell a mounted shared file system
from a local disk, so it asks the user to say so (``[CORE] shared_storage = True``) or to use a URL.

``[CORE] storage_options`` is the one place for fsspec options (an object store's endpoint,
say): every file data node created without ``storage_options`` of its own gets these.
"""

from __future__ import annotations

import os
from typing import Any

from scenaria.config.check_base import Report, user_sections
from scenaria.config.core import CoreSection
from scenaria.config.data_node import DataNodeConfig
from scenaria.config.issues import IssueCollector
from scenaria.config.job import JobConfig
from scenaria.config.layer import ConfigLayer
from scenaria.config.section import Section

FILE_STORAGE_TYPES = ("pickle", "csv", "excel", "json", "parquet")


def is_url(path: str) -> bool:
    """An fsspec URL (``s3://...``, ``file://...``): not a path relative to a working directory."""
    return "://" in path


def check_storage(layer: ConfigLayer, collector: IssueCollector) -> None:
    core = layer.unique.get("CORE")
    if isinstance(core, CoreSection):
        report = Report(collector, core, "core")
        ok, options = report.read("storage_options", lambda: getattr(core, "storage_options", None))
        if ok and options is not None and not isinstance(options, dict):
            report.error(
                "storage_options",
                options,
                "storage_options are the fsspec options of every file data node: a dict such as "
                '{"client_kwargs": {"endpoint_url": "http://s3.local:9000"}}.',
            )
    job = layer.unique.get("JOB")
    if isinstance(job, JobConfig) and _value(job, "mode") == "dask" and _value(job, "address"):
        _check_shared_paths(layer, collector, core if isinstance(core, CoreSection) else CoreSection())


def _check_shared_paths(layer: ConfigLayer, collector: IssueCollector, core: CoreSection) -> None:
    """Paths that the cluster's workers would each resolve in their own working directory, or
    (with workers elsewhere) on a disk of their own."""
    job = layer.unique["JOB"]
    shared = _value(core, "shared_storage")
    if shared is not None and not isinstance(shared, bool):
        Report(collector, core, "core").error(
            "shared_storage", shared, 'shared_storage is True or False (in TOML: "True:bool").'
        )
    if not shared and not _loopback(str(_value(job, "address"))):
        _check_declared_shared(layer, collector, core)
    folder = _relative(_value(core, "storage_folder"))
    if folder is not None:
        Report(collector, core, "core").error(
            "storage_folder",
            folder,
            f"In dask mode with a scheduler address, the storage folder {folder!r} is relative: each Dask "
            "worker would use a folder of its own. Give an absolute path on storage that every worker and "
            "the orchestrator mount at the same place, or a URL such as 's3://bucket/scenaria' "
            f"(Config.configure_core(storage_folder={os.path.abspath(folder)!r}), say).",
        )
    for dn in user_sections(layer, "DATA_NODE"):
        if not isinstance(dn, DataNodeConfig) or dn._raw("storage_type") not in (None, *FILE_STORAGE_TYPES):
            continue
        for key in ("default_path", "path"):
            path = _relative(_value(dn, key))
            if path is not None:
                Report(collector, dn, "data_node").error(
                    key,
                    path,
                    f"In dask mode with a scheduler address, the {key} {path!r} is relative: each Dask worker "
                    "would read and write a file of its own. Give an absolute path on storage that every "
                    "worker and the orchestrator mount at the same place, or a URL such as "
                    "'s3://bucket/file'.",
                )


def _check_declared_shared(layer: ConfigLayer, collector: IssueCollector, core: CoreSection) -> None:
    """Absolute local paths, with a scheduler workers on other hosts may join: shared, or not?"""
    fix = (
        "once it is a file system every worker and the orchestrator mount at the same place, say so with "
        'Config.configure_core(shared_storage=True) ([CORE] shared_storage = "True:bool"); else use a URL '
        "such as 's3://bucket/scenaria'"
    )
    folder = _value(core, "storage_folder")
    if isinstance(folder, str) and os.path.isabs(folder):
        Report(collector, core, "core").error(
            "storage_folder",
            folder,
            f"In dask mode with a scheduler on another host, the storage folder {folder!r} may be a disk of "
            f"this machine only, which the workers cannot reach: {fix}.",
        )
    for dn in user_sections(layer, "DATA_NODE"):
        if not isinstance(dn, DataNodeConfig) or dn._raw("storage_type") not in (None, *FILE_STORAGE_TYPES):
            continue
        for key in ("default_path", "path"):
            path = _value(dn, key)
            if isinstance(path, str) and os.path.isabs(path):
                Report(collector, dn, "data_node").error(
                    key,
                    path,
                    f"In dask mode with a scheduler on another host, the {key} {path!r} may be on a disk of "
                    f"this machine only: {fix}.",
                )


def _loopback(address: str) -> bool:
    """Whether a scheduler address names this host's loopback (its workers then run here too)."""
    host = address.split("://", 1)[-1].rsplit(":", 1)[0].strip("[]")
    return host in ("localhost", "::1") or host.startswith("127.")


def _value(section: Section, key: str) -> Any:
    """The resolved value, None when it cannot be read (an unset ``ENV[...]``: other checks say so)."""
    try:
        return getattr(section, key, None)
    except Exception:
        return None


def _relative(path: Any) -> str | None:
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if isinstance(path, str) and path and not is_url(path) and not os.path.isabs(path):
        return path
    return None
