"""A fake REANA 0.9 server on 127.0.0.1 that speaks the real wire protocol.

Every request is checked against the Swagger 2.0 spec REANA publishes
(`reana_commons/openapi_specifications/reana_server.json` from reana-commons 0.9.11): the route
and method exist, required parameters are there, no undeclared query parameter, parameter types,
the body's content type and JSON schema. Every answer is checked against the documented statuses
and response schemas. A violation is answered 400 and recorded in `violations` (the tests assert
there are none).

Behaviour follows the server code (reana-server 0.9.4 `rest/workflows.py`, `decorators.py`,
`utils.py`; reana-workflow-controller 0.9.4 `rest/workflows*.py`; reana-commons 0.9.11
`yadage.py`):
- the token is the `access_token` query parameter: none 401 "User not signed in", unknown 403
  "Token not valid.", revoked 403 "User access token revoked.";
- create: a name with "." is refused (403, `validate_workflow_name` raises ValueError), each create
  bumps the run number: 201 {message, workflow_id, workflow_name: "<name>.<run>"};
- uploads are kept per workflow in a real directory (the workspace);
- start loads the yadage spec as `yadage_load_from_workspace` does (toplevel = the workspace): a
  missing workflow file is 500 "Workflow file <file> does not exist", a bad `$ref` 500 with
  jsonref's message, a schema error 400;
- then each stage plays as a job on the injected clock (queued, running, finished or failed),
  with progress, logs (`logs` is a JSON string with `job_logs` keyed by job id) and the output
  files its publisher names, written into the workspace when the job finishes.
Faults on demand (`inject`): any status, a dropped connection, a slow answer, a revoked token,
an HTML page instead of JSON, a body cut in the middle.
"""

from __future__ import annotations

import json
import re
import shutil
import ssl
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import jsonschema
import yadageschemas

EPOCH = datetime(2024, 5, 6, 8, 0, 0, tzinfo=timezone.utc)
QUEUE_SECONDS = 10.0  # workflow queued before its first job
PENDING_SECONDS = 5.0  # each job queued before it runs
DEFAULT_DURATION = 60.0
LOG_LINES = 40


def _nullable(schema: Any) -> Any:
    """Swagger's `x-nullable: true` as JSON schema (REANA sends null for those)."""
    if isinstance(schema, dict):
        out = {k: _nullable(v) for k, v in schema.items()}
        if out.get("x-nullable") and isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        return out
    if isinstance(schema, list):
        return [_nullable(v) for v in schema]
    return schema


_VALIDATORS: dict[int, Any] = {}


def _validator(schema: dict[str, Any]) -> Any:
    """One validator per schema object of the document (building them is the slow part)."""
    if id(schema) not in _VALIDATORS:
        _VALIDATORS[id(schema)] = jsonschema.Draft4Validator(_nullable(schema))
    return _VALIDATORS[id(schema)]


class OpenApi:
    """Route matching and request/response checks against the Swagger 2.0 document."""

    def __init__(self, document: dict[str, Any]) -> None:
        assert document.get("swagger") == "2.0"
        routes: list[tuple[int, re.Pattern[str], str, dict[str, Any]]] = []
        for template, methods in document["paths"].items():
            # REANA's Flask route for file_name is <path:...>: it may hold slashes.
            pattern = re.sub(
                r"\{(\w+)\}",
                lambda m: f"(?P<{m[1]}>.+)" if m[1] == "file_name" else f"(?P<{m[1]}>[^/]+)",
                template,
            )
            literal = len([s for s in template.split("/") if s and "{" not in s])
            routes += [
                (literal, re.compile(pattern + "$"), m.upper(), op) for m, op in methods.items()
            ]
        # Most literal segments first: /api/workflows/move_files/{id} before /api/workflows/{id}/...
        routes.sort(key=lambda r: -r[0])
        self.routes = [(pattern, verb, op) for _, pattern, verb, op in routes]

    def match(self, method: str, path: str) -> tuple[dict[str, Any], dict[str, str]] | None:
        for pattern, verb, op in self.routes:
            found = pattern.match(path)
            if found and verb == method:
                return op, {k: unquote(v) for k, v in found.groupdict().items()}
        return None

    def check_request(
        self, op: dict[str, Any], query: dict[str, list[str]], ctype: str, body: bytes
    ) -> list[str]:
        problems = []
        params = op.get("parameters", [])
        declared = {p["name"] for p in params if p["in"] == "query"}
        problems += [f"undeclared query parameter {q!r}" for q in query if q not in declared]
        for p in params:
            if p["in"] == "query":
                values = query.get(p["name"])
                if values is None:
                    if p.get("required"):
                        problems.append(f"missing required query parameter {p['name']!r}")
                    continue
                if len(values) > 1:
                    problems.append(f"query parameter {p['name']!r} given {len(values)} times")
                if p.get("type") == "integer" and not values[0].lstrip("-").isdigit():
                    problems.append(f"query parameter {p['name']!r} is not an integer")
                if p.get("type") == "boolean" and values[0] not in ("true", "false"):
                    problems.append(f"query parameter {p['name']!r} is not a boolean")
        body_params = [p for p in params if p["in"] == "body"]
        consumes = op.get("consumes", ["application/json"])
        if body and not body_params:
            problems.append("a body sent to an operation that takes none")
        for p in body_params:
            if not body:
                if p.get("required"):
                    problems.append(f"missing required body {p['name']!r}")
                continue
            media = ctype.split(";")[0].strip()
            if media not in consumes:
                problems.append(f"body sent as {media or 'no content type'}, expected {consumes}")
            elif media == "application/json":
                try:
                    data = json.loads(body)
                except ValueError:
                    problems.append("body is not JSON")
                    continue
                for error in _validator(p["schema"]).iter_errors(data):
                    problems.append(f"body {p['name']!r}: {error.message}")
        return problems

    def check_response(self, op: dict[str, Any], status: int, body: Any) -> list[str]:
        documented = op.get("responses", {})
        if str(status) not in documented:
            return [f"answered {status}, not a documented status ({sorted(documented)})"]
        schema = documented[str(status)].get("schema")
        if schema is None or schema.get("type") == "file":
            return []
        return [f"response {status}: {e.message}" for e in _validator(schema).iter_errors(body)]


class Answer(Exception):
    """An error answer REANA gives: {"message": ...} with a status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class Fault:
    operation: str | None  # operationId, None = any
    kind: str  # "status" | "drop" | "slow" | "revoke" | "html" | "truncate"
    times: int = 1
    skip: int = 0  # let this many matching requests through first
    status: int = 503
    delay: float = 0.0


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    operation: str
    query: dict[str, list[str]]  # without access_token
    body: bytes


@dataclass
class Job:
    id: str
    stage: str
    queued: float
    started: float
    ended: float
    failed: bool
    outputs: list[str]
    image: str
    cmd: str
    written: bool = False


@dataclass
class Workflow:
    id: str
    name: str
    run: int
    specification: dict[str, Any]
    workspace: Path
    created: float
    status: str = "created"
    started: float | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    jobs: list[Job] = field(default_factory=list)
    end: float | None = None  # when the run ends (finished or failed)
    failed: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.name}.{self.run}"


def stamp(seconds: float) -> str:
    """REANA's WORKFLOW_TIME_FORMAT: %Y-%m-%dT%H:%M:%S."""
    return (EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")


class FakeReana:
    def __init__(
        self,
        openapi: dict[str, Any],
        *,
        token: str,
        clock: Callable[[], float] = time.monotonic,
        tls: tuple[Path, Path] | None = None,  # (certificate, key): serve HTTPS
    ) -> None:
        self.api = OpenApi(openapi)
        self.token = token
        self.revoked = False
        self.clock = clock
        self.secrets: dict[str, str] = {}  # name -> "env" | "file"
        self.durations: dict[str, float] = {}  # stage -> simulated seconds
        self.fail: Callable[[Workflow, str], bool] = lambda wf, stage: False
        self.log_extra = ""  # appended to every job log (e.g. to leak a secret)
        self.workflows: dict[str, Workflow] = {}
        self.runs: dict[str, int] = {}
        self.seen: list[Seen] = []
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        self._lock = threading.Lock()
        self._root = Path(tempfile.mkdtemp(prefix="fake-reana-"))
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = _Server(("127.0.0.1", 0), handler)
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

    def __enter__(self) -> FakeReana:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        shutil.rmtree(self._root, ignore_errors=True)

    def inject(self, kind: str, operation: str | None = None, **options: Any) -> None:
        self.faults.append(Fault(operation, kind, **options))

    def count(self, operation: str | None = None) -> int:
        return sum(1 for s in self.seen if operation in (None, s.operation))

    def operations(self) -> list[str]:
        return [s.operation for s in self.seen]

    # --- dispatch --------------------------------------------------------------------------

    def handle(self, handler: _Handler) -> None:
        url = urlsplit(handler.path)
        query = parse_qs(url.query, keep_blank_values=True)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        matched = self.api.match(handler.command, url.path)
        operation = matched[0]["operationId"] if matched else "?"
        with self._lock:
            public = {k: v for k, v in query.items() if k != "access_token"}
            self.seen.append(Seen(handler.command, url.path, operation, public, body))
            fault = self._fault(operation)
        if fault is not None:
            if fault.kind == "drop":
                handler.close_connection = True
                return
            if fault.kind == "status":
                handler.reply(fault.status, {"message": "Service Unavailable"})
                return
            if fault.kind == "html":  # e.g. a single sign-on page in front of the server
                handler._send(200, b"<html><body>Sign in</body></html>", "text/html")
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
            try:
                if any(p["name"] == "access_token" for p in op.get("parameters", [])):
                    self._authenticate(query.get("access_token", [None])[0])
                status, answer = getattr(self, "op_" + operation)(path_params, query, body)
            except Answer as exc:
                status, answer = exc.status, {"message": exc.message}
        if isinstance(answer, bytes):
            handler.reply_bytes(status, answer)
            return
        for problem in self.api.check_response(op, status, answer):
            self._violation(f"{handler.command} {url.path}: {problem}")
        handler.reply(status, answer)

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

    def _authenticate(self, token: str | None) -> None:
        if not token:
            raise Answer(401, "User not signed in")
        if token != self.token:
            raise Answer(403, "Token not valid.")
        if self.revoked:
            raise Answer(403, "User access token revoked.")

    def _workflow(self, key: str) -> Workflow:
        found = self.workflows.get(key) or next(
            (w for w in self.workflows.values() if key in (w.full_name, w.name)), None
        )
        if found is None:
            raise Answer(404, f"Workflow {key} does not exist")
        return found

    # --- operations (named by operationId) -------------------------------------------------

    def op_get_you(self, *_: Any) -> tuple[int, Any]:
        return 200, {
            "email": "analyst@cern.ch",
            "full_name": "An Analyst",
            "username": "analyst",
            "reana_server_version": "0.9.4",
            # REANA really sends the token back here: a body nobody may print.
            "reana_token": {"value": self.token, "status": "active", "requested_at": stamp(0)},
        }

    def op_ping(self, *_: Any) -> tuple[int, Any]:
        return 200, {"message": "OK", "status": "200"}

    def op_get_secrets(self, *_: Any) -> tuple[int, Any]:
        return 200, [{"name": n, "type": t} for n, t in sorted(self.secrets.items())]

    def op_create_workflow(self, _: Any, query: dict[str, list[str]], body: bytes) -> Any:
        name = query["workflow_name"][0]
        if "." in name:  # reana_commons.validation.utils.validate_workflow_name
            raise Answer(403, f'Workflow name {name} contains illegal character "."')
        if _is_uuid4(name):
            raise Answer(400, "Workflow name cannot be a valid UUIDv4.")
        spec = json.loads(body) if body else None
        if not isinstance(spec, dict):
            raise Answer(
                500, "Either remote repository or REANA specification needs to be provided"
            )
        try:
            engine = spec["workflow"]["type"]
        except (KeyError, TypeError) as exc:
            raise Answer(400, str(exc)) from None
        if engine not in ("cwl", "serial", "yadage", "snakemake"):
            raise Answer(500, "Unknown workflow type.")
        self.runs[name] = self.runs.get(name, 0) + 1
        wid = str(uuid.uuid4())
        workspace = self._root / wid
        workspace.mkdir()
        self.workflows[wid] = Workflow(wid, name, self.runs[name], spec, workspace, self.clock())
        return 201, {
            "message": "Workflow workspace created",
            "workflow_id": wid,
            "workflow_name": self.workflows[wid].full_name,
        }

    def op_upload_file(self, params: dict[str, str], query: Any, body: bytes) -> Any:
        wf = self._workflow(params["workflow_id_or_name"])
        name = query["file_name"][0]
        if name.startswith("/") or ".." in name.split("/"):
            raise Answer(400, f"Path {name} is not valid.")
        target = wf.workspace / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        return 200, {"message": f"{name} has been successfully uploaded."}

    def op_start_workflow(self, params: dict[str, str], _: Any, body: bytes) -> Any:
        wf = self._workflow(params["workflow_id_or_name"])
        if wf.status != "created":
            raise Answer(
                403, f"Workflow {wf.full_name} is already {wf.status} and cannot be started again."
            )
        options = json.loads(body) if body else {}
        loaded = self._load_yadage(wf, options.get("operational_options") or {})
        inputs = wf.specification.get("inputs") or {}
        wf.parameters = {**(inputs.get("parameters") or {}), **options.get("input_parameters", {})}
        wf.status, wf.started = "queued", self.clock()
        self._plan(wf, loaded)
        return 200, {
            "message": "Workflow submitted.",
            "workflow_id": wf.id,
            "workflow_name": wf.full_name,
            "status": "queued",
            "user": "00000000-0000-0000-0000-000000000000",
        }

    def op_get_workflow_status(self, params: dict[str, str], *_: Any) -> Any:
        wf = self._advance(self._workflow(params["workflow_id_or_name"]))
        return 200, {
            "id": wf.id,
            "name": wf.full_name,
            "created": stamp(wf.created),
            "status": wf.status,
            "progress": self._progress(wf),
            "user": "00000000-0000-0000-0000-000000000000",
            "logs": json.dumps(self._job_logs(wf)),
        }

    def op_get_workflow_logs(self, params: dict[str, str], *_: Any) -> Any:
        wf = self._advance(self._workflow(params["workflow_id_or_name"]))
        logs = {
            "workflow_logs": f"yadage: workflow {wf.full_name} {wf.status}\n",
            "job_logs": self._job_logs(wf),
            "engine_specific": None,
        }
        return 200, {
            "workflow_id": wf.id,
            "workflow_name": wf.full_name,
            "logs": json.dumps(logs),
            "user": "00000000-0000-0000-0000-000000000000",
        }

    def op_get_files(self, params: dict[str, str], *_: Any) -> Any:
        wf = self._advance(self._workflow(params["workflow_id_or_name"]))
        items = [
            {
                "name": p.relative_to(wf.workspace).as_posix(),
                "size": {"raw": p.stat().st_size, "human_readable": f"{p.stat().st_size} B"},
                "last-modified": stamp(self.clock()),
            }
            for p in sorted(wf.workspace.rglob("*"))
            if p.is_file()
        ]
        return 200, {"items": items, "total": len(items)}

    def op_download_file(self, params: dict[str, str], *_: Any) -> Any:
        wf = self._advance(self._workflow(params["workflow_id_or_name"]))
        name = params["file_name"]
        path = wf.workspace / name
        if ".." in name.split("/") or not path.is_file():
            raise Answer(404, f"{name} does not exist")
        return 200, path.read_bytes()

    # --- the simulated run -----------------------------------------------------------------

    def _load_yadage(self, wf: Workflow, options: dict[str, Any]) -> dict[str, Any]:
        """reana_commons/yadage.py `yadage_load_from_workspace` + `yadage_load`."""
        workflow_file = (wf.specification.get("workflow") or {}).get("file")
        if not workflow_file or not (wf.workspace / workflow_file).exists():
            raise Answer(500, f"Workflow file {workflow_file} does not exist")
        toplevel = str(wf.workspace / options.get("toplevel", ""))
        schema = {"schema_name": "yadage/workflow-schema", "schemadir": None}
        try:
            loaded = yadageschemas.load(
                spec=workflow_file,
                specopts={"toplevel": toplevel, **schema, "load_as_ref": False},
                validopts=schema,
                validate=True,
            )
        except jsonschema.ValidationError as exc:
            raise Answer(400, str(exc)) from None
        except Exception as exc:  # REANA answers 500 with str(e) for anything else
            raise Answer(500, str(exc)) from None
        return dict(loaded)

    def _plan(self, wf: Workflow, loaded: dict[str, Any]) -> None:
        assert wf.started is not None
        stages = {s["name"]: s for s in loaded.get("stages", [])}
        ends: dict[str, tuple[float, bool] | None] = {}

        def schedule(name: str) -> tuple[float, bool] | None:
            if name not in ends:
                ends[name] = None  # a cycle never runs
                deps = [d for d in stages[name]["dependencies"]["expressions"] if d in stages]
                done = [schedule(d) for d in deps]
                if any(d is None or d[1] for d in done):
                    return None
                ready = max([d[0] for d in done if d], default=wf.started + QUEUE_SECONDS)
                ends[name] = self._job(wf, stages[name], ready)
            return ends[name]

        for name in stages:
            schedule(name)
        wf.jobs.sort(key=lambda j: (j.queued, j.stage))
        failed = [j.ended for j in wf.jobs if j.failed]
        wf.failed = bool(failed)
        wf.end = min(failed) if failed else max((j.ended for j in wf.jobs), default=wf.started)

    def _job(self, wf: Workflow, stage: dict[str, Any], ready: float) -> tuple[float, bool]:
        step = stage["scheduler"].get("step") or {}
        env = step.get("environment") or {}
        started = ready + PENDING_SECONDS
        ended = started + self.durations.get(stage["name"], DEFAULT_DURATION)
        failed = self.fail(wf, stage["name"])
        job = Job(
            id=str(uuid.uuid4()),
            stage=stage["name"],
            queued=ready,
            started=started,
            ended=ended,
            failed=failed,
            outputs=[] if failed else _outputs(stage, step),
            image=f"{env.get('image', '')}:{env.get('imagetag', '')}",
            cmd=str((step.get("process") or {}).get("script", "")),
        )
        wf.jobs.append(job)
        return ended, failed

    def _advance(self, wf: Workflow) -> Workflow:
        """The workflow's state at the clock's time; finished jobs' outputs appear."""
        if wf.started is None or wf.end is None:
            return wf
        now = self.clock()
        for job in wf.jobs:
            if not job.failed and job.ended <= min(now, wf.end) and not job.written:
                for out in job.outputs:
                    path = wf.workspace / out
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(f"{out} made by stage {job.stage} of {wf.full_name}\n")
                job.written = True
        if now >= wf.end:
            wf.status = "failed" if wf.failed else "finished"
        elif now >= wf.started + QUEUE_SECONDS:
            wf.status = "running"
        return wf

    def _job_status(self, wf: Workflow, job: Job) -> str | None:
        now = self.clock()
        assert wf.end is not None
        if now < job.queued or job.queued > wf.end:
            return None
        if now >= wf.end and job.ended > wf.end:
            return "stopped"  # the workflow failed while this job was queued or running
        if now < job.started:
            return "queued"
        if now < job.ended:
            return "running"
        return "failed" if job.failed else "finished"

    def _progress(self, wf: Workflow) -> dict[str, Any]:
        progress: dict[str, Any] = {
            "run_started_at": stamp(wf.started) if wf.started is not None else None,
            "run_finished_at": stamp(wf.end) if wf.status in ("finished", "failed") else None,
            "run_stopped_at": None,
            "total": {"total": len(wf.jobs), "job_ids": []},
        }
        states = [(j, self._job_status(wf, j)) for j in wf.jobs]
        for name in ("running", "finished", "failed"):
            ids = [j.id for j, s in states if s == name]
            progress[name] = {"total": len(ids), "job_ids": ids}
        current = [j for j, s in states if s is not None]
        progress["current_step_name"] = current[-1].stage if current else None
        progress["current_command"] = current[-1].cmd if current else None
        return progress

    def _job_logs(self, wf: Workflow) -> dict[str, Any]:
        out = {}
        for job in wf.jobs:
            status = self._job_status(wf, job)
            if status is None:
                continue
            lines = [f"{job.stage}: line {i} of the job's output" for i in range(1, LOG_LINES + 1)]
            if status == "failed":
                lines.append(f"ERROR: stage {job.stage} failed: exit code 1")
            out[job.id] = {
                "workflow_uuid": wf.id,
                "job_name": job.stage,
                "compute_backend": "Kubernetes",
                "backend_job_id": f"reana-run-job-{job.id[:8]}",
                "docker_img": job.image,
                "cmd": job.cmd,
                "status": status,
                "logs": "\n".join(lines) + "\n" + self.log_extra
                if status in ("finished", "failed")
                else "",
                "started_at": stamp(job.started) if status != "queued" else None,
                "finished_at": stamp(job.ended) if status in ("finished", "failed") else None,
            }
        return out


def _outputs(stage: dict[str, Any], step: dict[str, Any]) -> list[str]:
    """Workspace paths of the files the stage's publisher names (interpolated-pub, frompar-pub).

    REANA runs a stage in `<workspace>/<stage name>`, so `{workdir}` is that directory.
    """
    values: dict[str, Any] = {}
    for item in stage["scheduler"].get("parameters") or []:
        value = item.get("value")
        if isinstance(value, str):
            values[item["key"]] = value.replace("{workdir}", stage["name"])
    publisher = step.get("publisher") or {}
    kind = publisher.get("publisher_type")
    if kind == "interpolated-pub":
        candidates = [_format(v, values) for v in (publisher.get("publish") or {}).values()]
    elif kind == "frompar-pub":
        candidates = [values.get(p) for p in (publisher.get("outputmap") or {}).values()]
    else:
        candidates = []
    prefix = stage["name"] + "/"
    return sorted({c for c in candidates if isinstance(c, str) and c.startswith(prefix)})


def _format(template: Any, values: dict[str, Any]) -> Any:
    if not isinstance(template, str):
        return None
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m[1], m[0])), template)


def _is_uuid4(text: str) -> bool:
    try:
        return uuid.UUID(text, version=4).hex == text.replace("-", "")
    except ValueError:
        return False


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a client that gave up on a slow answer closed the socket (a tested fault)."""


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

    def reply(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self._send(status, data, "application/json")

    def reply_bytes(self, status: int, data: bytes) -> None:
        self._send(status, data, "application/octet-stream")

    def _send(self, status: int, data: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.truncate:
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
            return
        self.wfile.write(data)


class FakeClock:
    """Simulated time shared by the fake server and `recast-reana run`: sleeping advances it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return EPOCH.timestamp() + self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
