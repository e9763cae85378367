"""The real yadage engine, installed on first use into its own cached environment, run as a program.

yadage 0.21 and packtivity 0.17 (PyPI) go into a virtual environment of their own under
`~/.cache/recast-reana-tests` (or `$XDG_CACHE_HOME`), named after the pins below, never into the
test environment: they would share it today (their requirements resolve to the same
jsonschema 4.9.1 that yadage-schemas 0.11 pins for the check path), but a later release of any
of their unpinned requirements could then move the check path's pins. Every package of the
engine's environment is pinned, so the environment is the same wherever it is created; changing a
pin changes the directory name, and the new set is installed beside the old one.

The installation holds a file lock, so pytest-xdist workers (and other checkouts on the same
machine) wait for one installation instead of racing; a marker file written last says it is
complete, so an interrupted installation is redone.

`runner.py` runs in that environment (it imports no recast_reana) and reports as JSON what the
engine did with each workflow: see its docstring.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from caches import cache_root, locked

ENGINE = ("yadage==0.21.2", "packtivity==0.17.1")
# The whole environment `pip install yadage==0.21.2 packtivity==0.17.1` resolved to (Python 3.11,
# December 2026), pinned so that a new release of a requirement cannot change the oracle.
CONSTRAINTS = (
    "adage==0.11.0",
    "attrs==26.1.0",
    "certifi==2026.10.19.post1",
    "charset-normalizer==3.5.3",
    "checksumdir==1.3.0",
    "click==8.5.1",
    "decorator==5.3.1",
    "dirhash==0.5.0",
    "glob2==0.7",
    "idna==3.20",
    "jq==1.13.0",
    "jsonpath-rw==1.4.0",
    "jsonpointer==3.12",
    "jsonref==1.1.0",
    "jsonschema==4.9.1",
    "mock==5.2.0",
    "networkx==3.6.1",
    "pathspec==1.1.1",
    "ply==3.11",
    "psutil==7.2.2",
    "pyrsistent==0.20.0",
    "PyYAML==6.0.4",
    "requests==2.34.2",
    "scantree==0.0.4",
    "six==1.17.0",
    "urllib3==2.8.0",
    "yadage-schemas==0.11.1",
)
INSTALL_TIMEOUT = 900
RUN_TIMEOUT = 300
RUNNER = Path(__file__).with_name("runner.py")
# What packtivity needs to run a workflow without containers (packtivity/syncbackends.py reads
# both): build and log every job, start none, pull no image.
DRY_RUN = {"PACKTIVITY_DRYRUN": "1", "PACKTIVITY_DOCKER_NOPULL": "1"}


def environment_dir() -> Path:
    pins = "\n".join([*ENGINE, *CONSTRAINTS, f"python{sys.version_info[0]}.{sys.version_info[1]}"])
    digest = hashlib.sha256(pins.encode()).hexdigest()[:10]
    name = "-".join(p.replace("==", "-") for p in ENGINE)
    return cache_root() / f"{name}-py{sys.version_info[0]}.{sys.version_info[1]}-{digest}"


def ensure() -> Path:
    """The Python of the engine's environment, installing it first if it is not complete."""
    home = environment_dir()
    python = home / "bin" / "python"
    marker = home / ".installed"
    if marker.is_file():
        return python
    with locked(home):
        if marker.is_file():  # another worker installed it while this one waited
            return python
        _install(home)
        marker.write_text(_run([str(python), "-m", "pip", "freeze"], 120).stdout)
    return python


def _run(command: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


def _install(home: Path) -> None:
    shutil.rmtree(home, ignore_errors=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(home)
    constraints = home / "constraints.txt"
    constraints.write_text("".join(f"{c}\n" for c in CONSTRAINTS))
    python = str(home / "bin" / "python")
    pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    done = _run([*pip, "-c", str(constraints), *ENGINE], INSTALL_TIMEOUT)
    if done.returncode == 0:
        done = _run([python, "-c", "import yadage.steering_api, packtivity"], 120)
    if done.returncode != 0:
        tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-5:])
        shutil.rmtree(home, ignore_errors=True)
        pytest.fail(
            f"installing {' '.join(ENGINE)} into {home} failed (exit {done.returncode}): {tail}. "
            "The engine tests need PyPI once.",
            pytrace=False,
        )


@dataclass(frozen=True)
class Request:
    """One dry run: the workflow file relative to toplevel, and the init parameters."""

    label: str  # which parameter set, for messages
    workdir: Path
    toplevel: Path
    workflow: str
    initdata: Mapping[str, Any]
    origin: tuple[str, tuple[Any, ...]] | None = None  # (file, path) of the parameters


@dataclass(frozen=True)
class Step:
    stage: str  # `fit`, or `fit/fit_one` inside the sub-workflow of stage `fit`
    name: str  # the node: the stage name, or `scan_0` ... for a multistep stage
    workdir: str | None  # relative to the run's work directory
    parameters: Any
    job: str | None  # the interpolated script or command
    result: Any
    error: str | None


@dataclass(frozen=True)
class Run:
    """What the engine did with one request."""

    request: Request
    error: str | None
    failed: Mapping[str, str] | None  # {"stage", "phase"} where the error escaped
    traceback: tuple[str, ...]
    steps: tuple[Step, ...]
    scheduled: tuple[str, ...]  # stages whose scheduling rule was applied
    unscheduled: tuple[str, ...]  # stages yadage never scheduled
    nodes: Mapping[str, str] = field(default_factory=dict)  # node name -> final state

    @property
    def resolved(self) -> bool:
        """Every stage scheduled, every step built and published, no error."""
        return (
            self.error is None
            and not self.unscheduled
            and all(s.error is None for s in self.steps)
            and all(state == "SUCCESS" for state in self.nodes.values())
        )

    def failed_step(self) -> Step | None:
        return next((s for s in self.steps if s.error is not None), None)

    def jobs(self) -> dict[str, str | None]:
        """Each step's job with the run's work directory written `$WORKDIR` (runs compare)."""
        root = str(self.request.workdir.resolve())
        return {
            s.name: s.job.replace(root, "$WORKDIR") if s.job is not None else None
            for s in self.steps
        }

    def published(self) -> list[str]:
        """Every published string naming a path in the work directory, relative to it."""
        root = str(self.request.workdir.resolve()) + "/"
        out: list[str] = []
        for step in self.steps:
            for value in _leaves(step.result):
                if isinstance(value, str) and value.startswith(root):
                    out.append(value[len(root) :])
        return out

    def explain(self) -> str:
        """A short account for assertion messages."""
        lines = [f"engine run ({self.request.label}): error={self.error!r} at {self.failed}"]
        lines += [f"  unscheduled: {', '.join(self.unscheduled)}"] if self.unscheduled else []
        lines += [f"  step {s.name} ({s.stage}): {s.error or 'ok'}" for s in self.steps]
        bad = {n: st for n, st in self.nodes.items() if st != "SUCCESS"}
        lines += [f"  nodes not successful: {bad}"] if bad else []
        lines += [f"  {line}" for line in self.traceback[-4:]]
        return "\n".join(lines)


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


def payload(request: Request) -> dict[str, Any]:
    return {
        "workdir": str(request.workdir),
        "workflow": request.workflow,
        "toplevel": str(request.toplevel),
        "initdata": dict(request.initdata),
    }


def run_reports(payloads: Sequence[Mapping[str, Any]], jobs: int = 2) -> list[dict[str, Any]]:
    """The runner's report on each payload, `jobs` runner processes side by side."""
    if not payloads:
        return []
    python = ensure()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PACKTIVITY_", "YADAGE_", "PYTHON", "VIRTUAL_ENV"))
    }
    env.update(DRY_RUN)
    chunks = [list(payloads[i::jobs]) for i in range(min(jobs, len(payloads)))]
    reports: list[dict[str, Any]] = [{} for _ in payloads]
    with tempfile.TemporaryDirectory(prefix="engine-oracle-") as tmp:
        procs = []
        for i, chunk in enumerate(chunks):
            files = [Path(tmp, f"{i}.{name}") for name in ("in", "out", "err")]
            files[0].write_text(json.dumps(chunk))
            with files[0].open() as stdin, files[1].open("w") as out, files[2].open("w") as err:
                command = [str(python), str(RUNNER)]
                procs.append(
                    (subprocess.Popen(command, stdin=stdin, stdout=out, stderr=err, env=env), files)
                )
        for i, (proc, files) in enumerate(procs):
            try:
                proc.wait(timeout=RUN_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.returncode != 0:
                tail = files[2].read_text()[-3000:]
                pytest.fail(f"the engine runner failed (exit {proc.returncode}):\n{tail}")
            for j, report in enumerate(json.loads(files[1].read_text())):
                reports[i + j * len(chunks)] = report
    return reports


def run(requests: Sequence[Request]) -> list[Run]:
    """Dry-run each request with the real engine."""
    reports = run_reports([payload(r) for r in requests])
    return [run_of(r, rep) for r, rep in zip(requests, reports, strict=True)]


def run_of(request: Request, report: Mapping[str, Any]) -> Run:
    steps = tuple(
        Step(
            s["stage"], s["name"], s["workdir"], s["parameters"], s["job"], s["result"], s["error"]
        )
        for s in report["steps"]
    )
    return Run(
        request=request,
        error=report["error"],
        failed=report["failed"],
        traceback=tuple(report["traceback"] or ()),
        steps=steps,
        scheduled=tuple(report["scheduled"]),
        unscheduled=tuple(report["unscheduled"]),
        nodes={n["name"]: n["state"] for n in report["nodes"]},
    )
