"""`recast-reana check` against `reana-client validate` (reana-client 0.9.6), side by side.

1. Speed: both tools on the same REANA-layout repository (tests/data/reana_layout, the tutorial
   analysis after the REANA conversion), `--repeat` runs each, interleaved (A B A B ...) after one
   warm-up run each, so both see the same machine load. Wall time of the whole process, as a
   pre-commit hook or CI job pays it. Prints medians, min/max and the ratio of the medians.
2. Defects: seven copies of that repository with one typical defect each; what each tool says.

reana-client is installed once into its own virtual environment,
benchmarks/.cache/reana-client-0.9.6 (gitignored; delete it to reinstall). It installs as-is on
Python 3.11 (113 packages), with one pin: `setuptools<81`, because reana-commons 0.9.11 imports
`pkg_resources` at start-up, which setuptools 81 removes, and the setuptools requirement of
reana-client (and of cwltool, fs, jsonschema) is unpinned.

`reana-client validate` runs offline: it is called without `--environments` (which would inspect
every image; `--pull` would download them) and without `--server-capabilities` (the only check
that calls the server, `GET /api/info`; reana_client/validation/utils.py), with REANA_* variables
removed from its environment. It then validates reana.yaml against its schema, loads the yadage
workflow with yadage-schemas, compares parameters and greps the commands for dangerous
operations; none of that needs a server.

    python benchmarks/bench_vs_reana_client.py [--repeat 20] [--skip-defects]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

from common import (
    REPO,
    bench_env,
    calibration,
    load,
    machine,
    recast_reana_command,
    summary,
    timed_run,
)

REANA_CLIENT = "reana-client==0.9.6"
PINS = ("setuptools<81",)  # reana-commons 0.9.11 imports pkg_resources (gone in setuptools 81)
CACHE = Path(__file__).resolve().parent / ".cache"
VENV = CACHE / "reana-client-0.9.6"
BASE = REPO / "tests" / "data" / "reana_layout"
GOAL_SPEEDUP = 5.0

# (defect, file, exact old text, new text): each applied to a fresh copy of BASE.
DEFECTS: list[tuple[str, str, str, str]] = [
    (
        "duplicate key",  # the tutorial page's reana.yaml gives cross_section twice
        "reana.yaml",
        "    cross_section: 44.873\n",
        "    cross_section: '9999.9'\n    cross_section: 44.873\n",
    ),
    (
        "wrong ref base",  # recast-atlas spelling: relative to specs/, REANA reads from the root
        "specs/workflow.yml",
        "{$ref: specs/steps.yml#/scaling}",
        "{$ref: steps.yml#/scaling}",
    ),
    (
        "unknown stage",
        "specs/workflow.yml",
        "dependencies: [init,scaling_step]",
        "dependencies: [init,scalingstep]",
    ),
    ("missing parameter", "reana.yaml", "    luminosity: 140.1\n", ""),
    (
        "unpublished output file",
        "reana.yaml",
        "    - fitting_step/limit.png\n",
        "    - fitting_step/limit.pdf\n",
    ),
    (
        "GRIDProxy",
        "specs/steps.yml",
        "     - kerberos: true\n     - kubernetes_uid: 500\n",
        "     - GRIDProxy\n     - kubernetes_uid: 500\n",
    ),
    # kerberos: true needs the CERN_USER/CERN_KEYTAB secrets on the server, which nothing offline
    # can see; the base repository as it is (its skimming and fitting steps use kerberos).
    ("kerberos without secrets", "reana.yaml", "", ""),
]


def ensure_reana_client() -> Path:
    """The reana-client executable of the cached venv, created on first use."""
    exe = VENV / "bin" / "reana-client"
    marker = VENV / ".installed"
    if exe.is_file() and marker.is_file():
        return exe
    print(f"creating {VENV} with {REANA_CLIENT} (once; takes a minute or two) ...", flush=True)
    shutil.rmtree(VENV, ignore_errors=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q", REANA_CLIENT, *PINS]
    proc = subprocess.run(pip, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"pip install {REANA_CLIENT} failed:\n{proc.stdout}\n{proc.stderr}")
    freeze = subprocess.run(
        [str(VENV / "bin" / "python"), "-m", "pip", "freeze"], capture_output=True, text=True
    ).stdout
    marker.write_text(freeze)
    return exe


def offline_env() -> dict[str, str]:
    env = {k: v for k, v in bench_env().items() if not k.startswith("REANA_")}
    env["PYTHONWARNINGS"] = "ignore"  # reana-commons' pkg_resources deprecation warning
    return env


def validate_cmd(exe: Path) -> list[str]:
    return [str(exe), "validate", "-f", "reana.yaml"]


def speed(exe: Path, repeat: int) -> None:
    rr = [*recast_reana_command(), "check", str(BASE)]
    rc = validate_cmd(exe)
    env = offline_env()
    rr_times: list[float] = []
    rc_times: list[float] = []
    codes: dict[str, set[int]] = {"rr": set(), "rc": set()}
    for i in range(repeat + 1):  # run 0 is the warm-up (page cache, .pyc files)
        t, proc = timed_run(rr, cwd=BASE)
        codes["rr"].add(proc.returncode)
        if i:
            rr_times.append(t)
        t, proc = timed_run(rc, cwd=BASE, env=env)
        codes["rc"].add(proc.returncode)
        if i:
            rc_times.append(t)
    ratio = statistics.median(rc_times) / statistics.median(rr_times)
    print(f"\n## speed: {repeat} interleaved runs each on {BASE.relative_to(REPO)}\n")
    print("(wall time per run; both tools with bytecode caches, see common.bench_env)")
    print(f"recast-reana check           {summary(rr_times)}  exit {sorted(codes['rr'])}")
    print(f"  ({' '.join(rr)})")
    print(f"reana-client validate        {summary(rc_times)}  exit {sorted(codes['rc'])}")
    print(f"  (cd {BASE.relative_to(REPO)} && {' '.join(rc)})")
    verdict = "met" if ratio >= GOAL_SPEEDUP else "NOT met"
    print(
        f"ratio of medians: recast-reana is {ratio:.1f}x faster "
        f"(goal >= {GOAL_SPEEDUP:.0f}x: {verdict})"
    )


def _lines(proc: subprocess.CompletedProcess[str], root: Path) -> list[str]:
    out = (proc.stdout + proc.stderr).replace(str(root), "<copy>")
    # It lists stage names in set order ("on steps "b, a""), which varies from run to run.
    return [
        re.sub(r'"([^"]+, [^"]+)"', lambda m: '"' + ", ".join(sorted(m[1].split(", "))) + '"', ln)
        for line in out.splitlines()
        if (ln := line.strip())
    ]


def _reana_client_says(proc: subprocess.CompletedProcess[str], root: Path, clean: set[str]) -> str:
    """Exit code and the first line the clean copy did not print (or "traceback")."""
    lines = _lines(proc, root)
    if any(line.startswith("Traceback (most recent call last)") for line in lines):
        return f"exit {proc.returncode}, traceback: {lines[0][:80]}"
    if not clean:  # the clean copy itself: did it say anything about the secrets it needs?
        said = [line for line in lines if "secret" in line.lower()]
        return f"exit {proc.returncode}, " + (said[0][:90] if said else "no mention of secrets")
    new = [line for line in lines if line not in clean]
    return f"exit {proc.returncode}, " + (new[0][:90] if new else "nothing new")


def _recast_reana_says(root: Path) -> tuple[int, list[str]]:
    proc = subprocess.run(
        [*recast_reana_command(), "check", "--format", "json", str(root)],
        capture_output=True,
        text=True,
    )
    try:
        found = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return proc.returncode, [f"no JSON: {proc.stderr.strip()[:80]}"]
    return proc.returncode, [
        f"{d['rule']} {d['path']}:{d['line']}:{d['column']}"
        + ("" if d["severity"] == "error" else f" ({d['severity']})")
        for d in found
    ]


def defects(exe: Path) -> None:
    env = offline_env()
    with tempfile.TemporaryDirectory(prefix="recast-reana-defects-") as tmp:
        base_code, base_found = _recast_reana_says(BASE)
        base_proc = subprocess.run(
            validate_cmd(exe), cwd=BASE, env=env, capture_output=True, text=True
        )
        clean = set(_lines(base_proc, BASE))
        rows: list[tuple[str, str, str]] = []
        for name, rel, old, new in DEFECTS:
            root = Path(tmp) / name.replace(" ", "-")
            shutil.copytree(BASE, root)
            if old:
                text = (root / rel).read_text()
                assert text.count(old) == 1, f"{name}: {old!r} is not once in {rel}"
                (root / rel).write_text(text.replace(old, new))
            proc = subprocess.run(
                validate_cmd(exe), cwd=root, env=env, capture_output=True, text=True
            )
            code, found = _recast_reana_says(root)
            # Findings the clean copy also has (the kerberos infos) are shown once, below.
            new_found = [f for f in found if f not in base_found] if old else found
            said = _reana_client_says(proc, root, clean if old else set())
            rows.append((name, said, f"exit {code}, " + ", ".join(new_found)))
    print("\n## defects: one per copy of the repository\n")
    print("| defect | reana-client validate | recast-reana check |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    print(
        f"\nclean copy: reana-client exit {base_proc.returncode}, {len(clean)} lines, of them "
        f"{sum('WARNING' in line for line in clean)} warnings; "
        f"recast-reana exit {base_code}, " + (", ".join(base_found) or "nothing")
    )
    print("Rows show only what each tool said beyond its output on the clean copy; the last row")
    print("is the clean copy itself.")
    for line in sorted(clean):
        print(f"  reana-client on the clean copy: {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed runs of each tool")
    parser.add_argument("--skip-defects", action="store_true")
    args = parser.parse_args()
    exe = ensure_reana_client()
    print("# recast-reana check vs reana-client validate\n")
    print(machine())
    version = subprocess.run(
        [str(VENV / "bin" / "python"), "-m", "pip", "show", "reana-client", "reana-commons"],
        capture_output=True,
        text=True,
    ).stdout
    versions = [
        line.split(": ", 1)[1]
        for line in version.splitlines()
        if line.startswith(("Name", "Version"))
    ]
    print(
        "against: " + ", ".join(" ".join(versions[i : i + 2]) for i in range(0, len(versions), 2))
    )
    speed(exe, args.repeat)
    if not args.skip_defects:
        defects(exe)
    print(f"\nat the end: {load()}\n{calibration()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
