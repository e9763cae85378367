"""Requests and answers checked against a Swagger 2.0 document (REANA's published API).

The document is `reana_commons/openapi_specifications/reana_server.json` of reana-commons 0.9.11,
or of the 0.95 pre-release (tests/reana_commons_dist.py fetches both). A request is checked for:
the route and method exist, required parameters are there, no undeclared query parameter,
parameter types, the body's content type and JSON schema, a multipart body's `formData` fields
(0.95's `bundle`). An answer is checked for a documented status and its response schema
(`#/definitions/...` references resolved in the document).
"""

from __future__ import annotations

import json
import re
from email.parser import BytesParser
from typing import Any
from urllib.parse import unquote

import jsonschema


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


def _validator(schema: dict[str, Any], definitions: dict[str, Any] | None = None) -> Any:
    """One validator per schema object of the document (building them is the slow part)."""
    if id(schema) not in _VALIDATORS:
        rooted = {**schema, "definitions": definitions} if definitions else schema
        _VALIDATORS[id(schema)] = jsonschema.Draft4Validator(_nullable(rooted))
    return _VALIDATORS[id(schema)]


def parse_form(ctype: str, body: bytes) -> dict[str, tuple[str | None, bytes]] | None:
    """A multipart/form-data body as {field: (file name, bytes)}; None if it is not one."""
    if not ctype.startswith("multipart/form-data") or "boundary=" not in ctype:
        return None
    message = BytesParser().parsebytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
    if not message.is_multipart():
        return None
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in message.get_payload():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not isinstance(name, str) or not isinstance(payload, bytes):
            return None
        fields[name] = (part.get_filename(), payload)
    return fields


class OpenApi:
    """Route matching and request/response checks against the Swagger 2.0 document."""

    def __init__(self, document: dict[str, Any]) -> None:
        assert document.get("swagger") == "2.0"
        self.document = document
        self.definitions = document.get("definitions") or {}
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
        params = op.get("parameters", [])
        problems = _query_problems([p for p in params if p["in"] == "query"], query)
        body_params = [p for p in params if p["in"] == "body"]
        form_params = [p for p in params if p["in"] == "formData"]
        consumes = op.get("consumes", ["application/json"])
        if body and not body_params and not form_params:
            problems.append("a body sent to an operation that takes none")
        if form_params:
            media = ctype.split(";")[0].strip()
            form = parse_form(ctype, body) if media in consumes else None
            if form is None:
                problems.append(f"body sent as {media or 'nothing'}, expected {consumes} fields")
                return problems
            declared = {p["name"]: p for p in form_params}
            problems += [f"undeclared form field {f!r}" for f in form if f not in declared]
            for name, p in declared.items():
                if name not in form:
                    if p.get("required"):
                        problems.append(f"missing required form field {name!r}")
                elif p.get("type") == "file" and form[name][0] is None:
                    problems.append(f"form field {name!r} is not a file part")
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
                for error in _validator(p["schema"], self.definitions).iter_errors(data):
                    problems.append(f"body {p['name']!r}: {error.message}")
        return problems

    def check_response(self, op: dict[str, Any], status: int, body: Any) -> list[str]:
        documented = op.get("responses", {})
        if str(status) not in documented:
            return [f"answered {status}, not a documented status ({sorted(documented)})"]
        schema = documented[str(status)].get("schema")
        if schema is None or schema.get("type") == "file":
            return []
        validator = _validator(schema, self.definitions)
        return [f"response {status}: {e.message}" for e in validator.iter_errors(body)]

    def security(self, op: dict[str, Any]) -> list[Any]:
        """The operation's security requirements (its own, else the document's)."""
        found = op.get("security", self.document.get("security", []))
        return found if isinstance(found, list) else []


def _query_problems(declared: list[dict[str, Any]], query: dict[str, list[str]]) -> list[str]:
    names = {p["name"] for p in declared}
    problems = [f"undeclared query parameter {q!r}" for q in query if q not in names]
    for p in declared:
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
    return problems
