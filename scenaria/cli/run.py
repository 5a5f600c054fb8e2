"""``scenaria run SCRIPT [ARGS...]``: run a script written for Taipy, unchanged.

The script runs in this process as ``python SCRIPT ARGS`` would run it (as ``__main__``, its
directory first on ``sys.path``, ``sys.argv == [SCRIPT, *ARGS]``), with ``import taipy``
served by scenaria here and in every Python process it starts.

Taipy's application flags are rewritten to the ``--taipy-`` forms its version management
reads, as ``taipy run`` does: ``--development``, ``--experiment [V]``, ``--production [V]``,
``--force`` and ``--no-force`` (which becomes ``--no-taipy-force``, the form that is actually
parsed). Other arguments pass unchanged; everything after ``external-args`` passes unchanged
too, for scripts that have flags of their own with those names.
"""

from __future__ import annotations

import argparse
import builtins
import importlib.machinery
import os
import sys
import types
from collections.abc import Sequence
from typing import Any

from scenaria.cli.common import documented_parser
from scenaria.exceptions import TaipyPartNotServed

NAME = "run"
HELP = "run a Python script written for Taipy or scenaria; `import taipy` is served by scenaria"

#: Flags ``taipy run`` forwards to the application, and the form the application parses.
TAIPY_FLAGS = {
    "--development": "--taipy-development",
    "--experiment": "--taipy-experiment",
    "--production": "--taipy-production",
    "--force": "--taipy-force",
    "--no-force": "--no-taipy-force",
    "--taipy-no-force": "--no-taipy-force",
}
#: Taipy's ``taipy run`` keyword after which arguments go to the application untouched.
EXTERNAL_ARGS = "external-args"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Declare ``run SCRIPT [ARGS...]``; ARGS are taken verbatim, options included."""
    parser = documented_parser(subparsers, NAME, HELP, __doc__)
    parser.add_argument(
        "--progress", action="store_true", help="show every submission live (state, time, progress) while it runs"
    )
    parser.add_argument("script", metavar="SCRIPT", help="the Python file to run")
    parser.add_argument("script_args", nargs=argparse.REMAINDER, metavar="ARGS", help="the script's arguments")
    return parser


def rewrite_taipy_flags(args: Sequence[str]) -> list[str]:
    """The script's arguments with Taipy's application flags in their ``--taipy-`` form."""
    rewritten: list[str] = []
    verbatim = False
    for arg in args:
        if verbatim:
            rewritten.append(arg)
        elif arg == EXTERNAL_ARGS:
            verbatim = True
        else:
            flag, equals, value = arg.partition("=")
            rewritten.append(TAIPY_FLAGS[flag] + equals + value if flag in TAIPY_FLAGS else arg)
    return rewritten


def run(args: argparse.Namespace) -> int:
    """Serve ``import taipy`` (here and in children) and run the script as ``__main__``."""
    from scenaria import compat

    path = os.path.abspath(args.script)
    if not os.path.isfile(path):
        args.parser.exit(2, f"scenaria run: cannot open {args.script!r}: no such file\n")
    compat.install(strict=True)
    compat.enable_for_children()
    _show_like_taipy()
    watcher = None
    if args.progress:
        from scenaria.live import watch_submissions

        watcher = watch_submissions()
    sys.argv = [args.script, *rewrite_taipy_flags(args.script_args)]
    _put_script_dir_first(path)
    try:
        return run_as_main(path)
    finally:
        if watcher is not None:
            watcher.close()


#: How Taipy 4.1 shows its records on the console, which scripts run here are used to.
TAIPY_LOG_FORMAT = "[%(asctime)s.%(msecs)03d][Taipy][%(levelname)s] %(message)s"


def _show_like_taipy() -> None:
    """scenaria's records (a failed job's ERROR...) in Taipy's format, job output unprefixed."""
    import logging

    from scenaria.orchestrator.console import PREFIX_VARIABLE

    os.environ[PREFIX_VARIABLE] = ""
    own = logging.getLogger("scenaria")
    if not own.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(TAIPY_LOG_FORMAT, "%Y-%m-%d %H:%M:%S"))
        own.addHandler(handler)


def _put_script_dir_first(path: str) -> None:
    """``sys.path[0]`` becomes the script's directory, as with ``python SCRIPT``.

    The entry it replaces (the console script's directory, or the working directory under
    ``python -m``) is kept only if scenaria itself is imported from there.
    """
    script_dir = os.path.dirname(os.path.realpath(path))
    import scenaria

    scenaria_root = os.path.dirname(os.path.dirname(os.path.abspath(scenaria.__file__ or "")))
    first = os.path.abspath(sys.path[0] or os.curdir) if sys.path else None
    if first is not None and first != scenaria_root:
        del sys.path[0]
    sys.path.insert(0, script_dir)


def run_as_main(path: str) -> int:
    """Execute the file as the ``__main__`` module and leave it there, as Python does.

    Not `runpy.run_path`: it restores the previous ``__main__`` when the script returns,
    while threads the script started (the orchestrator, event processors) may still need
    ``__main__`` to be the script, e.g. to pickle an object of a class the script defines.
    """
    with open(path, "rb") as file:
        source = file.read()
    main = types.ModuleType("__main__")
    main.__file__ = path
    main.__builtins__ = builtins  # type: ignore[attr-defined]
    main.__loader__ = importlib.machinery.SourceFileLoader("__main__", path)
    main.__spec__ = None
    sys.modules["__main__"] = main
    try:
        exec(compile(source, path, "exec", dont_inherit=True), main.__dict__)
    except (SystemExit, KeyboardInterrupt):
        raise
    except TaipyPartNotServed as exc:
        sys.stderr.write(f"scenaria run: {exc}\n")
        return 2
    except BaseException as exc:
        _report(exc, path)
        return 1
    return 0


def _report(exc: BaseException, path: str) -> None:
    """Print the traceback from the script's first frame on, as ``python SCRIPT`` would: none
    for a syntax error in the script (its message says the file and line)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != path:
        tb = tb.tb_next
    sys.excepthook(type(exc), exc.with_traceback(tb), tb)
