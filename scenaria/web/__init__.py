"""The REST API and dashboard (``pip install "scenaria[web]"``): `create_app` builds the FastAPI app.

FastAPI and uvicorn are imported only when this package's modules are, never by ``import scenaria``.
The app talks to scenaria through the public API (``tp.*``) and the store only, so it is the same
client whether the orchestrator runs in this process or in another one.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app", "serve"]


def create_app(*args: Any, **kwargs: Any) -> Any:
    """The FastAPI app (see `scenaria.web.app.create_app`)."""
    from scenaria.web.app import create_app as build

    return build(*args, **kwargs)


def serve(*args: Any, **kwargs: Any) -> None:
    """Run the app with uvicorn (see `scenaria.web.app.serve`)."""
    from scenaria.web.app import serve as run

    run(*args, **kwargs)
