"""Inputs built to hurt: the time and memory budgets of issue 11 on each of them.

Each case writes a repository and runs `recast-reana check` (text with snippets, JSON, GitLab
Code Quality) and `convert --out` on it, as a separate process, printing the wall time and the
peak memory (max RSS) of each. The budget: under 10 s and 400 MB per command, or an early RR004
refusal naming the limit.

    python benchmarks/hostile.py [--only NAME] [--keep DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from common import machine, recast_reana_command
from generate import write

STEP = """\
{name}:
  process:
    process_type: interpolated-script-cmd
    script: |
      {script}
  environment:
    environment_type: docker-encapsulated
    image: gitlab-registry.cern.ch/analyst/selection
    imagetag: v1.2.0
  publisher:
    publisher_type: interpolated-pub
    publish:
      out: '{{outfile}}'
"""
RECAST = "name: x\nmetadata: {author: a, short_description: b}\nspec:\n  workflow: workflow.yml\n"


def stages(n: int) -> dict[str, str]:
    """A chain of `n` stages sharing one step, each reading the stage before it without
    depending on it (RR303): a finding per stage, about 240 bytes a stage."""
    parts = ["stages:\n"]
    for i in range(n):
        reads = f"{{step: s{i - 1}, output: out}}" if i else "{step: init, output: data}"
        parts.append(
            f"- name: s{i}\n  dependencies: [init]\n  scheduler:\n"
            "    scheduler_type: singlestep-stage\n"
            f"    parameters: {{inp: {reads}, outfile: '{{workdir}}/o'}}\n"
            "    step: {$ref: 'steps.yml#/s'}\n"
        )
    recast = RECAST + "example_inputs:\n  default:\n    initdata: {data: in.root}\n"
    step = STEP.format(name="s", script="cp {inp} {outfile}")
    return {"recast.yml": recast, "specs/workflow.yml": "".join(parts), "specs/steps.yml": step}


def placeholders(n: int) -> dict[str, str]:
    """One step whose script holds `n` placeholders, half of them undefined (RR306)."""
    script = " ".join(f"{{p{i}}}" for i in range(n))
    workflow = (
        "stages:\n- name: s\n  dependencies: [init]\n  scheduler:\n"
        "    scheduler_type: singlestep-stage\n    parameters:\n"
        + "".join(f"      p{i}: {i}\n" for i in range(0, n, 2))
        + "      outfile: '{workdir}/o'\n    step: {$ref: 'steps.yml#/s'}\n"
    )
    return {
        "recast.yml": RECAST,
        "specs/workflow.yml": workflow,
        "specs/steps.yml": STEP.format(name="s", script=script),
    }


def dependencies(n: int) -> dict[str, str]:
    """One stage depending on `n` stages that do not exist (RR301 each)."""
    deps = ", ".join(f"missing{i}" for i in range(n))
    workflow = (
        f"stages:\n- name: s\n  dependencies: [init, {deps}]\n  scheduler:\n"
        "    scheduler_type: singlestep-stage\n    parameters: {outfile: '{workdir}/o'}\n"
        "    step: {$ref: 'steps.yml#/s'}\n"
    )
    return {
        "recast.yml": RECAST,
        "specs/workflow.yml": workflow,
        "specs/steps.yml": STEP.format(name="s", script="echo {outfile}"),
    }


def alias_bytes(mb: int, aliases: int) -> dict[str, str]:
    """recast.yml initdata: one anchored string of `mb` MiB and `aliases` aliases of it."""
    big = "x" * (mb * 1024 * 1024 - 200_000)
    lines = [f"      p0: &big {big}"] + [f"      p{i}: *big" for i in range(1, aliases)]
    recast = RECAST + "example_inputs:\n  default:\n    initdata:\n" + "\n".join(lines) + "\n"
    files = placeholders(2)
    files["recast.yml"] = recast
    return files


def nesting(depth: int) -> dict[str, str]:
    """A steps.yml and a recast.yml nested `depth` levels deep (lists and mappings)."""
    files = placeholders(2)
    files["specs/steps.yml"] += "deep: " + "[" * depth + "]" * depth + "\n"
    files["recast.yml"] += "results: " + "{a: " * depth + "1" + "}" * depth + "\n"
    return files


def big_workflow(stage_count: int) -> dict[str, str]:
    """A workflow near the 5 MiB file limit."""
    return stages(stage_count)


CASES: dict[str, Callable[[], dict[str, str]]] = {
    "10000-stages": lambda: stages(10_000),
    "30000-stages": lambda: stages(30_000),
    "10000-placeholders": lambda: placeholders(10_000),
    "10000-dependencies": lambda: dependencies(10_000),
    "4MiB-string-15000-aliases": lambda: alias_bytes(4, 15_000),
    "nesting-450": lambda: nesting(450),
    "nesting-5000": lambda: nesting(5_000),
    "4.9MB-workflow": lambda: big_workflow(20_500),
}
COMMANDS = {
    "check text": ["check", "--show-source"],
    "check json": ["check", "--format", "json"],
    "check codequality": ["check", "--format", "codequality"],
    "convert --out": ["convert", "--force", "--out"],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="run one case")
    args = parser.parse_args()
    print(machine())
    command = recast_reana_command()
    over = 0
    for name, make in CASES.items():
        if args.only and name != args.only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            root = write(Path(tmp) / "repo", make())
            size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
            print(f"{name} ({size / 1e6:.1f} MB)")
            for label, cmd_args in COMMANDS.items():
                # A fresh interpreter per command, so that max RSS is this command's own.
                probe = [sys.executable, "-c", _PROBE, *command, *cmd_args]
                done = subprocess.run(
                    [
                        *probe,
                        *(
                            [str(Path(tmp) / "out"), str(root)]
                            if "--out" in cmd_args
                            else [str(root)]
                        ),
                    ],
                    capture_output=True,
                    text=True,
                    timeout=900,
                )
                code, seconds, mib, out_bytes = done.stdout.strip().split()
                bad = float(seconds) > 10 or float(mib) > 400 or int(code) not in (0, 1, 2)
                over += bad
                print(
                    f"    {label:<18} exit {code}  {float(seconds):6.2f} s  {float(mib):6.0f} MiB "
                    f"  output {int(out_bytes) / 1e6:.2f} MB{'   OVER BUDGET' if bad else ''}"
                )
    print(f"\n{over} command(s) over budget")
    return 1 if over else 0


# Runs the command in a child and prints: exit code, seconds, peak MiB of the child, output bytes.
_PROBE = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(done.returncode, f"{seconds:.3f}", f"{peak:.1f}", len(done.stdout) + len(done.stderr))
"""


if __name__ == "__main__":
    sys.exit(main())
