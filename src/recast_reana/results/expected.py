"""What a run should produce: recast.yml's results with their references.

recast.yml names the results (`results: [{name, relpath, load_yaml}]`; relpath is
`<stage>/<file>` in the workspace, as recast-atlas reads it). `.recast-reana.yaml` gives the
references:

    validate:
      references: validation/references.yaml   # optional: more `results:`, same shape
      results:
        95% CL upper limit:                       # a recast.yml result's name
          path: limits.observed                   # where the value is in the YAML/JSON file
          value: 1.52
          rel_tol: 0.05                           # and/or abs_tol
          points: {m300: {value: 0.8}}            # a grid point's own reference

An entry of `validate.results` may name a file recast.yml lacks (`relpath:`). The configuration
itself was validated by model/config.py (an error there is exit 2 before anything is sent); an
entry of the reference file that is not valid becomes an error test case of its own result, the
other results are still checked. Inline entries win over the reference file's.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

from recast_reana.errors import EXIT_USAGE, Error
from recast_reana.model import positioned_yaml
from recast_reana.model.config import REFERENCE_SCHEMA, Config, config_error
from recast_reana.model.discovery import RECAST_NAMES
from recast_reana.model.json_schema import Validator
from recast_reana.type_names import Any

KEEP_RUNS = 30  # history entries kept by default (validate.keep_runs)
KeyPath = tuple[str | int, ...]
_STEP = re.compile(r"\.?([^.\[\]]+)|\[(-?\d+)\]")


@dataclass(frozen=True)
class Reference:
    """The expected value of a result (at one grid point or all of them)."""

    value: Any = None  # a number, a text or a boolean; None: only recorded, not compared
    rel_tol: float | None = None
    abs_tol: float | None = None
    path: KeyPath = ()
    where: str = ""  # file:line:col of the entry, for messages
    problem: str = ""  # why the entry cannot be used (the reference file's entries)


@dataclass(frozen=True)
class Expected:
    """One result the run must produce, and its references."""

    name: str
    relpath: str
    load_yaml: bool = False
    reference: Reference | None = None
    points: Mapping[str, Reference] = field(default_factory=dict)
    where: str = ""
    skip: str = ""  # why it is not checked (its stage does not run on REANA)

    def at(self, point: str | None) -> Reference | None:
        """The reference for `point`: its own, else the result's (its key path in any case)."""
        own = self.points.get(point) if point is not None else None
        if own is None:
            return self.reference
        base = self.reference or Reference()
        if own.problem:
            return own
        return Reference(
            own.value,
            own.rel_tol if own.rel_tol is not None or own.abs_tol is not None else base.rel_tol,
            own.abs_tol if own.rel_tol is not None or own.abs_tol is not None else base.abs_tol,
            own.path or base.path,
            own.where,
        )


@dataclass(frozen=True)
class Expectations:
    results: tuple[Expected, ...] = ()
    keep_runs: int = KEEP_RUNS
    grid_parameter: str | None = None


def expected_results(root: Path, config: Config) -> Expectations:
    """recast.yml's results joined with the configuration's references (exit 2 when unusable)."""
    validate = config.validate
    dropped = set(config.drop_stages)
    listed = [
        replace(e, skip=f"not checked: convert.drop_stages drops {e.relpath.split('/')[0]}")
        if e.relpath.split("/")[0] in dropped
        else e
        for e in _recast_results(root)
    ]
    references: dict[str, _Entry] = {}
    file = validate.get("references")
    if isinstance(file, str):
        references.update(_reference_file(root, file, config))
    shown = config.path or ".recast-reana.yaml"
    inline = validate.get("results") or {}
    for name, entry in inline.items():
        at = ("validate", "results", name)
        spots = {str(p): _key_at(config, shown, (*at, "points", p)) for p in _points(entry)}
        references[name] = _Entry(entry, _key_at(config, shown, at), "", spots)
    known = {e.name for e in listed}
    found = list(listed)
    for name, (entry, where, problem, _) in references.items():
        if name in known:
            continue
        relpath = entry.get("relpath")
        if problem or (isinstance(relpath, str) and relpath):
            found.append(Expected(name, str(relpath or ""), load_yaml=True, where=where))
            continue
        hint = difflib.get_close_matches(str(name), sorted(known), n=1)
        message = f"validate: no recast.yml result is named '{name}'" + (
            f" (did you mean '{hint[0]}'?)" if hint else ""
        )
        message += "; give relpath: <stage>/<file> for a file recast.yml does not name"
        raise Error(f"{where}: {message}", EXIT_USAGE)
    results = []
    for expected in found:
        entry_where = references.get(expected.name)
        if entry_where is None:
            results.append(expected)
            continue
        entry, where, problem, point_where = entry_where
        if problem:
            reference = Reference(where=where, problem=problem)
            results.append(_with(expected, reference, {}))
            continue
        points = {
            str(point): _reference(value, point_where[str(point)])
            for point, value in (entry.get("points") or {}).items()
        }
        results.append(_with(expected, _reference(entry, where), points))
    keep = validate.get("keep_runs")
    grid = validate.get("grid_parameter")
    return Expectations(
        tuple(results),
        keep if isinstance(keep, int) else KEEP_RUNS,
        grid if isinstance(grid, str) else None,
    )


def _key_at(config: Config, shown: str, at: tuple[Any, ...]) -> str:
    pos = config.document.key_pos(at) if config.document else config.pos(at)
    return f"{shown}:{pos.line}:{pos.col}"


class _Entry(NamedTuple):
    """A reference entry as written: the mapping, where it is, why it is unusable."""

    data: Mapping[str, Any]
    where: str
    problem: str
    points: dict[str, str]  # point -> where its own reference is


def _points(entry: Any) -> list[Any]:
    points = entry.get("points") if isinstance(entry, dict) else None
    return list(points) if isinstance(points, dict) else []


def _with(expected: Expected, reference: Reference, points: dict[str, Reference]) -> Expected:
    return replace(expected, reference=reference, points=points)


def _reference(entry: Mapping[str, Any], where: str) -> Reference:
    try:
        path = key_path(entry.get("path"))
    except ValueError as exc:
        return Reference(where=where, problem=str(exc))
    return Reference(entry.get("value"), entry.get("rel_tol"), entry.get("abs_tol"), path, where)


def key_path(value: Any) -> KeyPath:
    """`limits.observed`, `a[0].b` or a list of keys -> the keys; ValueError when malformed."""
    if value is None or value == "":
        return ()
    if isinstance(value, list):
        return tuple(value)
    text = str(value)
    steps: list[str | int] = []
    at = 0
    for match in _STEP.finditer(text):
        if match.start() != at:
            break
        steps.append(match[1] if match[1] is not None else int(match[2]))
        at = match.end()
    if at != len(text) or not steps:
        raise ValueError(
            f"path {text!r} is not a key path: write keys with dots and list indices in "
            "brackets, such as limits.observed or fits[0].mu"
        )
    return tuple(steps)


def _recast_results(root: Path) -> list[Expected]:
    """recast.yml `results`, as far as they are well formed (the check reports the rest)."""
    for name in RECAST_NAMES:
        path = root / name
        if path.is_file():
            break
    else:
        return []
    try:
        doc = positioned_yaml.load(positioned_yaml.decode(path.read_bytes()))
    except (OSError, positioned_yaml.YamlSyntaxError, positioned_yaml.UnsafeYaml):
        return []
    data = doc.data if isinstance(doc.data, dict) else {}
    entries = data.get("results")
    found: list[Expected] = []
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, dict):
            continue
        result_name, relpath = entry.get("name"), entry.get("relpath")
        if not isinstance(result_name, str) or not isinstance(relpath, str):
            continue
        if any(e.name == result_name for e in found):
            continue  # recast-atlas keys results by name too
        pos = doc.pos(("results", i))
        where = f"{name}:{pos.line}:{pos.col}"
        found.append(Expected(result_name, relpath, entry.get("load_yaml") is True, where=where))
    return found


def _reference_file(root: Path, file: str, config: Config) -> dict[str, _Entry]:
    """`validate.references`: a YAML file `results: {NAME: {value, ...}}`."""
    pos = config.pos(("validate", "references"))
    shown = config.path or ".recast-reana.yaml"
    path = root / file
    try:
        doc = positioned_yaml.load(positioned_yaml.decode(path.read_bytes()))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        message = f"validate.references: cannot read {file}: {reason}"
        raise config_error(shown, pos.line, pos.col, message) from None
    except (positioned_yaml.YamlSyntaxError, positioned_yaml.UnsafeYaml) as exc:
        raise Error(f"{file}:{exc.line}:{exc.col}: {exc.message}", EXIT_USAGE) from None
    data = doc.data.get("results") if isinstance(doc.data, dict) else None
    if not isinstance(data, dict):
        message = "write the references as `results:` mapping result names to {value, rel_tol...}"
        raise Error(f"{file}:1:1: {message}", EXIT_USAGE)
    validator = Validator(REFERENCE_SCHEMA)
    found: dict[str, _Entry] = {}
    for name, entry in data.items():
        at = doc.key_pos(("results", name))
        where = f"{file}:{at.line}:{at.col}"
        errors = list(validator.iter_errors(entry))
        problem = ""
        if errors:
            err = min(errors, key=lambda e: doc.pos(("results", name, *e.absolute_path)).line)
            inner = ("results", name, *err.absolute_path)
            err_at = doc.pos(inner)
            dotted = ".".join(str(p) for p in inner)
            problem = f"{file}:{err_at.line}:{err_at.col}: {dotted}: {err.message}"
        points = {}
        for point in _points(entry):
            point_at = doc.key_pos(("results", name, "points", point))
            points[str(point)] = f"{file}:{point_at.line}:{point_at.col}"
        found[str(name)] = _Entry(entry if isinstance(entry, dict) else {}, where, problem, points)
    return found
