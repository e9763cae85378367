"""The history of a result across nightly runs: a small versioned JSON file.

    {"format": "recast-reana results history", "version": 1,
     "runs": [{"time": "2026-12-04T02:00:00Z", "workflows": ["vhbb.41"],
               "results": [{"name": ..., "point": null, "status": "passed", "value": 1.52,
                            "expected": 1.5, "low": 1.425, "high": 1.575}]}]}

`run --history FILE` reads FILE when it exists (in CI: the previous pipeline's artifact, fetched
into place before the run), appends this run and keeps the last `validate.keep_runs` (30). A file
that is not such a history (corrupt, another version) is reported in one line and replaced by a
new history holding this run only: the plots then start again, the run is checked as always.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from recast_reana.filetree import atomic_write
from recast_reana.results.compare import Check, is_number
from recast_reana.type_names import Any

FORMAT = "recast-reana results history"
VERSION = 1
MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Loaded:
    runs: list[dict[str, Any]]
    problem: str = ""  # one line: why the file was not used


def load_history(path: Path) -> Loaded:
    """The runs FILE holds; none (and no problem) when it does not exist."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return Loaded([], f"{path}: larger than {MAX_BYTES} bytes, not a results history")
        data = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return Loaded([])
    except OSError as exc:
        return Loaded([], f"{path}: cannot read it: {exc.strerror or exc}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" (line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else ""
        return Loaded([], f"{path}: corrupt, not JSON{where}")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return Loaded([], f"{path}: not a recast-reana results history")
    version = data.get("version")
    if version != VERSION:
        older = isinstance(version, int) and version < VERSION
        age = "an older" if older else "a newer" if isinstance(version, int) else "an unknown"
        return Loaded(
            [],
            f"{path}: written by {age} recast-reana (version {version!r}, this one reads "
            f"{VERSION})",
        )
    runs = data.get("runs")
    if not isinstance(runs, list) or not all(_valid_run(r) for r in runs):
        return Loaded([], f"{path}: corrupt (runs are not as recast-reana writes them)")
    return Loaded(runs)


def _valid_run(run: Any) -> bool:
    if not isinstance(run, dict) or not isinstance(run.get("time"), str):
        return False
    results = run.get("results")
    return isinstance(results, list) and all(
        isinstance(r, dict)
        and isinstance(r.get("name"), str)
        and (r.get("point") is None or isinstance(r.get("point"), str))
        and all(r.get(k) is None or is_number(r.get(k)) for k in ("value", "low", "high"))
        for r in results
    )


def this_run(time: str, workflows: Sequence[str], checks: Sequence[Check]) -> dict[str, Any]:
    """The history entry of this run: numbers and texts only (no file content beyond them)."""
    entries = []
    for c in checks:
        entry: dict[str, Any] = {"name": c.name, "point": c.point, "status": c.status}
        entry["value"] = c.number
        entry["expected"] = c.expected if is_number(c.expected) else None
        entry["low"], entry["high"] = c.low, c.high
        entries.append(entry)
    return {"time": time, "workflows": list(workflows), "results": entries}


def save_history(
    path: Path, runs: Sequence[dict[str, Any]], keep: int, redact: Callable[[str], str]
) -> list[dict[str, Any]]:
    """Write the last `keep` runs; returns them."""
    kept = list(runs)[-keep:]
    # One run a line: compact (30 runs of 200 checks: ~0.5 MB), and a diff shows the new night.
    head = json.dumps({"format": FORMAT, "version": VERSION})[:-1]
    lines = ",\n".join(json.dumps(run, separators=(",", ":")) for run in kept)
    text = f'{head}, "runs": [\n{lines}\n]}}\n'
    atomic_write(path, redact(text).encode("utf-8"))
    return kept
