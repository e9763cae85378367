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

REANA 0.95 speaks another protocol (reana/protocol.py): the client asks `GET /api/ping` once,
before anything else, and then sends the token as `Authorization: Bearer` and creates a workflow
from a bundle; a 0.9 server gets `access_token` and the JSON create. The token is only ever sent
to the configured address: redirects are refused, never followed.

Every field read from an answer is checked; an answer without it is a ProtocolError naming the
request and the field. `Retry-After` (seconds or an HTTP-date) on 429/503 is waited for while the
waits add up to no more than the timeout.

Unlike reana-client, TLS certificates are verified unless the caller turns it off.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import requests
import urllib3

from recast_reana import __version__
from recast_reana.connection import failure_reason
from recast_reana.reana import failures
from recast_reana.reana import protocol as proto
from recast_reana.redact import Redactor, log_filter
from recast_reana.type_names import Any

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


class FatalError(ReanaError):
    """Nothing will work until someone acts (the token, the address, the server): exit 3."""


class AuthError(FatalError):
    """REANA refused the access token: missing, unknown or revoked."""


class ProtocolError(FatalError):
    """The server answered something REANA does not: no REANA protocol, a missing field."""


@dataclass(frozen=True)
class Created:
    id: str
    name: str  # "<name>.<run number>"
    bundled: frozenset[str] = field(default_factory=frozenset)  # files REANA 0.95 already has


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
        self._protocol: proto.Protocol | None = None
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
        data = self._json("GET", "/api/you", what="check the access token")
        return self._answer(data, "GET /api/you", {})

    def secrets(self) -> list[dict[str, Any]]:
        """GET /api/secrets: the user's secrets as [{name, type}] (never their values)."""
        data = self._json("GET", "/api/secrets", what="list your REANA secrets")
        if not isinstance(data, list):
            raise ProtocolError(
                f"REANA answered GET /api/secrets with {failures.kind(data)}, not a list"
            )
        return [self._answer(s, "GET /api/secrets", {"name": str}) for s in data]

    def protocol(self) -> proto.Protocol:
        """GET /api/ping (once): REANA 0.9 or 0.95's bundle protocol; ProtocolError otherwise."""
        if self._protocol is None:
            data = self._json("GET", "/api/ping", what="ask REANA which protocol it speaks")
            try:
                self._protocol = proto.read_ping(data)
            except proto.ProtocolProblem as exc:
                raise ProtocolError(
                    f"{self.url} answered GET /api/ping with {exc}: it speaks neither REANA 0.9's "
                    "nor 0.95's protocol (is REANA_SERVER_URL a REANA server? a newer REANA "
                    "needs a newer recast-reana)"
                ) from None
        return self._protocol

    def create(
        self,
        name: str,
        specification: Mapping[str, Any],
        files: Mapping[str, bytes] | None = None,
    ) -> Created:
        """POST /api/workflows?workflow_name=: 201 {message, workflow_id, workflow_name}.

        0.9: the body is reana.yaml as JSON. 0.95: a multipart `bundle` of reana.yaml and those
        of `files` the server loads the workflow from (`Created.bundled`: no need to upload
        them again)."""
        what = f"create workflow {name}"
        options: dict[str, Any] = {"body": dict(specification)}
        bundled: list[str] = []
        if self.protocol().bundles:
            options = self._bundle(specification, files or {})
            bundled = proto.bundle_scope(specification, files or {})
        data = self._answer(
            self._json(
                "POST",
                "/api/workflows",
                params={"workflow_name": name},
                expect=201,
                repeatable=False,
                what=what,
                **options,
            ),
            "POST /api/workflows",
            {"workflow_id": str, "workflow_name": (str, None)},
        )
        wid, full = data["workflow_id"], data.get("workflow_name")
        if not wid:
            raise ProtocolError("REANA answered POST /api/workflows with an empty `workflow_id`")
        return Created(wid, full if isinstance(full, str) and full else name, frozenset(bundled))

    def validate(
        self,
        specification: Mapping[str, Any],
        files: Mapping[str, bytes],
        *,
        environments: bool = False,
    ) -> dict[str, Any] | None:
        """POST /api/workflows/validate (REANA 0.95): {valid, errors, warnings, environments};
        None where the server does not offer it (0.9)."""
        if not self.protocol().bundles:
            return None
        params = {"environments": "true"} if environments else {}
        data = self._answer(
            self._json(
                "POST",
                "/api/workflows/validate",
                params=params,
                what="validate the specification on REANA",
                **self._bundle(specification, files),
            ),
            "POST /api/workflows/validate",
            {"valid": bool, "errors": (list, None), "warnings": (list, None)},
        )
        for key in ("errors", "warnings", "environments"):
            items = data.get(key)
            if items is not None and not (
                isinstance(items, list) and all(isinstance(i, dict) for i in items)
            ):
                raise ProtocolError(
                    f"REANA answered POST /api/workflows/validate with `{key}` that is not a "
                    "list of mappings"
                )
        return data

    def _bundle(
        self, specification: Mapping[str, Any], files: Mapping[str, bytes]
    ) -> dict[str, Any]:
        """The multipart `bundle` field of 0.95's create and validate."""
        scope = proto.bundle_scope(specification, files)
        reana_yaml = json.dumps(dict(specification), indent=2, ensure_ascii=False).encode()
        zipped = proto.build_bundle(reana_yaml, {p: files[p] for p in scope})
        return {"files": {"bundle": ("validation-bundle.zip", zipped, "application/zip")}}

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
        data = self._json(
            "POST",
            f"/api/workflows/{workflow_id}/start",
            body=body,
            repeatable=False,
            what="start the workflow",
        )
        return self._answer(data, "POST /api/workflows/ID/start", {"status": (str, None)})

    def status(self, workflow_id: str) -> dict[str, Any]:
        """GET /api/workflows/<id>/status: {status, progress{total,running,finished,failed}}."""
        path = f"/api/workflows/{workflow_id}/status"
        data = self._json("GET", path, what="read the workflow status")
        return self._answer(
            data, "GET /api/workflows/ID/status", {"status": str, "progress": (dict, None)}
        )

    def logs(self, workflow_id: str) -> dict[str, Any]:
        """GET /api/workflows/<id>/logs; `logs` is a JSON string (workflow controller's
        `build_workflow_logs`): {workflow_logs, job_logs: {job id: {job_name, status, logs,
        started_at, finished_at, ...}}, engine_specific}. Returned decoded."""
        path = f"/api/workflows/{workflow_id}/logs"
        data = self._json("GET", path, what="read the workflow logs")
        raw = self._answer(data, "GET /api/workflows/ID/logs", {"logs": (str, None)}).get("logs")
        try:
            logs = json.loads(raw) if isinstance(raw, str) and raw else {}
        except ValueError:
            logs = {"workflow_logs": raw}
        return logs if isinstance(logs, dict) else {}

    def files(self, workflow_id: str) -> list[dict[str, Any]]:
        """GET /api/workflows/<id>/workspace: {items: [{name, size{raw}, last-modified}]}."""
        path = f"/api/workflows/{workflow_id}/workspace"
        data = self._json("GET", path, what="list the workspace")
        items = self._answer(data, "GET /api/workflows/ID/workspace", {"items": list})["items"]
        return [self._answer(i, "GET /api/workflows/ID/workspace", {"name": str}) for i in items]

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
            raise ProtocolError(
                f"cannot {what}: {self.url} answered HTTP {response.status_code} with {kind}, "
                "not REANA's JSON (is REANA_SERVER_URL the REANA server?)"
            ) from None

    def _answer(self, data: Any, request: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """`data` if it is a mapping whose `fields` have their types (a tuple with None: the
        field may be missing or null); else one line naming the request and the field."""
        if not isinstance(data, dict):
            raise ProtocolError(
                f"REANA answered {request} with {failures.kind(data)}, not a mapping"
            )
        for key, kinds in fields.items():
            kinds = kinds if isinstance(kinds, tuple) else (kinds,)
            value = data.get(key)
            if value is None and None in kinds:
                continue
            types = tuple(k for k in kinds if k is not None)
            if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
                got = "no" if key not in data else failures.kind(value)
                raise ProtocolError(
                    f"REANA answered {request} with {got} `{key}` where REANA sends "
                    f"{' or '.join(failures.NAMES[t] for t in types)}"
                )
        return data

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        data: bytes | None = None,
        files: Mapping[str, Any] | None = None,
        expect: int = 200,
        repeatable: bool = True,
        stream: bool = False,
        what: str,
    ) -> requests.Response:
        """One request, tried up to `attempts` times while the failure is transient.

        `repeatable=False` (create, start): repeated only when the request cannot have been
        carried out (no connection, a gateway's 502/503, the rate limit's 429), so no workflow
        is created twice. A `Retry-After` is waited for (not counted as an attempt) while the
        waits add up to at most `timeout`.
        """
        query = dict(params or {})
        headers = {"Content-Type": "application/octet-stream"} if data is not None else {}
        if path != "/api/ping":  # the one operation without authentication
            if self.protocol().bundles:
                headers["Authorization"] = f"Bearer {self._token}"
            else:
                query["access_token"] = self._token
        error: ReanaError | None = None
        attempt, waited, pause = 0, 0.0, 0.0
        while attempt < self.attempts:
            if pause:
                self._sleep(pause)
            attempt += 1
            pause = min(2.0**attempt, 30.0)  # before the next try, unless REANA says otherwise
            message, sent, tls = "", False, False
            try:
                response = self._session.request(
                    method,
                    self.url + path,
                    params=query,
                    json=body,
                    data=data,
                    files=files,
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
            delay = proto.retry_after(response.headers.get("Retry-After")) if retry else None
            response.close()
            if delay is not None:
                delay = max(delay, 1.0)  # "Retry-After: 0" again and again is not a busy loop
                if waited + delay > self.timeout:
                    raise ReanaError(
                        f"{error}; REANA asks to wait {delay:g} s more, beyond the "
                        f"{self.timeout:g} s timeout (RECAST_REANA_HTTP_TIMEOUT): try again later",
                        status=error.status,
                        transient=True,
                    )
                waited, pause, attempt = waited + delay, delay, attempt - 1
                continue
            if not retry:
                raise error
        assert error is not None
        raise error

    def _describe(self, exc: requests.RequestException, what: str) -> str:
        """One line in the user's words, never urllib3's ("HTTPConnectionPool(host=...)")."""
        if isinstance(exc, requests.exceptions.SSLError):
            why = "TLS certificate not verified (use --insecure only for a test server)"
        elif isinstance(exc, requests.Timeout):
            why = f"timed out (no answer within {self.timeout:g} s)"
        elif isinstance(exc, requests.ConnectionError):
            why = failure_reason(exc)
        else:
            why = type(exc).__name__
        return f"cannot reach REANA at {self.url}: {why} (while trying to {what})"

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
            return self._redirect(response, what)
        if status == 404 and body is None:  # REANA's 404s are JSON: this is a proxy's page
            kind = response.headers.get("Content-Type", "no content type").split(";")[0]
            return ReanaError(
                f"cannot {what}: {self.url} answered HTTP 404 with {kind}, not REANA's JSON (a "
                "proxy in front of REANA, e.g. while REANA restarts?)",
                transient=True,
            )
        # 0.95's 409 is the workspace lock; 0.9's 409 says itself what is wrong ("Workflow
        # ... is not running.").
        bundles = self._protocol is not None and self._protocol.bundles
        if (
            status in failures.CONFLICT_HELP
            and isinstance(body, dict)
            and (status != 409 or bundles)
        ):
            detail = self.redact(message).strip().splitlines()[0] if message.strip() else ""
            advice = failures.CONFLICT_HELP[status]
            return FatalError(
                f"cannot {what}: REANA answered HTTP {status} ({detail}): {advice}",
                status=status,
            )
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

    def _redirect(self, response: requests.Response, what: str) -> FatalError:
        """Never followed: the token goes only to REANA_SERVER_URL's host, and a redirect
        within it (http to https, a moved path) is the user's to confirm."""
        where = self.redact(response.headers.get("Location", "")).split("?")[0]
        target = urlsplit(urljoin(self.url + "/", where)) if where else None
        here = urlsplit(self.url)
        if target is not None and (target.hostname, target.port) != (here.hostname, here.port):
            return FatalError(
                f"cannot {what}: REANA at {self.url} redirects to another host "
                f"({target.scheme}://{target.netloc}); recast-reana sends the access token to "
                "no other host: if that is your REANA server, set REANA_SERVER_URL to it",
                status=response.status_code,
            )
        return FatalError(
            f"cannot {what}: {self.url} answered HTTP {response.status_code}, redirected to "
            f"{where or 'nowhere'}: set REANA_SERVER_URL to the address REANA answers at",
            status=response.status_code,
        )


def _not_sent(exc: requests.RequestException) -> bool:
    """The connection was never made: repeating the request cannot do anything twice."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def _mapping(data: Any) -> dict[str, Any]:
    return data if isinstance(data, dict) else {}
