"""The workflows the oracle runs: the examples, the convert fixtures, and the rule test tables.

Every case is a whole repository (path -> bytes). The PASS and FAIL tables are imported from the
graph rules' own tests (`tests/rules/test_<rule>.py`), so a row added there is run here too.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # yaml.safe_load's data, with libyaml
REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
CONVERT = REPO / "tests" / "data" / "convert"

# The stage-graph rules and the module of each (and of its tests).
GRAPH_RULES: dict[str, str] = {
    "RR301": "unknown_stage",
    "RR302": "unknown_output",
    "RR303": "undeclared_dependency",
    "RR304": "missing_parameter",
    "RR305": "unused_parameter",
    "RR306": "undefined_placeholder",
    "RR307": "unknown_output_file",
    "RR308": "dependency_cycle",
}


@dataclass(frozen=True)
class Case:
    id: str
    group: str  # the cases of one group are run by the engine together
    files: Mapping[str, bytes]

    @property
    def digest(self) -> str:
        h = hashlib.sha256()
        for path in sorted(self.files):
            h.update(path.encode() + b"\0" + self.files[path] + b"\0")
        return h.hexdigest()[:16]


def _directory(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }


def _encoded(files: Mapping[str, str | bytes]) -> dict[str, bytes]:
    return {p: t.encode() if isinstance(t, str) else t for p, t in files.items()}


def fixture_cases() -> list[Case]:
    """examples/vhbb, and both sides of every convert fixture (tests/data/convert/README.md)."""
    cases = [Case("example-vhbb", "fixtures", _directory(EXAMPLES / "vhbb"))]
    for case in sorted(p for p in CONVERT.iterdir() if p.is_dir()):
        for side in ("src", "expected"):
            if (case / side).is_dir():
                cases.append(
                    Case(f"convert-{case.name}-{side}", "fixtures", _directory(case / side))
                )
        if case.name == "vhbb_tutorial_target":  # the tree itself is the REANA branch
            cases.append(Case(f"convert-{case.name}", "fixtures", _directory(case)))
    return cases


def table_cases(kind: str) -> list[Case]:
    """The PASS or FAIL table of every graph rule's tests."""
    cases = []
    for rule, module in GRAPH_RULES.items():
        tests = importlib.import_module(f"rules.test_{module}")
        for param in getattr(tests, kind):
            files = param.values[0]
            cases.append(Case(f"{rule}-{kind}-{param.id}", kind.lower(), _encoded(files)))
    return cases


def all_cases() -> list[Case]:
    return [*fixture_cases(), *table_cases("PASS"), *table_cases("FAIL")]


# Rewrites of a workflow the oracle runs beside it (see README.md, "Variants").


def _stages(data: Any) -> Iterator[dict[str, Any]]:
    """Every stage mapping of a loaded workflow file, nested sub-workflows included."""
    if isinstance(data, dict):
        if isinstance(data.get("stages"), list):
            yield from (s for s in data["stages"] if isinstance(s, dict))
        for value in data.values():
            yield from _stages(value)
    elif isinstance(data, list):
        for value in data:
            yield from _stages(value)


def _expressions(stage: dict[str, Any]) -> list[Any] | None:
    deps = stage.get("dependencies")
    if isinstance(deps, dict):
        deps = deps.get("expressions")
    return deps if isinstance(deps, list) else None


def _rewrite(files: Mapping[str, bytes], change: Any) -> dict[str, bytes]:
    """`files` with `change(data) -> bool` applied to every YAML file holding stages."""
    out = dict(files)
    for path, raw in files.items():
        if not path.endswith((".yml", ".yaml")):
            continue
        try:
            data = yaml.load(raw, Loader=_LOADER)
        except yaml.YAMLError:
            continue
        if any(True for _ in _stages(data)) and change(data):
            out[path] = yaml.safe_dump(data, sort_keys=False).encode()
    return out


def star_targets(files: Mapping[str, bytes]) -> set[str]:
    """The stages named in `S[*]` dependencies (at collection: only files with `[*]` are read)."""
    found: set[str] = set()
    files = {path: raw for path, raw in files.items() if b"[*]" in raw}

    def look(data: Any) -> bool:
        for stage in _stages(data):
            found.update(e[: -len("[*]")] for e in _expressions(stage) or [] if _star(e))
        return False

    _rewrite(files, look)
    return found


def has_star_dependency(files: Mapping[str, bytes]) -> bool:
    return bool(star_targets(files))


def _star(expression: Any) -> bool:
    return isinstance(expression, str) and expression.endswith("[*]")


def plain_dependencies(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """Dependencies `S[*]` written `S`: yadage waits for every step of S either way, but its
    jsonpath_ready predicate crashes on the first spelling (README.md, disagreement 1)."""

    def change(data: Any) -> bool:
        changed = False
        for stage in _stages(data):
            deps = _expressions(stage) or []
            for i, expression in enumerate(deps):
                if _star(expression):
                    deps[i] = expression[: -len("[*]")]
                    changed = True
        return changed

    return _rewrite(files, change)


def reversed_stages(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """Every stage list in reverse order: the same graph, scheduled in another order."""

    def change(data: Any) -> bool:
        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if isinstance(node.get("stages"), list):
                    node["stages"].reverse()
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(data)
        return True

    return _rewrite(files, change)
