"""The diagnostic value type and its output formats."""

from __future__ import annotations

import enum
import json
import re
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


# Rules whose marked span is a secret: it is masked wherever source text is shown or hashed.
SECRET_RULES = frozenset({"RR501", "RR502"})


def source_line(d: Diagnostic, text: str | None) -> str | None:
    """The flagged line of `text`, with a secret span masked; None when out of range."""
    lines = text.splitlines() if text is not None else []
    if not 1 <= d.line <= len(lines):
        return None
    line = lines[d.line - 1]
    if d.rule in SECRET_RULES:
        end = d.end_col if d.end_col > d.col else len(line) + 1
        line = line[: d.col - 1] + "*" * max(0, end - d.col) + line[end - 1 :]
    return line


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


def format_summary(subject: str, checked: int, diagnostics: Sequence[Diagnostic]) -> str:
    """`recast-atlas workflow specs/workflow.yml + 3 files: 0 errors, 2 warnings, 13 infos`."""
    counts = {s: 0 for s in Severity}
    for d in diagnostics:
        counts[d.severity or Severity.ERROR] += 1
    others = f" + {checked - 1} file{'s' if checked != 2 else ''}" if checked > 1 else ""
    tally = ", ".join(f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in counts.items())
    return f"{subject}{others}: {tally}"


def _snippet(d: Diagnostic, text: str | None) -> list[str]:
    line = source_line(d, text)
    if line is None:
        return []
    src = line.expandtabs(1)
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
    from hashlib import sha256  # only here: the text path (the hook) does not need it

    seen: dict[tuple[str, str, str, str], int] = {}
    report = []
    for d in diagnostics:
        content = (source_line(d, sources.get(d.path)) or "").strip()
        # Numbers in messages are often line numbers ("first on line 9"): masked, they move freely.
        ident = (d.path, d.rule, re.sub(r"\d+", "#", d.message), content)
        seen[ident] = seen.get(ident, 0) + 1
        digest = sha256("\0".join([*ident, str(seen[ident])]).encode()).hexdigest()
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
