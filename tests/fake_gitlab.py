"""A fake GitLab REST API v4 on 127.0.0.1, backed by a real bare git repository.

It speaks the endpoints python-gitlab calls (paths and parameters as in python-gitlab 8.x
`gitlab/v4/objects/{branches,commits,repositories}.py`), with GitLab's status codes and error bodies
as its Grape API and services write them (gitlabhq `lib/api/commits.rb`, `lib/api/repositories.rb`,
`lib/api/helpers.rb` forbidden!/not_found!, `lib/api/api_guard.rb`,
`app/services/commits/create_service.rb`, Gitaly's `IndexError` texts):

- GET  projects/:id, repository/branches, repository/branches/:branch
- GET  repository/commits (ref_name, page, per_page), repository/commits/:sha
- POST repository/commits {branch, commit_message, actions[create|update|delete|move|chmod],
  start_branch | start_sha, force, author_name, author_email}
- GET  repository/tree (ref, path, recursive, page, per_page, Link/X-Next-Page pagination),
  repository/files/:path/raw (ref), repository/compare (from, to, straight)

Authentication is the PRIVATE-TOKEN header: an unknown token gets 401 {"message": "401
Unauthorized"}, a token without the needed scope 403 insufficient_scope. Faults are injected on
demand (`inject`): an answer of any status (5xx, 429, 403 ...), a delay (client timeouts), or a
callback run before the request is handled (a concurrent push). Every request is recorded.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from local_server import LocalServer

TOKEN = "glpat-fake-maintainer-token"
ZERO = "0" * 40
_SCOPE_BODY = {  # rack-oauth2's Bearer::Forbidden, as lib/api/api_guard.rb raises it
    "error": "insufficient_scope",
    "error_description": "The request requires higher privileges than provided by the access "
    "token.",
    "scope": "api",
}


class ApiError(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status, body)
        self.status, self.body = status, body


def _message(status: int, text: str) -> ApiError:
    return ApiError(status, {"message": text})


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    status: int = 0
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    before: Callable[[], None] | None = None
    after: Callable[[], None] | None = None  # run once the answer is made, before it is sent
    times: int = 1


@dataclass(frozen=True)
class Seen:
    method: str
    path: str  # after /api/v4/, still percent-encoded
    query: dict[str, list[str]]
    status: int


class FakeGitLab(LocalServer):
    def __init__(
        self,
        root: Path,
        project_id: int = 42,
        namespace: str = "atlas/analysis",
        default_branch: str = "main",
    ) -> None:
        self.git_dir = root / "gitlab.git"
        self.project_id, self.namespace, self.default_branch = project_id, namespace, default_branch
        subprocess.run(
            ["git", "init", "-q", "--bare", "--template=", "-b", default_branch, str(self.git_dir)],
            check=True,
        )
        self.tokens: dict[str, set[str]] = {TOKEN: {"api"}}
        self.protected: set[str] = set()
        self.faults: list[Fault] = []
        self.seen: list[Seen] = []
        self.lock = threading.RLock()
        from fake_gitlab_reporting import Reporting

        self.reporting = Reporting()  # statuses, notes, artifacts: fake_gitlab_reporting.py
        # Push events (GET projects/:id/events): GitLab writes them after the push, from a
        # Sidekiq job (PostReceive -> Git::BranchPushService -> EventCreateService#push), so an
        # event becomes visible `event_delay` seconds after its push.
        self.events: list[tuple[float, dict[str, Any]]] = []
        self.event_delay = 0.0
        super().__init__(_handler(self))

    # -- test controls --------------------------------------------------------------------
    def inject(self, method: str, path: str, **kwargs: Any) -> Fault:
        """Answer the next matching request(s) differently (see Fault); `path` is a regex."""
        fault = Fault(method.upper(), re.compile(path), **kwargs)
        self.faults.append(fault)
        return fault

    def git(self, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            ["git", "--git-dir", str(self.git_dir), *args],
            input=stdin,
            capture_output=True,
            check=True,
            env={**os.environ, **(env or {})},
        )
        return done.stdout.decode("utf-8", "surrogateescape").strip()

    def ref(self, name: str) -> str | None:
        try:
            return self.git("rev-parse", "--verify", "--quiet", f"{name}^{{commit}}")
        except subprocess.CalledProcessError:
            return None

    def push_commit(
        self, branch: str, files: dict[str, str | None], message: str, base: str | None = None
    ) -> str:
        """A commit on `branch` (as a person's push would make it): files set or deleted (None)."""
        actions = [
            {"action": "delete", "file_path": p}
            if text is None
            else {"action": "update" if self._exists(base or branch, p) else "create"}
            | {"file_path": p, "content": text}
            for p, text in files.items()
        ]
        start = base or self.ref(branch)
        with self.lock:
            return self._commit(branch, start, actions, message, "Jane Analyst", "jane@cern.ch")

    # -- repository operations ----------------------------------------------------------------
    def _exists(self, ref: str, path: str) -> bool:
        try:
            return bool(self.git("ls-tree", ref, "--", path))
        except subprocess.CalledProcessError:
            return False

    def _commit(
        self,
        branch: str,
        base: str | None,
        actions: list[dict[str, Any]],
        message: str,
        name: str,
        email: str,
    ) -> str:
        entries: dict[str, tuple[str, str]] = {}
        if base:
            for rec in self.git("ls-tree", "-r", "-z", base).split("\0"):
                if rec:
                    meta, path = rec.split("\t", 1)
                    mode, _, oid = meta.split(" ")
                    entries[path] = (mode, oid)
        dirs = {p.rsplit("/", 1)[0] for p in entries if "/" in p}
        dirs |= {d.rsplit("/", i)[0] for d in dirs for i in range(d.count("/") + 1)}
        for i, a in enumerate(actions):
            self._apply(i, a, entries, dirs)
        with tempfile.TemporaryDirectory() as tmp:
            env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
            info = "".join(f"{m} {o}\t{p}\n" for p, (m, o) in sorted(entries.items()))
            self.git("update-index", "--add", "--index-info", stdin=info.encode(), env=env)
            tree = self.git("write-tree", env=env)
        who = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
        }
        parents = ["-p", base] if base else []
        sha = self.git("commit-tree", tree, *parents, stdin=message.encode(), env=who)
        # Compare-and-swap: a concurrent writer between our read and this update loses nothing.
        old = self.ref(f"refs/heads/{branch}")
        self.git("update-ref", f"refs/heads/{branch}", sha, old or ZERO)
        self.record_push(branch, old, sha, message.split("\n", 1)[0])
        return sha

    def record_push(self, branch: str, old: str | None, new: str, title: str) -> None:
        """The push event GitLab records (lib/api/entities/push_event_payload.rb)."""
        with self.lock:
            number = len(self.events) + 1
            created = old is None
            self.events.append(
                (
                    time.monotonic() + self.event_delay,
                    {
                        "id": number,
                        "project_id": self.project_id,
                        "action_name": "pushed new" if created else "pushed to",
                        "target_id": None,
                        "target_iid": None,
                        "target_type": None,
                        "author_id": 7,
                        "target_title": None,
                        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                        "author": {"id": 7, "username": "project_42_bot", "name": "Bot"},
                        "push_data": {
                            "commit_count": 1,
                            "action": "created" if created else "pushed",
                            "ref_type": "branch",
                            "commit_from": old,
                            "commit_to": new,
                            "ref": branch,
                            "commit_title": title,
                            "ref_count": None,
                        },
                        "author_username": "project_42_bot",
                    },
                )
            )

    def _apply(
        self, i: int, a: dict[str, Any], entries: dict[str, tuple[str, str]], dirs: set[str]
    ) -> None:
        kind, path = a.get("action"), a.get("file_path")
        if kind not in ("create", "update", "delete", "move", "chmod"):
            raise ApiError(400, {"error": f"actions[{i}][action] does not have a valid value"})
        if not isinstance(path, str) or not path:
            raise ApiError(400, {"error": f"actions[{i}][file_path] is missing"})
        if ".." in path.split("/"):
            raise _message(400, "Path cannot include directory traversal")
        content = a.get("content")
        if kind == "update" and content is None:
            raise ApiError(400, {"error": f"actions[{i}][content] is missing"})
        data = b"" if kind == "create" else None
        if content is not None:
            raw = str(content)
            data = base64.b64decode(raw) if a.get("encoding") == "base64" else raw.encode()
        old = a.get("previous_path") if kind == "move" else path
        if kind == "create" and path in dirs:
            raise _message(400, "A directory with this name already exists")
        if kind in ("create", "move") and path in entries:
            raise _message(400, "A file with this name already exists")
        if kind != "create" and old not in entries:
            raise _message(400, "A file with this name doesn't exist")
        if kind in ("delete", "move"):
            mode, oid = entries.pop(str(old))
            if kind == "move":
                entries[path] = (mode, oid)
        if data is not None and kind != "delete":
            mode = entries.get(path, ("100644", ""))[0]
            entries[path] = (mode, self.git("hash-object", "-w", "--stdin", stdin=data))
        if kind == "chmod":
            entries[path] = ("100755" if a.get("execute_filemode") else "100644", entries[path][1])

    def commit_json(self, sha: str) -> dict[str, Any]:
        fmt = "%H%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%(trailers:only,unfold)%x00%B"
        out = subprocess.run(
            ["git", "--git-dir", str(self.git_dir), "show", "-s", f"--format={fmt}", sha],
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8", "replace")
        h, parents, an, ae, ad, cn, ce, cd, trailers, message = out.split("\0", 9)
        message = message.removesuffix("\n")  # `git show` ends %B with one more newline
        tags = dict(line.split(": ", 1) for line in trailers.splitlines() if ": " in line)
        return {
            "id": h,
            "short_id": h[:8],
            "created_at": cd,
            "parent_ids": parents.split(),
            "title": message.split("\n", 1)[0],
            "message": message,
            "author_name": an,
            "author_email": ae,
            "authored_date": ad,
            "committer_name": cn,
            "committer_email": ce,
            "committed_date": cd,
            "trailers": tags,
            "extended_trailers": {k: [v] for k, v in tags.items()},
            "web_url": f"{self.url}/{self.namespace}/-/commit/{h}",
        }

    def branch_json(self, name: str) -> dict[str, Any]:
        sha = self.ref(f"refs/heads/{name}")
        if sha is None:
            raise _message(404, "404 Branch Not Found")
        return {
            "name": name,
            "commit": self.commit_json(sha),
            "merged": False,
            "protected": name in self.protected,
            "developers_can_push": False,
            "developers_can_merge": False,
            "can_push": name not in self.protected,
            "default": name == self.default_branch,
            "web_url": f"{self.url}/{self.namespace}/-/tree/{quote(name)}",
        }


def _handler(fake: FakeGitLab) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are two writes: no delayed-ACK wait

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PUT(self) -> None:
            self._serve("PUT")

        def _serve(self, method: str) -> None:
            split = urlsplit(self.path)
            path = split.path.removeprefix("/api/v4/")
            query = parse_qs(split.query)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            status, body, headers = 200, None, {}
            fault = None
            try:
                fault = self._fault(method, path)
                if fault is not None and fault.status:
                    status, body, headers = fault.status, fault.body, dict(fault.headers)
                else:
                    status, body, headers = route(fake, method, path, query, raw, self.headers)
            except ApiError as err:
                status, body = err.status, err.body
            with fake.lock:
                fake.seen.append(Seen(method, path, query, status))
            if fault is not None and fault.after is not None:
                fault.after()
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            kind = "application/octet-stream" if isinstance(body, bytes) else "application/json"
            kind = headers.pop("Content-Type", kind)
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and left

        def _fault(self, method: str, path: str) -> Fault | None:
            with fake.lock:
                fault = next(
                    (f for f in fake.faults if f.method == method and f.path.search(path)), None
                )
                if fault is None:
                    return None
                fault.times -= 1
                if fault.times <= 0:
                    fake.faults.remove(fault)
            if fault.before is not None:
                fault.before()
            if fault.delay:
                time.sleep(fault.delay)
            return fault

    return Handler


def route(
    fake: FakeGitLab, method: str, path: str, query: dict[str, list[str]], raw: bytes, headers: Any
) -> tuple[int, Any, dict[str, str]]:
    import fake_gitlab_reporting

    if fake_gitlab_reporting.handles(path):  # `recast-reana report`'s endpoints
        with fake.lock:
            return fake_gitlab_reporting.route(fake, method, path, query_last(query), raw, headers)
    token = headers.get("PRIVATE-TOKEN")
    if token not in fake.tokens:
        raise _message(401, "401 Unauthorized")
    scopes = fake.tokens[token]
    needed = {"api"} if method == "POST" else {"api", "read_api"}
    if not scopes & needed:
        raise ApiError(403, _SCOPE_BODY)
    parts = [unquote(p) for p in path.split("/")]
    if len(parts) < 2 or parts[0] != "projects":
        raise ApiError(404, {"error": "404 Not Found"})
    if parts[1] not in (str(fake.project_id), fake.namespace):
        raise _message(404, "404 Project Not Found")
    rest, q = parts[2:], {k: v[-1] for k, v in query.items()}
    if rest == [] and method == "GET":
        return 200, _project(fake), {}
    if rest == ["events"] and method == "GET":  # newest first (sort=desc is the default)
        now = time.monotonic()
        with fake.lock:
            shown = [e for at, e in reversed(fake.events) if at <= now]
        action = q.get("action")
        if action:
            kinds = {"pushed": ("pushed to", "pushed new", "deleted")}.get(action, (action,))
            shown = [e for e in shown if e["action_name"] in kinds]
        return _page(shown if q.get("sort") != "asc" else shown[::-1], q, fake, path)
    if rest[:1] != ["repository"]:
        raise ApiError(404, {"error": "404 Not Found"})
    what = rest[1] if len(rest) > 1 else ""
    if method == "GET" and what == "branches" and len(rest) == 2:
        names = fake.git("for-each-ref", "--format=%(refname:lstrip=2)", "refs/heads").split()
        return _page([fake.branch_json(n) for n in names], q, fake, path)
    if method == "GET" and what == "branches":
        return 200, fake.branch_json("/".join(rest[2:])), {}
    if method == "POST" and what == "branches" and len(rest) == 2:
        return 201, create_branch(fake, q | json.loads(raw or b"{}")), {}
    if what == "commits" and len(rest) == 2 and method == "POST":
        return 201, create_commit(fake, json.loads(raw or b"{}")), {}
    if what == "commits" and len(rest) == 2:
        ref = q.get("ref_name", fake.default_branch)
        if fake.ref(ref) is None:
            raise _message(404, "404 Commit Not Found")
        return _page(
            [fake.commit_json(s) for s in fake.git("rev-list", ref).split()], q, fake, path
        )
    if method == "GET" and what == "commits" and len(rest) == 3:
        sha = fake.ref(rest[2])
        if sha is None:
            raise _message(404, "404 Commit Not Found")
        return 200, fake.commit_json(sha), {}
    if method == "GET" and what == "tree":
        return _page(_tree(fake, q), q, fake, path)
    if method == "GET" and what == "files" and rest[-1] == "raw":
        ref = q.get("ref", fake.default_branch)
        try:
            return 200, _blob(fake, f"{ref}:{rest[2]}"), {}
        except subprocess.CalledProcessError:
            raise _message(404, "404 File Not Found") from None
    if method == "GET" and what == "compare":
        return 200, _compare(fake, q), {}
    raise ApiError(404, {"error": "404 Not Found"})


def query_last(query: dict[str, list[str]]) -> dict[str, str]:
    return {k: v[-1] for k, v in query.items()}


def _blob(fake: FakeGitLab, spec: str) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", str(fake.git_dir), "cat-file", "blob", spec],
        capture_output=True,
        check=True,
    ).stdout


def _project(fake: FakeGitLab) -> dict[str, Any]:
    return {
        "id": fake.project_id,
        "name": fake.namespace.rsplit("/", 1)[-1],
        "path_with_namespace": fake.namespace,
        "default_branch": fake.default_branch,
        "web_url": f"{fake.url}/{fake.namespace}",
    }


def create_commit(fake: FakeGitLab, data: dict[str, Any]) -> dict[str, Any]:
    missing = [k for k in ("branch", "commit_message", "actions") if k not in data]
    if missing:
        raise ApiError(400, {"error": ", ".join(f"{k} is missing" for k in missing)})
    branch = data["branch"]
    start_branch, start_sha = data.get("start_branch"), data.get("start_sha")
    if start_branch and start_sha:
        raise ApiError(400, {"error": "start_branch, start_sha are mutually exclusive"})
    if branch in fake.protected:  # lib/api/helpers.rb authorize_push_to_branch!
        raise _message(403, "403 Forbidden - You are not allowed to push into this branch")
    start_branch = start_branch or (None if start_sha else branch)
    with fake.lock:
        empty = not fake.git("for-each-ref", "refs/heads")
        if start_sha is not None:
            if not re.fullmatch(r"[0-9a-f]{40}", str(start_sha)):
                raise _message(400, f"Invalid start_sha '{start_sha}'")
            if fake.ref(start_sha) is None:
                raise _message(400, f"Cannot find start_sha '{start_sha}'")
        if start_branch and not empty and fake.ref(f"refs/heads/{start_branch}") is None:
            raise _message(400, "You can only create or edit files when you are on a branch")
        different = start_branch != branch or start_sha is not None
        exists = fake.ref(f"refs/heads/{branch}") is not None
        if exists and different and not data.get("force"):
            raise _message(
                400,
                f"A branch called '{branch}' already exists. Switch to that branch in order to "
                "make changes",
            )
        base = start_sha or (fake.ref(f"refs/heads/{start_branch}") if start_branch else None)
        sha = fake._commit(
            branch,
            base,
            list(data["actions"]),
            str(data["commit_message"]),
            data.get("author_name") or "Project Bot",
            data.get("author_email") or "project_42_bot@noreply.example.org",
        )
    return fake.commit_json(sha) | {
        "stats": {"additions": 0, "deletions": 0, "total": 0},
        "status": None,
        "project_id": fake.project_id,
        "last_pipeline": None,
    }


def create_branch(fake: FakeGitLab, data: dict[str, Any]) -> dict[str, Any]:
    """POST repository/branches (lib/api/branches.rb, Branches::CreateService): 400 texts."""
    missing = [k for k in ("branch", "ref") if not data.get(k)]
    if missing:
        raise ApiError(400, {"error": ", ".join(f"{k} is missing" for k in missing)})
    name, ref = str(data["branch"]), str(data["ref"])
    try:
        fake.git("check-ref-format", "--branch", name)
    except subprocess.CalledProcessError:
        raise _message(400, "Branch name is invalid") from None
    with fake.lock:
        if fake.ref(f"refs/heads/{name}") is not None:
            raise _message(400, "Branch already exists")
        sha = fake.ref(ref)  # a branch, a tag or any commit still in the object store
        if sha is None:
            raise _message(400, f"Invalid reference name: {ref}")
        fake.git("update-ref", f"refs/heads/{name}", sha, ZERO)
        fake.record_push(name, None, sha, fake.commit_json(sha)["title"])
    return fake.branch_json(name)


def _tree(fake: FakeGitLab, q: dict[str, str]) -> list[dict[str, Any]]:
    ref = q.get("ref", fake.default_branch)
    if fake.ref(ref) is None:
        raise _message(404, "404 Tree Not Found")
    path = q.get("path", "").strip("/")
    args = ["-r", "-t"] if q.get("recursive") in ("true", "True", "1") else []
    out = fake.git("ls-tree", "-z", *args, f"{ref}:{path}" if path else ref)
    items = []
    for rec in out.split("\0"):
        if rec:
            meta, name = rec.split("\t", 1)
            mode, kind, oid = meta.split(" ")
            full = f"{path}/{name}" if path else name
            items.append({"id": oid, "name": name.rsplit("/", 1)[-1], "type": kind, "path": full})
            items[-1]["mode"] = mode.zfill(6)  # GitLab writes "040000" for trees
    return sorted(items, key=lambda e: (e["type"] != "tree", e["path"]))


def _compare(fake: FakeGitLab, q: dict[str, str]) -> dict[str, Any]:
    if "from" not in q or "to" not in q:
        raise ApiError(400, {"error": "from is missing, to is missing"})
    head, start = fake.ref(q["to"]), fake.ref(q["from"])
    if head is None or start is None:
        raise _message(404, "404 Ref Not Found")
    straight = q.get("straight") in ("true", "True", "1")
    base = start if straight else fake.git("merge-base", start, head)
    shas = fake.git("rev-list", "--reverse", "--topo-order", head, f"^{start}").split()
    commits = [fake.commit_json(s) for s in shas]  # oldest first, as GitLab lists them
    diffs = []
    for line in fake.git("diff", "--name-status", "--no-renames", base, head).splitlines():
        status, name = line.split("\t", 1)
        diffs.append(
            {
                "old_path": name,
                "new_path": name,
                "new_file": status == "A",
                "deleted_file": status == "D",
                "renamed_file": False,
                "diff": fake.git("diff", base, head, "--", name).split("\n", 4)[-1],
            }
        )
    return {
        "commit": commits[-1] if commits else None,
        "commits": commits,
        "diffs": diffs,
        "compare_timeout": False,
        "compare_same_ref": start == head,
        "web_url": f"{fake.url}/{fake.namespace}/-/compare/{start[:8]}...{head[:8]}",
    }


def _page(
    items: list[Any], q: dict[str, str], fake: FakeGitLab, path: str
) -> tuple[int, Any, dict[str, str]]:
    """GitLab's offset pagination: 20 per page by default, at most 100, Link + X-* headers."""
    per_page = max(1, min(100, int(q.get("per_page", 20))))
    page = max(1, int(q.get("page", 1)))
    pages = max(1, -(-len(items) // per_page))
    headers = {
        "X-Page": str(page),
        "X-Per-Page": str(per_page),
        "X-Total": str(len(items)),
        "X-Total-Pages": str(pages),
        "X-Next-Page": str(page + 1) if page < pages else "",
        "X-Prev-Page": str(page - 1) if page > 1 else "",
    }
    if page < pages:
        nxt = urlencode({**q, "page": page + 1, "per_page": per_page})
        headers["Link"] = f'<{fake.url}/api/v4/{path}?{nxt}>; rel="next"'
    return 200, items[(page - 1) * per_page : page * per_page], headers
