"""`recast-reana run --grid FILE`: one REANA workflow per parameter point.

The file is YAML or CSV (by its suffix; `.csv` = CSV):
- YAML: a list of mappings (`- {mass: 300, xsec: 1.2}`), or a mapping of point name to mapping
  (`m300: {mass: 300}`);
- CSV: a header row of parameter names, then one row per point; an empty cell keeps the
  workflow's value.
A `point` key or column names the point; the default is its 1-based row number. Values are read
as YAML scalars, so numbers stay numbers. Each point's workflow is `<name>-<point>`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from recast_reana.errors import Error
from recast_reana.reana.plan import parse_value, sanitise
from recast_reana.type_names import Any

POINT_KEY = "point"
MAX_POINTS = 1000


@dataclass(frozen=True)
class Point:
    name: str
    parameters: dict[str, Any]


def load_grid(path: Path) -> list[Point]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise Error(f"--grid {path}: {getattr(exc, 'strerror', None) or exc}") from None
    rows = _csv(text, path) if path.suffix.lower() == ".csv" else _yaml(text, path)
    if not rows:
        raise Error(f"--grid {path}: no points")
    if len(rows) > MAX_POINTS:
        raise Error(f"--grid {path}: {len(rows)} points, at most {MAX_POINTS}")
    points: list[Point] = []
    seen: dict[str, int] = {}
    for number, (name, params) in enumerate(rows, 1):
        label = sanitise(str(name)) if name is not None else str(number)
        if label in seen:
            raise Error(
                f"--grid {path}: points {seen[label]} and {number} are both named {label!r}"
            )
        seen[label] = number
        points.append(Point(label, params))
    return points


def _yaml(text: str, path: Path) -> list[tuple[Any, dict[str, Any]]]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise Error(f"--grid {path}{where}: not valid YAML") from None
    if isinstance(data, dict):
        items: Iterable[tuple[Any, Any]] = data.items()
    elif isinstance(data, list) or data is None:
        items = [(None, row) for row in data or []]
    else:
        raise Error(
            f"--grid {path}: write a list of parameter mappings, or a mapping of point names to "
            "parameter mappings"
        )
    rows = []
    for number, (name, row) in enumerate(items, 1):
        if not isinstance(row, dict) or not all(isinstance(k, str) for k in row):
            raise Error(f"--grid {path}: point {name or number} is not a mapping of parameters")
        params = dict(row)
        rows.append((params.pop(POINT_KEY, name), _json_values(params)))
    return rows


def _csv(text: str, path: Path) -> list[tuple[Any, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text))
    lines = [row for row in reader if any(cell.strip() for cell in row)]
    if not lines:
        return []
    header = [h.strip() for h in lines[0]]
    if any(not h for h in header) or len(set(header)) != len(header):
        raise Error(f"--grid {path}: the header row needs unique, non-empty column names")
    rows = []
    for number, line in enumerate(lines[1:], 2):
        if len(line) != len(header):
            raise Error(f"--grid {path}:{number}: {len(line)} cells, header has {len(header)}")
        cells = {h: c.strip() for h, c in zip(header, line, strict=True)}
        name = cells.pop(POINT_KEY, "") or None
        rows.append((name, {k: parse_value(v) for k, v in cells.items() if v != ""}))
    return rows


def _json_values(params: dict[str, Any]) -> dict[str, Any]:
    """YAML dates and the like as text: the start request carries JSON."""
    return {
        k: v if isinstance(v, (str, int, float, bool, list, type(None))) else str(v)
        for k, v in params.items()
    }
