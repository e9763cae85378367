"""PNG plots of the results, with matplotlib (the optional extra `recast-reana[plots]`).

- `<result>-history.png`: each result across the runs of the history, the reference band of
  each run shaded, values that failed marked with a red cross;
- `<result>-grid.png` (a grid run): the result against the grid parameter (`validate.
  grid_parameter`, else the first numeric parameter that varies across the points), each point's
  reference as a grey bar, failed points as red crosses.
Figures are drawn on matplotlib's Agg canvas directly (no pyplot, no display, no global state).
"""

from __future__ import annotations

import importlib.util
import math
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from recast_reana.results.compare import FAILED, Check, is_number
from recast_reana.type_names import Any

SKIPPED_LINE = "plots skipped: pip install 'recast-reana[plots]'"
DIRECTORY = "plots"
MAX_TICKS = 16  # run labels on the x axis


class Plot(NamedTuple):
    title: str
    file: str  # relative to the report directory: plots/<name>.png


def available() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def draw(
    report_dir: Path,
    runs: Sequence[Mapping[str, Any]],
    checks: Sequence[Check],
    parameters: Mapping[str, Mapping[str, Any]],
    grid_parameter: str | None,
    redact: Callable[[str], str],
) -> list[Plot]:
    """Write the plots into `report_dir/plots`; `runs` ends with this run's history entry."""
    names = list(dict.fromkeys(c.name for c in checks))
    used: set[str] = set()
    plots = []
    for name in names:
        slug = _slug(name, used)
        title = _text(redact(name))
        mine = [c for c in checks if c.name == name]
        if _trend(report_dir / DIRECTORY / f"{slug}-history.png", title, name, runs):
            plots.append(Plot(f"{name}: last {len(runs)} runs", f"{DIRECTORY}/{slug}-history.png"))
        if any(c.point is not None for c in mine):
            file = f"{DIRECTORY}/{slug}-grid.png"
            axis = _grid_axis(parameters, grid_parameter)
            if _grid(report_dir / file, title, mine, parameters, axis):
                plots.append(Plot(f"{name} against {axis or 'the grid point'}", file))
    return plots


def _figure() -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.5, 4.2), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _trend(path: Path, title: str, name: str, runs: Sequence[Mapping[str, Any]]) -> bool:
    series: dict[str | None, list[Mapping[str, Any] | None]] = {}
    for i, run in enumerate(runs):
        for entry in run.get("results", []):
            if entry.get("name") == name:
                series.setdefault(entry.get("point"), [None] * len(runs))[i] = entry
    if not any(e and is_number(e.get("value")) for s in series.values() for e in s):
        return False
    figure = _figure()
    ax = figure.add_subplot()
    xs = list(range(len(runs)))
    bad: list[tuple[int, float]] = []
    for point, entries in series.items():
        values = [_float(e, "value") for e in entries]
        label = "value" if point is None else _text(str(point))
        ax.plot(xs, values, marker="o", ms=4, label=label)
        if len(series) == 1:
            _band(ax, [_float(e, "low") for e in entries], [_float(e, "high") for e in entries])
        bad += [
            (x, v)
            for x, v, e in zip(xs, values, entries, strict=True)
            if e and e.get("status") == FAILED and not math.isnan(v)
        ]
    if bad:
        ax.plot(*zip(*bad, strict=True), "x", color="red", ms=10, mew=2.5, label="failed")
    ax.set_xlim(-0.5, len(runs) - 0.5)
    step = math.ceil(len(runs) / MAX_TICKS)  # 30 nights: every other one labelled
    labels = [_run_label(r, detailed=len(runs) <= MAX_TICKS // 2) for r in runs]
    ax.set_xticks(xs[::step], labels[::step], rotation=45, ha="right", fontsize=7)
    ax.set_title(f"{title}: last {len(runs)} run(s)")
    ax.set_xlabel("run")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    _save(figure, path)
    return True


def _band(ax: Any, low: list[float], high: list[float]) -> None:
    """Each run's reference band, one run wide: a band that changes shows when it changed."""
    if all(math.isnan(v) for v in low):
        return
    edges = [x + d for x in range(len(low)) for d in (-0.5, 0.5)]
    twice = [[v, v] for v in low], [[v, v] for v in high]
    lows, highs = ([v for pair in side for v in pair] for side in twice)
    ax.fill_between(edges, lows, highs, color="tab:green", alpha=0.25, label="reference band")


def _grid(
    path: Path,
    title: str,
    checks: Sequence[Check],
    parameters: Mapping[str, Mapping[str, Any]],
    axis: str | None,
) -> bool:
    shown = [c for c in checks if c.number is not None or c.low is not None]
    if not shown:
        return False
    figure = _figure()
    ax = figure.add_subplot()
    if axis is not None:
        xs = [float(parameters[str(c.point)][axis]) for c in shown]
    else:
        xs = list(range(len(shown)))
        ax.set_xticks(xs, [_text(str(c.point)) for c in shown], rotation=45, ha="right")
    refs = [(x, c) for x, c in zip(xs, shown, strict=True) if c.low is not None]
    if refs:
        ax.vlines(
            [x for x, _ in refs],
            [c.low for _, c in refs],
            [c.high for _, c in refs],
            color="grey",
            lw=8,
            alpha=0.35,
            label="reference ± tolerance",
        )
        ax.plot(
            [x for x, _ in refs],
            [c.expected for _, c in refs],
            "_",
            color="black",
            ms=14,
            label="reference",
        )
    good = [
        (x, c.number)
        for x, c in zip(xs, shown, strict=True)
        if c.number is not None and c.status != FAILED
    ]
    bad = [
        (x, c.number)
        for x, c in zip(xs, shown, strict=True)
        if c.number is not None and c.status == FAILED
    ]
    order = sorted((x, c.number) for x, c in zip(xs, shown, strict=True) if c.number is not None)
    if order:
        ax.plot(*zip(*order, strict=True), "-", color="tab:blue", alpha=0.5)
    if good:
        ax.plot(*zip(*good, strict=True), "o", color="tab:blue", label="passed")
    if bad:
        ax.plot(*zip(*bad, strict=True), "X", color="red", ms=11, label="failed")
    ax.set_title(f"{title} against {_text(axis) if axis else 'the grid point'}")
    ax.set_xlabel(_text(axis) if axis else "grid point")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    _save(figure, path)
    return True


def _grid_axis(parameters: Mapping[str, Mapping[str, Any]], wanted: str | None) -> str | None:
    """The parameter to plot against: the configured one, else the first number that varies."""
    points = list(parameters.values())
    if not points:
        return None
    candidates = [wanted] if wanted else list(dict.fromkeys(k for p in points for k in p))
    for key in candidates:
        values = [p.get(key) for p in points]
        if all(is_number(v) for v in values) and len(set(values)) > 1:
            return key
    return None


def _save(figure: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")


def _float(entry: Mapping[str, Any] | None, key: str) -> float:
    value: Any = entry.get(key) if entry else None
    return float(value) if is_number(value) else math.nan


def _run_label(run: Mapping[str, Any], detailed: bool) -> str:
    """`12-04 02:00`, and with few runs the REANA workflow (`vhbb.41`) under it."""
    time = str(run.get("time", ""))[5:16].replace("T", " ")
    flows = run.get("workflows") or []
    return f"{time}\n{flows[0]}" if detailed and len(flows) == 1 else time


def _slug(name: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "result"
    slug, n = base, 1
    while slug in used:
        n += 1
        slug = f"{base}-{n}"
    used.add(slug)
    return slug


def _text(text: str) -> str:
    """As matplotlib shows it literally: `$` would start mathtext."""
    return text.replace("$", r"\$")
