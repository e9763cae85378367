"""The diagnostic value type and its output formats."""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding, 1-based like flake8 and actionlint. Ordered by path, line, column."""

    path: str
    line: int
    col: int
    rule: str
    message: str
    name: str = ""
    severity: Severity | None = None  # None until the linter applies the rule's default
    end_col: int = 0  # exclusive end of the marked span on `line`; 0 = one character

    def with_(self, **changes: object) -> Diagnostic:
        return replace(self, **changes)  # type: ignore[arg-type]


def finalize(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted by path, line, column, rule; exact repeats removed."""
    return sorted(set(diagnostics))


def format_line(d: Diagnostic) -> str:
    sev = "" if d.severity in (Severity.ERROR, None) else f"{d.severity.value}: "
    return f"{d.path}:{d.line}:{d.col}: {d.rule} {sev}{d.message} [{d.name}]"


def format_text(
    diagnostics: Sequence[Diagnostic], sources: Mapping[str, str], *, show_source: bool
) -> str:
    out: list[str] = []
    for d in diagnostics:
        out.append(format_line(d))
        if show_source:
            out.extend(_snippet(d, sources.get(d.path)))
    return "".join(line + "\n" for line in out)


def _snippet(d: Diagnostic, text: str | None) -> list[str]:
    if text is None:
        return []
    lines = text.splitlines()
    if not 1 <= d.line <= len(lines):
        return []
    src = lines[d.line - 1].expandtabs(1)
    width = max(1, (d.end_col - d.col) if d.end_col > d.col else 1)
    width = min(width, max(1, len(src) - d.col + 1))
    gutter = f"{d.line:>4} | "
    return [gutter + src, " " * (len(gutter) + d.col - 1) + "^" + "~" * (width - 1)]


def format_json(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps(
        [
            {
                "path": d.path,
                "line": d.line,
                "column": d.col,
                "rule": d.rule,
                "name": d.name,
                "severity": (d.severity or Severity.ERROR).value,
                "message": d.message,
            }
            for d in diagnostics
        ],
        indent=2,
    )


_CODEQUALITY_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def format_codequality(diagnostics: Sequence[Diagnostic], sources: Mapping[str, str]) -> str:
    """GitLab Code Quality report.

    The fingerprint hashes the path, rule, message and the text of the flagged line (plus how often
    that triple occurred before), not the line number: findings keep their identity when unrelated
    lines are added above them, so the merge-request widget shows only real changes.
    """
    seen: dict[tuple[str, str, str, str], int] = {}
    report = []
    for d in diagnostics:
        text = sources.get(d.path)
        lines = text.splitlines() if text is not None else []
        content = lines[d.line - 1].strip() if 1 <= d.line <= len(lines) else ""
        ident = (d.path, d.rule, d.message, content)
        seen[ident] = seen.get(ident, 0) + 1
        digest = hashlib.sha256("\0".join([*ident, str(seen[ident])]).encode()).hexdigest()
        report.append(
            {
                "description": f"{d.rule} {d.message}",
                "check_name": f"{d.rule} {d.name}",
                "fingerprint": digest[:32],
                "severity": _CODEQUALITY_SEVERITY[d.severity or Severity.ERROR],
                "location": {"path": d.path, "lines": {"begin": d.line}},
            }
        )
    return json.dumps(report, indent=2)
