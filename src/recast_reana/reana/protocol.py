"""Which REANA protocol a server speaks, and the pieces of REANA 0.95's.

REANA 0.95 (reana-commons 0.95.0a26 `openapi_specifications/reana_server.json`, reana-client
0.95.0a6 `api/client.py`) changed how a workflow is submitted:
- `GET /api/ping` (no authentication) lists `api_capabilities`; a server with
  `workflow-specification-bundles-v1` takes `POST /api/workflows?workflow_name=N` with one
  multipart field `bundle`: an uncompressed ZIP of the canonical `reana.yaml` and the files the
  server needs to load the workflow (`workflow.file`, `workflow.files`, `workflow.directories`,
  `workflow.parameters.file`, and `inputs.files`/`inputs.directories` when the workflow declares
  neither of its own: reana-commons `specification_paths.py` `_gather_validation_members`). The
  server seeds the workspace with them; other inputs are uploaded as before.
- `POST /api/workflows/validate` takes the same bundle and answers {valid, errors, warnings,
  environments} (`environments=true` asks for the images and their runtime UID/GID).
- The token travels as `Authorization: Bearer` (no operation declares `access_token`).
A 0.9 server answers ping without `api_capabilities` and takes the JSON create of 0.9.
"""

from __future__ import annotations

import io
import json
import posixpath
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from recast_reana.type_names import Any

BUNDLES = "workflow-specification-bundles-v1"  # reana-commons 0.95 config.py
KNOWN = frozenset({BUNDLES})
# reana-commons 0.95 specification_paths.py: SPECIFICATION_BUNDLE_MAX_FILES / _MAX_BYTES defaults
BUNDLE_MAX_FILES = 1000
BUNDLE_MAX_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class Protocol:
    """What `GET /api/ping` said: the server's version (if given) and its capabilities."""

    version: str | None
    capabilities: tuple[str, ...]

    @property
    def bundles(self) -> bool:
        return BUNDLES in self.capabilities

    @property
    def name(self) -> str:
        return "0.95 (bundles)" if self.bundles else "0.9"


class ProtocolProblem(ValueError):
    """The ping answer is not one of REANA's: the text says what is wrong with it."""


def read_ping(data: Any) -> Protocol:
    """The protocol from a decoded `GET /api/ping` answer, or ProtocolProblem."""
    if not isinstance(data, dict):
        kinds: dict[type, str] = {str: "a string", list: "a list"}
        kind = kinds.get(type(data), f"JSON {json.dumps(data)[:20]}")
        raise ProtocolProblem(f"{kind}, not REANA's mapping")
    version = data.get("reana_server_version")
    if version is not None and not isinstance(version, str):
        raise ProtocolProblem("the field `reana_server_version` is not a string")
    if "api_capabilities" not in data:
        # REANA 0.9 (reana-server 0.9.4 `rest/ping.py`): {"message": "OK", "status": "200"}
        if not isinstance(data.get("message"), str):
            raise ProtocolProblem("neither `api_capabilities` (REANA 0.95) nor `message` (0.9)")
        return Protocol(version, ())
    capabilities = data["api_capabilities"]
    if not isinstance(capabilities, list) or not all(isinstance(c, str) for c in capabilities):
        raise ProtocolProblem("the field `api_capabilities` is not a list of strings")
    protocol = Protocol(version, tuple(capabilities))
    if not protocol.bundles:
        named, known = ", ".join(capabilities) or "none", ", ".join(sorted(KNOWN))
        raise ProtocolProblem(f"capabilities [{named}], none this recast-reana knows ({known})")
    return protocol


def bundle_scope(spec: Mapping[str, Any], uploads: Mapping[str, bytes]) -> list[str]:
    """The upload paths that belong in the bundle, as reana-commons 0.95 gathers them."""
    workflow = spec.get("workflow") if isinstance(spec.get("workflow"), dict) else {}
    inputs = spec.get("inputs") if isinstance(spec.get("inputs"), dict) else {}
    assert isinstance(workflow, dict) and isinstance(inputs, dict)
    files: list[str] = []
    directories: list[str] = []
    if isinstance(workflow.get("file"), str):
        files.append(workflow["file"])
    files += _strings(workflow.get("files"))
    directories += _strings(workflow.get("directories"))
    legacy = (
        workflow.get("file") is not None
        and "files" not in workflow
        and "directories" not in workflow
        and bool(inputs.get("files") or inputs.get("directories"))
    )
    if legacy:
        files += _strings(inputs.get("files"))
        directories += _strings(inputs.get("directories"))
    parameters = workflow.get("parameters")
    if isinstance(parameters, dict) and isinstance(parameters.get("file"), str):
        files.append(parameters["file"])
    wanted = {posixpath.normpath(f) for f in files}
    roots = [posixpath.normpath(d) for d in directories]
    return sorted(
        p for p in uploads if p in wanted or any(r == "." or p.startswith(r + "/") for r in roots)
    )


def build_bundle(reana_yaml: bytes, members: Mapping[str, bytes]) -> bytes:
    """An uncompressed, deterministic ZIP: `reana.yaml` and the members, sorted by path.

    Built like reana-client 0.95 `_post_spec_members`: ZIP_STORED, no ZIP64, the date of
    1980-01-01, Unix mode 0600."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=False) as bundle:
        for path, data in sorted({**members, "reana.yaml": reana_yaml}.items()):
            info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o100600 << 16
            bundle.writestr(info, data)
    return out.getvalue()


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a `Retry-After` header asks to wait (RFC 9110 10.2.3: seconds or an HTTP-date)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
