"""The backend: moto's server application, called in process (as DESIGN.md chose: localiam
supplies the identity and authorization, moto the services' behaviour).

moto keeps its state in module-level dictionaries of its own; one `localiam serve` process owns
them. The account a request acts in is given with moto's `x-moto-account-id` header.
"""

from __future__ import annotations

from typing import Any

from werkzeug.test import EnvironBuilder, run_wsgi_app

from localiam.gateway._model import Forward


class MotoBackend:
    """moto's WSGI application, made on the first data-plane request (importing moto takes
    about half a second, which a server used only for IAM should not pay at start-up)."""

    def __init__(self) -> None:
        self._made: Any = None

    @property
    def _app(self) -> Any:
        if self._made is None:
            from moto.moto_server.werkzeug_app import (
                DomainDispatcherApplication,
                create_backend_app,
            )

            self._made = DomainDispatcherApplication(create_backend_app)
        return self._made

    def call(self, request: Forward, account_id: str) -> tuple[int, list[tuple[str, str]], bytes]:
        """Run `request` through moto as `account_id`; its status, headers and body."""
        headers = [(k, v) for k, v in request.headers if k.lower() != "x-moto-account-id"]
        headers.append(("x-moto-account-id", account_id))
        builder = EnvironBuilder(
            path=request.path,
            method=request.method,
            query_string=request.query_string,
            headers=headers,
            data=request.body,
        )
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        chunks, status, response_headers = run_wsgi_app(self._app, environ, buffered=True)
        body = b"".join(chunks)
        code = int(str(status).split(" ", 1)[0])
        return code, list(response_headers.items()), body

    def reset(self) -> None:
        """Forget every resource of every account (nothing to forget before the first
        data-plane request)."""
        if self._made is None:
            return
        from moto.moto_api._internal.models import moto_api_backend

        moto_api_backend.reset()
