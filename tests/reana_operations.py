"""What REANA 0.9 answers, operation by operation (named by the OpenAPI operationId).

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
  jsonref's message, a schema error 400; then the run plays on the clock
  (tests/workflow_simulation.py).
"""

from __future__ import annotations

import json
import math
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import yadageschemas
from workflow_simulation import Workflow, advance, job_logs, plan, progress, stamp, stop

USER = "00000000-0000-0000-0000-000000000000"


class Answer(Exception):
    """An error answer REANA gives: {"message": ...} with a status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class ReanaOperations:
    """REANA's state (workflows, secrets, the token) and its operations `op_<operationId>`.

    Each operation takes the path parameters, the query and the body, and returns (status,
    JSON value or bytes) or raises Answer.
    """

    def __init__(self, token: str, clock: Callable[[], float], root: Path) -> None:
        self.token = token
        self.revoked = False
        self.clock = clock
        self.secrets: dict[str, str] = {}  # name -> "env" | "file"
        self.durations: dict[str, float] = {}  # stage -> simulated seconds
        self.fail: Callable[[Workflow, str], bool] = lambda wf, stage: False
        self.log_extra = ""  # appended to every job log (e.g. to leak a secret)
        self.workflows: dict[str, Workflow] = {}
        self.runs: dict[str, int] = {}
        self._root = root  # the workspaces
        self.quota_used = {"cpu": 0, "disk": 0}  # ms, bytes (workspaces' bytes are added)
        self.quota_limit = {"cpu": 0, "disk": 0}  # 0: no limit (REANA's default)

    def authenticate(self, token: str | None) -> None:
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

    def op_get_you(self, *_: Any) -> tuple[int, Any]:
        return 200, {
            "email": "analyst@cern.ch",
            "full_name": "An Analyst",
            "username": "analyst",
            "reana_server_version": "0.9.4",
            # REANA really sends the token back here: a body nobody may print.
            "reana_token": {"value": self.token, "status": "active", "requested_at": stamp(0)},
            "quota": self.quota_usage(),
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
        self.check_quota()
        wf = self._workflow(params["workflow_id_or_name"])
        if wf.status != "created":
            raise Answer(
                403, f"Workflow {wf.full_name} is already {wf.status} and cannot be started again."
            )
        options = json.loads(body) if body else {}
        loaded = _load_yadage(wf, options.get("operational_options") or {})
        inputs = wf.specification.get("inputs") or {}
        wf.parameters = {**(inputs.get("parameters") or {}), **options.get("input_parameters", {})}
        wf.status, wf.started = "queued", self.clock()
        plan(wf, loaded, self.durations, self.fail)
        return 200, {
            "message": "Workflow submitted.",
            "workflow_id": wf.id,
            "workflow_name": wf.full_name,
            "status": "queued",
            "user": USER,
        }

    def op_get_workflow_status(self, params: dict[str, str], *_: Any) -> Any:
        now = self.clock()
        wf = advance(self._workflow(params["workflow_id_or_name"]), now)
        return 200, {
            "id": wf.id,
            "name": wf.full_name,
            "created": stamp(wf.created),
            "status": wf.status,
            "progress": progress(wf, now),
            "user": USER,
            "logs": json.dumps(job_logs(wf, now, self.log_extra)),
        }

    def op_get_workflow_logs(self, params: dict[str, str], *_: Any) -> Any:
        now = self.clock()
        wf = advance(self._workflow(params["workflow_id_or_name"]), now)
        logs = {
            "workflow_logs": f"yadage: workflow {wf.full_name} {wf.status}\n",
            "job_logs": job_logs(wf, now, self.log_extra),
            "engine_specific": None,
        }
        return 200, {
            "workflow_id": wf.id,
            "workflow_name": wf.full_name,
            "logs": json.dumps(logs),
            "user": USER,
        }

    def op_get_files(self, params: dict[str, str], *_: Any) -> Any:
        now = self.clock()
        wf = advance(self._workflow(params["workflow_id_or_name"]), now)
        items = [
            {
                "name": p.relative_to(wf.workspace).as_posix(),
                "size": {"raw": p.stat().st_size, "human_readable": f"{p.stat().st_size} B"},
                "last-modified": stamp(now),
            }
            for p in sorted(wf.workspace.rglob("*"))
            if p.is_file()
        ]
        return 200, {"items": items, "total": len(items)}

    def op_download_file(self, params: dict[str, str], *_: Any) -> Any:
        wf = advance(self._workflow(params["workflow_id_or_name"]), self.clock())
        name = params["file_name"]
        path = wf.workspace / name
        if ".." in name.split("/") or not path.is_file():
            raise Answer(404, f"{name} does not exist")
        return 200, path.read_bytes()

    # --- quota, listing, stop and delete ----------------------------------------------------

    def quota_usage(self) -> dict[str, Any]:
        """reana-db 0.9.4 `QuotaBase.get_quota_usage`: usage always, limit and health only
        where a limit is set (health: healthy, warning from 80 %, critical from 100 %)."""
        disk = sum(
            p.stat().st_size
            for wf in self.workflows.values()
            if wf.status != "deleted"
            for p in wf.workspace.rglob("*")
            if p.is_file()
        )
        answer: dict[str, Any] = {}
        for kind, human in (("cpu", _human_ms), ("disk", _human_bytes)):
            used = self.quota_used[kind] + (disk if kind == "disk" else 0)
            limit = self.quota_limit[kind]
            entry: dict[str, Any] = {"usage": {"raw": used, "human_readable": human(used)}}
            if limit:
                share = used / limit * 100
                health = "critical" if share >= 100 else "warning" if share >= 80 else "healthy"
                entry["limit"] = {"raw": limit, "human_readable": human(limit)}
                entry["health"] = health
            answer[kind] = entry
        return answer

    def check_quota(self) -> None:
        """reana-server 0.9.4 `decorators.check_quota` + `utils.get_quota_excess_message`."""
        quota = self.quota_usage()
        over = [
            f"Resource: {kind}, usage: {r['usage']['human_readable']} out of "
            f"{r['limit']['human_readable']} used"
            for kind, r in quota.items()
            if 0 < r.get("limit", {}).get("raw", 0) <= r["usage"]["raw"]
        ]
        if over:
            raise Answer(
                403,
                "User quota exceeded.\n"
                + "".join(line + "\n" for line in over)
                + "Please see: https://docs.reana.io/advanced-usage/user-quotas",
            )

    def op_get_workflows(self, _: Any, query: dict[str, list[str]], body: bytes) -> Any:
        """Workflow controller 0.9.4 `rest/workflows.py` `get_workflows` (through the server):
        `search` {"name": [x]} is a substring match, `workflow_id_or_name` an exact name or
        id, `status` a comma-separated list of RunStatus names, `sort` desc (default) or asc."""
        now = self.clock()
        found = [advance(wf, now) for wf in self.workflows.values()]
        if "search" in query:
            try:
                wanted = json.loads(query["search"][0])["name"][0]
            except (ValueError, KeyError, IndexError, TypeError):
                raise Answer(400, "Your request contains not valid JSON.") from None
            found = [wf for wf in found if wanted.lower() in wf.name.lower()]
        statuses = [s for s in (query.get("status") or [""])[0].split(",") if s]
        known = {"created", "queued", "pending", "running", "finished", "failed", "stopped"}
        if any(s not in known | {"deleted"} for s in statuses):
            raise Answer(400, "Malformed request.")
        if statuses:
            found = [wf for wf in found if wf.status in statuses]
        key = (query.get("workflow_id_or_name") or [""])[0]
        if key:
            found = [wf for wf in found if key == (wf.id if _is_uuid4(key) else wf.name)]
        order = (query.get("sort") or ["desc"])[0]
        found.sort(key=lambda wf: (wf.created, wf.run), reverse=order != "asc")
        items = [
            {
                "id": wf.id,
                "name": wf.full_name,
                "status": wf.status,
                "user": USER,
                "launcher_url": None,
                "created": stamp(wf.created),
                "progress": progress(wf, now) if wf.started is not None else {},
                "size": {"human_readable": "", "raw": -1},
            }
            for wf in found
        ]
        return 200, {
            "items": items,
            "total": len(items),
            "has_next": False,
            "has_prev": False,
            "page": 1,
            "size": None,
            "user_has_workflows": bool(self.workflows),
        }

    def op_set_workflow_status(
        self, params: dict[str, str], query: dict[str, list[str]], body: bytes
    ) -> Any:
        """Workflow controller 0.9.4 `rest/workflows_status.py` `set_workflow_status` and
        `rest/utils.py` `stop_workflow` / `delete_workflow`; reana-db's allowed transitions."""
        key = params["workflow_id_or_name"]
        wf = self.workflows.get(key) or next(
            (w for w in self.workflows.values() if key in (w.full_name, w.name)), None
        )
        if wf is None:
            raise Answer(
                404,
                f"REANA_WORKON is set to {key}, but that workflow does not exist. "
                "Please set your REANA_WORKON environment variable appropriately.",
            )
        now = self.clock()
        advance(wf, now)
        status = query["status"][0]
        parameters = json.loads(body) if body else {}
        answer = {"workflow_id": wf.id, "workflow_name": wf.full_name, "user": USER}
        if status == "stop":
            if wf.status != "running":
                raise Answer(409, f"Workflow {wf.id} is not running.")
            stop(wf, now)
            return 200, {**answer, "message": "Workflow successfully stopped", "status": wf.status}
        if status == "deleted":
            if not parameters.get("workspace", True):
                raise Answer(400, "Workspace must always be deleted when deleting a workflow.")
            if wf.status == "running":
                raise Answer(
                    500, f"Workflow {wf.full_name} cannot be deleted as it is currently running."
                )
            shutil.rmtree(wf.workspace, ignore_errors=True)
            wf.status = "deleted"
            return 200, {**answer, "message": "Workflow successfully deleted.", "status": "deleted"}
        raise Answer(400, f"Status {status} is not one of: start, stop, deleted")


def _load_yadage(wf: Workflow, options: dict[str, Any]) -> dict[str, Any]:
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


def _human_ms(value: int) -> str:
    """reana-db `ResourceUnit._human_readable_milliseconds`."""
    seconds = abs(value) // 1000
    parts = [(seconds // 3600, "h"), ((seconds // 60) % 60, "m"), (seconds % 60, "s")]
    text = " ".join(f"{n}{unit}" for n, unit in parts if n >= 1)
    return ("-" if value < 0 else "") + (text or "0s")


def _human_bytes(value: int) -> str:
    """reana-db `ResourceUnit._human_readable_bytes`."""
    if value == 0:
        return "0 Bytes"
    units = ["Bytes", "KiB", "MiB", "GiB", "TiB"]
    index = min(math.floor(math.log(abs(value), 1024)), len(units) - 1)
    converted = round(value / math.pow(1024, index), 2)
    return f"{int(converted) if converted.is_integer() else converted} {units[index]}"


def _is_uuid4(text: str) -> bool:
    try:
        return uuid.UUID(text, version=4).hex == text.replace("-", "")
    except ValueError:
        return False
