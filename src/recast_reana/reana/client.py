"""A small client for the REANA 0.9 REST API (reana-server), over requests.

The only module that imports requests; `recast-reana check` never imports it. Endpoints, statuses
and bodies follow `reana_commons/openapi_specifications/reana_server.json` (reana-commons 0.9.11)
and the server code behind it (reana-server 0.9.4 `reana_server/rest/*.py`, reana-workflow-
controller 0.9.4 `rest/workflows_status.py`):
- REANA reads the token only from the `access_token` query parameter (`reana_server/decorators.py`
  `signin_required`): no token 401 "User not signed in"; an unknown or revoked one 403 "Token not
  valid." / "User access token revoked.". So every URL carries the secret, and every text this
  module produces (exception messages, urllib3's log lines) is redacted.
- Errors are `{"message": ...}`. REANA answers 500 for some refusals too (e.g. "Workflow file
  specs/workflow.yml does not exist" at start), so a 500 is retried only where repeating the
  request is harmless.

Unlike reana-client, TLS certificates are verified unless the caller turns it off.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
import urllib3

from recast_reana import __version__
from recast_reana.redact import Redactor, log_filter

# Answers that say nothing about the request itself: an overloaded or restarting server or proxy.
TRANSIENT = frozenset({429, 500, 502, 503, 504})
# The request was not carried out, so even a POST may be repeated: a gateway's own 502/503 (it
# never reached REANA), or REANA's rate limit, 429 `Retry-After: 1` past 20 requests a second
# from one address and user agent (reana-server 0.9.4 `RATELIMIT_GUEST_USER`: flask-limiter
# refuses before the endpoint runs).
NOT_REACHED = frozenset({429, 502, 503})


class ReanaError(Exception):
    """One line for the user; `transient` = a later try may succeed (network, 5xx)."""

    def __init__(self, message: str, *, status: int | None = None, transient: bool = False):
        super().__init__(message)
        self.status = status
        self.transient = transient


class AuthError(ReanaError):
    """REANA refused the access token: missing, unknown or revoked."""


@dataclass(frozen=True)
class Created:
    id: str
    name: str  # "<name>.<run number>"


class Client:
    """The REANA calls `recast-reana run` makes; each raises ReanaError with a redacted message."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        verify: bool = True,
        timeout: float = 60.0,
        attempts: int = 4,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self._token = token
        self.redact = Redactor(token)
        log_filter.redactors.append(self.redact)
        self._session = session or requests.Session()
        # Given with each request, not as session.verify: requests lets REQUESTS_CA_BUNDLE
        # override a session's verify=False (psf/requests#3829), so --insecure would not work
        # in CI images that set it; with verify=True that variable still names the CA bundle.
        self._verify = verify
        self._session.headers["User-Agent"] = f"recast-reana/{__version__}"
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self._sleep = sleep
        if not verify:  # the user chose this (--insecure); one warning from us is enough
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

    def close(self) -> None:
        self._session.close()
        if self.redact in log_filter.redactors:
            log_filter.redactors.remove(self.redact)

    def workflow_url(self, workflow_id: str) -> str:
        """The workflow's page in the REANA web UI (reana-ui `App.js`: /details/:id)."""
        return f"{self.url}/details/{workflow_id}"

    # --- endpoints -------------------------------------------------------------------------

    def you(self) -> dict[str, Any]:
        """GET /api/you: proves the server answers and accepts the token."""
        return _mapping(self._json("GET", "/api/you", what="check the access token"))

    def secrets(self) -> list[dict[str, Any]]:
        """GET /api/secrets: the user's secrets as [{name, type}] (never their values)."""
        data = self._json("GET", "/api/secrets", what="list your REANA secrets")
        if not isinstance(data, list):
            raise ReanaError("REANA answered GET /api/secrets with something else than a list")
        return [s for s in data if isinstance(s, dict)]

    def create(self, name: str, specification: Mapping[str, Any]) -> Created:
        """POST /api/workflows?workflow_name=: 201 {message, workflow_id, workflow_name}."""
        data = _mapping(
            self._json(
                "POST",
                "/api/workflows",
                params={"workflow_name": name},
                body=dict(specification),
                expect=201,
                repeatable=False,
                what=f"create workflow {name}",
            )
        )
        wid, full = data.get("workflow_id"), data.get("workflow_name")
        if not isinstance(wid, str) or not wid:
            raise ReanaError(f"REANA created workflow {name} but sent no workflow_id")
        return Created(wid, full if isinstance(full, str) and full else name)

    def upload(self, workflow_id: str, path: str, data: bytes) -> None:
        """POST /api/workflows/<id>/workspace?file_name=<path>, the bytes as octet-stream."""
        self._json(
            "POST",
            f"/api/workflows/{workflow_id}/workspace",
            params={"file_name": path},
            data=data,
            what=f"upload {path}",
        )

    def start(self, workflow_id: str, parameters: Mapping[str, Any]) -> dict[str, Any]:
        """POST /api/workflows/<id>/start with {input_parameters, operational_options}."""
        body = {"input_parameters": dict(parameters), "operational_options": {}}
        return _mapping(
            self._json(
                "POST",
                f"/api/workflows/{workflow_id}/start",
                body=body,
                repeatable=False,
                what="start the workflow",
            )
        )

    def status(self, workflow_id: str) -> dict[str, Any]:
        """GET /api/workflows/<id>/status: {status, progress{total,running,finished,failed}}."""
        path = f"/api/workflows/{workflow_id}/status"
        return _mapping(self._json("GET", path, what="read the workflow status"))

    def logs(self, workflow_id: str) -> dict[str, Any]:
        """GET /api/workflows/<id>/logs; `logs` is a JSON string (workflow controller's
        `build_workflow_logs`): {workflow_logs, job_logs: {job id: {job_name, status, logs,
        started_at, finished_at, ...}}, engine_specific}. Returned decoded."""
        path = f"/api/workflows/{workflow_id}/logs"
        data = _mapping(self._json("GET", path, what="read the workflow logs"))
        raw = data.get("logs")
        try:
            logs = json.loads(raw) if isinstance(raw, str) and raw else {}
        except ValueError:
            logs = {"workflow_logs": raw}
        return logs if isinstance(logs, dict) else {}

    def files(self, workflow_id: str) -> list[dict[str, Any]]:
        """GET /api/workflows/<id>/workspace: {items: [{name, size{raw}, last-modified}]}."""
        path = f"/api/workflows/{workflow_id}/workspace"
        data = _mapping(self._json("GET", path, what="list the workspace"))
        items = data.get("items")
        return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []

    def download(self, workflow_id: str, path: str, dest: Path) -> int:
        """GET /api/workflows/<id>/workspace/<path> into `dest` (atomically); returns the size.

        A stream cut in the middle is fetched again from the start, like any transient error."""
        url_path = f"/api/workflows/{workflow_id}/workspace/{quote(path, safe='/')}"
        dest.parent.mkdir(parents=True, exist_ok=True)
        message = ""
        for attempt in range(self.attempts):
            if attempt:
                self._sleep(min(2.0**attempt, 30.0))
            response = self._call("GET", url_path, stream=True, what=f"download {path}")
            fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", dir=dest.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    for chunk in response.iter_content(chunk_size=1 << 20):
                        fh.write(chunk)
                os.chmod(tmp, 0o644)
                os.replace(tmp, dest)
                return dest.stat().st_size
            except requests.RequestException as exc:
                message = self._describe(exc, f"download {path}")
            finally:
                Path(tmp).unlink(missing_ok=True)
                response.close()
        raise ReanaError(message, transient=True)

    # --- transport -------------------------------------------------------------------------

    def _json(self, method: str, path: str, *, what: str, **options: Any) -> Any:
        response = self._call(method, path, what=what, **options)
        try:
            return response.json()
        except ValueError:
            kind = response.headers.get("Content-Type", "?")
            raise ReanaError(
                f"cannot {what}: {self.url} answered HTTP {response.status_code} with {kind}, "
                "not REANA's JSON (is REANA_SERVER_URL the REANA server?)"
            ) from None

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        data: bytes | None = None,
        expect: int = 200,
        repeatable: bool = True,
        stream: bool = False,
        what: str,
    ) -> requests.Response:
        """One request, tried up to `attempts` times while the failure is transient.

        `repeatable=False` (create, start): repeated only when the request cannot have been
        carried out (no connection, a gateway's 502/503, the rate limit's 429), so no workflow
        is created twice.
        """
        query = {**(params or {}), "access_token": self._token}
        headers = {"Content-Type": "application/octet-stream"} if data is not None else {}
        error: ReanaError | None = None
        for attempt in range(self.attempts):
            if attempt:
                self._sleep(min(2.0**attempt, 30.0))
            message, sent, tls = "", False, False
            try:
                response = self._session.request(
                    method,
                    self.url + path,
                    params=query,
                    json=body,
                    data=data,
                    headers=headers,
                    timeout=self.timeout,
                    stream=stream,
                    verify=self._verify,
                    allow_redirects=False,  # a redirect would carry the token elsewhere
                )
            except requests.RequestException as exc:
                # Built outside the except block: the original exception (URL with the token
                # in its text) is not chained to ours.
                message, sent = self._describe(exc, what), not _not_sent(exc)
                tls = isinstance(exc, requests.exceptions.SSLError)
            except OSError as exc:  # e.g. REQUESTS_CA_BUNDLE names no file
                message, tls = f"cannot {what}: {self.redact(str(exc))}", True
            if message:
                if tls:  # a certificate (or a CA bundle) does not get better by asking again
                    raise ReanaError(message)
                error = ReanaError(message, transient=True)
                if sent and not repeatable:
                    raise ReanaError(message + " (it may have been done: check REANA)")
                continue
            if response.status_code == expect:
                return response
            error = self._refusal(response, what)
            retry = response.status_code in (TRANSIENT if repeatable else NOT_REACHED)
            response.close()
            if not retry:
                raise error
        assert error is not None
        raise error

    def _describe(self, exc: requests.RequestException, what: str) -> str:
        if isinstance(exc, requests.exceptions.SSLError):
            why = "TLS certificate not verified (use --insecure only for a test server)"
        elif isinstance(exc, requests.Timeout):
            why = f"no answer within {self.timeout:g} s"
        elif isinstance(exc, requests.ConnectionError):
            why = "connection failed"
        else:
            why = type(exc).__name__
        detail = self.redact(str(exc)).splitlines()[0][:300] if str(exc) else ""
        return f"cannot {what}: {why} ({self.url}){': ' + detail if detail else ''}"

    def _refusal(self, response: requests.Response, what: str) -> ReanaError:
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        message = body.get("message") if isinstance(body, dict) else None
        if not isinstance(message, str) or not message:
            message = response.reason or "no message"
        if 300 <= status < 400:
            where = self.redact(response.headers.get("Location", "?")).split("?")[0]
            message = f"redirected to {where}: set REANA_SERVER_URL to that address"
        message = self.redact(message)
        first = message.strip().splitlines()[0] if message.strip() else message
        text = f"cannot {what}: REANA answered HTTP {status}: {first}"
        if status == 401 or (status == 403 and re.search("token|not signed in", message, re.I)):
            return AuthError(
                f"REANA refused the access token (REANA_ACCESS_TOKEN): {first}", status=status
            )
        return ReanaError(text, status=status, transient=status in TRANSIENT)

    # --- listing, stopping, deleting (run --keep-last, --stop-on-cancel, cleanup) ---------

    def workflows(self, name_or_id: str, statuses: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """GET /api/workflows?type=batch&workflow_id_or_name=: REANA's own list of the runs of
        one name (or the one workflow of an id), newest first: [{id, name: "<name>.<run>",
        status, created, ...}]. reana-server 0.9.4 hands `workflow_id_or_name` (an exact name,
        or an id) and `status` (comma-separated, Swagger's csv) to the workflow controller's
        `get_workflows`; without `size` every match comes in one page."""
        params = {"type": "batch", "workflow_id_or_name": name_or_id, "sort": "desc"}
        if statuses:
            params["status"] = ",".join(statuses)
        data = self._json("GET", "/api/workflows", params=params, what=f"list {name_or_id}")
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise ReanaError(
                f"cannot list {name_or_id}: REANA answered GET /api/workflows without a list "
                "of items"
            )
        return [i for i in items if isinstance(i, dict)]

    def stop(self, workflow_id: str) -> dict[str, Any]:
        """PUT /api/workflows/<id>/status?status=stop. REANA 0.9.4 stops only a running
        workflow (reana-db `ALLOWED_WORKFLOW_STATUS_TRANSITIONS`); otherwise 409 "Workflow
        <id> is not running." (workflow controller `rest/utils.py` `stop_workflow`)."""
        return _mapping(
            self._json(
                "PUT",
                f"/api/workflows/{workflow_id}/status",
                params={"status": "stop"},
                repeatable=False,
                what="stop the workflow",
            )
        )

    def delete(self, workflow_id: str) -> dict[str, Any]:
        """PUT /api/workflows/<id>/status?status=deleted with {"workspace": true}: what
        `reana-client delete` sends; the workspace goes too, and its disk quota is given back
        (workflow controller 0.9.4 `rest/utils.py` `delete_workflow`). A running workflow is
        refused (500 "... cannot be deleted as it is currently running.")."""
        return _mapping(
            self._json(
                "PUT",
                f"/api/workflows/{workflow_id}/status",
                params={"status": "deleted"},
                body={"workspace": True},
                repeatable=False,
                what="delete the workflow",
            )
        )


def _not_sent(exc: requests.RequestException) -> bool:
    """The connection was never made: repeating the request cannot do anything twice."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def _mapping(data: Any) -> dict[str, Any]:
    return data if isinstance(data, dict) else {}
