"""Serving ``import taipy`` from scenaria, for ``scenaria run`` and the processes it starts.

`install()` puts a finder on ``sys.meta_path`` that answers the public ``taipy.*`` module names
(see `scenaria.compat.aliases.SERVED`) with stand-ins reading scenaria's modules. It is never
active unless asked for: plain ``python app.py`` with ``import scenaria as tp`` does not use it,
and scenaria ships no ``taipy`` package.

Child processes: `enable_for_children()` sets `ENV_VAR` and puts a directory holding a
``sitecustomize.py`` at the front of ``PYTHONPATH``; any Python child that can import scenaria
then calls `install_from_env()` at start-up (the ``sitecustomize`` it hides still runs).
scenaria's worker entry point calls `install_from_env()` itself, which also covers interpreters
started with ``-I``/``-E`` (they ignore ``PYTHONPATH``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping

from scenaria.compat.aliases import SERVED, TAIPY_API_VERSION, TaipyFinder

__all__ = [
    "ENV_VAR",
    "SERVED",
    "SITE_DIR",
    "TAIPY_API_VERSION",
    "enable_for_children",
    "install",
    "install_from_env",
    "installed",
    "uninstall",
]

#: Set to "1" in the environment of processes that must serve ``import taipy``.
ENV_VAR = "SCENARIA_TAIPY_COMPAT"

#: The directory put on ``PYTHONPATH`` for child processes; it holds only a sitecustomize.
SITE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_site")


def installed() -> bool:
    """Whether ``import taipy`` is served by scenaria in this process."""
    return any(isinstance(finder, TaipyFinder) for finder in sys.meta_path)


def install(strict: bool = False) -> None:
    """Serve ``import taipy`` and the public ``taipy.*`` modules from scenaria in this process.

    Idempotent. The finder goes first on ``sys.meta_path`` so that a real Taipy installed in the
    same environment cannot shadow scenaria. With ``strict`` (``scenaria run``), importing a
    Taipy part scenaria does not serve (``taipy.gui``) raises ``TaipyPartNotServed`` saying so.
    """
    for finder in sys.meta_path:
        if isinstance(finder, TaipyFinder):
            finder.strict = finder.strict or strict
            return
    sys.meta_path.insert(0, TaipyFinder(strict))


def uninstall() -> None:
    """Undo `install()` and forget the ``taipy`` modules it served."""
    sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, TaipyFinder)]
    for name in [name for name in sys.modules if name == "taipy" or name.startswith("taipy.")]:
        if name in SERVED:
            del sys.modules[name]


def install_from_env() -> bool:
    """`install()` when `ENV_VAR` is "1"; returns whether it did. For worker entry points."""
    if os.environ.get(ENV_VAR) == "1":
        install()
        return True
    return False


def enable_for_children(environ: MutableMapping[str, str] | None = None) -> None:
    """Make Python processes started with ``environ`` (default: ours) serve ``import taipy``."""
    env = os.environ if environ is None else environ
    env[ENV_VAR] = "1"
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != SITE_DIR]
    env["PYTHONPATH"] = os.pathsep.join([SITE_DIR, *paths])
