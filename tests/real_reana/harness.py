"""One real REANA per pytest session, shared by the pytest-xdist workers: start, share, stop.

The first worker to get there (at its first test, in a background thread: `start_early`; or when
a test needs the server) takes a file lock in the session's rendezvous directory (the base
temporary directory all workers of one run share, or the session's own without xdist), starts
the supervisor (`stack.py`) in a private mount namespace and waits for its `state.json`.
Every worker using the server holds a lease, a file named by its pid (a worker that started it
early holds one until it exits). When a worker's session
ends it drops its lease; the last one stops the supervisor and waits until everything it started
has exited. A worker that dies (a killed pytest) leaves a lease whose pid is gone: the
supervisor notices and stops by itself.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caches import locked

from real_reana.install import Installation

START_TIMEOUT = 300.0
STOP_TIMEOUT = 90.0
TESTS = Path(__file__).resolve().parent.parent
# Debian packages the tier runs (`apt-get install postgresql rabbitmq-server redis-server`).
PROGRAMS = {
    "redis-server": "redis-server",
    "epmd": "rabbitmq-server",
    "openssl": "openssl",
    "unshare": "util-linux",
    "mount": "mount",
}
RABBITMQ = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")


def missing_programs() -> list[str]:
    """The Debian packages whose programs are missing (empty when the machine can run it)."""
    missing = {pkg for prog, pkg in PROGRAMS.items() if shutil.which(prog) is None}
    if not RABBITMQ.is_file():
        missing.add("rabbitmq-server")
    if not list(Path("/usr/lib/postgresql").glob("*/bin/postgres")):
        missing.add("postgresql")
    return sorted(missing)


@dataclass(frozen=True)
class Stack:
    """What the supervisor wrote in state.json."""

    directory: Path
    url: str
    tokens: dict[str, str]
    pid: int
    seconds: dict[str, float]
    state: dict[str, Any] = field(repr=False)

    @property
    def logs(self) -> Path:
        return Path(self.state["logs"])

    @property
    def kube_log(self) -> Path:
        return Path(self.state["kube_log"])

    @property
    def workspaces(self) -> Path:
        return Path(self.state["shared"])

    def publish_status(self, workflow_id: str, status: int, logs: str = "") -> None:
        """What a workflow engine sends on the `jobs-status` queue (reana-commons'
        `WorkflowStatusPublisher`, run in the controller's environment): the controller's
        job-status consumer moves the workflow on (1 running, 2 finished, 3 failed)."""
        script = (
            "import sys; from reana_commons.publisher import WorkflowStatusPublisher as P; "
            "P().publish_workflow_status(sys.argv[1], int(sys.argv[2]), logs=sys.argv[3])"
        )
        subprocess.run(
            [self.state["controller_python"], "-c", script, workflow_id, str(status), logs],
            env={"RABBIT_MQ": self.state["rabbitmq"], "PATH": "/usr/bin:/bin"},
            check=True,
            capture_output=True,
            timeout=60,
        )

    def workspace(self, workflow_id: str) -> Path | None:
        """The workflow's workspace directory (`--workflow-workspace` of the engine's Job)."""
        job = self.engine_job(workflow_id)
        for container in (
            (job or {}).get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])
        ):
            found = re.search(r"--workflow-workspace (\S+)", " ".join(container.get("args") or []))
            if found:
                return Path(found.group(1))
        return None

    def kube_requests(self) -> list[dict[str, Any]]:
        """What REANA asked of the Kubernetes API so far: {method, path, body}."""
        lines = self.kube_log.read_text().splitlines() if self.kube_log.is_file() else []
        return [json.loads(line) for line in lines if line.strip()]

    def engine_job(self, workflow_id: str) -> dict[str, Any] | None:
        """The batch Job the workflow controller created to run this workflow's engine."""
        for request in self.kube_requests():
            body = request.get("body") or {}
            labels = (body.get("metadata") or {}).get("labels") or {}
            if (
                request["method"] == "POST"
                and request["path"].endswith("/jobs")
                and labels.get("reana-run-batch-workflow-uuid") == workflow_id
            ):
                return dict(body)
        return None

    def engine_parameters(self, workflow_id: str) -> dict[str, Any] | None:
        """The parameters REANA gives the workflow engine: `--workflow-parameters` in the engine
        container's command (workflow_run_manager.py `engine_mapping`), base64 JSON written as
        the repr of bytes (`'b'eyJ...''`)."""
        job = self.engine_job(workflow_id)
        if job is None:
            return None
        for container in job["spec"]["template"]["spec"]["containers"]:
            command = " ".join(container.get("args") or [])
            found = re.search(r"--workflow-parameters '(?:b')?([A-Za-z0-9+/=]*)'", command)
            if found:
                return dict(json.loads(base64.standard_b64decode(found.group(1))))
        return None


class StartError(Exception):
    """The stack did not come up; the message names the log to read."""


def alive(pid: int) -> bool:
    """The process runs (a zombie, exited but not yet reaped by its parent, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _load(directory: Path) -> Stack | None:
    try:
        state = json.loads((directory / "state.json").read_text())
    except (OSError, ValueError):
        return None
    if not alive(int(state["pid"])):
        return None
    return Stack(directory, state["url"], state["tokens"], state["pid"], state["seconds"], state)


def _started(directory: Path, installation: Installation) -> Stack:
    """The running stack, started here (holding this worker's lease) unless another did."""
    leases = directory / "leases"
    leases.mkdir(parents=True, exist_ok=True)
    lease = leases / str(os.getpid())
    with locked(directory):
        stack = _load(directory)
        if stack is None:
            stack = _start(directory, installation, lease)
        lease.touch()
    return stack


def start_early(rendezvous: Path, installation: Callable[[], Installation]) -> None:
    """Install and start the session's stack in a background thread, so that it comes up
    (8 s or more) while the worker runs other tests. Whatever fails here fails again, and is
    reported, in the fixture that needs the stack."""

    def start() -> None:
        with contextlib.suppress(Exception):
            _started(rendezvous / "real-reana", installation())

    threading.Thread(target=start, daemon=True).start()


@contextmanager
def shared_stack(rendezvous: Path, installation: Installation) -> Iterator[Stack]:
    """The session's stack, started here unless another worker did; stopped by the last user."""
    directory = rendezvous / "real-reana"
    leases = directory / "leases"
    lease = leases / str(os.getpid())
    stack = _started(directory, installation)
    try:
        yield stack
    finally:
        lease.unlink(missing_ok=True)
        with locked(directory):
            others = [p for p in leases.glob("*") if p.name.isdigit() and alive(int(p.name))]
            last = not others
            if last:
                (directory / "state.json").unlink(missing_ok=True)
        if last:
            stop(stack.pid)


def _start(directory: Path, installation: Installation, lease: Path) -> Stack:
    for stale in ("state.json", "error.txt"):
        (directory / stale).unlink(missing_ok=True)
    shutil.rmtree(directory / "logs", ignore_errors=True)
    lease.touch()  # before the supervisor looks: it stops when no lease holder is left
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    with (directory / "supervisor.log").open("ab") as log:
        process = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", sys.executable, "-m",
             "real_reana.stack", str(directory), str(installation.home)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        stack = _load(directory)
        if stack is not None:
            return stack
        if process.poll() is not None:
            break
        time.sleep(0.3)
    else:
        stop(process.pid)
    error = directory / "error.txt"
    why = error.read_text().strip().splitlines()[-1] if error.is_file() else ""
    if not why:
        log_text = (directory / "supervisor.log").read_text(errors="replace").strip()
        why = log_text.splitlines()[-1] if log_text else f"not ready after {START_TIMEOUT:.0f} s"
    raise StartError(f"the real REANA did not start: {why} (logs: {directory})")


def stop(pid: int) -> None:
    """SIGTERM the supervisor and wait until it (and so everything it started) is gone."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while alive(pid) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # our own child: reap it, or it stays a zombie
        time.sleep(0.2)
    if alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
