"""Golden output: every FAIL case of every rule beside the exact text a user reads for it.

Like actionlint's `testdata/` and `linter_test.go`: for each rule module `test_<module>.py` here,
FAIL case `<id>` has `golden/<module>/<id>.txt`, what `recast-reana check --show-source` prints for
that case's diagnostics of the rule (the `path:line:col: RRnnn message [name]` lines, each with its
source line and `^~~~` marker). A change of wording or position shows up as a diff of these files.

Regenerate them all (writes changed files only, removes those of cases that are gone):

    .venv/bin/python tests/rules/test_golden.py --update

Without `--update` it lists the files that are out of date and exits 1.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from recast_reana.lint.diagnostics import format_text
from recast_reana.lint.registry import ALL

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "rules" / "golden"
UPDATE = ".venv/bin/python tests/rules/test_golden.py --update"
PARAM = type(pytest.param())  # what pytest.param(...) makes; a FAIL row may also be a plain tuple


@dataclass(frozen=True)
class Case:
    """One FAIL case of one rule's test module, and the golden file that holds its output."""

    module: str  # the rule's module name: `unknown_stage` for rules/unknown_stage.py
    stem: str  # the case id, made a unique file name
    tests: ModuleType = field(compare=False)
    args: dict[str, Any] = field(compare=False)  # test_fail's arguments: files, [cfg,] expected

    @property
    def path(self) -> Path:
        return GOLDEN / self.module / f"{self.stem}.txt"

    @property
    def name(self) -> str:
        return f"{self.module}/{self.stem}"


def collect() -> Iterator[tuple[Case, Sequence[Any]]]:
    """Every FAIL case of every registered rule, in registry order, with its pytest marks."""
    for rule in ALL:
        module = rule.__name__.rsplit(".", 1)[1]
        tests = importlib.import_module(f"rules.test_{module}")
        argnames = _argnames(tests.test_fail)
        seen: set[str] = set()
        for n, param in enumerate(tests.FAIL):
            values, marks, case_id = (
                (param.values, param.marks, param.id)
                if isinstance(param, PARAM)
                else (param, (), None)
            )
            stem = _file_name(case_id or f"case-{n}", seen)
            seen.add(stem.lower())
            yield Case(module, stem, tests, dict(zip(argnames, values, strict=True))), marks


def _argnames(test_fail: Any) -> list[str]:
    (mark,) = [m for m in test_fail.pytestmark if m.name == "parametrize"]
    names = mark.args[0]
    return [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)


def _file_name(case_id: str, taken: set[str]) -> str:
    """`case_id` as a portable file name not in `taken` (lower case: for case-insensitive disks)."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", case_id).strip("._") or "case"
    stem, n = base, 1
    while stem.lower() in taken:
        n += 1
        stem = f"{base}-{n}"
    return stem


def render(case: Case) -> str:
    """The text `check --show-source` prints for the case's diagnostics of its rule.

    Linted with the test module's own helper, as its test_fail does; the sources for the snippets
    come from the same in-memory project.
    """
    from helpers import make_project  # here, so that running this file as a script can find it

    files, config = case.args["files"], case.args.get("cfg")
    rule = case.tests.RULE
    found = [d for d in case.tests.lint_files(files, rule, config) if d.rule == rule]
    return format_text(found, make_project(files, config).texts, show_source=True)


def _read(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as f:  # exact text: no newline translation
        return f.read()


if __name__ == "__main__":
    # pytest puts tests/ on the path (pyproject's `pythonpath`); a script has to do it itself.
    sys.path.insert(0, str(ROOT / "tests"))
CASES = list(collect())


@pytest.mark.parametrize(
    "case", [pytest.param(case, marks=marks, id=case.name) for case, marks in CASES]
)
def test_golden(case: Case) -> None:
    text = render(case)
    assert text, f"FAIL case {case.name} gives no diagnostic of {case.tests.RULE}"
    relative = case.path.relative_to(ROOT)
    if not case.path.is_file():
        pytest.fail(f"no golden file {relative}: create it with `{UPDATE}` and review it")
    assert text == _read(case.path), f"{relative} is out of date: `{UPDATE}`, review the diff"


# Cases whose snippet shows part of the secret (a rule bug); the xfail is strict so that the fix
# makes this test fail until the entry goes.
SECRET_SHOWN: set[str] = set()


def _secret_param(case: Case, marks: Sequence[Any]) -> Any:
    if case.name in SECRET_SHOWN:
        marks = [*marks, pytest.mark.xfail(strict=True, reason="the snippet shows the key")]
    return pytest.param(case, marks=marks, id=case.name)


@pytest.mark.parametrize(
    "case", [_secret_param(c, marks) for c, marks in CASES if hasattr(c.tests, "SENTINEL")]
)
def test_golden_shows_no_secret(case: Case) -> None:
    """The secrets of a test module hold its SENTINEL; golden files are committed."""
    assert case.tests.SENTINEL not in render(case)


def test_no_golden_file_without_a_case() -> None:
    wanted = {case.path for case, _ in CASES}
    stale = sorted(str(p.relative_to(ROOT)) for p in GOLDEN.glob("*/*.txt") if p not in wanted)
    assert stale == [], f"golden files of no FAIL case: remove them with `{UPDATE}`"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--update", action="store_true", help="write the golden files")
    args = parser.parse_args(argv)
    wanted: set[Path] = set()
    changed: list[Path] = []
    empty: list[str] = []
    for case, _ in CASES:
        wanted.add(case.path)
        text = render(case)
        if not text:
            empty.append(case.name)
            continue
        current = _read(case.path) if case.path.exists() else None
        if text != current:
            changed.append(case.path)
            if args.update:
                case.path.parent.mkdir(parents=True, exist_ok=True)
                case.path.write_text(text, encoding="utf-8", newline="")
    stale = sorted(p for p in GOLDEN.glob("*/*.txt") if p not in wanted)
    for path in stale:
        if args.update:
            path.unlink()
    for directory in GOLDEN.iterdir() if args.update and GOLDEN.is_dir() else ():
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
    verb = ("wrote", "removed") if args.update else ("out of date:", "stale:")
    for path in changed:
        print(verb[0], path.relative_to(ROOT))
    for path in stale:
        print(verb[1], path.relative_to(ROOT))
    for name in empty:
        print(f"FAIL case {name} gives no diagnostic of its rule: no golden file", file=sys.stderr)
    print(f"{len(wanted) - len(empty)} golden files, {len(changed)} changed, {len(stale)} stale")
    return 1 if empty or (not args.update and (changed or stale)) else 0


if __name__ == "__main__":
    sys.exit(main())
