"""The ASGI application: one port for every service (Starlette)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from localiam.auth import HttpRequestView
from localiam.imds import PREFIX as IMDS_PREFIX
from localiam.imds import Imds
from localiam.server._bootstrap import RootCredentials, ensure_account
from localiam.server._dispatch import Dispatcher


def utc_now() -> datetime:
    return datetime.now(UTC)


_RESET_PATHS = frozenset({"/_localiam/reset", "/moto-api/reset"})


class LocalIamApp:
    """The ASGI entry point. AWS requests (every path but the reset ones) go straight to the
    dispatcher: they are the hot path, and Starlette's request and response objects and routing
    cost about as much as authorizing the request. Everything else goes to the Starlette app."""

    def __init__(
        self, dispatcher: Dispatcher, fallback: Starlette, imds: Imds | None = None
    ) -> None:
        self.dispatcher = dispatcher
        self.fallback = fallback
        self.imds = imds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in _RESET_PATHS:
            await self.fallback(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        if self.imds is not None and scope["path"].startswith(IMDS_PREFIX):
            await self._metadata(scope, send)
            return
        raw_path = scope.get("raw_path") or scope["path"].encode()
        view = HttpRequestView(
            scope["method"],
            raw_path.decode("latin-1"),
            scope.get("query_string", b"").decode("latin-1"),
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]],
            b"".join(chunks),
        )
        client = scope.get("client")
        # Handled on the event loop: the work is CPU-bound Python under one GIL and SQLite takes
        # one writer at a time, so a thread hop would only add latency (measured: +35% req/s).
        answer = self.dispatcher.handle(
            view, client[0] if client else "127.0.0.1", scope.get("scheme") == "https"
        )
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers]
        if not any(k.lower() == "content-length" for k, _ in answer.headers):
            headers.append((b"content-length", str(len(answer.body)).encode()))
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})

    async def _metadata(self, scope: Scope, send: Send) -> None:
        """The instance metadata service of one instance (imds/)."""
        assert self.imds is not None
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        answer = self.imds.handle(scope["method"], scope["path"].removeprefix(IMDS_PREFIX), headers)
        out = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers]
        out.append((b"content-length", str(len(answer.body)).encode()))
        await _send(send, answer.status, out, answer.body)


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def create_app(
    dispatcher: Dispatcher, reset: Callable[[], RootCredentials], imds: Imds | None = None
) -> LocalIamApp:
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
    return LocalIamApp(dispatcher, Starlette(routes=routes), imds)


__all__ = ["LocalIamApp", "create_app", "ensure_account", "utc_now"]
