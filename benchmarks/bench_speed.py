"""Every figure of issue 12 (speed and footprint) in one run, side by side, as ratios.

    python benchmarks/bench_speed.py [--baseline DIR/.venv/bin/recast-reana] [--rounds 15]
        [--scale-rounds 3] [--sizes 2500,5000] [--skip precommit,scale,importtime,startup]

1. Start-up on a clean REANA repository (tests/data/reana_layout): `recast-reana check`,
   `reana-client validate` 0.9.6 (installed once under benchmarks/.cache, see
   bench_vs_reana_client.py), `python -c 'import yaml'` and `python -c pass` of the same venv,
   run in alternation; medians, peak memory of each process, and the ratios the issue sets:
   validate/check >= 8, check/import-yaml <= 2.5.
2. `python -X importtime` of the check: the costliest imports, and which network, dataclass and
   subprocess modules it loads (none of requests, gitlab).
3. Through pre-commit on a git copy of the same repository: the recast-reana hook against a
   trivial check-yaml hook (pre-commit-hooks, installed once under benchmarks/.cache), alone
   and together; goal recast-reana/check-yaml <= 1.1.
4. Generated workflows (benchmarks/generate.py; convert on the recast-atlas layout of
   bench_convert.py) of 2500 and 5000 stages: `check` and `convert --out`, the 5000/2500 ratio
   (goal <= 2.15), check of 5000 stages under 4 s, and peak memory against the baseline (v0.1:
   goal at most half; without --baseline, against v0.1's figures from the issue).

This machine is shared and its CPU speed moves by up to 2x within minutes: every comparison
alternates its commands run by run and quotes the ratio of medians, not absolute seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_convert import recast_layout
from bench_vs_reana_client import BASE, CACHE, ensure_reana_client, offline_env, validate_cmd
from common import REPO, bench_env, load, machine, recast_reana_command
from generate import generate, write

PYTHON = Path(sys.executable)
HOOKS_VENV = CACHE / "pre-commit-hooks"
# v0.1's peak memory at 5000 stages (issue 12), used when no --baseline is given.
V01_PEAK_MB = {"check": 207.0, "convert": 224.0}
NETWORK = ("requests", "urllib3", "gitlab", "http.client", "ssl", "socket")
HEAVY = ("dataclasses", "inspect", "subprocess", "json", "difflib", "typing", "logging")


def run(
    argv: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit code) of one run, its output discarded."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=bench_env() if env is None else env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, proc.returncode


def alternate(
    commands: dict[str, tuple[Sequence[str], Path | None, dict[str, str] | None]],
    rounds: int,
    before: dict[str, object] | None = None,
) -> dict[str, tuple[list[float], list[float], set[int]]]:
    """Each command once per round, in turn; round 0 warms caches and is not counted."""
    out: dict[str, tuple[list[float], list[float], set[int]]] = {
        name: ([], [], set()) for name in commands
    }
    for i in range(rounds + 1):
        for name, (argv, cwd, env) in commands.items():
            if before and name in before:
                before[name]()  # type: ignore[operator]
            wall, rss, code = run(argv, cwd, env)
            out[name][2].add(code)
            if i:
                out[name][0].append(wall)
                out[name][1].append(rss)
    return out


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs)


def show(results: dict[str, tuple[list[float], list[float], set[int]]]) -> None:
    for name, (walls, rss, codes) in results.items():
        print(
            f"  {name:<34} {median(walls) * 1000:8.1f} ms  ({min(walls) * 1000:.0f}-"
            f"{max(walls) * 1000:.0f})  peak {median(rss):6.1f} MB  exit {sorted(codes)}"
        )


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def startup(rounds: int, baseline: Path | None) -> None:
    print(f"\n## 1. start-up: {rounds} alternating rounds on {BASE.relative_to(REPO)}")
    client = ensure_reana_client()
    commands: dict[str, tuple[Sequence[str], Path | None, dict[str, str] | None]] = {
        "python -c pass": ([str(PYTHON), "-c", "pass"], BASE, None),
        "python -c 'import yaml'": ([str(PYTHON), "-c", "import yaml"], BASE, None),
        "recast-reana check": ([*recast_reana_command(), "check", "."], BASE, None),
        "reana-client validate 0.9.6": (validate_cmd(client), BASE, offline_env()),
    }
    if baseline:
        commands["baseline check"] = ([str(baseline), "check", "."], BASE, None)
    results = alternate(commands, rounds)
    show(results)
    med = {name: median(r[0]) for name, r in results.items()}
    speedup = med["reana-client validate 0.9.6"] / med["recast-reana check"]
    over_yaml = med["recast-reana check"] / med["python -c 'import yaml'"]
    print(f"  validate / check     = {speedup:5.2f}x  (goal >= 8: {verdict(speedup >= 8)})")
    print(f"  check / import yaml  = {over_yaml:5.2f}x  (goal <= 2.5: {verdict(over_yaml <= 2.5)})")
    floor = med["recast-reana check"] / med["python -c pass"]
    print(f"  check / python -c pass = {floor:5.2f}x")
    if baseline:
        print(f"  baseline / check     = {med['baseline check'] / med['recast-reana check']:5.2f}x")


def importtime(top: int = 12) -> None:
    print("\n## 2. imports of `recast-reana check` (python -X importtime, median of 5 runs)")
    script = Path(recast_reana_command()[0])
    argv = [str(PYTHON), "-X", "importtime", str(script), "check", "."]
    self_us: dict[str, list[int]] = {}
    for _ in range(5):
        proc = subprocess.run(argv, cwd=BASE, env=bench_env(), capture_output=True, text=True)
        for line in proc.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            fields = line.split("|")
            name = fields[2].strip()
            self_us.setdefault(name, []).append(int(fields[0].split(":")[1]))
    costs = sorted(((median(v), k) for k, v in self_us.items()), reverse=True)
    total = sum(c for c, _ in costs)
    print(f"  {len(costs)} modules, {total / 1000:.1f} ms of import time (self, summed)")
    for cost, name in costs[:top]:
        print(f"  {cost / 1000:6.2f} ms  {name}")
    network = [m for m in self_us if m in NETWORK or m.split(".")[0] in NETWORK]
    heavy = [m for m in HEAVY if m in self_us]
    rules = sum(1 for m in self_us if m.startswith("recast_reana.lint.rules."))
    print(f"  network modules: {', '.join(network) or 'none'}")
    print(f"  of {', '.join(HEAVY)}: {', '.join(heavy) or 'none'}")
    print(f"  rule modules imported: {rules}")


def hooks_venv() -> Path:
    """check-yaml of pre-commit-hooks, in its own venv under benchmarks/.cache (made once)."""
    exe = HOOKS_VENV / "bin" / "check-yaml"
    if exe.is_file():
        return exe
    print(f"  creating {HOOKS_VENV} with pre-commit-hooks (once) ...", flush=True)
    shutil.rmtree(HOOKS_VENV, ignore_errors=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(HOOKS_VENV)
    pip = [str(HOOKS_VENV / "bin" / "python"), "-m", "pip", "install", "-q", "pre-commit-hooks"]
    subprocess.run(pip, check=True, capture_output=True)
    return exe


HOOKS = """repos:
- repo: local
  hooks:
  - id: recast-reana
    name: recast-reana check
    entry: {recast} check --no-online
    language: system
    types: [yaml]
    require_serial: true
  - id: check-yaml
    name: check yaml
    entry: {check_yaml}
    language: system
    types: [yaml]
"""


def precommit(rounds: int) -> None:
    print(f"\n## 3. pre-commit hooks: {rounds} alternating rounds, `pre-commit run --all-files`")
    pre_commit = PYTHON.parent / "pre-commit"
    if not pre_commit.is_file():
        print("  skipped: pre-commit is not installed next to this Python")
        return
    check_yaml = hooks_venv()
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        shutil.copytree(BASE, repo)
        config = HOOKS.format(recast=recast_reana_command()[0], check_yaml=check_yaml)
        (repo / ".pre-commit-config.yaml").write_text(config)
        env = {**bench_env(), "PRE_COMMIT_HOME": str(Path(tmp) / "home"), "SKIP": ""}
        git = ["git", "-c", "user.name=b", "-c", "user.email=b@b", "-c", "commit.gpgsign=false"]
        subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
        subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
        subprocess.run([*git, "commit", "-qm", "init"], cwd=repo, check=True)
        base = [str(pre_commit), "run", "--all-files"]
        results = alternate(
            {
                "hook recast-reana": ([*base, "recast-reana"], repo, env),
                "hook check-yaml": ([*base, "check-yaml"], repo, env),
                "both hooks": (base, repo, env),
            },
            rounds,
        )
    show(results)
    med = {name: median(r[0]) for name, r in results.items()}
    ratio = med["hook recast-reana"] / med["hook check-yaml"]
    print(f"  recast-reana / check-yaml = {ratio:5.2f}x  (goal <= 1.1: {verdict(ratio <= 1.1)})")
    print(f"  both / check-yaml         = {med['both hooks'] / med['hook check-yaml']:5.2f}x")


def scale(sizes: Sequence[int], rounds: int, baseline: Path | None) -> None:
    small, large = sizes
    print(f"\n## 4. generated workflows of {small} and {large} stages: {rounds} alternating rounds")
    tools = {"current": recast_reana_command()[0]}
    if baseline:
        tools["baseline"] = str(baseline)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        commands: dict[str, tuple[Sequence[str], Path | None, dict[str, str] | None]] = {}
        cleanups: dict[str, object] = {}
        for n in sizes:
            write(root / f"check{n}", generate(n))
            write(root / f"recast{n}", recast_layout(n))
        for tool, exe in tools.items():
            for n in sizes:
                commands[f"{tool} check {n}"] = (
                    [exe, "check", str(root / f"check{n}")],
                    root,
                    None,
                )
                out = root / f"out-{tool}-{n}"
                commands[f"{tool} convert --out {n}"] = (
                    [exe, "convert", str(root / f"recast{n}"), "--out", str(out)],
                    root,
                    None,
                )
                cleanups[f"{tool} convert --out {n}"] = lambda o=out: shutil.rmtree(o, True)
        results = alternate(commands, rounds, cleanups)
    show(results)
    med = {name: median(r[0]) for name, r in results.items()}
    rss = {name: median(r[1]) for name, r in results.items()}
    for what in ("check", "convert --out"):
        ratio = med[f"current {what} {large}"] / med[f"current {what} {small}"]
        print(f"  {what} {large}/{small} = {ratio:4.2f}x  (goal <= 2.15: {verdict(ratio <= 2.15)})")
    check_large = med[f"current check {large}"]
    print(
        f"  check of {large} stages: {check_large:.2f} s  (goal < 4 s: {verdict(check_large < 4)})"
    )
    for what, key in (("check", "check"), ("convert --out", "convert")):
        mine = rss[f"current {what} {large}"]
        before = rss.get(f"baseline {what} {large}", V01_PEAK_MB[key])
        source = "baseline" if baseline else "v0.1 per issue 12"
        print(
            f"  peak memory of {what} at {large}: {mine:.0f} MB against {before:.0f} MB "
            f"({source}) = {mine / before:.2f}  (goal <= 0.5: {verdict(mine / before <= 0.5)})"
        )
        if baseline:
            speed = med[f"baseline {what} {large}"] / med[f"current {what} {large}"]
            print(f"  {what} {large}: baseline / current time = {speed:.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, help="another recast-reana (e.g. v0.1's venv)")
    parser.add_argument("--rounds", type=int, default=15, help="rounds of the start-up runs")
    parser.add_argument("--hook-rounds", type=int, default=9)
    parser.add_argument("--scale-rounds", type=int, default=3)
    parser.add_argument("--sizes", default="2500,5000")
    parser.add_argument("--skip", default="", help="comma-separated sections to leave out")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    sizes = [int(s) for s in args.sizes.split(",")]
    print(machine())
    if "startup" not in skip:
        startup(args.rounds, args.baseline)
    if "importtime" not in skip:
        importtime()
    if "precommit" not in skip:
        precommit(args.hook_rounds)
    if "scale" not in skip:
        scale(sizes, args.scale_rounds, args.baseline)
    print(f"\nend: {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
