"""One result at one grid point against its reference: a `Check` (a JUnit test case).

A number passes when |got - value| <= max(abs_tol, rel_tol * |value|) (as `math.isclose`; with
neither tolerance given, rel_tol 1e-9); a text or a boolean when it is equal. A result without a
reference passes when its file exists (and, for a `load_yaml` result, reads); its value is kept
for the history and the plots.
"""

from __future__ import annotations

import math
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from recast_reana.results.expected import Expected, Reference
from recast_reana.results.values import Unreadable, dotted, read_value
from recast_reana.type_names import Any

PASSED, FAILED, ERROR, SKIPPED = "passed", "failed", "error", "skipped"
DEFAULT_REL_TOL = 1e-9


@dataclass(frozen=True)
class Check:
    name: str
    point: str | None
    relpath: str
    status: str  # PASSED, FAILED, ERROR (missing or unreadable), SKIPPED (workflow failed)
    message: str  # one line
    got: Any = None
    expected: Any = None
    low: float | None = None  # the reference band of a number
    high: float | None = None
    tolerance: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} [{self.point}]" if self.point is not None else self.name

    @property
    def number(self) -> float | None:
        """The value as a number, for the history and the plots."""
        number = float(self.got) if is_number(self.got) else math.nan
        return number if math.isfinite(number) else None


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check(
    expected: Expected,
    point: str | None,
    directory: Path,
    parsed: dict[Path, Any] | None = None,
) -> Check:
    """Read the result the workflow of `point` downloaded into `directory` and compare it
    (`parsed`: the files read so far, several results often share one)."""
    reference = expected.at(point)
    shown = posixpath.join(point, expected.relpath) if point else expected.relpath

    def outcome(status: str, message: str, **values: Any) -> Check:
        return Check(expected.name, point, expected.relpath, status, message, **values)

    if reference is not None and reference.problem:
        return outcome(ERROR, reference.problem)
    norm = posixpath.normpath(expected.relpath)
    if not expected.relpath or norm.startswith(("/", "../")) or norm == "..":
        where = f"{expected.where}: " if expected.where else ""
        return outcome(ERROR, f"{where}relpath {expected.relpath!r} is not a workspace file")
    path = directory / norm
    wanted = reference is not None and (reference.value is not None or reference.path)
    if not expected.load_yaml and not wanted:
        if path.is_file():
            return outcome(PASSED, f"{shown} produced")
        return outcome(ERROR, f"{shown}: not produced (not in the downloaded outputs)")
    try:
        got = read_value(path, shown, reference.path if reference else (), parsed)
    except Unreadable as exc:
        return outcome(ERROR, str(exc))
    if reference is None or reference.value is None:
        return outcome(PASSED, f"got {_show(got)} (no reference value)", got=got)
    return _compare(outcome, got, reference, shown)


def skipped(expected: Expected, point: str | None, why: str) -> Check:
    return Check(expected.name, point, expected.relpath, SKIPPED, why)


def _compare(outcome: Callable[..., Check], got: Any, ref: Reference, shown: str) -> Check:
    want = ref.value
    at = f" at {dotted(ref.path)}" if ref.path else ""
    if is_number(want):
        bound, tolerance = _tolerance(ref)
        low, high = want - bound, want + bound
        band = {"expected": want, "low": low, "high": high, "tolerance": tolerance}
        if not is_number(got):
            message = f"expected a number ({want}), got {_show(got)} in {shown}{at}"
            return outcome(FAILED, message, got=got, **band)
        diff = got - want
        if math.isfinite(got) and abs(diff) <= bound:
            return outcome(
                PASSED, f"got {_num(got)}, expected {_num(want)} {tolerance}", got=got, **band
            )
        relative = f" ({diff / want:+.1%})" if want and math.isfinite(diff) else ""
        message = (
            f"got {_num(got)}, expected {_num(want)} {tolerance}: off by {_num(diff, sign=True)}"
            f"{relative}, outside the tolerance by {_num(abs(diff) - bound)}"
            if math.isfinite(diff)
            else f"got {_num(got)}, expected {_num(want)} {tolerance}"
        )
        return outcome(FAILED, message, got=got, **band)
    if type(got) is not type(want):  # the text '1.5' is not the number 1.5
        message = f"expected {_show(want)}, got {_show(got)} in {shown}{at}"
        return outcome(FAILED, message, got=got, expected=want)
    if got == want:
        return outcome(PASSED, f"got {_show(got)}", got=got, expected=want)
    message = f"expected {_show(want)}, got {_show(got)} in {shown}{at}"
    return outcome(FAILED, message, got=got, expected=want)


def _tolerance(ref: Reference) -> tuple[float, str]:
    """The allowed deviation and how the report names it."""
    want = float(ref.value)
    if ref.rel_tol is None and ref.abs_tol is None:
        bound = DEFAULT_REL_TOL * abs(want)
        return bound, "(exact: no rel_tol or abs_tol given)"
    rel = (ref.rel_tol or 0.0) * abs(want)
    bound = max(ref.abs_tol or 0.0, rel)
    parts = []
    if ref.rel_tol is not None:
        parts.append(f"rel_tol {ref.rel_tol:g}")
    if ref.abs_tol is not None:
        parts.append(f"abs_tol {ref.abs_tol:g}")
    return bound, f"± {_num(bound)} ({', '.join(parts)})"


def _num(value: float, sign: bool = False) -> str:
    return f"{value:+.6g}" if sign else f"{value:.6g}"


def _show(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if is_number(value):
        return f"the number {_num(value)}"
    text = str(value)
    return f"the text {text[:60]!r}" + ("..." if len(text) > 60 else "")
