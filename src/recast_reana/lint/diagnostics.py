"""The diagnostic value type and its output formats."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence

from recast_reana.model.source_file import text_lines
from recast_reana.named_tuple import NamedTuple


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Diagnostic(NamedTuple):
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
        return self._replace(**changes)  # type: ignore[arg-type]


# Rules whose marked span is a secret: it is masked wherever source text is shown or hashed.
SECRET_RULES = frozenset({"RR501", "RR502"})
# A source line shown longer than this is cut to a window around the mark (a 10,000-placeholder
# script line would otherwise be printed once per finding).
SNIPPET_WIDTH = 160

# Where secrets are written: path -> (line, first column, end column; 0 = to the line's end).
Masks = Mapping[str, Sequence[tuple[int, int, int]]]


def secret_masks(diagnostics: Iterable[Diagnostic]) -> dict[str, list[tuple[int, int, int]]]:
    """The spans of the secrets that `diagnostics` found, by file."""
    masks: dict[str, list[tuple[int, int, int]]] = {}
    for d in diagnostics:
        if d.rule in SECRET_RULES:
            masks.setdefault(d.path, []).append((d.line, d.col, d.end_col))
    return masks


class SourceLines:
    """The lines of each file, split once, with every secret span masked in every line."""

    def __init__(self, sources: Mapping[str, str], masks: Masks) -> None:
        self.sources = sources
        self.masks: dict[str, dict[int, list[tuple[int, int]]]] = {}
        for path, spans in masks.items():
            for line, col, end in spans:
                self.masks.setdefault(path, {}).setdefault(line, []).append((col, end))
        self._lines: dict[str, Sequence[str]] = {}

    def line(self, path: str, number: int) -> str | None:
        """Line `number` of `path`, secrets masked; None when out of range."""
        if path not in self._lines:
            text = self.sources.get(path)
            self._lines[path] = text_lines(text) if text is not None else []
        lines = self._lines[path]
        if not 1 <= number <= len(lines):
            return None
        line = lines[number - 1]
        for col, end in self.masks.get(path, {}).get(number, ()):
            stop = end if end > col else len(line) + 1
            line = line[: col - 1] + "*" * max(0, stop - col) + line[stop - 1 :]
        return line


def finalize(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted by path, line, column, rule; exact repeats removed."""
    return sorted(set(diagnostics))


def format_line(d: Diagnostic) -> str:
    sev = "" if d.severity in (Severity.ERROR, None) else f"{d.severity.value}: "
    return f"{d.path}:{d.line}:{d.col}: {d.rule} {sev}{d.message} [{d.name}]"


def format_text(
    diagnostics: Sequence[Diagnostic],
    sources: Mapping[str, str],
    *,
    show_source: bool,
    masks: Masks | None = None,
) -> str:
    """flake8's lines; with `show_source`, each with its source line and a `^~~~` mark. Secrets
    (`masks`, by default those the diagnostics found) are masked in every snippet."""
    lines = SourceLines(sources, secret_masks(diagnostics) if masks is None else masks)
    out: list[str] = []
    for d in diagnostics:
        out.append(format_line(d))
        if show_source:
            out.extend(_snippet(d, lines.line(d.path, d.line)))
    return "".join(line + "\n" for line in out)


def format_summary(subject: str, checked: int, diagnostics: Sequence[Diagnostic]) -> str:
    """`recast-atlas workflow specs/workflow.yml + 3 files: 0 errors, 2 warnings, 13 infos`."""
    counts = {s: 0 for s in Severity}
    for d in diagnostics:
        counts[d.severity or Severity.ERROR] += 1
    others = f" + {checked - 1} file{'s' if checked != 2 else ''}" if checked > 1 else ""
    tally = ", ".join(f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in counts.items())
    return f"{subject}{others}: {tally}"


def _snippet(d: Diagnostic, line: str | None) -> list[str]:
    if line is None:
        return []
    src = line.expandtabs(1)
    col = min(d.col, len(src) + 1)
    width = max(1, (d.end_col - d.col) if d.end_col > d.col else 1)
    width = min(width, max(1, len(src) - col + 1))
    if len(src) > SNIPPET_WIDTH:  # a window around the mark, cut ends shown as `...`
        start = max(0, min(col - 1 - SNIPPET_WIDTH // 3, len(src) - SNIPPET_WIDTH))
        head = "..." if start else ""
        tail = "..." if start + SNIPPET_WIDTH < len(src) else ""
        src = head + src[start : start + SNIPPET_WIDTH] + tail
        col = col - start + len(head)
        width = min(width, SNIPPET_WIDTH - (col - 1 - len(head)))
    gutter = f"{d.line:>4} | "
    return [gutter + src, " " * (len(gutter) + col - 1) + "^" + "~" * (max(1, width) - 1)]


def format_json(diagnostics: Sequence[Diagnostic]) -> str:
    import json  # only for --format json/codequality

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


def format_codequality(
    diagnostics: Sequence[Diagnostic], sources: Mapping[str, str], masks: Masks | None = None
) -> str:
    return "".join(codequality_chunks(diagnostics, sources, masks))


def codequality_chunks(
    diagnostics: Sequence[Diagnostic], sources: Mapping[str, str], masks: Masks | None = None
) -> Iterator[str]:
    """GitLab Code Quality report, in pieces (what `json.dumps(report, indent=2)` writes): a
    report of 20,000 findings is 17 MB of JSON, and the whole of it never has to be in memory.

    The fingerprint hashes the path, rule, message and the text of the flagged line (plus how often
    that triple occurred before), not the line number: findings keep their identity when unrelated
    lines are added above them, so the merge-request widget shows only real changes.
    """
    import json  # only for --format json/codequality
    from hashlib import sha256  # only here: the text path (the hook) does not need it

    lines = SourceLines(sources, secret_masks(diagnostics) if masks is None else masks)
    seen: dict[bytes, int] = {}  # digest of (path, rule, message, line) -> how often so far
    if not diagnostics:
        yield "[]"
        return
    for i, d in enumerate(diagnostics):
        content = (lines.line(d.path, d.line) or "").strip()
        # Numbers in messages are often line numbers ("first on line 9"): masked, they move freely.
        ident = "\0".join((d.path, d.rule, re.sub(r"\d+", "#", d.message), content))
        key = sha256(ident.encode()).digest()
        seen[key] = seen.get(key, 0) + 1
        digest = sha256(f"{ident}\0{seen[key]}".encode()).hexdigest()
        item = {
            "description": f"{d.rule} {d.message}",
            "check_name": f"{d.rule} {d.name}",
            "fingerprint": digest[:32],
            "severity": _CODEQUALITY_SEVERITY[d.severity or Severity.ERROR],
            "location": {"path": d.path, "lines": {"begin": d.line}},
        }
        text = json.dumps(item, indent=2).replace("\n", "\n  ")
        yield ("[\n  " if i == 0 else ",\n  ") + text
    yield "\n]"
