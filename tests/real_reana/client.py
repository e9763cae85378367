"""REST calls to the real REANA as reana-client 0.9 makes them, with the server's exact answers.

Deliberately not recast-reana's client: these tests show what REANA itself answers to a
submission, so `submit` does what `reana-client create; upload; start` does (reana.yaml as the
JSON body of create, then every file of `inputs.files` and under `inputs.directories`, then start)
and keeps every status code and message.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
import yaml

PENDING_TIMEOUT = 90.0
RATE_LIMITED_TRIES = 30


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any

    @property
    def message(self) -> str:
        return str(self.body.get("message", "")) if isinstance(self.body, dict) else ""


@dataclass
class Submission:
    create: Answer
    uploads: dict[str, Answer] = field(default_factory=dict)
    start: Answer | None = None
    status: str | None = None  # after start: what the status settled on (pending, failed...)

    @property
    def id(self) -> str:
        return str(self.create.body["workflow_id"])

    @property
    def refusal(self) -> Answer:
        """The answer that refused the submission (create or start)."""
        if self.create.status != 201:
            return self.create
        assert self.start is not None and self.start.status != 200, self
        return self.start

    @property
    def accepted(self) -> bool:
        return (
            self.create.status == 201
            and all(a.status == 200 for a in self.uploads.values())
            and self.start is not None
            and self.start.status == 200
            and self.status in ("queued", "pending")
        )


@dataclass(frozen=True)
class Reana:
    url: str
    token: str

    def call(self, method: str, path: str, **options: Any) -> Answer:
        """One request. REANA (flask-limiter, `RATELIMIT_GUEST_USER` in reana_server/config.py)
        answers 429 `Retry-After: 1` to more than 20 requests a second from one address and
        user agent, which tests running in parallel reach: those are waited out."""
        params = {**options.pop("params", {}), "access_token": self.token}
        for _ in range(RATE_LIMITED_TRIES):
            response = requests.request(
                method, self.url + path, params=params, timeout=60, **options
            )
            if response.status_code != 429:
                break
            time.sleep(float(response.headers.get("Retry-After") or 1))
        try:
            body = response.json()
        except ValueError:
            body = response.text
        return Answer(response.status_code, body)

    def create(self, name: str, specification: Mapping[str, Any]) -> Answer:
        return self.call(
            "POST", "/api/workflows", params={"workflow_name": name}, json=specification
        )

    def upload(self, workflow_id: str, path: str, data: bytes) -> Answer:
        return self.call(
            "POST",
            f"/api/workflows/{workflow_id}/workspace",
            params={"file_name": path},
            data=data,
            headers={"Content-Type": "application/octet-stream"},
        )

    def start(self, workflow_id: str, parameters: Mapping[str, Any] | None = None) -> Answer:
        body = {"input_parameters": dict(parameters or {}), "operational_options": {}}
        return self.call("POST", f"/api/workflows/{workflow_id}/start", json=body)

    def status(self, workflow_id: str) -> Answer:
        return self.call("GET", f"/api/workflows/{workflow_id}/status")

    def settle(self, workflow_id: str, timeout: float = PENDING_TIMEOUT) -> str:
        """The status once the scheduler has dealt with the start: `pending` when the workflow
        controller created the engine's Kubernetes job, `failed` when it refused; `queued`
        (or whatever it is) after `timeout`."""
        deadline = time.monotonic() + timeout
        status = ""
        while time.monotonic() < deadline:
            status = str(self.status(workflow_id).body.get("status"))
            if status not in ("created", "queued"):
                return status
            time.sleep(0.5)
        return status

    def reaches(self, workflow: str, status: str, timeout: float = 120.0) -> bool:
        """Whether workflow `workflow` (id or name) has `status` within `timeout` (polled)."""
        deadline = time.monotonic() + timeout
        while self.status(workflow).body.get("status") != status:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.5)
        return True

    def add_secrets(self, secrets: Mapping[str, tuple[str, bytes]]) -> Answer:
        """`reana-client secrets-add`: name -> (env|file, value), values base64-encoded."""
        body = {
            name: {"name": name, "type": kind, "value": base64.b64encode(value).decode()}
            for name, (kind, value) in secrets.items()
        }
        return self.call("POST", "/api/secrets/", params={"overwrite": "true"}, json=body)

    def submit(
        self,
        name: str,
        files: Mapping[str, str],
        parameters: Mapping[str, Any] | None = None,
        reana_file: str = "reana.yaml",
    ) -> Submission:
        """create, upload the inputs reana.yaml declares, start; stops at the first refusal."""
        spec = yaml.safe_load(files[reana_file])
        submission = Submission(self.create(name, spec))
        if submission.create.status != 201:
            return submission
        inputs = spec.get("inputs") or {}
        wanted = set(inputs.get("files") or [])
        for directory in inputs.get("directories") or []:
            wanted |= {p for p in files if p.startswith(directory.rstrip("/") + "/")}
        for path in sorted(wanted & set(files)):
            submission.uploads[path] = self.upload(submission.id, path, files[path].encode())
        submission.start = self.start(submission.id, parameters)
        if submission.start.status == 200:
            submission.status = self.settle(submission.id)
        return submission
