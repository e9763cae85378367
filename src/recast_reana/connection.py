"""Why a connection failed, in the user's words.

requests and urllib3 wrap the cause in layers whose text names connection pools and retries
("HTTPConnectionPool(host=..., port=...): Max retries exceeded with url: ..."), which tells a user
nothing. `failure_reason` walks the chain (causes, contexts, `reason`s, args) to the socket-level
cause. GitLab, REANA and registry clients share it; each adds its own hint.
"""

from __future__ import annotations

import errno
import http.client
import socket
import ssl
from collections.abc import Iterator


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        cur = stack.pop()
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        yield cur
        stack += [a for a in cur.args if isinstance(a, BaseException)]
        stack += [c for c in (cur.__cause__, cur.__context__) if c is not None]
        reason = getattr(cur, "reason", None)
        if isinstance(reason, BaseException):
            stack.append(reason)


def _reason_of(cur: BaseException) -> str | None:
    name = type(cur).__name__
    if isinstance(cur, socket.gaierror) or "NameResolution" in name:
        return "name not resolved"
    if "RemoteDisconnected" in name:  # before ConnectionResetError and BadStatusLine, its bases
        return "connection closed without an answer"
    if isinstance(cur, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cur, ConnectionResetError):
        return "connection reset"
    if isinstance(cur, BrokenPipeError):
        return "connection closed while sending"
    if isinstance(cur, ssl.SSLError) or name == "SSLError":
        if "CERTIFICATE_VERIFY" in str(cur) or "certificate verify failed" in str(cur):
            return "TLS certificate not trusted"
        return "TLS handshake failed"
    if isinstance(cur, (TimeoutError, socket.timeout)) or "Timeout" in name:
        return "timed out"
    if isinstance(cur, OSError) and cur.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return "network unreachable"
    if isinstance(cur, http.client.BadStatusLine):
        return "the answer was not HTTP"
    if name in ("ChunkedEncodingError", "IncompleteRead", "ProtocolError") and (
        name != "ProtocolError" or "Connection broken" in str(cur)
    ):
        return "the answer was cut off"
    if name == "TooManyRedirects":
        return "too many redirects"
    return None


def failure_reason(exc: BaseException) -> str:
    """ "connection refused", "name not resolved", "timed out", ... or "connection failed"."""
    for cur in _chain(exc):
        reason = _reason_of(cur)
        if reason is not None:
            return reason
    return "connection failed"
