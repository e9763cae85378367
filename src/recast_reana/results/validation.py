"""After `run --wait --download`: check every result of every workflow, keep the history, plot.

The runner in reana/ calls `validate` once its workflows ended and adds the `Validation` to its
reports; a failed or unreadable result makes the run exit 1. Lines go to the caller's `out`/`err`
(nothing here prints); every text written goes through the caller's redactor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple
from xml.etree.ElementTree import Element

from recast_reana.results import plots, report
from recast_reana.results.compare import ERROR, FAILED, PASSED, SKIPPED, Check, check, skipped
from recast_reana.results.expected import Expectations
from recast_reana.results.history import load_history, save_history, this_run
from recast_reana.type_names import Any

HISTORY_CASE = "results history"


class Workflow(NamedTuple):
    """One REANA workflow of the run (one grid point), as the runner knows it."""

    point: str | None
    parameters: Mapping[str, Any]
    directory: Path  # where its outputs were downloaded
    name: str  # REANA's "<name>.<run number>"
    status: str


@dataclass
class Validation:
    checks: list[Check]
    plots: list[plots.Plot] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(c.status in (FAILED, ERROR) for c in self.checks)

    def junit_suite(self) -> Element:
        return report.junit_suite(self.checks)

    def summary(self) -> dict[str, Any]:
        return report.summary(self.checks, self.plots, self.notes)

    def markdown(self) -> str:
        return report.markdown(self.checks, self.plots, self.notes)


def validate(
    expectations: Expectations,
    workflows: Sequence[Workflow],
    *,
    report_dir: Path | None,
    history: Path | None,
    now: float,
    redact: Callable[[str], str],
    out: Callable[[str], None],
    err: Callable[[str], None],
) -> Validation | None:
    """Check each expected result of each workflow; None when nothing is expected."""
    if not expectations.results:
        return None
    _unknown_points(expectations, workflows, err)
    checks = []
    parsed: dict[Path, Any] = {}
    for wf in workflows:
        for expected in expectations.results:
            if expected.skip:
                checks.append(skipped(expected, wf.point, expected.skip))
            elif wf.status == "finished":
                checks.append(check(expected, wf.point, wf.directory, parsed))
            else:
                why = f"not checked: workflow {wf.name or wf.point} {wf.status}"
                checks.append(skipped(expected, wf.point, why))
    validation = Validation(checks)
    time = datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    runs = [this_run(time, [wf.name for wf in workflows if wf.name], checks)]
    if history is not None:
        loaded = load_history(history)
        if loaded.problem:
            message = f"{loaded.problem}; it is replaced by a new history from this run"
            err(f"recast-reana: error: {message}")
            validation.checks.append(Check(HISTORY_CASE, None, str(history), ERROR, message))
        runs = save_history(history, [*loaded.runs, *runs], expectations.keep_runs, redact)
    if report_dir is not None:
        _plot(validation, report_dir, runs, workflows, expectations, redact, out)
    for c in validation.checks:
        if c.status in (FAILED, ERROR) and c.name != HISTORY_CASE:
            err(f"recast-reana: error: result {c.label} {c.status}: {c.message}")
    statuses = (PASSED, FAILED, ERROR, SKIPPED)
    counts = {s: sum(c.status == s for c in validation.checks) for s in statuses}
    line = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    out(f"results: {len(validation.checks)} checked: {line}")
    return validation


def _unknown_points(
    expectations: Expectations, workflows: Sequence[Workflow], err: Callable[[str], None]
) -> None:
    """A point reference no grid point uses: a typo, or a grid file that changed."""
    points = [wf.point for wf in workflows if wf.point is not None]
    for expected in expectations.results:
        for name, reference in expected.points.items():
            if name not in points:
                known = ", ".join(points) if points else "none: not a grid run"
                err(
                    f"recast-reana: warning: {reference.where}: no grid point {name!r} to check "
                    f"against this reference (points: {known})"
                )


def _plot(
    validation: Validation,
    report_dir: Path,
    runs: Sequence[Mapping[str, Any]],
    workflows: Sequence[Workflow],
    expectations: Expectations,
    redact: Callable[[str], str],
    out: Callable[[str], None],
) -> None:
    if not plots.available():
        validation.notes.append(plots.SKIPPED_LINE)
        out(plots.SKIPPED_LINE)
        return
    parameters = {wf.point: wf.parameters for wf in workflows if wf.point is not None}
    checks = [c for c in validation.checks if c.name != HISTORY_CASE]
    try:
        drawn = plots.draw(
            report_dir, runs, checks, parameters, expectations.grid_parameter, redact
        )
    except (ValueError, OSError, RuntimeError) as exc:  # a plot is not worth the reports
        line = f"plots failed: {redact(str(exc)).splitlines()[0] if str(exc) else type(exc)}"
        validation.notes.append(line)
        out(line)
        return
    validation.plots = drawn
    for p in drawn:
        out(f"  plot: {report_dir / p.file}")
