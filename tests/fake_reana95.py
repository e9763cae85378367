"""The fake REANA in 0.95 mode: the bundle protocol of reana-commons 0.95.0a26's OpenAPI document.

What changes from 0.9 (tests/fake_reana.py), as the document and reana-client 0.95.0a6 say:
- `GET /api/ping` (no token) lists `api_capabilities` (`capabilities`, changeable per test: an
  unknown one makes a server recast-reana must refuse);
- the token is `Authorization: Bearer <token>`; no operation declares `access_token`, so one in
  the query is a violation (the OpenAPI check refuses undeclared query parameters);
- `POST /api/workflows?workflow_name=N` takes a multipart `bundle`: an uncompressed ZIP with
  `reana.yaml` and the files the workflow is loaded from; the server validates the specification
  itself (refusing an invalid one with 400) and seeds the workspace with the bundle's files;
- `POST /api/workflows/validate[?environments=true]` answers {valid, errors, warnings} and, when
  asked, the images with the UID/GID their steps run as.
Every request and answer is checked against the 0.95 document, as in 0.9 mode.
"""

from __future__ import annotations

import io
import json
import posixpath
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import yaml
from fake_reana import FakeReana
from openapi_check import parse_form
from reana_commons_dist import OPENAPI, PRERELEASE, archive, read_member
from reana_operations import Answer, _load_yadage
from workflow_simulation import Workflow

BUNDLES = "workflow-specification-bundles-v1"
SERVER_VERSION = "0.95.0a7"  # the version the 0.95 document's ping example gives
BUNDLE_MAX_BYTES = 100 * 1024 * 1024  # reana-commons 0.95 SPECIFICATION_BUNDLE_MAX_BYTES


class FakeReana95(FakeReana):
    capabilities: list[str]

    def __init__(self, openapi: dict[str, Any], **options: Any) -> None:
        super().__init__(openapi, **options)
        self.capabilities = [BUNDLES]
        self.bundles: list[dict[str, bytes]] = []  # every bundle received, as {path: bytes}

    def credentials(self, op: dict[str, Any], query: Any, authorization: str | None) -> None:
        if not self.api.security(op):
            return
        scheme, _, token = (authorization or "").partition(" ")
        self.authenticate(token if scheme == "Bearer" else None)

    def op_ping(self, *_: Any) -> tuple[int, Any]:
        return 200, {
            "message": "OK",
            "status": "200",
            "reana_server_version": SERVER_VERSION,
            "api_capabilities": list(self.capabilities),
        }

    def op_create_workflow(self, _: Any, query: dict[str, list[str]], body: bytes) -> Any:
        name = query["workflow_name"][0]
        if "." in name:  # reana_commons.validation.utils.validate_workflow_name
            raise Answer(403, f'Workflow name {name} contains illegal character "."')
        spec, members = self._bundle(body)
        with tempfile.TemporaryDirectory() as scratch:
            errors, warnings, _ = _validate(spec, members, Path(scratch), environments=False)
        if errors:
            raise Answer(400, errors[0]["message"])
        self.runs[name] = self.runs.get(name, 0) + 1
        wid = str(uuid.uuid4())
        workspace = self._root / wid
        _write(workspace, members)  # the server seeds the workspace with the bundle
        self.workflows[wid] = Workflow(wid, name, self.runs[name], spec, workspace, self.clock())
        return 201, {
            "message": "The workflow has been successfully created.",
            "workflow_id": wid,
            "workflow_name": self.workflows[wid].full_name,
            "validation_warnings": warnings,
        }

    def op_validate_workflow_specification(
        self, _: Any, query: dict[str, list[str]], body: bytes
    ) -> Any:
        spec, members = self._bundle(body)
        wanted = query.get("environments", ["false"])[0] == "true"
        with tempfile.TemporaryDirectory() as scratch:
            errors, warnings, environments = _validate(spec, members, Path(scratch), wanted)
        report: dict[str, Any] = {"valid": not errors, "errors": errors, "warnings": warnings}
        if wanted:
            report["environments"] = environments
            report["environments_truncated"] = False
        return 200, report

    def _bundle(self, body: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
        """The multipart `bundle` field's ZIP, refused (400/413) as reana-commons 0.95 would."""
        form = parse_form(self.content_type, body)
        if form is None or "bundle" not in form:
            raise Answer(400, "The specification bundle is missing.")
        data = form["bundle"][1]
        if len(data) > BUNDLE_MAX_BYTES:
            raise Answer(413, "Specification bundle is too large.")
        try:
            zipped = zipfile.ZipFile(io.BytesIO(data))
            infos = zipped.infolist()
            members: dict[str, bytes] = {}
            for info in infos:
                path = info.filename
                if info.compress_type != zipfile.ZIP_STORED:
                    raise Answer(400, f"Bundle member {path} is compressed.")
                if path.startswith("/") or posixpath.normpath(path) != path or ".." in path:
                    raise Answer(400, f"Bundle member {path} is not a safe relative path.")
                members[path] = zipped.read(info)
        except (zipfile.BadZipFile, EOFError):
            raise Answer(400, "The specification bundle is not a valid ZIP archive.") from None
        if "reana.yaml" not in members:
            raise Answer(400, "Specification bundle is missing canonical reana.yaml.")
        try:
            spec = yaml.safe_load(members["reana.yaml"])
        except yaml.YAMLError as exc:
            raise Answer(400, f"reana.yaml is not valid YAML: {exc}") from None
        if not isinstance(spec, dict):
            raise Answer(400, "reana.yaml is not a mapping.")
        self.bundles.append(members)
        return spec, members


def _validate(
    spec: dict[str, Any], members: dict[str, bytes], scratch: Path, environments: bool
) -> tuple[list[dict[str, str]], list[dict[str, str]], list[dict[str, Any]]]:
    """Errors, warnings and environments of the specification, loaded from the bundle alone."""
    workflow = spec.get("workflow") if isinstance(spec.get("workflow"), dict) else None
    if workflow is None or workflow.get("type") not in ("cwl", "serial", "yadage", "snakemake"):
        return [_finding("workflow.type", "invalid_type", "Unknown workflow type.")], [], []
    if workflow["type"] != "yadage":
        return [], [], []
    file = workflow.get("file")
    if not isinstance(file, str) or file not in members:
        message = f"Workflow file {file} is not in the specification bundle."
        return [_finding("workflow.file", "missing_file", message)], [], []
    _write(scratch, members)
    wf = Workflow("validate", "validate", 0, spec, scratch, 0.0)
    try:
        loaded = _load_yadage(wf, {})
    except Answer as exc:
        return [_finding("workflow.file", "invalid_specification", exc.message)], [], []
    found = {
        (f"{env['image']}:{env.get('imagetag', 'latest')}", _uid(resources))
        for env, resources in _environments(loaded, [])
    }
    listed = [{"image": i, "runtime_uid": u, "runtime_gid": 0} for i, u in sorted(found)]
    return [], [], listed if environments else []


def _environments(node: Any, resources: list[Any]) -> list[tuple[dict[str, Any], list[Any]]]:
    """(environment, its step's resources) for every step of the loaded workflow."""
    found: list[tuple[dict[str, Any], list[Any]]] = []
    if isinstance(node, dict):
        env = node.get("environment")
        if isinstance(env, dict) and isinstance(env.get("image"), str):
            found.append((env, env.get("resources") or []))
        for value in node.values():
            found += _environments(value, resources)
    elif isinstance(node, list):
        for value in node:
            found += _environments(value, resources)
    return found


def _uid(resources: list[Any]) -> int:
    """REANA's rule: `kubernetes_uid` if it is at least 100, else 1000."""
    for item in resources:
        if isinstance(item, dict) and isinstance(item.get("kubernetes_uid"), int):
            return item["kubernetes_uid"] if item["kubernetes_uid"] >= 100 else 1000
    return 1000


def _finding(path: str, code: str, message: str) -> dict[str, str]:
    return {"path": path, "code": code, "message": message}


def _write(directory: Path, members: dict[str, bytes]) -> None:
    for path, data in members.items():
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


@pytest.fixture(scope="session")
def openapi_095() -> Any:
    """REANA 0.95's Swagger 2.0 document (reana-commons 0.95.0a26 from PyPI, cached)."""
    return json.loads(read_member(archive(PRERELEASE), OPENAPI))


@pytest.fixture
def serve_reana_095(openapi_095: Any) -> Iterator[Callable[..., FakeReana95]]:
    """Starts fake REANA 0.95 servers; each must have seen nothing the 0.95 document forbids."""
    with ExitStack() as stack:
        servers: list[FakeReana95] = []

        def start(**options: Any) -> FakeReana95:
            servers.append(stack.enter_context(FakeReana95(openapi_095, **options)))
            return servers[-1]

        yield start
        for server in servers:
            assert server.violations == []
