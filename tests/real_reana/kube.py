"""A small HTTPS stand-in for the Kubernetes API: what REANA 0.9.4 asks of it, and no more.

reana-server and reana-workflow-controller talk to Kubernetes through the official client
(`kubernetes` 22.6, `load_incluster_config()`): user secrets are one Secret per user
(`reana_commons/k8s/secrets.py`), starting a workflow creates a batch Job for the workflow engine
(`reana_workflow_controller/workflow_run_manager.py`), and the scheduler and status pages list
nodes, node metrics (`metrics.k8s.io`) and pods (`reana_server/status.py`). This server keeps any
object it is given, by its API path, and answers the calls those modules make: create, read,
replace, patch (a shallow merge), delete and list (with `labelSelector` and simple
`fieldSelector` equality) of namespaced and cluster objects, one ready node with its metrics, and
empty pod logs. No container ever runs, so a started workflow stays `pending`.

Every request is recorded (`requests`, and as one JSON line with its body in the `log` file), so
a test can show what REANA asked of the cluster: the engine's Job for a started workflow carries
the workflow's parameters, as REANA hands them to the engine.
"""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

NODE = {
    "apiVersion": "v1",
    "kind": "Node",
    "metadata": {"name": "recast-reana-test-node", "labels": {}},
    "spec": {},
    "status": {
        "capacity": {"cpu": "2", "memory": "16Gi", "pods": "110"},
        "allocatable": {"cpu": "2", "memory": "16Gi", "pods": "110"},
        "conditions": [{"type": "Ready", "status": "True"}],
    },
}
NODE_METRICS = {
    "apiVersion": "metrics.k8s.io/v1beta1",
    "kind": "NodeMetrics",
    "metadata": {"name": "recast-reana-test-node"},
    "usage": {"cpu": "100m", "memory": "1Gi"},
}


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 that is also its own CA (the client's ca.crt)."""
    cert, key = directory / "kube.crt", directory / "kube.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "7",
            "-subj", "/CN=recast-reana-kube-stand-in",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return cert, key


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _matches(obj: dict[str, Any], labels: str | None, fields: str | None) -> bool:
    for selector, lookup in ((labels, "labels"), (fields, "fields")):
        for term in filter(None, (selector or "").split(",")):
            key, _, want = term.partition("=")
            negate = key.endswith("!")
            key = key.rstrip("!")
            if lookup == "labels":
                have = obj.get("metadata", {}).get("labels", {}).get(key)
            else:
                have = obj
                for part in key.split("."):
                    have = have.get(part) if isinstance(have, dict) else None
            if (str(have).lower() == want.lstrip("=").lower()) == negate:
                return False
    return True


class KubeStandIn:
    """The object store and the HTTPS server in a thread; `url` once started."""

    def __init__(self, directory: Path, log: Path | None = None) -> None:
        self.directory = directory
        self.log = log
        self.objects: dict[str, dict[str, dict[str, Any]]] = {
            "/api/v1/nodes": {NODE["metadata"]["name"]: NODE},  # type: ignore[index]
            "/apis/metrics.k8s.io/v1beta1/nodes": {"recast-reana-test-node": NODE_METRICS},
        }
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.cert, key = make_certificate(directory)
        handler = type("Handler", (_Handler,), {"kube": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @contextmanager
    def running(self) -> Iterator[KubeStandIn]:
        self.thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()

    # --- the API ---------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        with self.lock:
            self.requests.append(f"{method} {path}")
            if self.log is not None:
                with self.log.open("a") as fh:
                    fh.write(json.dumps({"method": method, "path": path, "body": body}) + "\n")
        if path.endswith("/log") and method == "GET":
            return 200, ""
        collection, name = self._split(path)
        if collection is None:
            return self._discovery(path)
        with self.lock:
            store = self.objects.setdefault(collection, {})
            if method == "GET" and name is None:
                items = [
                    o
                    for o in store.values()
                    if _matches(o, query.get("labelSelector"), query.get("fieldSelector"))
                ]
                return 200, {"kind": "List", "apiVersion": "v1", "metadata": {}, "items": items}
            if method == "POST" and name is None:
                return self._create(collection, store, body)
            if method == "DELETE" and name is None:
                store.clear()
                return 200, self._status(200, "Success")
            if name not in store:
                return 404, self._status(404, "NotFound", f'"{name}" not found')
            if method == "GET":
                return 200, store[name]
            if method == "PUT":
                store[name] = self._stamped(collection, body, store[name]["metadata"])
                return 200, store[name]
            if method == "PATCH":
                store[name] = {**store[name], **(body if isinstance(body, dict) else {})}
                return 200, store[name]
            if method == "DELETE":
                del store[name]
                return 200, self._status(200, "Success")
        return 405, self._status(405, "MethodNotAllowed")

    @staticmethod
    def _split(path: str) -> tuple[str | None, str | None]:
        """`/api/v1/namespaces/default/secrets/x` -> (`.../secrets`, `x`); subresources
        (`/status`) belong to their object."""
        parts = path.strip("/").split("/")
        head = 2 if parts[:1] == ["api"] else 3 if parts[:1] == ["apis"] else 0
        if head == 0 or len(parts) <= head:
            return None, None
        rest = parts[head:]
        if rest[0] == "namespaces" and len(rest) >= 3:
            base, rest = parts[: head + 2], rest[2:]
        else:
            base = parts[:head]
        collection = "/" + "/".join([*base, rest[0]])
        return collection, rest[1] if len(rest) > 1 else None

    def _create(
        self, collection: str, store: dict[str, dict[str, Any]], body: Any
    ) -> tuple[int, Any]:
        if not isinstance(body, dict):
            return 400, self._status(400, "BadRequest", "body is not an object")
        meta = body.get("metadata") or {}
        name = meta.get("name") or f"{meta.get('generateName', 'object-')}{uuid.uuid4().hex[:5]}"
        if name in store:
            return 409, self._status(409, "AlreadyExists", f'"{name}" already exists')
        store[name] = self._stamped(collection, body, {"name": name})
        return 201, store[name]

    @staticmethod
    def _stamped(collection: str, body: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
        meta = {**(body.get("metadata") or {}), "name": previous["name"]}
        meta.setdefault("uid", previous.get("uid") or str(uuid.uuid4()))
        meta.setdefault("creationTimestamp", previous.get("creationTimestamp") or _now())
        meta["resourceVersion"] = uuid.uuid4().hex[:8]
        parts = collection.split("/")
        if "namespaces" in parts:
            meta.setdefault("namespace", parts[parts.index("namespaces") + 1])
        return {**body, "metadata": meta}

    @staticmethod
    def _status(code: int, reason: str, message: str = "") -> dict[str, Any]:
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success" if code < 300 else "Failure",
            "message": message,
            "reason": reason,
            "code": code,
        }

    def _discovery(self, path: str) -> tuple[int, Any]:
        if path.rstrip("/") == "/version":
            return 200, {"major": "1", "minor": "26", "gitVersion": "v1.26.0-recast-reana"}
        return 404, self._status(404, "NotFound", f"{path} is not served by the stand-in")


class _Handler(BaseHTTPRequestHandler):
    kube: KubeStandIn
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        code, answer = self.kube.handle(self.command, url.path, query, body)
        data = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
        self.send_response(code)
        kind = "text/plain" if isinstance(answer, str) else "application/json"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass  # `requests` keeps what was asked
