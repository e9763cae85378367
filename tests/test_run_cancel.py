"""`recast-reana run` cancelled (SIGTERM from a cancelled CI job, or SIGINT), and workflows that
were created but never started: what it says, what it stops or deletes, what it reports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import test_run
from fake_reana import FakeReana
from workflow_simulation import FakeClock

from recast_reana.cli import main
from recast_reana.reana import client as api

REPORTS = ("junit.xml", "summary.json", "summary.md", "reana.env")

SENTINEL = test_run.SENTINEL
clock, fake, repo = test_run.clock, test_run.fake, test_run.repo  # the same fixtures


def terminate_at(clock: FakeClock, seconds: float) -> None:
    """A real SIGTERM to this process once the simulated run reaches `seconds`."""
    sleep = clock.sleep

    def sleeping(duration: float) -> None:
        sleep(duration)
        if clock.now >= seconds:
            os.kill(os.getpid(), signal.SIGTERM)

    clock.sleep = sleeping  # type: ignore[method-assign]


def statuses(fake: FakeReana) -> list[str]:
    return [wf.status for wf in sorted(fake.workflows.values(), key=lambda w: w.created)]


def set_status_calls(fake: FakeReana) -> list[str]:
    return [s.query["status"][0] for s in fake.seen if s.operation == "set_workflow_status"]


def test_sigterm_of_a_real_process_writes_reports_and_names_what_runs(
    serve_reana: Callable[..., FakeReana], repo: Path, tmp_path: Path
) -> None:
    """The CLI as GitLab runs it: a separate process, a real SIGTERM, real time."""
    server = serve_reana(token=SENTINEL)
    server.durations = {"select": 3600.0}
    reports = tmp_path / "reports"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CI", "GITLAB", "REANA_"))}
    env.update(REANA_SERVER_URL=server.url, REANA_ACCESS_TOKEN=SENTINEL, PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "recast_reana", "run", str(repo), "--wait"]
    process = subprocess.Popen(
        [*command, "--report-dir", str(reports)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    shown = ""
    deadline = time.monotonic() + 60
    while "started analysis.1" not in shown and time.monotonic() < deadline:
        shown += process.stdout.readline()
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=60)
    stdout = shown + stdout
    assert process.returncode == 130
    wf = next(iter(server.workflows.values()))
    assert stderr.splitlines()[-2:] == [
        f"recast-reana: cancelled; left on REANA: analysis.1 (queued, {server.url}/details/"
        f"{wf.id}); `reana-client stop -w <workflow>` stops one",
        "recast-reana: interrupted",
    ]
    assert wf.status == "queued" and set_status_calls(server) == []  # not asked to stop it
    for name in REPORTS:
        assert SENTINEL not in (reports / name).read_text()
    summary = json.loads((reports / "summary.json").read_text())
    assert summary["status"] == "incomplete"
    assert summary["workflows"][0]["message"] == (
        "the run was cancelled; the workflow was left on REANA"
    )
    assert SENTINEL not in stdout + stderr


def test_stop_on_cancel_stops_the_running_workflow(
    repo: Path,
    fake: FakeReana,
    clock: FakeClock,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    terminate_at(clock, 40)  # the first job runs
    reports = tmp_path / "reports"
    argv = ["run", str(repo), "--wait", "--stop-on-cancel", "--report-dir", str(reports)]
    assert main(argv) == 130
    _, stderr = capsys.readouterr()
    wf = next(iter(fake.workflows.values()))
    assert stderr.splitlines() == [
        f"recast-reana: stopped analysis.1 on REANA (--stop-on-cancel): {fake.url}/details/{wf.id}",
        "recast-reana: cancelled; nothing of this run is left running on REANA",
        "recast-reana: interrupted",
    ]
    assert statuses(fake) == ["stopped"] and set_status_calls(fake) == ["stop"]
    summary = json.loads((reports / "summary.json").read_text())["workflows"][0]
    assert (summary["status"], summary["message"]) == (
        "stopped",
        "stopped on cancel (--stop-on-cancel)",
    )


def test_stop_on_cancel_deletes_a_workflow_that_is_not_running_yet(
    repo: Path, fake: FakeReana, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    """REANA 0.9.4 answers 409 "not running" to a stop of a queued workflow, which would start
    later: it is deleted instead, and the output says why."""
    terminate_at(clock, 0)  # at the first poll: queued
    assert main(["run", str(repo), "--wait", "--stop-on-cancel"]) == 130
    _, stderr = capsys.readouterr()
    assert (
        "recast-reana: deleted analysis.1 from REANA: it had not started running, and REANA "
        "stops only running workflows"
    ) in stderr
    assert statuses(fake) == ["deleted"] and set_status_calls(fake) == ["stop", "deleted"]
    delete = next(s for s in fake.seen if s.query.get("status") == ["deleted"])
    assert json.loads(delete.body) == {"workspace": True}
    assert not next(iter(fake.workflows.values())).workspace.exists()


def test_stop_that_fails_names_the_workflow_left_running(
    repo: Path, fake: FakeReana, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    terminate_at(clock, 40)
    fake.inject("status", "set_workflow_status", status=500, times=5)
    assert main(["run", str(repo), "--wait", "--stop-on-cancel"]) == 130
    _, stderr = capsys.readouterr()
    assert "recast-reana: cannot stop analysis.1: cannot stop the workflow: REANA answered " in (
        stderr
    )
    assert "recast-reana: cancelled; left on REANA: analysis.1 (running, http" in stderr
    assert fake.count("set_workflow_status") == 1  # tried once: GitLab kills the job soon


def test_interrupt_between_create_and_start_deletes_the_workflow(
    repo: Path,
    fake: FakeReana,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    upload = api.Client.upload

    def interrupted(self: api.Client, workflow_id: str, path: str, data: bytes) -> None:
        upload(self, workflow_id, path, data)
        raise KeyboardInterrupt  # the signal arrived while uploading

    monkeypatch.setattr(api.Client, "upload", interrupted)
    assert main(["run", str(repo), "--wait", "--report-dir", str(tmp_path / "r")]) == 130
    _, stderr = capsys.readouterr()
    assert stderr.splitlines() == [
        "recast-reana: deleted analysis.1 from REANA (created, never started)",
        "recast-reana: cancelled; nothing of this run is left running on REANA",
        "recast-reana: interrupted",
    ]
    assert statuses(fake) == ["deleted"] and fake.count("start_workflow") == 0
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["workflows"][0]["status"] == "deleted"


def test_interrupt_during_preflight_says_nothing_was_sent(
    repo: Path,
    fake: FakeReana,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def interrupted(self: api.Client) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(api.Client, "you", interrupted)
    assert main(["run", str(repo), "--wait"]) == 130
    assert capsys.readouterr().err.splitlines() == [
        "recast-reana: nothing was submitted to REANA",
        "recast-reana: interrupted",
    ]
    assert fake.count("create_workflow") == 0


def test_a_grid_cancelled_midway(
    tmp_path: Path,
    repo: Path,
    fake: FakeReana,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    grid = tmp_path / "grid.csv"
    grid.write_text("point,xsec\nm300,1.5\nm400,2.5\nm500,3.5\n")
    terminate_at(clock, 40)
    argv = ["run", str(repo), "--wait", "--grid", str(grid), "--parallel", "2"]
    assert main(argv) == 130
    _, stderr = capsys.readouterr()
    assert "left on REANA: analysis-m300.1 (running, http" in stderr
    assert "analysis-m400.1 (running, http" in stderr
    assert "recast-reana: cancelled before submitting 1 of 3" in stderr


def test_a_refused_start_deletes_the_created_workflow(
    repo: Path, fake: FakeReana, capsys: pytest.CaptureFixture[str]
) -> None:
    """The start refused (REANA's 500 for a `$ref` it cannot resolve, say): the workflow it
    created is deleted, not left for nobody to start."""
    fake.inject("status", "start_workflow", status=400, times=1)
    assert main(["run", str(repo)]) == 1
    stderr = capsys.readouterr().err
    assert stderr.splitlines()[-1] == (
        "recast-reana: deleted analysis.1 from REANA (created, never started)"
    )
    assert statuses(fake) == ["deleted"]


def test_a_start_failing_with_500_deletes_the_workflow_too(
    repo: Path, fake: FakeReana, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.inject("status", "start_workflow", status=500, times=1)
    assert main(["run", str(repo)]) == 3
    stderr = capsys.readouterr().err
    assert stderr.strip().endswith("; deleted analysis.1 from REANA (created, never started)"), (
        stderr
    )
    assert statuses(fake) == ["deleted"]


def test_a_workflow_that_cannot_be_deleted_is_named(
    repo: Path, fake: FakeReana, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.inject("status", "start_workflow", status=400, times=1)
    fake.inject("status", "set_workflow_status", status=503, times=1)
    assert main(["run", str(repo)]) == 1
    stderr = capsys.readouterr().err
    assert (
        "recast-reana: analysis.1 was created but not started and is still on REANA (http"
    ) in stderr
    assert "delete it with `reana-client delete -w analysis.1`" in stderr
    assert statuses(fake) == ["created"]


def test_a_second_interrupt_abandons_the_cleanup_and_names_what_is_left(
    tmp_path: Path,
    repo: Path,
    fake: FakeReana,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    grid = tmp_path / "grid.csv"
    grid.write_text("point,xsec\nm300,1.5\nm400,2.5\n")
    terminate_at(clock, 40)

    def impatient(self: api.Client, workflow_id: str) -> None:
        raise KeyboardInterrupt  # Ctrl-C again while the first stop is on its way

    monkeypatch.setattr(api.Client, "stop", impatient)
    argv = ["run", str(repo), "--wait", "--grid", str(grid), "--stop-on-cancel"]
    assert main(argv) == 130
    lines = capsys.readouterr().err.splitlines()
    assert lines[-2].startswith(
        "recast-reana: cancelled; left on REANA: analysis-m300.1 (running, http"
    )
    assert "analysis-m400.1 (running, http" in lines[-2]
    assert lines[-1] == "recast-reana: interrupted"
    assert set(statuses(fake)) == {"running"}
