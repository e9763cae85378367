"""What `recast-reana report` writes into GitLab: a commit status line and a merge-request note.

No network here. The inputs are the files the other jobs leave as artifacts: the check's Code
Quality report (`gl-code-quality-report.json`, a JSON array of `{description, check_name,
severity, location{path, lines{begin}}}`) and the run's `summary.json` / `summary.md`
(`recast_reana.reana.reports`). Every text passes through the caller's redactor before it leaves.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from recast_reana.errors import EXIT_USAGE, Error
from recast_reana.type_names import Any

# The hidden marker that finds our own note again on the next pipeline (never shown: an HTML
# comment in GitLab Flavored Markdown). Quoting the note puts "> " before it: not ours.
MARKER = "<!-- recast-reana:report -->"
STATUS_NAME = "recast-reana/reana"
DESCRIPTION_LIMIT = 255
NOTE_LIMIT = 100_000  # GitLab refuses notes over 1,000,000 characters; a note is read, not searched
ISSUES_SHOWN = 30
_SEVERITY_ORDER = ("blocker", "critical", "major", "minor", "info")
_RELATIVE_LINK = re.compile(r"(!?)\[([^\]]*)\]\((?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#)([^)\s]+)\)")


def read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Error(f"{path}: no such file ({what})", EXIT_USAGE) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise Error(f"{path}: not a {what}: {exc}", EXIT_USAGE) from None


def one_line(summary: Mapping[str, Any]) -> str:
    """The run in one line for a commit status: workflow, status, duration, results."""
    flows = [w for w in summary.get("workflows") or [] if isinstance(w, Mapping)]
    if len(flows) == 1:
        w = flows[0]
        text = f"{w.get('workflow') or w.get('name') or 'workflow'} {w.get('status', '?')}"
        seconds = w.get("duration_seconds")
        if isinstance(seconds, (int, float)):
            text += f" in {_human(seconds)}"
        if w.get("message"):
            text += f": {str(w['message']).splitlines()[0]}"
    else:
        counts: dict[str, int] = {}
        for w in flows:
            counts[str(w.get("status", "?"))] = counts.get(str(w.get("status", "?")), 0) + 1
        parts = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        text = f"{len(flows)} REANA workflows: {parts or 'none submitted'}"
    results = _results(summary)
    if results is not None:
        passed, total = results
        text += f"; results {passed}/{total} within tolerance"
    return _clip(text, DESCRIPTION_LIMIT)


def _results(summary: Mapping[str, Any]) -> tuple[int, int] | None:
    """(passed, total) of the results checked against references: summary.json's
    `results: {status, checks: [{name, point, status: passed|failed|error, ...}]}`."""
    results = summary.get("results")
    checks = results.get("checks") if isinstance(results, Mapping) else results
    if not isinstance(checks, list):
        return None
    found = [c for c in checks if isinstance(c, Mapping)]
    if not found:
        return None
    return sum(1 for c in found if c.get("status") == "passed"), len(found)


def state_of(summary: Mapping[str, Any] | None, exit_code: int) -> str:
    """`success` when the run said so (exit 0) and no workflow failed; without --wait a queued
    workflow is a success of the job (it submitted), not a status left running for ever."""
    if summary is None or exit_code != 0:
        return "failed"
    bad = ("failed", "stopped", "deleted", "not submitted", "timeout")
    flows = [w for w in summary.get("workflows") or [] if isinstance(w, Mapping)]
    return "success" if flows and not any(w.get("status") in bad for w in flows) else "failed"


def target_url(summary: Mapping[str, Any] | None) -> str | None:
    """The REANA page of the one workflow; none for a grid (the job's page says more)."""
    flows = [w for w in (summary or {}).get("workflows") or [] if isinstance(w, Mapping)]
    url = flows[0].get("url") if len(flows) == 1 else None
    return str(url) if isinstance(url, str) and url.startswith(("https://", "http://")) else None


def check_section(issues: Any, source: str) -> str:
    """Markdown for the Code Quality report of `recast-reana check`: counts and the findings."""
    if not isinstance(issues, list) or not all(isinstance(i, Mapping) for i in issues):
        raise Error(f"{source}: not a Code Quality report (a JSON array of issues)", EXIT_USAGE)
    counts = {s: 0 for s in _SEVERITY_ORDER}
    for issue in issues:
        sev = str(issue.get("severity", "info"))
        counts[sev if sev in counts else "info"] += 1
    serious = [i for i in issues if i.get("severity") != "info"]
    if not serious:
        head = "**Check:** no problems"
        if counts["info"]:
            head += f" ({counts['info']} fixed by the conversion for REANA)"
        return head + "\n"
    found = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    lines = [f"**Check:** {found}", "", "| where | rule | finding |", "|---|---|---|"]
    serious.sort(key=lambda i: _SEVERITY_ORDER.index(str(i.get("severity", "info"))))
    for issue in serious[:ISSUES_SHOWN]:
        loc = issue.get("location")
        loc = loc if isinstance(loc, Mapping) else {}
        begin = loc.get("lines")
        begin = begin.get("begin", "?") if isinstance(begin, Mapping) else "?"
        where = f"{loc.get('path', '?')}:{begin}"
        rule = str(issue.get("check_name", "")).split(" ")[0]
        lines.append(_row([where, rule, str(issue.get("description", ""))]))
    if len(serious) > ISSUES_SHOWN:
        lines.append(f"\n… and {len(serious) - ISSUES_SHOWN} more in the Code Quality report.")
    return "\n".join(lines) + "\n"


def run_section(markdown: str, link_base: str | None) -> str:
    """The run's summary.md, its title made a heading of the note, relative links made absolute."""
    text = markdown.strip("\n")
    text = re.sub(r"\A# REANA run: (.*)", r"**REANA run:** \1", text)
    # Its sections below the note's own `### recast-reana` title.
    text = re.sub(r"(?m)^(#{1,4}) ", lambda m: "#" * (len(m[1]) + 2) + " ", text)
    if link_base:
        base = link_base.rstrip("/")

        def absolute(m: re.Match[str]) -> str:
            kind = "raw" if m[1] else "file"  # an image must come raw to be shown
            return f"{m[1]}[{m[2]}]({base.replace('/artifacts/file', '/artifacts/' + kind)}/{m[3]})"

        text = _RELATIVE_LINK.sub(absolute, text)
    return text + "\n"


def note_body(
    sections: Sequence[str], *, footer: str, redact: Callable[[str], str] = lambda s: s
) -> str:
    """The whole note: the marker first (how the next pipeline finds it), then each section."""
    body = "\n".join(s.rstrip("\n") + "\n" for s in sections if s.strip())
    body = _no_quick_actions(redact(body))
    if len(body) > NOTE_LIMIT:
        body = body[:NOTE_LIMIT].rsplit("\n", 1)[0] + "\n\n… (cut: see the job's artifacts)\n"
    return f"{MARKER}\n### recast-reana\n\n{body}\n<sub>{redact(footer)}</sub>\n"


def _no_quick_actions(text: str) -> str:
    """A line starting with `/` would be run as a GitLab quick action (`/close`, `/merge`)."""
    return "\n".join("\\" + line if line.startswith("/") else line for line in text.split("\n"))


def _row(cells: Sequence[str]) -> str:
    clean = [c.replace("|", "\\|").replace("\n", " ") for c in cells]
    return "| " + " | ".join(clean) + " |"


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _human(seconds: float) -> str:
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    return f"{s // 3600}h {s % 3600 // 60:02d}m"
