"""Reports of `recast-reana run` for GitLab: JUnit XML, a summary (JSON + Markdown) and a dotenv.

- `junit.xml` (`artifacts:reports:junit`): one test suite per REANA workflow, one test case per
  REANA job (name, duration, the tail of its log as the failure text);
- `summary.json` / `summary.md`: workflow name and run number, REANA URL, status, durations,
  parameters and outputs, per workflow (one per grid point);
- `reana.env` (`artifacts:reports:dotenv`): REANA_WORKFLOW and REANA_URL, e.g. for
  `environment:url`.
Every text goes through the caller's redactor before it is written.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from recast_reana.filetree import atomic_write
from recast_reana.results.validation import Validation
from recast_reana.type_names import Any

TAIL_LINES = 30
TAIL_WIDTH = 400  # characters kept of one log line (a progress bar can be megabytes long)
FILES = ("junit.xml", "summary.json", "summary.md", "reana.env")
# XML 1.0 forbids most control characters (job logs hold ANSI colours).
_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass
class Job:
    """One REANA job, from the workflow logs' `job_logs`."""

    id: str
    name: str
    status: str
    started: str | None = None
    finished: str | None = None
    log: str = ""

    @property
    def duration(self) -> float | None:
        return seconds_between(self.started, self.finished)


@dataclass
class Result:
    """One REANA workflow of the run (one grid point)."""

    name: str  # the name asked for
    point: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    id: str = ""
    workflow: str = ""  # REANA's "<name>.<run number>"
    url: str = ""
    status: str = "not submitted"
    message: str = ""  # why it failed to submit, or timed out
    started: str | None = None
    finished: str | None = None
    jobs: list[Job] = field(default_factory=list)
    workflow_log: str = ""
    outputs: list[str] = field(default_factory=list)  # downloaded, as written
    missing: list[str] = field(default_factory=list)  # outputs REANA did not have

    @property
    def run_number(self) -> str:
        return self.workflow.partition(".")[2]

    @property
    def duration(self) -> float | None:
        return seconds_between(self.started, self.finished)

    @property
    def ok(self) -> bool:
        return self.status == "finished" and not self.missing


def seconds_between(start: str | None, end: str | None) -> float | None:
    """REANA's timestamps (%Y-%m-%dT%H:%M:%S, maybe with fractions) -> seconds."""
    try:
        if start and end:
            return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
    except ValueError:
        pass
    return None


def human(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def tail(text: str, lines: int = TAIL_LINES) -> str:
    """The last `lines` lines of a log, colours removed, each clipped to TAIL_WIDTH."""
    text = text.rstrip("\n")
    start = len(text)
    for _ in range(lines):  # from the end: a huge log is not split whole
        start = text.rfind("\n", 0, start)
        if start < 0:
            break
    kept = _ANSI.sub("", text[start + 1 :]).splitlines()[-lines:]
    return "\n".join(_clip(line) for line in kept)


def _clip(line: str) -> str:
    extra = len(line) - TAIL_WIDTH
    return line if extra <= 0 else f"{line[:TAIL_WIDTH]}... ({extra} more characters)"


def write_reports(
    directory: Path,
    results: Sequence[Result],
    *,
    server: str,
    redact: Callable[[str], str],
    validation: Validation | None = None,
) -> list[Path]:
    """The reports; `validation` (results checked against references) adds its test suite,
    summary section and table (results/report.py)."""
    data = summary(results, server)
    if validation is not None:
        data["results"] = validation.summary()
    texts = {
        "junit.xml": junit(results, validation),
        "summary.json": json.dumps(data, indent=2) + "\n",
        "summary.md": markdown(results, server) + (validation.markdown() if validation else ""),
        "reana.env": dotenv(results, server),
    }
    written = []
    for name in FILES:
        path = directory / name
        atomic_write(path, redact(texts[name]).encode("utf-8"))
        written.append(path)
    return written


def junit(results: Sequence[Result], validation: Validation | None = None) -> str:
    root = ET.Element("testsuites", name="REANA")
    for result in results:
        suite = ET.SubElement(root, "testsuite", name=result.workflow or result.name)
        cases = 0
        failures = errors = 0
        for job in result.jobs:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=result.workflow or result.name,
                name=job.name,
                time=f"{job.duration or 0:.0f}",
            )
            cases += 1
            if job.status == "failed":
                failures += 1
                failure = ET.SubElement(case, "failure", message=f"REANA job {job.name} failed")
                failure.text = _xml(tail(job.log) or "(the job left no log)")
            elif job.status != "finished":
                ET.SubElement(case, "skipped", message=f"REANA job {job.name} {job.status}")
        if not result.ok and not any(j.status == "failed" for j in result.jobs):
            # A failure no job shows: refused at submission, engine error, timeout, no outputs.
            case = ET.SubElement(
                suite, "testcase", classname=result.workflow or result.name, name="workflow"
            )
            cases += 1
            why = result.message or f"workflow {result.status}"
            if result.missing:
                why = "outputs missing: " + ", ".join(result.missing)
            element = "error" if result.status in ("not submitted", "timeout") else "failure"
            errors += element == "error"
            failures += element == "failure"
            node = ET.SubElement(case, element, message=_xml(why.splitlines()[0] if why else ""))
            node.text = _xml(tail(result.workflow_log) or why)
        suite.set("tests", str(cases))
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        suite.set("time", f"{result.duration or 0:.0f}")
    if validation is not None:
        root.append(validation.junit_suite())
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _xml(text: str) -> str:
    return _XML_BAD.sub("", text)


def summary(results: Sequence[Result], server: str) -> dict[str, Any]:
    return {
        "server": server,
        "status": overall(results),
        "workflows": [
            {
                "point": r.point,
                "name": r.name,
                "workflow": r.workflow,
                "run_number": r.run_number,
                "id": r.id,
                "url": r.url,
                "status": r.status,
                "message": r.message,
                "started": r.started,
                "finished": r.finished,
                "duration_seconds": r.duration,
                "parameters": r.parameters,
                "jobs": [
                    {
                        "name": j.name,
                        "status": j.status,
                        "started": j.started,
                        "finished": j.finished,
                        "duration_seconds": j.duration,
                    }
                    for j in r.jobs
                ],
                "outputs": r.outputs,
                "missing_outputs": r.missing,
            }
            for r in results
        ],
    }


def overall(results: Sequence[Result]) -> str:
    if results and all(r.ok for r in results):
        return "finished"
    if any(r.status in ("queued", "running", "pending", "created", "timeout") for r in results):
        return "incomplete"
    return "failed"


def markdown(results: Sequence[Result], server: str) -> str:
    lines = [f"# REANA run: {overall(results)}", "", f"Server: {server}", ""]
    lines += [
        "| point | workflow | status | duration | jobs | outputs |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        name = f"[{r.workflow}]({r.url})" if r.url else (r.workflow or r.name)
        done = sum(1 for j in r.jobs if j.status == "finished")
        outputs = ", ".join(r.outputs) or "-"
        if r.missing:
            outputs += " (missing: " + ", ".join(r.missing) + ")"
        status = r.status + (f": {r.message.splitlines()[0]}" if r.message else "")
        cells = [r.point or "-", name, status, human(r.duration), f"{done}/{len(r.jobs)}", outputs]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def dotenv(results: Sequence[Result], server: str) -> str:
    """GitLab's dotenv report: one line per variable, no newlines in values."""
    created = [r for r in results if r.workflow]
    if len(created) == 1:
        workflow, url = created[0].workflow, created[0].url
    else:
        workflow, url = " ".join(r.workflow for r in created), server
    return f"REANA_WORKFLOW={workflow}\nREANA_URL={url}\n"


def table(results: Sequence[Result]) -> str:
    """The grid summary printed at the end: point, status, duration, outputs."""
    rows = [("point", "workflow", "status", "duration", "outputs")]
    for r in results:
        outputs = str(len(r.outputs)) + (f" ({len(r.missing)} missing)" if r.missing else "")
        rows.append((r.point or "-", r.workflow or r.name, r.status, human(r.duration), outputs))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
