"""The fake GitLab's endpoints for `recast-reana report`: commit statuses, merge-request notes and
job artifacts, with GitLab's answers and errors as its sources write them:

- POST projects/:id/statuses/:sha (lib/api/commit_statuses.rb, Ci::CreateCommitStatusService):
  201 with the status; 400 `state does not have a valid value`; 404 `404 Commit Not Found`,
  `404 Pipeline for pipeline_id, sha and ref Not Found`; 403 `403 Forbidden` below Developer;
  400 `Cannot transition status via :run from :running ...` for `running` twice (the running
  status of the same name in the pipeline is the one updated).
- GET/POST projects/:id/merge_requests/:iid/notes, PUT .../notes/:note_id (lib/api/notes.rb,
  helpers/notes_helpers.rb): order_by created_at|updated_at, sort asc|desc (default desc),
  per_page <= 100 with X-* headers; 404 `404 Merge Request Not Found`, `404 Not found` for a note;
  403 `403 Forbidden` for someone else's note; a job token may only read.
- GET projects/:id/jobs/artifacts/:ref/raw/*path?job=NAME (lib/api/ci/job_artifacts.rb): the file
  from that job of the latest successful pipeline for the ref; 404 `404 Not found` when that
  pipeline has no such job or file; JOB-TOKEN accepted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

NOTE_MAX = 1_000_000
STATES = ("pending", "running", "success", "failed", "canceled", "skipped")
JOB_TOKEN = "Sentinel-Job-Token-5a9e"
BOT = {"id": 901, "username": "project_42_bot", "name": "recast-reana bot"}
PERSON = {"id": 7, "username": "jane", "name": "Jane Analyst"}


@dataclass
class Pipeline:
    id: int
    ref: str
    sha: str
    status: str = "success"
    artifacts: dict[str, dict[str, bytes]] = field(default_factory=dict)  # job -> path -> data


@dataclass
class Reporting:
    """State of the reporting endpoints; tests set it up and read it back."""

    job_tokens: set[str] = field(default_factory=lambda: {JOB_TOKEN})
    roles: dict[str, str] = field(default_factory=dict)  # token -> role (default maintainer)
    merge_requests: set[int] = field(default_factory=lambda: {1})
    notes: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    pipelines: list[Pipeline] = field(default_factory=list)
    quick_actions: list[str] = field(default_factory=list)
    _ids: int = 1000

    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    def add_note(self, iid: int, body: str, author: dict[str, Any] = PERSON, **extra: Any) -> int:
        now = _now()
        note = {"id": self.next_id(), "body": body, "author": author, "created_at": now}
        note |= {"updated_at": now, "system": False, "noteable_iid": iid} | extra
        self.notes.setdefault(iid, []).append(note)
        return int(note["id"])


def handles(path: str) -> bool:
    parts = path.split("/")
    return (
        len(parts) > 2
        and parts[0] == "projects"
        and parts[2] in ("statuses", "merge_requests", "jobs")
    )


def route(fake: Any, method: str, path: str, q: dict[str, str], raw: bytes, headers: Any) -> Any:
    from fake_gitlab import ApiError, _message

    state: Reporting = fake.reporting
    private, job = headers.get("PRIVATE-TOKEN"), headers.get("JOB-TOKEN")
    parts = path.split("/")
    rest = parts[2:]
    job_route = rest[0] == "jobs" or (rest[0] == "merge_requests" and method == "GET")
    if job is not None and job in state.job_tokens and job_route:
        token, scopes = job, {"read_api"}
    elif private in fake.tokens:
        token, scopes = private, fake.tokens[private]
    else:
        raise _message(401, "401 Unauthorized")
    if not scopes & ({"api"} if method != "GET" else {"api", "read_api"}):
        from fake_gitlab import _SCOPE_BODY

        raise ApiError(403, _SCOPE_BODY)
    if parts[1] not in (str(fake.project_id), fake.namespace.replace("/", "%2F")):
        raise _message(404, "404 Project Not Found")
    body = _form(raw, headers)
    role = state.roles.get(token, "maintainer")
    if rest[0] == "statuses" and method == "POST" and len(rest) == 2:
        return 201, _status(fake, state, rest[1], body, token, role), {}
    if rest[0] == "merge_requests" and len(rest) >= 3 and rest[2] == "notes":
        return _notes(fake, state, method, rest, q, body, token, role)
    if rest[:3] == ["jobs", "artifacts", rest[2] if len(rest) > 2 else ""] and "raw" in rest:
        return _artifact(state, rest, q)
    raise ApiError(404, {"error": "404 Not Found"})


def _form(raw: bytes, headers: Any) -> dict[str, Any]:
    if not raw:
        return {}
    kind = headers.get("Content-Type", "")
    if "json" in kind:
        data = json.loads(raw)
        return data if isinstance(data, dict) else {}
    from urllib.parse import parse_qs

    return {k: v[-1] for k, v in parse_qs(raw.decode()).items()}


def _status(
    fake: Any, state: Reporting, sha: str, body: dict[str, Any], token: str, role: str
) -> Any:
    from fake_gitlab import ApiError, _message

    if "state" not in body:
        raise ApiError(400, {"error": "state is missing"})
    if body["state"] not in STATES:
        raise ApiError(400, {"error": "state does not have a valid value"})
    if role in ("guest", "reporter"):
        raise _message(403, "403 Forbidden")
    full = fake.ref(sha)
    if full is None or not full.startswith(sha):
        raise _message(404, "404 Commit Not Found")
    name = body.get("name") or body.get("context") or "default"
    pipeline = body.get("pipeline_id")
    if pipeline is not None:
        match = [p for p in state.pipelines if p.id == int(pipeline) and p.sha == full]
        if not match:
            raise _message(404, "404 Pipeline for pipeline_id, sha and ref Not Found")
        ref = match[0].ref
    else:
        ref = body.get("ref") or fake.default_branch
    current = next(
        (
            s
            for s in state.statuses
            if s["sha"] == full
            and s["name"] == name
            and s["pipeline_id"] == pipeline
            and s["status"] in ("running", "pending")
            and s["token"] == token
        ),
        None,
    )
    if current is not None and current["status"] == body["state"] == "running":
        raise _message(
            400,
            "Cannot transition status via :run from :running (Reason(s): Status cannot "
            'transition via "run")',
        )
    if current is None:
        current = {
            "id": state.next_id(),
            "sha": full,
            "name": name,
            "pipeline_id": pipeline,
            "token": token,
            "created_at": _now(),
            "history": [],
        }
        state.statuses.append(current)
    current.update(
        {k: body[k] for k in ("target_url", "description") if k in body},
        status=body["state"],
        ref=ref,
    )
    current["history"].append(body["state"])
    return {
        "id": current["id"],
        "sha": full,
        "ref": ref,
        "status": current["status"],
        "name": name,
        "target_url": current.get("target_url"),
        "description": current.get("description"),
        "created_at": current["created_at"],
        "started_at": None,
        "finished_at": None,
        "allow_failure": False,
        "coverage": None,
        "pipeline_id": pipeline,
        "author": BOT,
    }


def _notes(
    fake: Any,
    state: Reporting,
    method: str,
    rest: list[str],
    q: dict[str, str],
    body: dict[str, Any],
    token: str,
    role: str,
) -> Any:
    from fake_gitlab import ApiError, _message, _page

    try:
        iid = int(rest[1])
    except ValueError:
        raise ApiError(400, {"error": "noteable_id is invalid"}) from None
    if iid not in state.merge_requests:
        raise _message(404, "404 Merge Request Not Found")
    notes = state.notes.setdefault(iid, [])
    author = BOT if token in fake.tokens else PERSON
    if method == "GET" and len(rest) == 3:
        order, sort = q.get("order_by", "created_at"), q.get("sort", "desc")
        if order not in ("created_at", "updated_at"):
            raise ApiError(400, {"error": "order_by does not have a valid value"})
        if sort not in ("asc", "desc"):
            raise ApiError(400, {"error": "sort does not have a valid value"})
        ordered = sorted(notes, key=lambda n: (n[order], n["id"]), reverse=sort == "desc")
        path = "/".join(["projects", str(fake.project_id), *rest])
        return _page(ordered, q, fake, path)
    if method == "POST" and len(rest) == 3:
        if "body" not in body:
            raise ApiError(400, {"error": "body is missing"})
        _check_body(state, str(body["body"]))
        note_id = state.add_note(iid, str(body["body"]), author)
        return 201, notes[-1] | {"id": note_id}, {}
    if method == "PUT" and len(rest) == 4:
        note = next((n for n in notes if str(n["id"]) == rest[3]), None)
        if note is None:
            raise _message(404, "404 Not found")
        if note["author"]["id"] != author["id"] and role != "owner":
            raise _message(403, "403 Forbidden")
        if not str(body.get("body", "")).strip():
            raise ApiError(400, {"error": "body is empty"})
        _check_body(state, str(body["body"]))
        note.update(body=str(body["body"]), updated_at=_now())
        return 200, note, {}
    raise ApiError(405, {"message": "405 Method Not Allowed"})


def _check_body(state: Reporting, text: str) -> None:
    from fake_gitlab import _message

    if len(text) > NOTE_MAX:
        raise _message(
            400,
            '400 Bad request - Note {:note=>["is too long (maximum is 1000000 characters)"]}',
        )
    state.quick_actions += re.findall(r"(?m)^/(\w+)", text)


def _artifact(state: Reporting, rest: list[str], q: dict[str, str]) -> Any:
    from urllib.parse import unquote

    from fake_gitlab import ApiError, _message

    i = rest.index("raw")
    ref, path = unquote("/".join(rest[2:i])), unquote("/".join(rest[i + 1 :]))
    if "job" not in q:
        raise ApiError(400, {"error": "job is missing"})
    done = [p for p in state.pipelines if p.ref == ref and p.status == "success"]
    if not done:
        raise _message(404, "404 Not found")
    latest = max(done, key=lambda p: p.id)
    files = latest.artifacts.get(q["job"])
    if files is None or path not in files:
        raise _message(404, "404 Not found")
    return 200, files[path], {}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
