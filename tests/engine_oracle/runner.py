"""Run yadage workflows in a dry run and describe what the engine did, as JSON.

Runs inside the engine's own virtual environment (yadage 0.21, packtivity 0.17; see
engine.py), never in the test environment: it imports only the standard library and the engine.

    python runner.py < request.json > report.json

The request is a list of runs, each `{"workdir", "workflow", "toplevel", "initdata"}`; the
report is a list with one entry per run:

- `error`: `"<ExceptionType>: <message>"` when the run raised (a failing step raises out of the
  foreground backend), else null; `traceback`: its last lines;
- `failed`: where the exception escaped: `{"stage", "phase"}`, the phase being `ready` (yadage
  checking the stage's dependencies), `schedule` (resolving its parameters and creating its
  steps), `expect` (packtivity predicting what a new step will publish) or `step` (packtivity
  building, running or publishing one of its steps);
- `steps`: one entry per step packtivity was asked to run (`init` steps included), in order:
  `stage` (the stage name prefixed with the stages whose sub-workflow it is in, `fit/fit_one`),
  `name` (the step's node name, `scan_0` for a multistep stage), `workdir` (relative to the
  run's workdir), `parameters` (as the step got them), `job` (the interpolated script or
  command), `result` (what its publisher published) and `error`;
- `scheduled` and `unscheduled`: the stages (offset-prefixed) whose scheduling rule yadage
  applied, and those it never applied because their dependencies never became ready;
- `nodes`: every node of the graph with its final state (`SUCCESS`, `FAILED`, `DEFINED`, ...).

It runs with PACKTIVITY_DRYRUN=1 and PACKTIVITY_DOCKER_NOPULL=1 (set by the caller): packtivity
builds each job (interpolating the script), logs the docker command it would run and publishes,
but starts no container.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
import time
import traceback
from typing import Any

import jq
import jsonpath_rw
import packtivity.syncbackends as syncbackends
from packtivity.asyncbackends import ForegroundBackend
from yadage.backends.packtivitybackend import PacktivityBackend
from yadage.controllers import YadageController
from yadage.stages import OffsetStage
from yadage.steering_api import steering_ctx

# Speed only: packtivity and yadage compile the same few jq programs and jsonpath expressions
# thousands of times a run (a jsonpath parse builds a whole ply parser); both are pure
# functions of their text, and their compiled forms are never changed, so they are cached.
jq.jq = functools.lru_cache(maxsize=None)(jq.jq)
jsonpath_rw.parse = functools.lru_cache(maxsize=None)(jsonpath_rw.parse)

_current: dict[str, Any] | None = None
_failed: dict[str, Any] | None = None
_build_job = syncbackends.build_job


def _observed_build_job(process: Any, parameters: Any, state: Any, pack_config: Any) -> Any:
    # packtivity's run_packtivity looks build_job up in its module: this only records the job.
    job = _build_job(process, parameters, state, pack_config)
    if _current is not None:
        _current["job"] = job.get("script", job.get("command")) if isinstance(job, dict) else job
    return job


syncbackends.build_job = _observed_build_job


def _scoped(offset: Any, name: Any) -> str:
    # A sub-workflow's offset is `/<stage>/<index>/...`: the stage names without the indices.
    parts = [p for p in str(offset or "").split("/") if p and not p.isdigit()]
    return "/".join([*parts, str(name)])


def _stage(metadata: dict[str, Any]) -> str:
    return _scoped(
        metadata.get("wflow_offset"), metadata.get("wflow_stage") or metadata.get("name")
    )


def _observed(phase: str, method: Any) -> Any:
    def wrapper(self: Any, adageobj: Any) -> Any:
        global _failed
        try:
            return method(self, adageobj)
        except BaseException:
            if _failed is None:
                _failed = {"stage": _scoped(self.offset, self.rule.name), "phase": phase}
            raise

    return wrapper


# adage asks each stage (rule) whether it is ready, then applies it: only records where it fails.
OffsetStage.applicable = _observed("ready", OffsetStage.applicable)
OffsetStage.apply = _observed("schedule", OffsetStage.apply)
_sync_expected = YadageController.sync_expected


def _observed_sync_expected(self: Any) -> Any:
    # yadage predicts each new step's result with packtivity's prepublish (formatting an
    # interpolated-pub publisher) on every tick; when that raises, find the step it raised for
    # by predicting each again (a pure function of the step), then let the error go on.
    global _failed
    try:
        return _sync_expected(self)
    except BaseException:
        if _failed is None:
            for n in self.adageobj.dag.nodes():
                node = self.adageobj.dag.getNode(n)
                task = node.task
                try:
                    self.prepublishing_backend.prepublish(
                        task.spec, task.parameters.json(), task.state
                    )
                except Exception:
                    _failed = {"stage": _stage(task.metadata), "phase": "expect"}
                    break
        raise


YadageController.sync_expected = _observed_sync_expected


def _jsonable(value: Any) -> Any:
    try:
        value = value.json() if hasattr(value, "json") else value
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


class ObservingBackend(ForegroundBackend):  # type: ignore[misc]
    """packtivity's foreground backend, recording each step it is given (unchanged otherwise)."""

    def __init__(self, workdir: str, steps: list[dict[str, Any]] | None = None) -> None:
        super().__init__()
        self.workdir = workdir
        self.steps: list[dict[str, Any]] = [] if steps is None else steps

    def submit(self, spec: Any, parameters: Any, state: Any, metadata: Any = None) -> Any:
        global _current, _failed
        metadata = metadata or {}
        rw = list(getattr(state, "readwrite", None) or [])
        record: dict[str, Any] = {
            "stage": _stage(metadata),
            "name": metadata.get("name"),
            "workdir": os.path.relpath(rw[0], self.workdir) if rw else None,
            "parameters": _jsonable(parameters),
            "job": None,
            "result": None,
            "error": None,
        }
        self.steps.append(record)
        _current = record
        try:
            proxy = super().submit(spec, parameters, state, metadata)
        except BaseException as exc:
            record["error"] = f"{type(exc).__name__}: {exc}"
            _failed = _failed or {"stage": record["stage"], "phase": "step"}
            raise
        finally:
            _current = None
        record["result"] = _jsonable(proxy.resultdata)
        return proxy


def _rule_stage(rule: Any) -> str:
    return _scoped(getattr(rule, "offset", ""), getattr(getattr(rule, "rule", None), "name", "?"))


def run(request: dict[str, Any]) -> dict[str, Any]:
    global _failed
    _failed = None
    workdir = os.path.abspath(request["workdir"])
    observer = ObservingBackend(workdir)
    backend = PacktivityBackend(packtivity_backend=observer, backendopts={})
    backend.backends["purepub"] = ObservingBackend(workdir, observer.steps)  # the init steps
    report: dict[str, Any] = {"error": None, "traceback": None}
    start = time.perf_counter()
    steering = None
    try:
        with steering_ctx(
            "local:" + workdir,
            request["workflow"],
            initdata=request.get("initdata") or {},
            toplevel=request["toplevel"],
            backend=backend,
            visualize=False,
            updateinterval=0.0,
            loginterval=3600,
            dataopts=request.get("dataopts"),
        ) as steering:
            pass
    except Exception as exc:
        report["error"] = f"{type(exc).__name__}: {exc}"
        report["traceback"] = traceback.format_exc().splitlines()[-12:]
    report["seconds"] = round(time.perf_counter() - start, 3)
    report["failed"] = _failed if report["error"] else None
    report["steps"] = observer.steps
    workflow = steering.workflow if steering is not None else None
    if workflow is None:
        report.update(scheduled=[], unscheduled=[], nodes=[])
        return report
    report["scheduled"] = [_rule_stage(r) for r in workflow.applied_rules]
    report["unscheduled"] = [_rule_stage(r) for r in workflow.rules]
    report["nodes"] = [
        {
            "name": node.name,
            "stage": _stage(node.task.metadata),
            "state": str(node.state).split(".")[-1],
        }
        for node in (workflow.dag.getNode(n) for n in workflow.dag.nodes())
    ]
    return report


def main() -> int:
    requests = json.load(sys.stdin)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    reports = [run(r) for r in requests]
    json.dump(reports, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
