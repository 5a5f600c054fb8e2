"""Importing scenaria.config stays light: no pandas, SQLAlchemy, Dask or pyarrow."""

from __future__ import annotations

import subprocess
import sys


def test_import_loads_no_heavy_dependency() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import scenaria.config"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    modules = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert "scenaria" in modules
    assert not modules & {"pandas", "sqlalchemy", "dask", "distributed", "pyarrow", "numpy"}
