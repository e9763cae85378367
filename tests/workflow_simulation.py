"""A REANA yadage workflow played on a clock, as the fake REANA server reports it.

Each stage of the loaded workflow is one job: queued when its dependencies have finished,
running after `PENDING_SECONDS`, then finished or failed after its duration. A failed job stops
the workflow: jobs still queued or running then are "stopped", later ones never start. The
status, progress and job logs follow reana-workflow-controller 0.9.4 `rest/workflows_status.py`
and reana-commons 0.9.11 `yadage.py`; a finished job's outputs (what its publisher names) are
written into the workspace. Times are seconds on the clock; REANA prints them from `EPOCH`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

EPOCH = datetime(2024, 5, 6, 8, 0, 0, tzinfo=timezone.utc)
QUEUE_SECONDS = 10.0  # workflow queued before its first job
PENDING_SECONDS = 5.0  # each job queued before it runs
DEFAULT_DURATION = 60.0
LOG_LINES = 40


@dataclass
class Job:
    id: str
    stage: str
    queued: float
    started: float
    ended: float
    failed: bool
    outputs: list[str]
    image: str
    cmd: str
    written: bool = False


@dataclass
class Workflow:
    id: str
    name: str
    run: int
    specification: dict[str, Any]
    workspace: Path
    created: float
    status: str = "created"
    started: float | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    jobs: list[Job] = field(default_factory=list)
    end: float | None = None  # when the run ends (finished, failed or stopped)
    failed: bool = False
    stopped: float | None = None  # when it was stopped (PUT .../status?status=stop)

    @property
    def full_name(self) -> str:
        return f"{self.name}.{self.run}"


def stamp(seconds: float) -> str:
    """REANA's WORKFLOW_TIME_FORMAT: %Y-%m-%dT%H:%M:%S."""
    return (EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")


class FakeClock:
    """Simulated time shared by the fake server and `recast-reana run`: sleeping advances it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return EPOCH.timestamp() + self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)


def plan(
    wf: Workflow,
    loaded: dict[str, Any],
    durations: dict[str, float],
    fail: Callable[[Workflow, str], bool],
) -> None:
    """The jobs of a started workflow, in dependency order, and when and how the run ends."""
    assert wf.started is not None
    start = wf.started
    stages = {s["name"]: s for s in loaded.get("stages", [])}
    ends: dict[str, tuple[float, bool] | None] = {}

    def schedule(name: str) -> tuple[float, bool] | None:
        if name not in ends:
            ends[name] = None  # a cycle never runs
            deps = [d for d in stages[name]["dependencies"]["expressions"] if d in stages]
            done = [schedule(d) for d in deps]
            if any(d is None or d[1] for d in done):
                return None
            ready = max([d[0] for d in done if d], default=start + QUEUE_SECONDS)
            ends[name] = _job(wf, stages[name], ready, durations, fail)
        return ends[name]

    for name in stages:
        schedule(name)
    wf.jobs.sort(key=lambda j: (j.queued, j.stage))
    failed = [j.ended for j in wf.jobs if j.failed]
    wf.failed = bool(failed)
    wf.end = min(failed) if failed else max((j.ended for j in wf.jobs), default=start)


def _job(
    wf: Workflow,
    stage: dict[str, Any],
    ready: float,
    durations: dict[str, float],
    fail: Callable[[Workflow, str], bool],
) -> tuple[float, bool]:
    step = stage["scheduler"].get("step") or {}
    env = step.get("environment") or {}
    started = ready + PENDING_SECONDS
    ended = started + durations.get(stage["name"], DEFAULT_DURATION)
    failed = fail(wf, stage["name"])
    job = Job(
        id=str(uuid.uuid4()),
        stage=stage["name"],
        queued=ready,
        started=started,
        ended=ended,
        failed=failed,
        outputs=[] if failed else _outputs(stage, step),
        image=f"{env.get('image', '')}:{env.get('imagetag', '')}",
        cmd=str((step.get("process") or {}).get("script", "")),
    )
    wf.jobs.append(job)
    return ended, failed


def advance(wf: Workflow, now: float) -> Workflow:
    """The workflow's state at `now`; finished jobs' outputs appear in the workspace."""
    if wf.started is None or wf.end is None or wf.status in ("stopped", "deleted"):
        return wf
    for job in wf.jobs:
        if not job.failed and job.ended <= min(now, wf.end) and not job.written:
            for out in job.outputs:
                path = wf.workspace / out
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(f"{out} made by stage {job.stage} of {wf.full_name}\n")
            job.written = True
    if now >= wf.end:
        wf.status = "failed" if wf.failed else "finished"
    elif now >= wf.started + QUEUE_SECONDS:
        wf.status = "running"
    return wf


def stop(wf: Workflow, now: float) -> None:
    """Stop a running workflow at `now`: jobs not yet ended are "stopped", none starts later."""
    advance(wf, now)
    wf.end, wf.failed, wf.stopped, wf.status = now, False, now, "stopped"


def job_status(wf: Workflow, job: Job, now: float) -> str | None:
    assert wf.end is not None
    if now < job.queued or job.queued > wf.end:
        return None
    if now >= wf.end and job.ended > wf.end:
        return "stopped"  # the workflow failed while this job was queued or running
    if now < job.started:
        return "queued"
    if now < job.ended:
        return "running"
    return "failed" if job.failed else "finished"


def progress(wf: Workflow, now: float) -> dict[str, Any]:
    found: dict[str, Any] = {
        "run_started_at": stamp(wf.started) if wf.started is not None else None,
        "run_finished_at": stamp(wf.end)
        if wf.end is not None and wf.status in ("finished", "failed")
        else None,
        "run_stopped_at": stamp(wf.stopped) if wf.stopped is not None else None,
        "total": {"total": len(wf.jobs), "job_ids": []},
    }
    states = [(j, job_status(wf, j, now)) for j in wf.jobs]
    for name in ("running", "finished", "failed"):
        ids = [j.id for j, s in states if s == name]
        found[name] = {"total": len(ids), "job_ids": ids}
    current = [j for j, s in states if s is not None]
    found["current_step_name"] = current[-1].stage if current else None
    found["current_command"] = current[-1].cmd if current else None
    return found


def job_logs(wf: Workflow, now: float, extra: str) -> dict[str, Any]:
    """REANA's `job_logs`, keyed by job id; `extra` ends every finished or failed job's log."""
    out = {}
    for job in wf.jobs:
        status = job_status(wf, job, now)
        if status is None:
            continue
        lines = [f"{job.stage}: line {i} of the job's output" for i in range(1, LOG_LINES + 1)]
        if status == "failed":
            lines.append(f"ERROR: stage {job.stage} failed: exit code 1")
        out[job.id] = {
            "workflow_uuid": wf.id,
            "job_name": job.stage,
            "compute_backend": "Kubernetes",
            "backend_job_id": f"reana-run-job-{job.id[:8]}",
            "docker_img": job.image,
            "cmd": job.cmd,
            "status": status,
            "logs": "\n".join(lines) + "\n" + extra if status in ("finished", "failed") else "",
            "started_at": stamp(job.started) if status != "queued" else None,
            "finished_at": stamp(job.ended) if status in ("finished", "failed") else None,
        }
    return out


def _outputs(stage: dict[str, Any], step: dict[str, Any]) -> list[str]:
    """Workspace paths of the files the stage's publisher names (interpolated-pub, frompar-pub).

    REANA runs a stage in `<workspace>/<stage name>`, so `{workdir}` is that directory.
    """
    values: dict[str, Any] = {}
    for item in stage["scheduler"].get("parameters") or []:
        value = item.get("value")
        if isinstance(value, str):
            values[item["key"]] = value.replace("{workdir}", stage["name"])
    publisher = step.get("publisher") or {}
    kind = publisher.get("publisher_type")
    if kind == "interpolated-pub":
        candidates = [_format(v, values) for v in (publisher.get("publish") or {}).values()]
    elif kind == "frompar-pub":
        candidates = [values.get(p) for p in (publisher.get("outputmap") or {}).values()]
    else:
        candidates = []
    prefix = stage["name"] + "/"
    return sorted({c for c in candidates if isinstance(c, str) and c.startswith(prefix)})


def _format(template: Any, values: dict[str, Any]) -> Any:
    if not isinstance(template, str):
        return None
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m[1], m[0])), template)
