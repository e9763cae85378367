"""What checking results costs after `run --wait --download`: time, history size, plot sizes.

For R results of a grid of P points (each point's YAML file written to a download directory) with
a history already holding N-1 runs, `results.validation.validate` is timed, the median of
`--repeat` runs:

* checks only (no --history, no --report-dir);
* checks + history (read, append, write the last N runs);
* checks + history + plots (matplotlib; R history plots and R grid plots).

It prints the history file's size and the PNG sizes. Run with the Python that has recast-reana
installed with its `plots` extra:

    python benchmarks/bench_results.py [--results 10] [--points 20] [--runs 30] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine

from recast_reana.results import plots
from recast_reana.results.expected import Expectations, Expected, Reference
from recast_reana.results.history import save_history, this_run
from recast_reana.results.validation import Validation, Workflow, validate


def setup(root: Path, results: int, points: int) -> tuple[Expectations, list[Workflow]]:
    expected = []
    for r in range(results):
        own = {f"m{p}": Reference(value=1.0 + p / 10, rel_tol=0.05) for p in range(points)}
        base = Reference(rel_tol=0.05, path=("limits", f"r{r}"))
        expected.append(Expected(f"result {r}", "fit/limits.yaml", True, base, own))
    workflows = []
    for p in range(points):
        directory = root / "out" / f"m{p}"
        (directory / "fit").mkdir(parents=True)
        # One point in ten outside its tolerance.
        values = "\n".join(
            f"  r{r}: {1.0 + p / 10 + (0.2 if p % 10 == 3 else 0.01)}" for r in range(results)
        )
        (directory / "fit/limits.yaml").write_text(f"limits:\n{values}\n")
        workflows.append(
            Workflow(f"m{p}", {"mass": 300 + 50 * p}, directory, f"a-m{p}.1", "finished")
        )
    return Expectations(tuple(expected), keep_runs=10_000), workflows


def timed(call: Callable[[], Validation | None], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=int, default=10)
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        expectations, workflows = setup(root, args.results, args.points)
        history = root / "history.json"
        quiet: Callable[[str], None] = lambda line: None  # noqa: E731

        def run(history_file: Path | None, report_dir: Path | None) -> Validation | None:
            if history_file is not None:  # the previous N-1 nights, as CI fetches them
                first = validate(
                    expectations,
                    workflows,
                    report_dir=None,
                    history=None,
                    now=0,
                    redact=str,
                    out=quiet,
                    err=quiet,
                )
                assert first is not None
                old = [this_run("2026-12-01T02:00:00Z", ["a.1"], first.checks)]
                save_history(history_file, old * (args.runs - 1), args.runs, str)
            return validate(
                expectations,
                workflows,
                report_dir=report_dir,
                history=history_file,
                now=time.time(),
                redact=str,
                out=quiet,
                err=quiet,
            )

        checks = args.results * args.points
        print(f"{args.results} results x {args.points} points = {checks} checks, {args.runs} runs")
        only = timed(lambda: run(None, None), args.repeat)
        print(f"checks only:               {only * 1000:8.1f} ms")
        # The history's own time: the setup write of N-1 runs is included, an upper bound.
        kept = timed(lambda: run(history, None), args.repeat)
        size = history.stat().st_size
        print(f"checks + history:          {kept * 1000:8.1f} ms  (history {size / 1024:.0f} KiB)")
        if not plots.available():
            print(plots.SKIPPED_LINE)
            return
        reports = root / "reports"
        drawn = timed(lambda: run(history, reports), args.repeat)
        pngs = sorted((reports / "plots").glob("*.png"))
        total = sum(p.stat().st_size for p in pngs)
        print(
            f"checks + history + plots:  {drawn * 1000:8.1f} ms  ({len(pngs)} PNGs, "
            f"{total / len(pngs) / 1024:.0f} KiB each on average)"
        )


if __name__ == "__main__":
    main()
