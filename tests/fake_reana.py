"""A fake REANA 0.9 server on 127.0.0.1 that speaks the real wire protocol.

Every request is checked against the Swagger 2.0 spec REANA publishes
(`reana_commons/openapi_specifications/reana_server.json` from reana-commons 0.9.11) and every
answer against its documented statuses and response schemas (tests/openapi_check.py). A violation
is answered 400 and recorded in `violations` (the tests assert there are none).

The answers are REANA's (tests/reana_operations.py); a started workflow plays its stages as jobs
on the injected clock (tests/workflow_simulation.py). Faults on demand (`inject`): any status, a
dropped connection, a slow answer, a revoked token, an HTML page instead of JSON, a body cut in
the middle, a request body read half-way ("cut"), a Retry-After, a redirect, any JSON answer
("body", unchecked: a broken server). Every request is recorded in `seen`; `count()` and
`operations()` leave out the `GET /api/ping` handshake every client makes first.

REANA 0.95's protocol (capabilities, Bearer token, bundle, validate) is tests/fake_reana95.py.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from local_server import LocalServer
from openapi_check import OpenApi
from reana_operations import Answer, ReanaOperations


@dataclass
class Fault:
    operation: str | None  # operationId, None = any
    # "status" | "drop" | "slow" | "revoke" | "html" | "page" | "garbage" | "body" | "redirect" |
    # "truncate" | "cut" (the request's body read half-way, then the connection closed)
    kind: str
    times: int = 1
    skip: int = 0  # let this many matching requests through first
    status: int = 503
    delay: float = 0.0
    retry_after: str = ""  # a Retry-After header with a "status" fault
    message: str = ""  # the "status" fault's {"message"}
    location: str = ""  # a "redirect" fault's Location
    body: Any = None  # a "body" fault's JSON answer (with `status`), unchecked: a broken server


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    operation: str
    query: dict[str, list[str]]  # without access_token
    body: bytes


class FakeReana(ReanaOperations, LocalServer):
    def __init__(
        self,
        openapi: dict[str, Any],
        *,
        token: str,
        clock: Callable[[], float] = time.monotonic,
        tls: tuple[Path, Path] | None = None,  # (certificate, key): serve HTTPS
    ) -> None:
        ReanaOperations.__init__(self, token, clock, Path(tempfile.mkdtemp(prefix="fake-reana-")))
        handler = type("Handler", (_Handler,), {"fake": self})
        LocalServer.__init__(self, handler, tls=tls, quiet=True)
        self.api = OpenApi(openapi)
        self.seen: list[Seen] = []
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        self.content_type = ""  # of the request being answered (0.95's multipart bundle)
        self._lock = threading.Lock()

    def __exit__(self, *exc: object) -> None:
        LocalServer.__exit__(self, *exc)
        shutil.rmtree(self._root, ignore_errors=True)

    def inject(self, kind: str, operation: str | None = None, **options: Any) -> None:
        self.faults.append(Fault(operation, kind, **options))

    def count(self, operation: str | None = None) -> int:
        """Requests of `operation`; None: all but the protocol handshake (`GET /api/ping`,
        asked once per client before anything else; count("ping") counts those)."""
        if operation is None:
            return sum(1 for s in self.seen if s.operation != "ping")
        return sum(1 for s in self.seen if s.operation == operation)

    def operations(self) -> list[str]:
        """The operations asked, in order, without the handshake (see `count`)."""
        return [s.operation for s in self.seen if s.operation != "ping"]

    def handle(self, handler: _Handler) -> None:
        url = urlsplit(handler.path)
        query = parse_qs(url.query, keep_blank_values=True)
        length = int(handler.headers.get("Content-Length") or 0)
        matched = self.api.match(handler.command, url.path)
        operation = matched[0]["operationId"] if matched else "?"
        with self._lock:
            fault = self._fault(operation)
        if fault is not None and fault.kind == "cut":  # the client's body stops half-way
            handler.rfile.read(length // 2)
            handler.close_connection = True
            with self._lock:
                public = {k: v for k, v in query.items() if k != "access_token"}
                self.seen.append(Seen(handler.command, url.path, operation, public, b""))
            return
        body = handler.rfile.read(length) if length else b""
        with self._lock:
            public = {k: v for k, v in query.items() if k != "access_token"}
            self.seen.append(Seen(handler.command, url.path, operation, public, body))
        if fault is not None:
            if fault.kind == "drop":
                handler.close_connection = True
                return
            if fault.kind == "status":
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                message = fault.message or "Service Unavailable"
                handler.reply(fault.status, {"message": message}, headers)
                return
            if fault.kind == "garbage":  # a 200 that is JSON but not REANA's
                handler._send(200, b'"It works!"', "application/json")
                return
            if fault.kind == "body":
                handler.reply(fault.status, fault.body)
                return
            if fault.kind == "redirect":
                handler.reply(fault.status, {"message": "Moved"}, {"Location": fault.location})
                return
            if fault.kind == "html":  # e.g. a single sign-on page in front of the server
                handler._send(200, b"<html><body>Sign in</body></html>", "text/html")
                return
            if fault.kind == "page":  # an ingress's own error page, e.g. 404 while REANA restarts
                page = f"<html><body><h1>{fault.status}</h1>nginx</body></html>".encode()
                handler._send(fault.status, page, "text/html")
                return
            if fault.kind == "slow":
                time.sleep(fault.delay)
            if fault.kind == "revoke":
                self.revoked = True
            if fault.kind == "truncate":  # the connection breaks in the middle of the body
                handler.truncate = True
        if matched is None:
            self._violation(f"{handler.command} {url.path}: no such operation in the spec")
            handler.reply(404, {"message": "Not found"})
            return
        op, path_params = matched
        problems = self.api.check_request(op, query, handler.headers.get("Content-Type", ""), body)
        if problems:
            self._violation(f"{handler.command} {url.path}: " + "; ".join(problems))
            handler.reply(400, {"message": "; ".join(problems)})
            return
        with self._lock:
            self.content_type = handler.headers.get("Content-Type", "")
            try:
                self.credentials(op, query, handler.headers.get("Authorization"))
                status, answer = getattr(self, "op_" + operation)(path_params, query, body)
            except Answer as exc:
                status, answer = exc.status, {"message": exc.message}
        if isinstance(answer, bytes):
            handler.reply_bytes(status, answer)
            return
        for problem in self.api.check_response(op, status, answer):
            self._violation(f"{handler.command} {url.path}: {problem}")
        handler.reply(status, answer)

    def credentials(self, op: dict[str, Any], query: Any, authorization: str | None) -> None:
        """REANA 0.9: the `access_token` query parameter, where the operation declares it."""
        if authorization is not None:
            self._violation("an Authorization header sent to REANA 0.9, which reads none")
        if any(p["name"] == "access_token" for p in op.get("parameters", [])):
            self.authenticate(query.get("access_token", [None])[0])

    def _violation(self, text: str) -> None:
        self.violations.append(text)

    def _fault(self, operation: str) -> Fault | None:
        for fault in self.faults:
            if fault.operation in (None, operation) and fault.times > 0:
                if fault.skip > 0:
                    fault.skip -= 1
                    return None
                fault.times -= 1
                return fault
        return None


class _Handler(BaseHTTPRequestHandler):
    fake: FakeReana
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK wait
    truncate = False

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.fake.handle(self)

    do_POST = do_PUT = do_DELETE = do_GET

    def reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self._send(status, data, "application/json", headers)

    def reply_bytes(self, status: int, data: bytes) -> None:
        self._send(status, data, "application/octet-stream")

    def _send(
        self, status: int, data: bytes, ctype: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.truncate:
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
            return
        self.wfile.write(data)
