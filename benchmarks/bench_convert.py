"""How long `recast-reana convert` takes on a big recast-atlas repository (goal: 500 stages < 1 s).

The repository is benchmarks/generate.py's REANA-layout workflow turned back into what an analyst
keeps on main (`recast_layout`): a recast.yml with the parameters as `example_inputs` and the
outputs as `results`, top-level `$ref`s relative to `specs/`, and the recast-atlas habits the
conversion removes, spread over the steps: a `. /recast_auth/getkrb.sh` call with `GRIDProxy`
(every 4th step), `KRB5Auth` + `CVMFS` (every 6th), and an `atlas/analysisbase` image before
21.2.88 that needs `kubernetes_uid: 500` (every 5th).

Times, for each size:

* in-process: `convert()` on the files in memory (load, fixes, reana.yaml), the median of
  `--repeat` runs;
* as a subprocess: `recast-reana convert DIR --out OUT --force` wall time including interpreter
  start-up, reading and writing the tree, the median of `--repeat-cli` runs.

It also checks that the conversion is idempotent and that `recast-reana check` finds no error in
the converted tree. Run with the Python that has recast-reana installed:

    python benchmarks/bench_convert.py [--sizes 100,500,1000] [--repeat 7] [--repeat-cli 3]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, recast_reana_command, summary, timed_run
from generate import generate, write

GOAL_500 = 1.0
_STEP = re.compile(r"^(?=\S)", re.MULTILINE)


def recast_layout(n_stages: int, seed: int = 0) -> dict[str, str]:
    """A recast-atlas repository (path -> text) with `n_stages` stages, deterministic."""
    reana = generate(n_stages, seed)
    params = reana["reana.yaml"].split("  parameters:\n", 1)[1].split("  directories:", 1)[0]
    output = reana["reana.yaml"].rsplit("    - ", 1)[1].strip()
    recast = (
        "name: benchmarks/generated\n"
        "metadata:\n"
        "  author: recast-reana benchmark\n"
        "  short_description: a generated workflow of many stages\n"
        "spec:\n"
        "  workflow: workflow.yml\n"
        "example_inputs:\n"
        "  default:\n"
        "    initdata:\n" + params.replace("    ", "      ") + "results:\n"
        "- name: last output\n"
        f"  relpath: {output}\n"
    )
    workflow = reana["specs/workflow.yml"].replace("{$ref: specs/steps.yml#/", "{$ref: steps.yml#/")
    blocks = [b for b in _STEP.split(reana["specs/steps.yml"]) if b]
    steps = "".join(_recast_habits(i, block) for i, block in enumerate(blocks))
    return {"recast.yml": recast, "specs/workflow.yml": workflow, "specs/steps.yml": steps}


def _recast_habits(i: int, block: str) -> str:
    resources = []
    if i % 4 == 0:
        block = block.replace(
            "    script: |\n", "    script: |\n      . /recast_auth/getkrb.sh\n", 1
        )
        resources.append("GRIDProxy")
    if i % 6 == 0:
        resources += ["KRB5Auth", "CVMFS"]
    if i % 5 == 0:
        block = re.sub(
            r"    image: .*\n    imagetag: .*\n",
            "    image: atlas/analysisbase\n    imagetag: 21.2.85-centos7\n",
            block,
            count=1,
        )
    if resources:
        items = "".join(f"      - {r}\n" for r in resources)
        if "    resources:\n" in block:
            block = block.replace("    resources:\n", "    resources:\n" + items, 1)
        else:
            block = block.replace(
                "  publisher:\n", "    resources:\n" + items + "  publisher:\n", 1
            )
    return block


def in_process(files: dict[str, bytes], repeat: int) -> tuple[list[float], int, int]:
    """Times of `repeat` conversions, files changed, and files changed by converting again."""
    from recast_reana.convert.conversion import convert_files as convert
    from recast_reana.model.config import Config

    times = []
    conversion = None
    for _ in range(repeat):
        start = time.perf_counter()
        conversion = convert(files, Config())
        times.append(time.perf_counter() - start)
    assert conversion is not None
    again = convert(conversion.files, Config())
    return times, len(conversion.changed), len(again.changed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,500,1000")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--repeat-cli", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(machine())
    print(f"command: {' '.join(recast_reana_command())} convert DIR --out OUT --force\n")
    print(
        "| stages | in-process convert (median, min-max) | CLI convert | changed | again | check |"
    )
    print("|---:|---|---|---:|---:|---|")
    medians = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            root = write(Path(tmp) / f"recast_{n}", recast_layout(n))
            files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.y*ml")}
            times, changed, again = in_process(files, args.repeat)
            medians[n] = statistics.median(times)
            out = Path(tmp) / f"out_{n}"
            cli = []
            for _ in range(args.repeat_cli):
                wall, proc = timed_run(
                    [*recast_reana_command(), "convert", str(root), "--out", str(out), "--force"]
                )
                if proc.returncode != 0:
                    print(proc.stdout, proc.stderr, file=sys.stderr)
                    return 1
                cli.append(wall)
            _, checked = timed_run([*recast_reana_command(), "check", str(out)])
            verdict = "clean" if checked.returncode == 0 else f"exit {checked.returncode}"
            print(f"| {n} | {summary(times)} | {summary(cli)} | {changed} | {again} | {verdict} |")
    if 500 in medians:
        ok = medians[500] < GOAL_500
        print(
            f"\n500 stages: {medians[500]:.3f} s median in-process (goal < {GOAL_500} s): "
            f"{'met' if ok else 'NOT met'}"
        )
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
