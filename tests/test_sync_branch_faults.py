"""Standing fault suite for `sync-branch` (issue 11): each family would catch its fault coming back.

Families: the token past a redirect (a second local server records anything that reaches it),
redaction of texts from GitLab and the repository, a push landing at every point of the request
sequence (nothing lost), malformed answers, connection failures, usage errors and interrupts.
All against the fake GitLab over real HTTP on 127.0.0.1 and a real bare repository.
"""

from __future__ import annotations

import os
import signal
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import test_sync_branch as base
from fake_gitlab import FakeGitLab
from gitrepo import git
from local_server import LocalServer
from test_sync_branch import MP, Cap, new_source, sync

work = base.work  # the CI checkout pushed to the fake's repository (a fixture)

SENTINEL = "glpat-SENTINEL-faults-never-print"


@pytest.fixture
def sentinel(gitlab: FakeGitLab, monkeypatch: MP) -> str:
    gitlab.tokens = {SENTINEL: {"api"}}
    monkeypatch.setenv("RECAST_REANA_GITLAB_TOKEN", SENTINEL)
    monkeypatch.setenv("RECAST_REANA_GITLAB_EVENT_WAIT", "2")
    return SENTINEL


def one_error(capsys: Cap, code: int, got: int) -> str:
    """Exactly one line on stderr, no traceback, no urllib3 text, no token; the exit code."""
    out, err = capsys.readouterr()
    assert got == code, err
    assert err.count("\n") == 1 and err.startswith("recast-reana: "), err
    for bad in ("Traceback", "HTTPConnectionPool", "Max retries", "urllib3", SENTINEL):
        assert bad not in out + err
    return err


# -- 1. the token stays with its host -----------------------------------------------------------


class Recorder(LocalServer):
    """Another host: records every request that reaches it, with its headers."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                recorder.seen.append((self.command, self.path, dict(self.headers)))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_GET = do_POST = do_PUT = do_HEAD = _any

        super().__init__(Handler)


@pytest.fixture
def other_host() -> Iterator[Recorder]:
    with Recorder() as server:
        yield server


REDIRECTS = [301, 302, 303, 307, 308]


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])  # another name, or another port
@pytest.mark.parametrize("status", REDIRECTS)
@pytest.mark.parametrize(
    ("method", "path"), [("GET", "branches/main$"), ("POST", "repository/commits$")]
)
def test_redirect_to_another_host_is_refused_and_sends_nothing(
    work: Path,
    gitlab: FakeGitLab,
    sentinel: str,
    other_host: Recorder,
    capsys: Cap,
    status: int,
    method: str,
    path: str,
    host: str,
) -> None:
    target = f"{other_host.url.replace('127.0.0.1', host)}/api/v4/steal"
    gitlab.inject(method, path, status=status, body={}, headers={"Location": target})
    err = one_error(capsys, 3, sync(work))
    assert f"redirected {'reading' if method == 'GET' else 'committing'}" in err
    assert f"to another host (http://{host}:" in err and "not following" in err
    assert other_host.seen == []  # not even a request without the token
    assert gitlab.ref("refs/heads/reana") is None


@pytest.mark.parametrize("status", [301, 307, 308])
def test_same_host_redirect_is_followed(
    work: Path, gitlab: FakeGitLab, sentinel: str, capsys: Cap, status: int
) -> None:
    same = f"{gitlab.url}/api/v4/projects/{gitlab.project_id}/repository/branches/main"
    gitlab.inject("GET", "branches/main$", status=status, body={}, headers={"Location": same})
    assert sync(work) == 0
    assert [s.status for s in gitlab.seen if s.path.endswith("branches/main")] == [status, 200]


# -- 2. texts from GitLab and the repository are redacted ----------------------------------------


def test_titles_of_commits_left_alone_or_dropped_are_redacted(
    work: Path, gitlab: FakeGitLab, sentinel: str, capsys: Cap
) -> None:
    assert sync(work) == 0
    gitlab.push_commit("reana", {"t.txt": "t\n"}, f"Use {sentinel} \x1b[31mred\x1b[0m\rhidden")
    capsys.readouterr()
    assert sync(work) == 1
    out = capsys.readouterr().out
    assert "Use *** [31mred [0m hidden" in out and "\x1b" not in out and "\r" not in out
    assert sync(work, "--force") == 0
    out, err = capsys.readouterr()
    assert "Use ***" in out and sentinel not in out + err


@pytest.mark.parametrize(
    ("status", "method", "path"),
    [
        (400, "POST", "repository/commits$"),
        (401, "GET", "branches/main$"),
        (403, "GET", "branches/reana$"),
        (404, "GET", "projects/42/repository/branches/main$"),
        (409, "POST", "repository/commits$"),
        (500, "GET", "branches/main$"),
    ],
)
def test_error_bodies_are_redacted(
    work: Path,
    gitlab: FakeGitLab,
    sentinel: str,
    capsys: Cap,
    status: int,
    method: str,
    path: str,
) -> None:
    text = f"404 Project Not Found {sentinel}" if status == 404 else f"denied for {sentinel}"
    gitlab.inject(method, path, status=status, body={"message": text}, times=9)
    err = one_error(capsys, 3, sync(work))
    assert "***" in err


# -- 3. nothing lost to a race: a push at every point of the sequence ----------------------------

REGENERATE = [
    ("GET", "branches/main$"),
    ("GET", "branches/reana$"),
    ("GET", "repository/tree$"),
    ("GET", "repository/compare$"),
    ("POST", "repository/commits$"),
    ("GET", "/events$"),
]
FORCE = [
    ("GET", "branches/main$"),
    ("GET", "branches/reana$"),
    ("GET", "repository/compare$"),
    ("POST", "repository/branches$"),
    ("POST", "repository/commits$"),
    ("GET", "/events$"),
]
CREATE = [("GET", "branches/main$"), ("GET", "branches/reana$"), ("POST", "repository/commits$")]
POINTS = [
    (scenario, method, path, when)
    for scenario, seq in (("regenerate", REGENERATE), ("force", FORCE), ("create", CREATE))
    for method, path in seq
    for when in ("before", "after")
]


def reachable(gitlab: FakeGitLab, sha: str) -> list[str]:
    """The branches `sha` is on."""
    out = gitlab.git("for-each-ref", "--contains", sha, "--format=%(refname:lstrip=2)")
    return out.split()


@pytest.mark.parametrize(("scenario", "method", "path", "when"), POINTS)
def test_a_push_at_any_point_is_kept_or_refused(
    work: Path,
    gitlab: FakeGitLab,
    sentinel: str,
    monkeypatch: MP,
    capsys: Cap,
    scenario: str,
    method: str,
    path: str,
    when: str,
) -> None:
    extra: list[str] = []
    if scenario != "create":
        assert sync(work) == 0
        if scenario == "force":
            gitlab.push_commit("reana", {"hand.txt": "h\n"}, "Hand edit")
            extra = ["--force"]
        new_source(work, monkeypatch, {"README.md": "v2\n"})
    source = git(work, "rev-parse", "HEAD")
    pushed: list[str] = []

    def push() -> None:
        base = gitlab.ref("refs/heads/reana") or source  # on top of what is there
        pushed.append(gitlab.push_commit("reana", {"mine.txt": "m\n"}, "Someone's push", base))

    gitlab.inject(method, path, **{when: push})
    capsys.readouterr()
    code = sync(work, *extra)
    out, err = capsys.readouterr()
    assert pushed, f"the sequence never made {method} {path}"
    assert SENTINEL not in out + err
    branches = reachable(gitlab, pushed[0])
    if "reana" in branches:  # kept where it was pushed: refused, or on top of our commit
        assert code in (0, 1), err
        if code == 1:
            assert f"{pushed[0][:12]} Someone's push" in out  # the refusal names it
        return
    rescues = [b for b in branches if b.startswith("reana-rescue-")]
    assert rescues, (out, err, branches)  # not on reana: on a rescue branch the output names
    if f"is kept on branch {rescues[0]}" in out:  # pushed during the write
        assert code == 1
    else:  # pushed before sync-branch read reana: dropped by --force, and kept
        assert code == 0 and extra == ["--force"]
        assert f"(--force), kept on {rescues[0]}:" in out and f"{pushed[0][:12]} Someone" in out


def test_a_late_push_event_is_waited_for(
    work: Path, gitlab: FakeGitLab, sentinel: str, monkeypatch: MP, capsys: Cap
) -> None:
    assert sync(work) == 0
    new_source(work, monkeypatch, {"README.md": "v2\n"})
    gitlab.event_delay = 0.5  # Sidekiq writes the event after the push
    pushed: list[str] = []
    gitlab.inject(
        "POST",
        "repository/commits$",
        before=lambda: pushed.append(gitlab.push_commit("reana", {"m": "m\n"}, "Late")),
    )
    assert sync(work) == 1
    assert f"reana-rescue-{pushed[0][:12]}" in reachable(gitlab, pushed[0])
    assert capsys.readouterr().out.count("is kept on branch") == 1


def test_a_missing_push_event_is_said(
    work: Path, gitlab: FakeGitLab, sentinel: str, monkeypatch: MP, capsys: Cap
) -> None:
    assert sync(work) == 0
    new_source(work, monkeypatch, {"README.md": "v2\n"})
    monkeypatch.setenv("RECAST_REANA_GITLAB_EVENT_WAIT", "0.3")
    gitlab.event_delay = 60
    assert sync(work) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("note: could not check that no push to reana landed during the write")
    assert "GitLab listed no push event for it within 0.3 s" in last


# -- 4. unexpected answers: one line naming the request and the field ---------------------------

MAIN = "branches/main$"
BRANCH = {"name": "main", "merged": False}


def commit_like(**change: Any) -> dict[str, Any]:
    base = {"id": "a" * 40, "parent_ids": [], "message": "m", "title": "m"}
    return {k: v for k, v in (base | change).items() if v is not ...}


MALFORMED: list[tuple[str, str, Any, dict[str, str], str]] = [
    ("GET", MAIN, [1, 2], {}, "an array as the body, not a JSON object"),
    ("GET", MAIN, "text", {}, "a string of 4 characters as the body, not a JSON object"),
    ("GET", MAIN, b"<html><body>Sign in</body></html>", {"Content-Type": "text/html"}, "HTML"),
    ("GET", MAIN, b"\x00\x01garbage", {}, "9 bytes that are not JSON"),
    ("GET", MAIN, BRANCH, {}, "a branch without `commit`"),
    ("GET", MAIN, BRANCH | {"commit": commit_like(id=...)}, {}, "no `id` (a commit id)"),
    ("GET", MAIN, BRANCH | {"commit": commit_like(id=7)}, {}, "`id` that is not a commit id"),
    ("GET", MAIN, BRANCH | {"commit": commit_like(parent_ids=...)}, {}, "`parent_ids`"),
    ("GET", MAIN, BRANCH | {"commit": "abc"}, {}, "as `commit`, not a JSON object"),
    ("GET", MAIN, BRANCH | {"commit": commit_like(message=5)}, {}, "`message` that is not"),
    ("GET", "repository/tree$", [{"id": "b" * 40, "name": "x"}], {}, "no `mode`"),
    ("GET", "repository/tree$", {"x": 1}, {}, "an object as the body, not a JSON array"),
    ("GET", "repository/compare$", {"diffs": []}, {}, "no `commits`"),
    ("GET", "repository/compare$", {"commits": [{"title": "t"}]}, {}, "no `id`"),
    ("POST", "repository/commits$", {"message": "ok"}, {}, "no `id` (a commit id)"),
    ("GET", "/events$", [{"push_data": "x"}], {}, "as `push_data`, not a JSON object"),
    ("GET", "/events$", [3], {}, "as an item of the body, not a JSON object"),
]


@pytest.mark.parametrize(("method", "path", "body", "headers", "said"), MALFORMED)
def test_malformed_answer_is_one_line_naming_request_and_field(
    work: Path,
    gitlab: FakeGitLab,
    sentinel: str,
    monkeypatch: MP,
    capsys: Cap,
    method: str,
    path: str,
    body: Any,
    headers: dict[str, str],
    said: str,
) -> None:
    if path != MAIN:  # get to the request: regenerate an existing generated branch
        assert sync(work) == 0
        new_source(work, monkeypatch, {"README.md": "v2\n"})
    if isinstance(body, str):
        body = f'"{body}"'.encode()
    gitlab.inject(method, path, status=200 if method == "GET" else 201, body=body, headers=headers)
    code = sync(work)
    if path == "/events$":  # the commit is made: said as a note, not an error
        out = capsys.readouterr().out
        assert code == 0 and "note: could not check" in out and said in out
        return
    err = one_error(capsys, 3, code)
    request = "POST" if method == "POST" else "GET"
    assert f"GitLab answered {request} /projects/42/repository/" in err
    assert said in err


# -- 5. connection failures in words ------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SSH = b"SSH-2.0-OpenSSH_9.2\r\n"  # something that is not HTTP listens there


class RawServer:
    """A TCP server on 127.0.0.1 that answers every connection with `reply` and closes."""

    def __init__(self, reply: bytes) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.reply = reply
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                if self.reply:
                    conn.sendall(self.reply)
                else:  # close with a reset, as a crashed proxy does
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (lambda: f"http://127.0.0.1:{closed_port()}", "connection refused"),
        (lambda: "http://gitlab.name.invalid", "name not resolved"),
        (lambda: f"http://127.0.0.1:{RawServer(b'').port}", "connection reset"),
        (lambda: f"http://127.0.0.1:{RawServer(SSH).port}", "the answer was not HTTP"),
        (lambda: f"https://127.0.0.1:{RawServer(b'HTTP/1.1 200 OK').port}", "TLS handshake failed"),
    ],
)
def test_connection_failure_reads_cannot_reach(
    work: Path, sentinel: str, monkeypatch: MP, capsys: Cap, url: Callable[[], str], reason: str
) -> None:
    address = url()
    monkeypatch.setenv("CI_SERVER_URL", address)
    monkeypatch.setenv("RECAST_REANA_GITLAB_RETRIES", "0")
    err = one_error(capsys, 3, sync(work))
    assert f"cannot reach GitLab at {address}: {reason} (reading the source branch" in err


# -- 6. exit codes and interrupts ---------------------------------------------------------------


@pytest.mark.parametrize("url", ["gitlab.cern.ch", "ftp://gitlab.cern.ch", "http://", "http://h:x"])
def test_bad_server_url_is_a_usage_error(
    work: Path, monkeypatch: MP, capsys: Cap, url: str
) -> None:
    monkeypatch.setenv("CI_SERVER_URL", url)
    err = one_error(capsys, 2, sync(work))
    assert "CI_SERVER_URL=" in err and "not an http(s) address" in err


INTERRUPTS = [
    ("GET", "branches/main$", "before", "interrupted before writing; branch reana unchanged"),
    ("GET", "repository/compare$", "after", "interrupted before writing; branch reana unchanged"),
    ("POST", "repository/commits$", "before", "interrupted while GitLab was writing reana"),
    ("GET", "/events$", "before", "interrupted after the commit "),
]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize(("method", "path", "when", "said"), INTERRUPTS)
def test_interrupt_says_what_state_it_left(
    work: Path,
    gitlab: FakeGitLab,
    sentinel: str,
    monkeypatch: MP,
    capsys: Cap,
    signum: int,
    method: str,
    path: str,
    when: str,
    said: str,
) -> None:
    assert sync(work) == 0
    head = gitlab.ref("refs/heads/reana")
    new_source(work, monkeypatch, {"README.md": "v2\n"})
    gitlab.inject(method, path, **{when: lambda: os.kill(os.getpid(), signum)})
    capsys.readouterr()
    code = sync(work)
    err = capsys.readouterr().err
    assert code == 130, err
    lines = [line for line in err.splitlines() if line.startswith("recast-reana")]
    assert len(lines) == 1 and lines[0].startswith(f"recast-reana: {said}"), err
    if "before writing" in said:
        assert gitlab.ref("refs/heads/reana") == head
    if said.startswith("interrupted after the commit"):
        assert f"interrupted after the commit {gitlab.ref('refs/heads/reana')[:12]}" in err


def test_interrupt_while_keeping_a_push_names_it(
    work: Path, gitlab: FakeGitLab, sentinel: str, monkeypatch: MP, capsys: Cap
) -> None:
    assert sync(work) == 0
    new_source(work, monkeypatch, {"README.md": "v2\n"})
    pushed: list[str] = []
    gitlab.inject(
        "POST",
        "repository/commits$",
        before=lambda: pushed.append(gitlab.push_commit("reana", {"m": "m\n"}, "Mine")),
    )
    gitlab.inject("POST", "repository/branches$", before=lambda: os.kill(os.getpid(), 2))
    capsys.readouterr()
    assert sync(work) == 130
    err = capsys.readouterr().err
    assert f"while keeping {pushed[0][:12]} (a push it overwrote) on reana-rescue-" in err
    assert f"if that branch is missing, create it at {pushed[0]}" in err


@pytest.mark.parametrize("force", [False, True])
def test_a_rescue_that_fails_names_what_to_keep(
    work: Path, gitlab: FakeGitLab, sentinel: str, monkeypatch: MP, capsys: Cap, force: bool
) -> None:
    assert sync(work) == 0
    if force:
        gitlab.push_commit("reana", {"hand.txt": "h\n"}, "Hand edit")
    new_source(work, monkeypatch, {"README.md": "v2\n"})
    head = gitlab.ref("refs/heads/reana") or ""
    pushed: list[str] = []
    if not force:
        gitlab.inject(
            "POST",
            "repository/commits$",
            before=lambda: pushed.append(gitlab.push_commit("reana", {"m": "m\n"}, "Mine")),
        )
    forbidden = {"message": "403 Forbidden"}
    gitlab.inject("POST", "repository/branches$", status=403, body=forbidden)
    err = one_error(capsys, 3, sync(work, *(["--force"] if force else [])))
    if force:
        assert "could not keep the commits --force drops on reana-rescue-" in err
        assert "so reana was not written: GitLab refused creating branch" in err
        assert gitlab.ref("refs/heads/reana") == head
    else:
        assert f"but it overwrote {pushed[0][:12]}, pushed during the write" in err
        assert f"create branch reana-rescue-{pushed[0][:12]} at {pushed[0]} by hand" in err


def test_interrupt_lines_for_every_phase() -> None:
    from recast_reana.gitlab.settings import Progress

    h, n, k = "1" * 40, "2" * 40, "3" * 40
    said = {
        phase: Progress("reana", phase, head, n, rescue, kept).interrupted()
        for phase, head, rescue, kept in [
            ("planning", "", "", ""),
            ("reading", h, "", ""),
            ("keeping", h, "reana-rescue-111111111111", h),
            ("writing", "", "", ""),
            ("writing", h, "", ""),
            ("checking", h, "", ""),
            ("done", h, "", ""),
        ]
    }
    assert (
        said["planning"] == said["reading"] == "interrupted before writing; branch reana unchanged"
    )
    assert said["keeping"] == (
        "interrupted while keeping 111111111111 on reana-rescue-111111111111; reana unchanged"
    )
    assert said["writing"].startswith("interrupted while GitLab was writing reana: it holds ")
    assert said["checking"].startswith("interrupted after the commit 222222222222 to reana, before")
    assert said["done"] == "interrupted after the commit 222222222222 to reana"
    creating = Progress("reana", "writing").interrupted()
    assert creating.startswith("interrupted while GitLab was creating reana: it may or may not")
    rescuing = Progress("reana", "checking", h, n, "reana-rescue-333333333333", k).interrupted()
    assert "while keeping 333333333333 (a push it overwrote)" in rescuing and k in rescuing
