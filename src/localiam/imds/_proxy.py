"""A dedicated port for one instance's metadata, so that
`curl http://127.0.0.1:PORT/latest/meta-data/hostname` works as on an instance: every request is
passed to the server's `/_localiam/imds/<instance id>` as it came (method, path, headers, body).
The standard library's HTTP server suffices for a forwarder this small."""

from __future__ import annotations

import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_HOP = frozenset({"host", "connection", "content-length", "transfer-encoding", "keep-alive"})


def make_server(host: str, port: int, base_url: str) -> ThreadingHTTPServer:
    """An HTTP server on `host:port` forwarding to `base_url` (not started)."""

    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else None
            request = urllib.request.Request(
                base_url.rstrip("/") + self.path, data=body, method=self.command
            )
            for name, value in self.headers.items():
                if name.lower() not in _HOP:
                    request.add_header(name, value)
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    status, headers, payload = answer.status, answer.headers, answer.read()
            except urllib.error.HTTPError as failed:
                status, headers, payload = failed.code, failed.headers, failed.read()
            except OSError:
                status, headers, payload = 502, None, b"localiam server unreachable\n"
            self.send_response(status)
            for name, value in headers.items() if headers is not None else ():
                if name.lower() not in _HOP:
                    self.send_header(name, value)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_PUT = do_HEAD = do_POST = _forward

        def log_message(self, format: str, *args: object) -> None:
            return

    return ThreadingHTTPServer((host, port), Forward)
