"""Loading a configuration named on the command line: a TOML file, or Python code that builds it.

A Python file is run with a module name other than ``__main__``, so its
``if __name__ == "__main__":`` block is left out; ``import taipy`` works in it. Given
``run_name=None`` it is imported as the module its file name says (its directory first on
``sys.path``): the functions it defines then have the names that worker processes, and client
processes importing the same module, find. A TOML file's directory goes first on ``sys.path``
too, so ``my_module.function`` finds the module beside it (here, and in the workers, which get
``sys.path`` from the orchestrator). A dotted name that is not a file is imported.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import runpy
import sys
import traceback

from scenaria.exceptions import ConfigError, ScenariaError


class UserCodeError(ConfigError):
    """The configuration's Python code raised (an import or syntax error...): the message is the
    error with the traceback frames of the user's files only."""


def users_part(exc: BaseException) -> str:
    """The traceback frames outside scenaria and the import machinery, then the error: where the
    user's files went wrong, without the command's frames around them."""
    machinery = (
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep,
        os.path.dirname(importlib.__file__) + os.sep,
        runpy.__file__,
        "<frozen",
    )
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if not frame.filename.startswith(machinery)]
    listing = "Traceback (most recent call last):\n" + "".join(traceback.format_list(frames)) if frames else ""
    return listing + "".join(traceback.format_exception_only(type(exc), exc)).rstrip()


def load_configuration(target: str, run_name: str | None) -> None:
    """Apply the configuration in ``target``: a .py file (run as ``run_name``, or imported when
    None), a .toml file, or a module name. Python code that starts an orchestrator meanwhile
    (an application's unguarded ``Orchestrator().run()``) is stopped there, saying how to fix it.

    What the code prints meanwhile goes to stderr: a command's stdout is its result alone
    (``--json``, ``graph``'s Mermaid text), whatever the configuration module prints at import."""
    from scenaria.dispatch import base

    reason, base.no_orchestrator_here = (
        base.no_orchestrator_here,
        (f"the command imports {target} for its configuration, and it starts an orchestrator when imported"),
    )
    try:
        with contextlib.redirect_stdout(sys.stderr):
            _load(target, run_name)
    except ScenariaError:
        raise
    except Exception as exc:  # the user's code failed: its own frames say where, not the command's
        raise UserCodeError(f"The configuration {target} cannot be loaded:\n{users_part(exc)}") from None
    finally:
        base.no_orchestrator_here = reason


def _load(target: str, run_name: str | None) -> None:
    from scenaria.config import Config

    path = os.path.abspath(target)
    if target.endswith((".py", ".toml")) and not os.path.isfile(path):
        raise ConfigError(f"cannot read the configuration {target!r}: no such file; give a .toml or .py file")
    if path.endswith(".py") or not os.path.exists(path):
        from scenaria import compat

        compat.install()
        if not path.endswith(".py"):
            sys.path.insert(0, os.getcwd())
            importlib.import_module(target)
            return
        sys.path.insert(0, os.path.dirname(path))
        if run_name is None:
            importlib.import_module(os.path.basename(path)[: -len(".py")])
        else:
            runpy.run_path(path, run_name=run_name)
    else:
        sys.path.insert(0, os.path.dirname(path))  # its functions' modules beside it, as for a script
        Config.load(path)
