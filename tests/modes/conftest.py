"""The multi-process Dask cluster the dask-mode tests share."""

from __future__ import annotations

from pathlib import Path

import pytest

import scenaria as tp
from scenaria import Config
from tests.support.dask_processes import DaskProcesses


@pytest.fixture
def cluster(tmp_path):
    """A real `dask scheduler` and two `dask worker` processes, stopped after the test."""
    Config.configure_core(storage_folder=str(tmp_path / "data"))  # workers have working directories of their own
    processes = DaskProcesses(workers=2, cwd=Path.cwd())
    yield processes
    tp.Orchestrator().stop()
    processes.stop()
