"""The checks in the run's reports: a JUnit test suite, a summary.json section, a Markdown table.

reana/reports.py adds these to junit.xml, summary.json and summary.md (and redacts them with
the rest). In JUnit, a result outside its tolerance is a `<failure>` whose message says expected,
got, tolerance and by how much; a result missing or unreadable is an `<error>`; a result of a
workflow that failed is `<skipped>` (the workflow's own suite shows why).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from recast_reana.results.compare import ERROR, FAILED, PASSED, SKIPPED, Check, is_number
from recast_reana.results.plots import Plot
from recast_reana.type_names import Any

SUITE = "results"


def junit_suite(checks: Sequence[Check]) -> ET.Element:
    suite = ET.Element("testsuite", name=SUITE)
    for c in checks:
        case = ET.SubElement(
            suite, "testcase", classname=f"{SUITE}.{c.point}" if c.point else SUITE, name=c.label
        )
        if c.status == FAILED:
            ET.SubElement(case, "failure", message=c.message).text = _details(c)
        elif c.status == ERROR:
            ET.SubElement(case, "error", message=c.message).text = _details(c)
        elif c.status == SKIPPED:
            ET.SubElement(case, "skipped", message=c.message)
        else:
            ET.SubElement(case, "system-out").text = c.message
    suite.set("tests", str(len(checks)))
    suite.set("failures", str(sum(c.status == FAILED for c in checks)))
    suite.set("errors", str(sum(c.status == ERROR for c in checks)))
    suite.set("skipped", str(sum(c.status == SKIPPED for c in checks)))
    suite.set("time", "0")
    return suite


def _details(c: Check) -> str:
    lines = [f"result: {c.name}", f"file: {c.relpath}"]
    if c.point is not None:
        lines.append(f"grid point: {c.point}")
    if c.expected is not None:
        lines.append(f"expected: {_cell(c.expected)} {c.tolerance}".rstrip())
    if c.got is not None or c.status == FAILED:
        lines.append(f"got: {_cell(c.got)}")
    if c.low is not None and c.high is not None:
        lines.append(f"allowed: [{c.low:.6g}, {c.high:.6g}]")
    lines.append(c.message)
    return "\n".join(lines)


def summary(checks: Sequence[Check], plots: Sequence[Plot], notes: Sequence[str]) -> dict[str, Any]:
    return {
        "status": status(checks),
        "checks": [
            {
                "name": c.name,
                "point": c.point,
                "relpath": c.relpath,
                "status": c.status,
                "message": c.message,
                "got": _json(c.got),
                "expected": c.expected,
                "tolerance": c.tolerance,
                "low": c.low,
                "high": c.high,
            }
            for c in checks
        ],
        "plots": [{"title": p.title, "file": p.file} for p in plots],
        "notes": list(notes),
    }


def status(checks: Sequence[Check]) -> str:
    return "failed" if any(c.status in (FAILED, ERROR) for c in checks) else PASSED


def markdown(checks: Sequence[Check], plots: Sequence[Plot], notes: Sequence[str]) -> str:
    failed = sum(c.status in (FAILED, ERROR) for c in checks)
    head = f"{len(checks)} checked, {failed} failed" if failed else f"{len(checks)} passed"
    lines = ["", f"## Results: {head}", ""]
    grid = any(c.point is not None for c in checks)
    columns = ["result", *(["point"] if grid else []), "got", "expected", "status"]
    lines += ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for c in checks:
        expected = f"{_cell(c.expected)} {c.tolerance}".strip() if c.expected is not None else "-"
        mark = {PASSED: "passed", FAILED: "**failed**", ERROR: "**error**"}.get(c.status, c.status)
        why = f": {c.message}" if c.status in (FAILED, ERROR, SKIPPED) else ""
        got = _cell(c.got) if c.got is not None else "-"
        cells = [c.name, *([c.point or "-"] if grid else []), got, expected, mark + why]
        lines.append("| " + " | ".join(_escape(x) for x in cells) + " |")
    if plots:
        lines += ["", "Plots: " + ", ".join(f"[{_escape(p.title)}]({p.file})" for p in plots)]
    lines += ["", *notes] if notes else []
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    if is_number(value):
        return f"{value:.6g}"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _json(value: Any) -> Any:
    """As JSON holds it: NaN and infinities (not JSON) and anything else as text."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
