"""The whole test suite's wall time from a fresh clone, against another revision (issue 9).

    python benchmarks/bench_suite.py [--baseline 776d875] [--rounds 2] [--rev HEAD]

Each round clones this repository twice into a temporary directory, checks out the baseline
(v0.1 by default) and the revision under test, and runs each clone's `.ci/run` with CI=true
(the README's test command at that revision: its venv, its installs (pip at v0.1, uv now) and
pytest, with the machine's pip, uv, npm and test caches as CI finds them), alternating the two.
It prints each run's seconds and pytest's last line, the medians and their ratio. SIGINT is
ignored in the runs, as in the background shell CI starts `.ci/run` from. The clones are made
beside this checkout (in its parent directory), where the real-REANA tier finds
`shared/reana-real/`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, load, machine


def run_suite(rev: str, parent: Path) -> tuple[float, int, str]:
    """(seconds, exit code, pytest's summary line) of `.ci/run` in a fresh clone of `rev`."""
    clone = Path(tempfile.mkdtemp(prefix="suite-", dir=parent))
    try:
        subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
        subprocess.run(["git", "-C", str(clone), "checkout", "-q", rev], check=True)
        env = {**os.environ, "CI": "true"}
        start = time.perf_counter()
        done = subprocess.run(
            ["bash", ".ci/run"],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        )
        seconds = time.perf_counter() - start
        ends = [line for line in done.stdout.splitlines() if " passed" in line or " failed" in line]
        return seconds, done.returncode, (ends[-1].strip("= ") if ends else done.stderr[-300:])
    finally:
        shutil.rmtree(clone, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="776d875", help="revision to compare with (v0.1)")
    parser.add_argument("--rev", default="HEAD", help="revision under test")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    revs = {
        name: subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", rev],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for name, rev in (("baseline", args.baseline), ("current", args.rev))
    }
    print(machine())
    print(f"load average at start: {load()}")
    times: dict[str, list[float]] = {name: [] for name in revs}
    for round_ in range(1, args.rounds + 1):
        for name, rev in revs.items():
            seconds, code, summary = run_suite(rev, REPO.parent)
            times[name].append(seconds)
            print(f"round {round_} {name:8s} {rev}: {seconds:6.1f} s  exit {code}  {summary}")
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, rev in revs.items():
        print(f"median {name:8s} {rev}: {medians[name]:6.1f} s")
    print(f"current / baseline = {medians['current'] / medians['baseline']:.2f}")
    print(f"load average at end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
