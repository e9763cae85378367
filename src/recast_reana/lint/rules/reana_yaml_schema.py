"""reana.yaml that REANA refuses, or that means something other than you think.

Applies to: every reana file, of any workflow type (yadage, serial, cwl, snakemake).

## What it does
Validates reana.yaml (or reana.yml) against recast-reana's own JSON Schema
(`recast_reana/model/schemas/reana.json`) and reports every error at the offending key or value. The
schema accepts nothing that the schema of reana-commons 0.9.11
(`reana_commons/validation/schemas/reana_analysis_schema.json`) rejects; it is deliberately
stricter in these places, each checked by `tests/test_reana_schema_contract.py`:

- **Unknown keys** (`input:`, `workflow.resource:`, ...) are errors. REANA's schema forbids them
  too, but `reana_commons/validation/utils.py` turns them into warnings and ignores the key, so a
  typo like `input:` silently uploads nothing.
- **`inputs.options`** may only hold the operational options of the workflow engine (yadage:
  `toplevel`, `initdir`, `initfiles`, `accept_metadir`), from
  `reana_commons/validation/operational_options.py`; reana-client and reana-server refuse others,
  the schema does not check them.
- **Paths** in `inputs`, `outputs`, `tests.files`, `workflow.file` and `workspace.retention_days`
  rules must be non-empty, relative and stay inside the workspace (no `..`). reana-server 0.9.4
  (`reana_server/validation.py`, `validate_inputs` and `validate_retention_rule`) refuses such
  input paths and rules when the workflow is created; elsewhere they name nothing REANA can find.
- **`workspace.root_path`** must be absolute (reana-server compares it with its absolute
  workspace paths).
- Beyond the schema, as reana-server's `validate_inputs` does: an input path listed twice, or
  inside another listed input directory (`specs` and `specs/workflow.yml`), is an error.
- **REANA 0.95's keys** (reana-commons 0.95.0a26): `workflow.files`, `workflow.directories`,
  `workflow.parameters.file`, `workflow.resources.{dask,rucio,voms_proxy}` and the serial steps'
  `htcondor_request_{cpus,disk,memory}` and `htcondor_requirements` are accepted only when the
  file's `version` says 0.95 or later (`0.95.0`, `1.0`); in an older (or unversioned) file the
  message names the key and says it needs `version: 0.95.0`: REANA 0.9 ignores such a key
  (its schema's unknown keys are warnings), so the workflow would run without what it asks for.
  `workflow.parameters` is an error for yadage and serial workflows, as reana-commons 0.95
  (`specification_paths.py`, `workflow_parameter_file`) refuses it in code.

## Why is this bad?
`reana-client validate` stops at the first error it meets, turns unknown keys into warnings that
are easy to miss, and reana-server refuses the other problems only when the workflow is created,
in CI, after the upload was prepared. reana-server 0.9.4 answers 400 to create:
`Duplicate input paths 'specs' and 'specs/data' found. Please deduplicate inputs first.`,
`Input path cannot be absolute: /eos/...`, `Input path cannot contain '..': ../data`,
`==> ERROR: Operational option "CACHE" not supported for yadage workflows.`,
`Desired workspace "reana" is not valid.`, `Retention rule /tmp/x cannot be an absolute path`.
It accepts an unknown key and ignores it: with `input:` nothing is uploaded and the start fails
(500 `Workflow file specs/workflow.yml does not exist`).

## Example
```yaml
version: 0.9.0
inputs:
  directories: [specs, specs/data]   # specs/data is inside specs: reana-server refuses it
  options:
    CACHE: false                     # not an option of yadage workflows
workflow:
  type: yadage
  file: /home/analyst/specs/workflow.yml   # outside the workspace
outputs:
  file: [fit/limit.png]              # unknown key: REANA warns and ignores it
```

## Use instead
```yaml
version: 0.9.0
inputs:
  directories: [specs]
workflow:
  type: yadage
  file: specs/workflow.yml
outputs:
  files: [fit/limit.png]
```

## Fix
Correct or remove the key the message names; the message says what REANA expects there.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.json_schema import Validator
from recast_reana.model.positioned_yaml import Path, Pos
from recast_reana.model.project import Project
from recast_reana.model.refs import get_path
from recast_reana.model.source_file import SourceFile
from recast_reana.type_names import Any

ID = "RR102"
NAME = "reana-yaml-schema"
SEVERITY = Severity.ERROR

# REANA 0.95's keys (reana-commons 0.95.0a26 reana_analysis_schema.json), accepted only where
# `version` says 0.95 or later: a 0.9 server ignores them (its schema's unknown keys are warnings).
SINCE_095 = frozenset(
    {"files", "directories", "parameters", "dask", "rucio", "voms_proxy"}
    | {"htcondor_request_cpus", "htcondor_request_disk", "htcondor_request_memory"}
    | {"htcondor_requirements"}
)

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
    "null": "null",
}


def schema() -> dict[str, Any]:
    """recast-reana's reana.yaml schema (package data: model/schemas/reana.json)."""
    # As a Python module generated from the JSON file (tests/test_schema_tables.py): neither
    # json nor importlib.resources (~6 ms: zipfile, tempfile) is imported by every run.
    from recast_reana.model.reana_schema_table import SCHEMA

    return SCHEMA


@functools.lru_cache(maxsize=1)
def _validator() -> Validator:
    # model/json_schema.py, not jsonschema, whose import alone costs ~100 ms; its `$ref`s
    # resolved when the table was generated.
    from recast_reana.model.reana_schema_table import REFS, SCHEMA

    pairs = [(get_path(SCHEMA, a), get_path(SCHEMA, b)) for a, b in REFS]
    return Validator.with_refs(SCHEMA, 7, pairs)


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for info in project.reana_files:
        src = project.source(info.file)
        if src is None or src.doc is None:
            continue  # RR001/RR004 already report why it did not load
        found: dict[tuple[int, int, str], Diagnostic] = {}
        for pos, message in (*_schema_errors(src), *_input_overlaps(src)):
            found.setdefault((pos.line, pos.col, message), at(ID, src.path, pos, message))
        yield from sorted(found.values())


def _schema_errors(src: SourceFile) -> Iterator[tuple[Pos, str]]:
    bad_keys: list[Path] = []
    data = _string_keys(src.data, (), bad_keys)
    for key_path in bad_keys:
        key, where = _show(key_path[-1]), _where(src, key_path[:-1])
        yield src.key_pos(key_path), f"key {key} in {where} is not a string; quote it"
    for err in _validator().iter_errors(data):
        path: Path = tuple(err.absolute_path)
        where = _where(src, path)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            known = list(err.schema.get("properties", {}))
            since = _custom(err)  # the 0.95 gate: its keys only, the others are unknown anyway
            for key in err.instance:
                if key not in known and since is None:
                    yield src.key_pos((*path, key)), _unknown_key(key, where, known)
                elif since is not None and key not in known and key in SINCE_095:
                    message = _fill(since, where, err.instance).replace("{key}", str(key))
                    yield src.key_pos((*path, key)), message
            continue
        if "propertyNames" in err.schema_path:  # the error is about a key of the mapping
            key_path = (*path, err.instance)
            yield src.key_pos(key_path), _message(err, where)
            continue
        if err.validator == "required" and isinstance(err.instance, dict):
            missing = [k for k in err.validator_value if k not in err.instance]
            pos = src.key_pos(path) if path else src.pos(path)
            custom = _custom(err)
            if custom is None:
                custom = f"{where} lacks the required key '{missing[0]}'" if missing else None
            yield pos, _fill(custom or err.message, where, err.instance)
            continue
        pos = src.key_pos(path) if err.validator == "anyOf" else src.pos(path)
        yield pos, _message(err, where)


def _string_keys(data: Any, path: Path, bad: list[Path]) -> Any:
    """`data` without non-string keys (JSON has none; jsonschema sorts keys and would crash)."""
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            if isinstance(key, str):
                out[key] = _string_keys(value, (*path, key), bad)
            else:
                bad.append((*path, key))
        return out
    if isinstance(data, list):
        return [_string_keys(item, (*path, i), bad) for i, item in enumerate(data)]
    return data


def _message(err: Any, where: str) -> str:
    kind, expected, instance = err.validator, err.validator_value, err.instance
    value = _show(instance)
    custom = _custom(err)
    if custom is not None:
        return _fill(custom, where, instance)
    if kind == "type":
        wanted = [expected] if isinstance(expected, str) else list(expected)
        names = " or ".join(_TYPE_NAMES.get(t, t) for t in wanted)
        hint = ""
        if "string" in wanted and _is_number(instance):
            hint = f"; quote it: '{instance}'"
        return f"{where} must be {names}, not {_actual(instance)}{hint}"
    if kind == "enum":
        choices = ", ".join(str(c) for c in expected)
        return f"{where} must be one of {choices}, not {value}"
    if kind == "minLength":
        return f"{where} must not be empty"
    if kind == "maxLength":
        return f"{where} is longer than {expected} characters"
    if kind == "minItems":
        return f"{where} needs at least {expected} entries"
    if kind == "minimum":
        return f"{where} must be at least {expected}, not {value}"
    if kind == "uniqueItems":
        return f"{where} lists the same entry twice"
    return f"{where}: {_clip(err.message, 120)}"


def _custom(err: Any) -> str | None:
    spec = err.schema.get("errorMessage") if isinstance(err.schema, dict) else None
    if isinstance(spec, dict):
        spec = spec.get(err.validator)
    return spec if isinstance(spec, str) else None


def _fill(template: str, where: str, instance: Any) -> str:
    return (
        template.replace("{where}", where)
        .replace("{value}", _show(instance))
        .replace("{actual}", _actual(instance))
    )


def _unknown_key(key: Any, where: str, known: list[str]) -> str:
    name = str(key)
    import difflib  # only to suggest a name: not on every start-up

    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else f"expected one of {', '.join(known)};"
    return f"unknown key {_show(key)} in {where}; {hint} REANA ignores it"


def _input_overlaps(src: SourceFile) -> Iterator[tuple[Pos, str]]:
    """Input paths listed twice or inside another (reana-server 0.9.4 `validate_inputs`)."""
    inputs = src.data.get("inputs") if isinstance(src.data, dict) else None
    if not isinstance(inputs, dict):
        return
    entries: list[tuple[Path, PurePosixPath]] = []
    for section in ("files", "directories"):  # the server's order: files + directories
        items = inputs.get(section)
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, str) and _inside_workspace(path := PurePosixPath(item)):
                entries.append((("inputs", section, i), path))
    first: dict[PurePosixPath, Path] = {}
    for node, path in entries:
        if path not in first:
            first[path] = node
            continue
        message = f"{_where(src, node)} '{path}' is already listed as {_where(src, first[path])}"
        yield src.pos(node), message + "; reana-server refuses input paths given twice"
    for node, path in entries:
        outer = next((p for p in path.parents if p.parts and p in first), None)
        if outer is not None:
            message = (
                f"{_where(src, node)} '{path}' is inside {_where(src, first[outer])} '{outer}'"
            )
            yield src.pos(node), message + "; reana-server refuses nested input paths: remove it"


def _inside_workspace(path: PurePosixPath) -> bool:
    return bool(path.parts) and not path.is_absolute() and ".." not in path.parts


def _where(src: SourceFile, path: Path) -> str:
    if not path:
        return src.path.rsplit("/", 1)[-1]
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) and not isinstance(key, bool) else f".{key}"
    return out.lstrip(".")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _actual(value: Any) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the string {_show(value)}"
    return f"a {type(value).__name__}"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return "'" + _clip(value, 60) + "'"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return _clip(str(value), 60)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
