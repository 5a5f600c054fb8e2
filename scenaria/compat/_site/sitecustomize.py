"""Start-up hook for Python processes started under ``scenaria run``.

``scenaria run`` puts this directory first on ``PYTHONPATH``, so Python imports this module
as ``sitecustomize`` instead of any other one on its path. This module runs that other one
first (so the environment is set up as it would be without scenaria), then, when
``SCENARIA_TAIPY_COMPAT=1``, serves ``import taipy`` from scenaria. A Python that cannot
import scenaria is left alone.
"""

import os
import sys


def _run_hidden_sitecustomize() -> None:
    import importlib.machinery
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    path = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", path)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


def _serve_taipy() -> None:
    if os.environ.get("SCENARIA_TAIPY_COMPAT") != "1":
        return
    try:
        from scenaria.compat import install
    except ImportError:
        return
    install()


try:
    _run_hidden_sitecustomize()
finally:
    _serve_taipy()
