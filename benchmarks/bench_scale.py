"""How `recast-reana check` scales with the number of stages.

Generates REANA-layout workflows (benchmarks/generate.py) of several sizes into a temporary
directory and times, for each size:

* in-process: `load_project` + `check` (what `recast-reana check` does between start-up and
  printing; on these REANA-layout repositories `check` is `lint`), the median of `--repeat` runs,
  split into load and lint;
* as a subprocess: `recast-reana check DIR` wall time including interpreter start-up and imports,
  the median of `--repeat-cli` runs.

Both workflow variants are measured: one step definition per stage (hand-written specs, the
heavier case) and steps shared by all stages of a kind (generated grids). The goals (issue 2):
500 stages checked in under 1 s, and 1000 stages costing at most 2.2x the time of 500.

Run with the Python that has recast-reana installed:

    python benchmarks/bench_scale.py [--sizes 10,50,100,250,500,1000] [--repeat 7] [--repeat-cli 5]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import calibration, load, machine, recast_reana_command, summary, timed_run
from generate import generate, write

GOAL_500 = 1.0
GOAL_RATIO = 2.2


def in_process(root: Path, repeat: int) -> tuple[list[float], list[float], list[float], list[str]]:
    """(total, load, lint) times of `repeat` runs and the diagnostics (one line each)."""
    from recast_reana.convert.check import check
    from recast_reana.model.config import load_config
    from recast_reana.model.project import load_project

    totals, loads, lints = [], [], []
    found: list[str] = []
    for _ in range(repeat):
        gc.collect()  # the previous run's project (its stage graph has cycles) is not timed here
        start = time.perf_counter()
        project = load_project(root, load_config(root))
        loaded = time.perf_counter()
        found = [f"{d.path}:{d.line}:{d.col}: {d.rule} {d.message}" for d in check(project)]
        end = time.perf_counter()
        totals.append(end - start)
        loads.append(loaded - start)
        lints.append(end - loaded)
    return totals, loads, lints, found


def rule_times(root: Path, repeat: int, top: int = 8) -> None:
    """Where the lint time of one workflow goes: the slowest rules, median of `repeat` runs."""
    from recast_reana.lint.registry import RULES
    from recast_reana.model.config import load_config
    from recast_reana.model.project import load_project

    project = load_project(root, load_config(root))
    times: dict[str, list[float]] = {rule_id: [] for rule_id in RULES}
    for _ in range(repeat):
        gc.collect()
        for rule_id, rule in RULES.items():
            start = time.perf_counter()
            for _found in rule.check(project, dict(getattr(rule, "OPTIONS", {}))):
                pass
            times[rule_id].append(time.perf_counter() - start)
    medians = sorted(((statistics.median(t), r) for r, t in times.items()), reverse=True)
    total = sum(m for m, _ in medians)
    shown = ", ".join(f"{r} {RULES[r].NAME} {m * 1000:.0f}" for m, r in medians[:top])
    print(f"  rules on {root.name}: {total * 1000:.0f} ms in all; slowest (ms): {shown}")


def run(
    sizes: list[int], repeat: int, repeat_cli: int, shared: bool, tmp: Path
) -> dict[int, tuple[float, float]]:
    label = "steps shared by kind" if shared else "one step per stage"
    print(f"\n## {label}\n")
    header = (
        f"{'stages':>6} {'lines':>6} {'KiB':>5} | {'in-process median (min-max)':<28} "
        f"{'load':>7} {'lint':>7} | {'subprocess median (min-max)':<28} diags"
    )
    print(header)
    print("-" * len(header))
    medians: dict[int, tuple[float, float]] = {}
    cmd = recast_reana_command()
    for n in sizes:
        files = generate(n, shared_steps=shared)
        root = write(tmp / f"{'shared' if shared else 'distinct'}-{n}", files)
        lines = sum(t.count("\n") for t in files.values())
        size = sum(len(t.encode()) for t in files.values()) / 1024
        totals, loads, lints, found = in_process(root, repeat)
        timed_run([*cmd, "check", str(root)])  # untimed: fills the bytecode cache (bench_env)
        walls = []
        for _ in range(repeat_cli):
            wall, proc = timed_run([*cmd, "check", str(root)])
            if proc.returncode not in (0, 1):
                sys.exit(f"recast-reana check {root} failed ({proc.returncode}):\n{proc.stderr}")
            walls.append(wall)
        medians[n] = (statistics.median(totals), statistics.median(walls))
        print(
            f"{n:>6} {lines:>6} {size:>5.0f} | {summary(totals):<28} "
            f"{statistics.median(loads):>7.3f} {statistics.median(lints):>7.3f} | "
            f"{summary(walls):<28} {len(found)}"
        )
        for line in found[:5]:  # a clean workflow has none; show what a rule found
            print(f"         {line[:150]}")
    if 500 in medians:
        rule_times(tmp / f"{'shared' if shared else 'distinct'}-500", repeat)
        in500, cli500 = medians[500]
        print(
            f"\n500 stages: in-process {in500:.3f} s, subprocess {cli500:.3f} s "
            f"(goal < {GOAL_500:.1f} s: {'met' if cli500 < GOAL_500 else 'NOT met'})"
        )
        if 1000 in medians:
            in1000, cli1000 = medians[1000]
            r_in, r_cli = in1000 / in500, cli1000 / cli500
            print(
                f"1000/500 ratio: in-process {r_in:.2f}, subprocess {r_cli:.2f} "
                f"(goal <= {GOAL_RATIO}: {'met' if max(r_in, r_cli) <= GOAL_RATIO else 'NOT met'})"
            )
    return medians


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,50,100,250,500,1000")
    parser.add_argument("--repeat", type=int, default=7, help="in-process runs per size")
    parser.add_argument("--repeat-cli", type=int, default=5, help="subprocess runs per size")
    parser.add_argument("--variant", choices=("both", "distinct", "shared"), default="both")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    from recast_reana.lint.registry import RULES

    print("# recast-reana check: scale benchmark\n")
    print(machine())
    print(f"rules:   {len(RULES)} ({', '.join(RULES)})")
    print(f"command: {' '.join(recast_reana_command())} check DIR")
    print(f"repeats: {args.repeat} in-process, {args.repeat_cli} subprocess; medians in seconds")
    with tempfile.TemporaryDirectory(prefix="recast-reana-scale-") as tmp:
        for shared in (False, True):
            if args.variant == "both" or args.variant == ("shared" if shared else "distinct"):
                run(sizes, args.repeat, args.repeat_cli, shared, Path(tmp))
    print(f"\nat the end: {load()}\n{calibration()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
