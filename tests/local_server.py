"""An HTTP server on 127.0.0.1, on a port the system picks, serving from a thread.

The base of the fake GitLab and fake REANA servers: `with Fake(...) as server:` serves until the
block ends; `server.url` is where it listens. A free port each time, so tests may run at once
(pytest-xdist workers, several checkouts on one machine).
"""

from __future__ import annotations

import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

S = TypeVar("S", bound="LocalServer")


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a client that gave up on a slow answer closed the socket (a tested fault)."""


class LocalServer:
    def __init__(
        self,
        handler: type[BaseHTTPRequestHandler],
        *,
        tls: tuple[Path, Path] | None = None,  # (certificate, key): serve HTTPS
        quiet: bool = False,  # no traceback on stderr when a client goes away mid-answer
    ) -> None:
        self._server = (_QuietServer if quiet else ThreadingHTTPServer)(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self: S) -> S:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
