"""What both benchmarks share: the machine description, the command under test, statistics."""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYCACHE = Path(__file__).resolve().parent / ".cache" / "pycache"


def bench_env() -> dict[str, str]:
    """The environment for timed runs: with bytecode caches, as an installed tool has them.

    pip compiles an installed package (reana-client) to bytecode, but an editable install of
    recast-reana is compiled on first import, and not at all under PYTHONDONTWRITEBYTECODE (set on
    some machines), which would charge every run ~0.1 s of compiling. So both tools run without it
    and with their caches under benchmarks/.cache/pycache (the source tree stays clean); the first,
    untimed run of each fills them.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


def machine() -> str:
    """nproc, CPU model, memory, OS and Python, as one block of text."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 1024 / 1024:.1f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    try:
        import yaml

        libyaml = "with libyaml" if hasattr(yaml, "CSafeLoader") else "pure Python"
        pyyaml = f"PyYAML {yaml.__version__} ({libyaml})"
    except ImportError:  # pragma: no cover
        pyyaml = "no PyYAML"
    return "\n".join(
        [
            f"machine: {os.cpu_count()} CPUs (nproc {_nproc()}), {cpu}{mem}",
            f"system:  {platform.platform()}, {load()}",
            f"python:  {sys.version.split()[0]} ({sys.executable}), {pyyaml}",
            calibration(),
        ]
    )


def calibration(runs: int = 9) -> str:
    """A fixed pure-Python loop timed `runs` times: how steady this machine's CPU is right now.

    On shared virtual machines the same work can take 50% longer from one second to the next;
    compare benchmark spreads with this one before reading much into them.
    """
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        sum(i * i for i in range(300_000))
        times.append(time.perf_counter() - start)
    med = statistics.median(times)
    return (
        f"cpu:     fixed loop {med * 1000:.1f} ms median, {min(times) * 1000:.1f}-"
        f"{max(times) * 1000:.1f} ms over {runs} runs (spread {max(times) / min(times):.2f}x)"
    )


def load() -> str:
    """The load average: other work on the machine skews wall times, so say how busy it was."""
    try:
        return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


def _nproc() -> str:
    try:
        return subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def recast_reana_command() -> list[str]:
    """The installed console script next to this Python (what a hook runs), else `-m`."""
    script = Path(sys.executable).parent / "recast-reana"
    if script.is_file():
        return [str(script)]
    found = shutil.which("recast-reana")
    return [found] if found else [sys.executable, "-m", "recast_reana"]


def timed_run(
    argv: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall time of one run of `argv` (output captured; `bench_env()` by default) and its result."""
    start = time.perf_counter()
    proc = subprocess.run(
        list(argv), cwd=cwd, env=bench_env() if env is None else env, capture_output=True, text=True
    )
    return time.perf_counter() - start, proc


def summary(times: Sequence[float]) -> str:
    """`median (min-max)` in seconds."""
    return f"{statistics.median(times):.3f} s ({min(times):.3f}-{max(times):.3f})"
