"""The ASGI application: one port for every service (Starlette)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from localiam.auth import HttpRequestView
from localiam.server._bootstrap import RootCredentials, ensure_account
from localiam.server._dispatch import Dispatcher


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(dispatcher: Dispatcher, reset: Callable[[], RootCredentials]) -> Starlette:
    """The app: AWS query requests on `/`, test isolation on `/_localiam/reset` (and on
    `/moto-api/reset`, so suites written for moto's server mode run unchanged)."""

    async def aws(request: Request) -> Response:
        body = await request.body()
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        view = HttpRequestView(
            request.method,
            raw_path.decode("latin-1"),
            request.scope.get("query_string", b"").decode("latin-1"),
            request.headers.items(),
            body,
        )
        client = request.client.host if request.client else "127.0.0.1"
        secure = request.url.scheme == "https"
        # Handled on the event loop: the work is CPU-bound Python under one GIL and SQLite takes
        # one writer at a time, so a thread hop would only add latency (measured: +35% req/s).
        answer = dispatcher.handle(view, client, secure)
        return Response(answer.body, answer.status, headers=dict(answer.headers))

    async def do_reset(request: Request) -> Response:
        creds = await asyncio.to_thread(reset)
        return JSONResponse({"reset": True, "accountId": creds.account_id})

    routes = [
        Route("/_localiam/reset", do_reset, methods=["POST"]),
        Route("/moto-api/reset", do_reset, methods=["POST"]),
        Route("/{path:path}", aws, methods=["GET", "POST"]),
    ]
    return Starlette(routes=routes)


__all__ = ["create_app", "ensure_account", "utc_now"]
