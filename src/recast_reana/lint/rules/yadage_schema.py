"""A workflow, stage or step that the yadage-schemas JSON schemas reject.

Applies to: yadage workflows.

## What it does
Validates the workflow, each stage and each step against the yadage-schemas (draft-04) schemas
that REANA and recast-atlas validate with, after resolving `$ref`s and after yadage's
`raw_with_defaults` normalisation (a `dependencies` list and a `parameters` mapping are fine),
and reports each error at the node where it is written: a numeric `imagetag`, an unknown key, a
missing `process`, a parameter whose value is `true` or empty, ...

## Why is this bad?
`reana-client validate`, `reana-client run` and `recast run` load the workflow with
`yadageschemas.load(..., validate=True)`: an invalid spec stops them with a `ValidationError`
that prints the whole normalised stage but no line. A singlestep or multistep stage without
`parameters` even crashes yadage with a `KeyError`, and so does a jq-stage without `bindings`,
which the schemas accept (`yadage/handlers/scheduler_handlers.py`: `jq_stage` reads
`spec["bindings"]`). reana-server 0.9.4 validates again when the workflow starts, after it was
created and its files uploaded: it refuses a schema error with 400 and the jsonschema message
(`'scheduler' is a required property`; for a numeric `imagetag`, the whole stage `... is not
valid under any of the given schemas`), and a stage without `parameters` with 500
`'parameters'`.

## Example
```yaml
environment:
  environment_type: docker-encapsulated
  image: atlas/analysisbase
  imagetag: 21.2
```

## Use instead
```yaml
environment:
  environment_type: docker-encapsulated
  image: atlas/analysisbase
  imagetag: '21.2'
```

## Fix
Follow the message: quote values that must be strings, rename or remove unknown keys, add the
missing ones.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.positioned_yaml import Path
from recast_reana.model.project import Project
from recast_reana.model.yadage_units import NORMALISED, TYPE_KEYS, Unit, schemas, units
from recast_reana.type_names import Any

ID = "RR101"
NAME = "yadage-schema"
SEVERITY = Severity.ERROR

_KINDS = {"string": "a string", "object": "a mapping", "array": "a list", "number": "a number"}
_KINDS |= {"null": "empty", "boolean": "true or false", "integer": "an integer"}

Problem = tuple[Path, str, bool]  # (part of the unit's data, message, mark its key)


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    found = schemas()
    if found is None:
        return
    refs = {(r.file, r.path): r for r in project.refs}
    skip = {
        (src.path, ph.path)
        for src in project.files.values()
        if src.doc is not None
        for ph in src.doc.placeholders
    }
    cache: dict[tuple[str, str], list[Any]] = {}  # units of one shape fail the same way
    for kind, label, file, path, data in units(project):
        unit = Unit(kind, label, project, refs)
        unit.skip, unit.shape = skip, found.by_shape
        try:
            shape = unit.build(file, path, data)
            key = (kind, repr(shape))
            if key not in cache:
                cache[key] = list(found.validators[kind].iter_errors(shape))
            if not cache[key] and not _missing_parameters(unit, shape):
                continue
            unit.track = True  # build again, remembering where each part is written
            shape = unit.build(file, path, data)
            problems = [p for e in cache[key] for p in _explain(e, unit, found.enums)]
        except RecursionError:  # absurdly deep data (yamlpos bounds it): a last guard
            continue
        problems += _missing_parameters(unit, shape)
        problems = [p for p in problems if not unit.hidden(p[0])]
        # Not a ref RR202 can report, and a stage and its step both hold it: one message for both.
        bad_ref = "$ref must be a string like 'steps.yml#/name'"
        problems += [(r, bad_ref, False) for r in unit.bad_refs]
        for cpath, message, mark_key in dict.fromkeys(problems):
            written, (pfile, ppath) = unit.origin(cpath)
            src = project.files.get(pfile)
            if src is not None:
                mark_key = mark_key or written in unit.at_key
                yield at(ID, pfile, src.key_pos(ppath) if mark_key else src.pos(ppath), message)


def _missing_parameters(unit: Unit, data: Any) -> list[Problem]:
    # raw_with_defaults.py reads instance['parameters'] of these schedulers: a KeyError without.
    sched = data.get("scheduler") if unit.kind == "stage" and isinstance(data, dict) else None
    if isinstance(sched, dict) and sched.get("scheduler_type") == "jq-stage":
        if "bindings" in sched:
            return []
        message = (
            f"{unit.subject(('scheduler',))} is a jq-stage without 'bindings' (yadage fails with "
            "KeyError: 'bindings'): add the values its stepscript reads, or `bindings: {}`"
        )
        return [(("scheduler",), message, True)]
    if not isinstance(sched, dict) or sched.get("scheduler_type") not in NORMALISED:
        return []
    if "parameters" in sched:
        return []
    message = (
        f"{unit.subject(('scheduler',))} has no 'parameters' (yadage fails with a KeyError): "
        "add `parameters: {}`"
    )
    return [(("scheduler",), message, True)]


def _explain(err: Any, unit: Unit, enums: dict[str, list[str]]) -> list[Problem]:
    """Readable problems, each at the node it is about, for one jsonschema error."""
    cpath: Path = tuple(err.absolute_path)
    subject, inst, kind = unit.subject(cpath), err.instance, err.validator
    if kind in ("oneOf", "anyOf"):
        return _choice(err, cpath, unit, enums)
    if kind == "type":
        return [_type_problem(unit, cpath, _listed(err.validator_value), inst)]
    if kind == "required" and isinstance(inst, dict):
        return [
            (cpath, f"{subject} has no '{k}'", True) for k in err.validator_value if k not in inst
        ]
    if kind == "additionalProperties" and isinstance(inst, dict):
        known = [str(k) for k in err.schema.get("properties", {})]
        return [
            ((*cpath, k), f"unknown key '{k}' in {subject}{_did_you_mean(k, known)}", True)
            for k in inst
            if k not in err.schema.get("properties", {})
        ]
    if kind == "enum":
        allowed = ", ".join(f"'{v}'" for v in err.validator_value)
        hint = _did_you_mean(inst, [str(v) for v in err.validator_value])
        return [(cpath, f"{subject} must be one of {allowed}, not {inst!r}{hint}", False)]
    if (
        kind == "not"
        and isinstance(err.validator_value, dict)
        and "required" in err.validator_value
    ):
        both = " and ".join(f"'{k}'" for k in err.validator_value["required"])
        return [(cpath, f"{subject} may not have both {both}", True)]
    message = err.message if len(err.message) <= 100 else err.message[:97] + "..."
    return [(cpath, f"{subject}: {message}", False)]


def _choice(err: Any, cpath: Path, unit: Unit, enums: dict[str, list[str]]) -> list[Problem]:
    """Explain a failed oneOf by the branch the value was meant for."""
    subject, inst, options = unit.subject(cpath), err.instance, err.validator_value
    if all(isinstance(o, dict) and o.get("required") and "not" in o for o in options):
        # The schedulers' "exactly one of workflow / step / cases".
        keys = [f"'{o['required'][0]}'" for o in options]
        return [(cpath, f"{subject} must have exactly one of {', '.join(keys)}", True)]
    if not err.context:
        return [(cpath, f"{subject} matches more than one of the allowed forms", False)]
    branches: dict[int, list[Any]] = {}
    for sub in err.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    wrong_type = {
        i for i, subs in branches.items() if any(s.validator == "type" and not s.path for s in subs)
    }
    if len(wrong_type) == len(branches):  # e.g. a parameter value that is `true` or empty
        expected = [
            t
            for subs in branches.values()
            for s in subs
            if s.validator == "type" and not s.path
            for t in _listed(s.validator_value)
        ]
        return [_type_problem(unit, cpath, expected, inst)]
    candidates = [i for i in branches if i not in wrong_type]
    for key in TYPE_KEYS if isinstance(inst, dict) else ():
        if key in inst:
            fits = [
                i
                for i in candidates
                if not any(s.validator == "enum" and tuple(s.path) == (key,) for s in branches[i])
            ]
            if not fits:  # an unknown type: say which exist
                allowed = ", ".join(f"'{v}'" for v in enums.get(key, []))
                hint = _did_you_mean(inst[key], enums.get(key, []))
                problem = f"{key} of {unit.label} must be one of {allowed}, not {inst[key]!r}{hint}"
                return [((*cpath, key), problem, False)]
            if len(fits) < len(candidates):
                candidates = fits
                break
        elif all(
            any(s.validator == "required" and key in s.validator_value for s in branches[i])
            for i in candidates
        ):
            allowed = ", ".join(f"'{v}'" for v in enums.get(key, []))
            return [(cpath, f"{subject} has no '{key}' (one of {allowed})", True)]
    best = min(candidates, key=lambda i: len(branches[i]))
    return [p for sub in branches[best] for p in _explain(sub, unit, enums)]


def _type_problem(unit: Unit, cpath: Path, expected: list[str], inst: Any) -> Problem:
    if unit.kind == "stage" and cpath == ("dependencies",):
        want = "a list of stage names"
    elif unit.kind == "stage" and cpath == ("scheduler", "parameters"):
        want = "a mapping of parameter names to values"
    else:
        kinds = list(dict.fromkeys(_KINDS.get(t, t) for t in expected))
        want = " or ".join(filter(None, (", ".join(kinds[:-1]), kinds[-1])))
    message = f"{unit.subject(cpath)} must be {want}, not {_got(inst)}"
    if "string" in expected and _scalar(inst):
        message += f"; quote it: '{_text(unit, cpath, inst)}'"
    return cpath, message, False


def _listed(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _scalar(value: Any) -> bool:
    return isinstance(value, (bool, int, float, datetime.date))


def _got(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, datetime.date):
        return "a date"
    names: dict[type, str] = {str: "a string", dict: "a mapping", list: "a list"}
    return names.get(type(value), type(value).__name__)


def _text(unit: Unit, cpath: Path, value: Any) -> str:
    """The value as written (`21.20`, `yes`), to quote it unchanged."""
    found, (file, path) = unit.origin(cpath)
    src = unit.project.files.get(file)
    if found == cpath and src is not None:
        pos = src.pos(path)
        if pos.line == pos.end_line and 0 < pos.line <= len(src.lines):
            text = src.lines[pos.line - 1][pos.col - 1 : pos.end_col - 1].strip()
            if text:
                return text.replace("'", "''")
    return str(value)


def _did_you_mean(value: Any, known: list[str]) -> str:
    import difflib  # only to suggest a name: not on every start-up

    close = difflib.get_close_matches(str(value), known, n=1) if isinstance(value, str) else []
    return f"; did you mean '{close[0]}'?" if close else ""
