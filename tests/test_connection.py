"""failure_reason: the words for a failed connection, read from what requests really raises."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
import requests

from recast_reana.connection import failure_reason


def _server(answer: bytes | None) -> Iterator[str]:
    """A TCP server on 127.0.0.1 that reads the request, then sends `answer` and closes (None:
    closes without a word)."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        with listener:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                if answer is not None:
                    conn.sendall(answer)

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{port}/"


def _closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as s:
        return int(s.getsockname()[1])


def _failure(url: str, timeout: float = 5) -> BaseException:
    with pytest.raises(requests.RequestException) as raised:
        requests.get(url, timeout=timeout)
    return raised.value


def test_refused() -> None:
    assert failure_reason(_failure(f"http://127.0.0.1:{_closed_port()}/")) == "connection refused"


def test_name_not_resolved() -> None:
    assert failure_reason(_failure("http://recast-reana.invalid/")) == "name not resolved"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (None, "connection closed without an answer"),
        (b"SSH-2.0-OpenSSH_9.2\r\n", "the answer was not HTTP"),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort",
            "the answer was cut off",
        ),
    ],
)
def test_answers_that_are_not_answers(answer: bytes | None, reason: str) -> None:
    url = next(_server(answer))
    exc: BaseException
    try:
        requests.get(url, timeout=5).content  # noqa: B018 (reading the body is the point)
    except requests.RequestException as e:
        exc = e
    else:
        raise AssertionError("no failure")
    assert failure_reason(exc) == reason


def test_read_timeout() -> None:
    listener = socket.create_server(("127.0.0.1", 0))  # accepts (backlog), never answers
    with listener:
        exc = _failure(f"http://127.0.0.1:{listener.getsockname()[1]}/", timeout=0.2)
    assert failure_reason(exc) == "timed out"


def test_anything_else_is_a_failed_connection() -> None:
    assert failure_reason(ValueError("odd")) == "connection failed"
