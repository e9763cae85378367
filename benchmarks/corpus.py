"""`recast-reana check` on public RECAST and REANA repositories nobody here wrote.

Each repository is pinned to a commit, with the defects a careful reading of it finds (each an
error or warning that its author would agree with, and why). The script checks every one and
prints, per repository, the known defects found and missed, the errors and warnings nobody
expected (false findings), and crashes (exit 3, a traceback, output that is not JSON). The goal:
every known defect found, 0 false, 0 crashes.

    python benchmarks/corpus.py --root DIR   # DIR/<name> is a checkout of each repository

A missing checkout is listed with the commands that make it (GitHub is not reachable from CI, so
this runs by hand, not in the test suite). Infos are not counted: they never fail a check.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from common import machine, recast_reana_command

# (severity initial, rule, "path:line", why the author would agree)
Known = tuple[str, str, str, str]


@dataclass(frozen=True)
class Repo:
    name: str  # owner/name on GitHub
    commit: str
    kind: str
    known: list[Known] = field(default_factory=list)

    @property
    def folder(self) -> str:
        return self.name.split("/", 1)[1]


CORPUS = [
    Repo(
        "reanahub/reana-demo-helloworld",
        "df71a87e113c84682472f8c8c90e750c518ae8bd",
        "REANA demo: 12 reana files, 4 engines",
    ),
    Repo(
        "reanahub/reana-demo-worldpopulation",
        "fb20a610b1a89ed229a96e71220c4ba62657125a",
        "REANA demo: 12 reana files, 4 engines",
        [
            (
                "w",
                "RR305",
                "reana-yadage.yaml:11",
                "output_file is given but the yadage workflow never reads it (it builds its own)",
            ),
        ],
    ),
    Repo(
        "reanahub/reana-demo-root6-roofit",
        "09d75c4a5825627e4e47140613c5417f4b697091",
        "REANA demo: 12 reana files, 4 engines",
    ),
    Repo(
        "reanahub/reana-demo-bsm-search",
        "a00acf03e51c2c53b18dd6de9738be2617619619",
        "REANA demo: yadage with sub-workflows",
    ),
    Repo(
        "reanahub/reana-demo-atlas-recast",
        "c6e71debf34592fa6ae535d6f40d1fa43db2cf99",
        "REANA demo: ATLAS RECAST, yadage + serial + htcondor reana files",
    ),
    Repo(
        "reanahub/reana-demo-alice-pt-analysis",
        "4637dd2c347ff743b1353b65898185040d903ec3",
        "REANA demo: serial",
    ),
    Repo(
        "reanahub/reana-demo-cms-h4l",
        "19d89d69369c788dcb4850894c3ec392339b7f36",
        "REANA demo: snakemake",
    ),
    Repo(
        "reanahub/reana-demo-cms-dimuon-mass-spectrum",
        "a6c2ee9b4291ecc8f58aac1e43221ab67f94e8c8",
        "REANA demo: serial",
        [
            ("w", "RR407", "reana.yaml:15", "cmssw_5_3_32 has no tag: latest is pulled"),
        ],
    ),
    Repo(
        "reanahub/reana-demo-cms-reco",
        "e397267c946e5d29998f6d9ffdb1ab79e349f12b",
        "REANA demo: serial + cwl",
        [
            (
                "e",
                "RR204",
                "reana-cwl.yaml:7",
                "workflow/workflow.cwl is not in the repository (only workflow/step1.cwl is)",
            ),
            ("w", "RR407", "reana.yaml:9", "cmssw_5_3_32 has no tag: latest is pulled"),
        ],
    ),
    Repo(
        "reanahub/reana-demo-lhcb-d2pimumu",
        "0fbc4770d1d7052953f201fb1dc94bead6a207d7",
        "REANA demo: serial + yadage + cwl",
        [
            (
                "e",
                "RR203",
                "reana-yadage.yaml:2",
                "reana-yadage.yaml uploads nothing: the server answers `Workflow file ... does not "
                "exist` at start",
            ),
            (
                "w",
                "RR408",
                "reana-yadage.yaml:4",
                "data/D2PiMuMuOS.root is not uploaded (and not in the repository: a guess, so a "
                "warning)",
            ),
            (
                "e",
                "RR408",
                "reana-yadage.yaml:5",
                "ModelFixing.C is in the repository, not uploaded",
            ),
            ("e", "RR408", "reana-yadage.yaml:6", "OSMassFit.C is in the repository, not uploaded"),
            ("e", "RR408", "reana-yadage.yaml:7", "Optimise.C is in the repository, not uploaded"),
            ("w", "RR305", "reana-yadage.yaml:8", "roofitheaders: no stage reads it"),
            ("w", "RR305", "reana-yadage.yaml:9", "lhcbstyle: no stage reads it"),
            ("w", "RR407", "reana.yaml:16", "reana-env-root6 has no tag: latest is pulled"),
            ("w", "RR407", "workflow/yadage/workflow.yaml:38", "no imagetag: latest is pulled"),
            ("w", "RR407", "workflow/yadage/workflow.yaml:58", "no imagetag: latest is pulled"),
            ("w", "RR407", "workflow/yadage/workflow.yaml:91", "no imagetag: latest is pulled"),
        ],
    ),
    Repo(
        "Nollde/recast_example_docker_x86",
        "d09df82ed6cc16a690dd4951571a757f70657c32",
        "RECAST analysis (recast-atlas layout); a README-style script with placeholders",
    ),
    Repo(
        "dparedesh/RECAST-ttH-4top",
        "a6db316ee52cf04dd71fbf214d124044395eca27",
        "RECAST analysis (recast-atlas layout)",
        [
            ("w", "RR409", "recast.yml:11", "initdir is a path on the author's laptop"),
        ],
    ),
    Repo(
        "othrif/vbfmet-recast",
        "2bf86fca1b9692c2af98c36df400f1080e3a89fb",
        "RECAST analysis beside a serial reana.yaml",
        [
            ("w", "RR407", "reana.yaml:14", "serial step image on the moving tag master"),
            ("e", "RR501", "reana.yaml:17", "a real password piped to kinit"),
            ("w", "RR407", "reana.yaml:21", "serial step image on the moving tag master"),
            ("e", "RR501", "reana.yaml:41", "a real password piped to kinit"),
            ("w", "RR409", "recast.yml:33", "test data path on the author's laptop"),
            ("w", "RR409", "recast.yml:43", "test data path on the author's laptop"),
            ("w", "RR409", "recast.yml:52", "test data path on the author's laptop"),
            ("w", "RR407", "specs/steps.yml:26", "image on the moving tag latest"),
            ("e", "RR003", "specs/steps.yml:67", "{outputdir_MicroNtuple} loads as a mapping"),
            ("w", "RR407", "specs/steps.yml:73", "image on the moving tag master"),
        ],
    ),
    Repo(
        "lukasheinrich/bootcamp_recast",
        "acac5937f6e8d06e1452451e3ec1333ebdfb72b4",
        "bare yadage workflow (no recast.yml, no reana.yaml)",
        [
            ("w", "RR407", "specs/steps.yml:8", "pyhf/pyhf has no imagetag"),
            ("w", "RR407", "specs/steps.yml:24", "bootcamp_scale has no imagetag"),
            ("w", "RR407", "specs/steps.yml:41", "bootcamp_fit has no imagetag"),
        ],
    ),
    Repo(
        "susinha1702/svj-tchannelreana",
        "0776805189c454676ac95f75323c724dfe4a8208",
        "RECAST analysis converted by hand (REANA layout)",
        [
            ("w", "RR305", "reana.yaml:13", "fitbghisto_file_path: the stage reads ruciostep"),
            ("w", "RR401", "specs/steps.yml:5", "a getkrb.sh call left from recast-atlas"),
            ("w", "RR407", "specs/steps.yml:25", "image on latest"),
            ("w", "RR401", "specs/steps.yml:34", "a getkrb.sh call left from recast-atlas"),
            ("w", "RR407", "specs/steps.yml:54", "image on latest"),
            ("w", "RR401", "specs/steps.yml:63", "a getkrb.sh call left from recast-atlas"),
            ("w", "RR407", "specs/steps.yml:83", "image on latest"),
            ("w", "RR407", "specs/steps.yml:129", "image on latest"),
            ("w", "RR407", "specs/steps.yml:156", "image on latest"),
            ("e", "RR303", "specs/workflow.yml:44", "reads a stage it does not depend on: a race"),
            ("e", "RR303", "specs/workflow.yml:45", "reads a stage it does not depend on: a race"),
        ],
    ),
]


def run(command: list[str], folder: Path) -> tuple[int, str, str, float]:
    start = time.perf_counter()
    done = subprocess.run(
        [*command, "check", "--format", "json", str(folder)], capture_output=True, text=True
    )
    return done.returncode, done.stdout, done.stderr, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).parent / ".cache" / "corpus")
    args = parser.parse_args()
    print(machine())
    command = recast_reana_command()
    totals = {"known": 0, "found": 0, "false": 0, "crashes": 0, "missing": 0}
    print(f"{'repository':<46} {'commit':<12} {'found':>7} {'false':>5} {'crash':>5} {'s':>5}")
    for repo in CORPUS:
        folder = args.root / repo.folder
        if not folder.is_dir():
            totals["missing"] += 1
            print(
                f"{repo.name:<46} missing: git clone https://github.com/{repo.name} "
                f"{folder} && git -C {folder} checkout {repo.commit}"
            )
            continue
        code, out, err, seconds = run(command, folder)
        try:
            findings = json.loads(out)
        except json.JSONDecodeError:
            findings = None
        crashed = code not in (0, 1) or findings is None or "Traceback" in err
        got = {
            (d["severity"][0], d["rule"], f"{d['path']}:{d['line']}")
            for d in findings or []
            if d["severity"] in ("error", "warning")
        }
        known = {k[:3] for k in repo.known}
        found, false = known & got, got - known
        totals["known"] += len(known)
        totals["found"] += len(found)
        totals["false"] += len(false)
        totals["crashes"] += crashed
        print(
            f"{repo.name:<46} {repo.commit[:12]:<12} {len(found):>3}/{len(known):<3} "
            f"{len(false):>5} {int(crashed):>5} {seconds:>5.2f}"
        )
        for k in sorted(known - got):
            print(f"    missed {' '.join(k)}")
        for k in sorted(false):
            print(f"    false  {' '.join(k)}")
        if crashed:
            print(f"    crash: exit {code}: {err.strip().splitlines()[-1:] or out[:200]}")
    print(
        f"\n{len(CORPUS)} repositories ({totals['missing']} missing): "
        f"{totals['found']}/{totals['known']} known defects found, {totals['false']} false "
        f"findings, {totals['crashes']} crashes"
    )
    return (
        0 if totals["false"] == totals["crashes"] == 0 and totals["found"] == totals["known"] else 1
    )


if __name__ == "__main__":
    sys.exit(main())
