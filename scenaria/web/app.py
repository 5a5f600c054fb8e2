"""`create_app`: the FastAPI app, its security (token, read-only, CSRF) and `serve`.

Security rules, checked on every request before any route runs:
  - with a token configured (the ``token`` argument, else ``$SCENARIA_WEB_TOKEN``, else
    ``Config.configure_core(web_token=...)``, ``web_token`` in the TOML's core section), a request
    carries it as ``Authorization: Bearer TOKEN`` or in the ``scenaria_token`` cookie;
  - in read-only mode only GET, HEAD and OPTIONS are served;
  - a state-changing request sent by a browser (it has an ``Origin`` header) must carry the
    app's CSRF token in ``X-CSRF-Token``, so another site cannot make a visitor's browser act.
`serve` refuses to bind beyond localhost without a token.
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from scenaria.exceptions import ScenariaError
from scenaria.web.live import EventHub

__all__ = ["TOKEN_VARIABLE", "InsecureWebBinding", "check_binding", "create_app", "resolve_token", "serve"]

#: The environment variable that holds the token when none is given.
TOKEN_VARIABLE = "SCENARIA_WEB_TOKEN"
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class InsecureWebBinding(ScenariaError):
    """The web app was asked to listen beyond localhost without a token."""


def create_app(token: str | None = None, read_only: bool = False) -> FastAPI:
    """The REST API (under /api/v1/) and the dashboard (at /), over the current configuration's store.

    ``token`` defaults to ``$SCENARIA_WEB_TOKEN``, then to the core section's ``web_token``; without
    any, no authentication is asked (fit for localhost only). ``read_only`` serves reads only.
    """
    token = resolve_token(token)
    hub = EventHub()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        hub.start()
        try:
            yield
        finally:
            hub.stop()

    app = FastAPI(title="scenaria", version="1", lifespan=lifespan)
    app.state.token = token
    app.state.read_only = read_only
    app.state.csrf = secrets.token_urlsafe(24)
    app.state.hub = hub
    app.add_middleware(_Guard)
    app.add_exception_handler(ScenariaError, _scenaria_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    from scenaria.web import dashboard, resources, views

    app.include_router(resources.router, prefix="/api/v1")
    app.include_router(dashboard.router)
    app.include_router(views.router)
    return app


class _Guard:
    """The security rules, as plain ASGI middleware.

    Not Starlette's ``BaseHTTPMiddleware``: that one relays every chunk of a streaming response
    through a memory stream and a task of its own, a cost each SSE client paid on every write.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal = _refusal(Request(scope)) if scope["type"] == "http" else None
        if refusal is None:
            await self.app(scope, receive, send)
        else:
            await refusal(scope, receive, send)


def _refusal(request: Request) -> JSONResponse | None:
    """Why the request is refused (as the answer to send), or None when it may go on."""
    state = request.app.state
    if state.token is not None and not _authorized(request, state.token):
        return JSONResponse(
            {"message": "missing or wrong token: send 'Authorization: Bearer TOKEN' (or log in at /login)"},
            status_code=401,
        )
    if request.method not in _SAFE_METHODS:
        if state.read_only:
            return JSONResponse({"message": "this server is read-only (started with --read-only)"}, status_code=403)
        sent = request.headers.get("x-csrf-token", "")
        if "origin" in request.headers and not hmac.compare_digest(sent, state.csrf):
            return JSONResponse({"message": "missing or wrong X-CSRF-Token for a browser request"}, status_code=403)
    return None


def _authorized(request: Request, token: str) -> bool:
    if request.url.path == "/login":
        return True
    header = request.headers.get("authorization", "")
    sent = header[7:] if header.lower().startswith("bearer ") else request.cookies.get("scenaria_token", "")
    return hmac.compare_digest(sent.encode(), token.encode())


async def _scenaria_error(_: Request, exc: Exception) -> JSONResponse:
    status = 404 if type(exc).__name__.startswith("NonExisting") or "NotFound" in type(exc).__name__ else 400
    return JSONResponse({"message": str(exc), "error": type(exc).__name__}, status_code=status)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return JSONResponse({"message": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    fields = [".".join(str(part) for part in error.get("loc", ()) if part != "body") for error in errors]
    details = "; ".join(f"{field or 'body'}: {error.get('msg')}" for field, error in zip(fields, errors, strict=True))
    return JSONResponse({"message": f"invalid request: {details}", "fields": fields}, status_code=422)


def resolve_token(token: str | None) -> str | None:
    """The token to ask for: the one given, else ``$SCENARIA_WEB_TOKEN``, else the core section's ``web_token``."""
    if token:
        return token
    from scenaria.config import Config

    configured = getattr(Config.core, "properties", {}).get("web_token")
    return os.environ.get(TOKEN_VARIABLE) or (str(configured) if configured else None)


def check_binding(host: str, token: str | None) -> None:
    """Refuse (`InsecureWebBinding`) to listen beyond localhost without a token."""
    if host not in _LOCAL_HOSTS and not token:
        raise InsecureWebBinding(
            f"refusing to listen on {host} without a token: anyone who can reach it could run and change "
            f"scenarios. Give --token TOKEN (or set {TOKEN_VARIABLE}), or bind to 127.0.0.1."
        )


def serve(host: str = "127.0.0.1", port: int = 8000, token: str | None = None, read_only: bool = False) -> None:
    """Run the app with uvicorn until interrupted (after `check_binding`)."""
    token = resolve_token(token)
    check_binding(host, token)
    import uvicorn

    app: Any = create_app(token=token, read_only=read_only)
    uvicorn.run(app, host=host, port=port, log_level="warning")
