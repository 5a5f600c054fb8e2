"""Optional libraries, imported when a data node first needs them.

``import scenaria`` imports none of pandas, polars, pyarrow, openpyxl, SQLAlchemy, pymongo, boto3
or fsspec: most applications use two or three storage types, and a scheduler process that only
moves jobs around should not pay for the others. A data node asks for its library here when
it reads or writes; a missing one becomes ``DependencyNotInstalled`` naming the command that
installs it, instead of a bare ``ModuleNotFoundError`` from deep inside a job.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from scenaria.exceptions import DependencyNotInstalled

#: module -> the ``pip install`` argument that brings it
INSTALL: dict[str, str] = {
    "pandas": '"scenaria[pandas]"',
    "numpy": '"scenaria[pandas]"',
    "pyarrow": '"scenaria[parquet]"',
    "fastparquet": "fastparquet",
    "openpyxl": '"scenaria[excel]"',
    "sqlalchemy": '"scenaria[sql]"',
    "psycopg2": '"scenaria[postgresql]"',
    "pymysql": "pymysql",
    "pyodbc": "pyodbc",
    "pymongo": '"scenaria[mongo]"',
    "boto3": '"scenaria[s3]"',
    "fsspec": '"scenaria[s3]"',
    "s3fs": "s3fs",
    "dask": '"scenaria[dask]"',
    "polars": '"scenaria[polars]"',
}


def require(module: str, purpose: str) -> ModuleType:
    """Import ``module``, or raise ``DependencyNotInstalled`` saying what needs it and how to install it.

    ``purpose`` names what needs it, e.g. ``"csv data node 'sales'"``.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise DependencyNotInstalled(missing_message(module, purpose)) from exc


def missing_message(module: str, purpose: str) -> str:
    top = module.split(".", 1)[0]
    package = INSTALL.get(top, top)
    return f"{purpose} needs {top}, which is not installed; install it with: pip install {package}"


def pandas(purpose: str) -> ModuleType:
    return require("pandas", purpose)
