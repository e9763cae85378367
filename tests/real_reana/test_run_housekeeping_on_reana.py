"""`recast-reana run` and the user's account on the real reana-server 0.9.4: the quota in the
preflight, `--keep-last` deleting ended runs with their workspaces, `--stop-on-cancel` stopping
a running workflow and deleting a pending one, the client's list/stop/delete answers.

Runs end here only when the test plays the engine (test_run_on_reana.play_engine)."""

from __future__ import annotations

import os
import re
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from gitrepo import write
from helpers import REANA_REPO

from real_reana.client import Reana
from real_reana.harness import Stack
from real_reana.test_run_on_reana import as_user, play_engine, secret_free
from recast_reana.cli import main
from recast_reana.errors import EXIT_INTERRUPTED, EXIT_OK
from recast_reana.reana import client as api

pytestmark = pytest.mark.real_reana
__all__ = ["as_user"]  # the fixture, shared


def workspaces(stack: Stack, workflow_id: str) -> list[Path]:
    """The workflow's workspace on the shared volume (`users/<user>/workflows/<id>`), if any."""
    return list((stack.directory / "shared" / "users").glob(f"*/workflows/{workflow_id}"))


def test_the_quota_is_printed_as_reana_reports_it(
    as_user: Callable[[str], tuple[Reana, str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reana, token = as_user("runner")
    quota = reana.call("GET", "/api/you").body["quota"]
    repo = write(tmp_path / "analysis", REANA_REPO)
    assert main(["run", str(repo), "--name", "quota-real"]) == EXIT_OK
    out, err = capsys.readouterr()
    first = out.splitlines()[0]
    expected = [f"{kind} {quota[kind]['usage']['human_readable']} " for kind in sorted(quota)]
    assert first.startswith("REANA quota: "), first
    for part in expected:
        assert part in first, (part, first)
    secret_free(token, out, err)


def test_client_lists_stops_and_deletes_as_reana_answers(
    as_user: Callable[[str], tuple[Reana, str]], real_reana_stack: Stack
) -> None:
    _, token = as_user("runner")
    client = api.Client(real_reana_stack.url, token)
    try:
        first = client.create("client-housekeeping", {"workflow": {"type": "serial"}})
        second = client.create("client-housekeeping", {"workflow": {"type": "serial"}})
        client.create("client-housekeeping-other", {"workflow": {"type": "serial"}})
        listed = client.workflows("client-housekeeping")
        assert [(i["id"], i["name"], i["status"]) for i in listed] == [
            (second.id, "client-housekeeping.2", "created"),
            (first.id, "client-housekeeping.1", "created"),
        ]
        assert client.workflows("client-housekeeping", ("finished", "failed", "stopped")) == []
        with pytest.raises(api.ReanaError) as refused:
            client.stop(first.id)
        assert refused.value.status == 409
        assert str(refused.value) == (
            f"cannot stop the workflow: REANA answered HTTP 409: Workflow {first.id} is not "
            "running."
        )
        assert workspaces(real_reana_stack, first.id) != []
        answer = client.delete(first.id)
        assert answer["message"] == "Workflow successfully deleted."
        assert answer["status"] == "deleted"
        assert workspaces(real_reana_stack, first.id) == []
        assert client.status(first.id)["status"] == "deleted"
        assert client.workflows(first.id)[0]["status"] == "deleted"
    finally:
        client.close()


def test_keep_last_deletes_older_ended_runs_with_their_workspaces(
    as_user: Callable[[str], tuple[Reana, str]],
    real_reana_stack: Stack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reana, token = as_user("runner")
    repo = write(tmp_path / "analysis", REANA_REPO)
    argv = ["run", str(repo), "--name", "keep-real", "--wait", "--timeout", "3m"]
    ids = []
    for keep in ([], ["--keep-last", "1"]):
        thread, errors = play_engine(reana, real_reana_stack, "keep-real", end=(2, "done\n"))
        assert main([*argv, *keep]) == EXIT_OK
        thread.join(timeout=30)
        assert errors == []
        out, err = capsys.readouterr()
        ids.append(re.findall(r"^started keep-real\.\d+: .*/details/(\S+)$", out, re.M)[0])
    assert out.splitlines()[-1] == (
        "--keep-last 1: deleted 1 older run of keep-real with their workspaces: keep-real.1"
    )
    assert reana.status(ids[0]).body["status"] == "deleted"
    assert workspaces(real_reana_stack, ids[0]) == []
    assert reana.status(ids[1]).body["status"] == "finished"
    assert workspaces(real_reana_stack, ids[1]) != []
    secret_free(token, out, err)


def terminate_when(reana: Reana, name: str, status: str) -> threading.Thread:
    """A real SIGTERM to this process once workflow `name` has `status` on the server."""

    def watch() -> None:
        if reana.reaches(name, status):
            os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_stop_on_cancel_stops_a_running_workflow(
    as_user: Callable[[str], tuple[Reana, str]],
    real_reana_stack: Stack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reana, token = as_user("runner")
    repo, reports = write(tmp_path / "analysis", REANA_REPO), tmp_path / "reports"

    def running() -> None:  # the engine's first word: running, and then nothing
        assert reana.reaches("cancel-running", "pending")
        real_reana_stack.publish_status(str(reana.status("cancel-running").body["id"]), 1)

    engine = threading.Thread(target=running, daemon=True)
    engine.start()
    watcher = terminate_when(reana, "cancel-running", "running")
    argv = ["run", str(repo), "--name", "cancel-running", "--wait", "--stop-on-cancel"]
    assert main([*argv, "--report-dir", str(reports)]) == EXIT_INTERRUPTED
    engine.join(timeout=10)
    watcher.join(timeout=10)
    out, err = capsys.readouterr()
    assert re.search(
        r"^recast-reana: stopped cancel-running\.1 on REANA \(--stop-on-cancel\): http", err, re.M
    ), err
    assert reana.status("cancel-running.1").body["status"] == "stopped"
    assert '"status": "stopped"' in (reports / "summary.json").read_text()
    secret_free(token, out, err, files=reports)


def test_stop_on_cancel_deletes_a_pending_workflow(
    as_user: Callable[[str], tuple[Reana, str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """REANA 0.9.4 refuses to stop a pending workflow (409), which would start later."""
    reana, token = as_user("runner")
    repo = write(tmp_path / "analysis", REANA_REPO)
    watcher = terminate_when(reana, "cancel-pending", "pending")
    argv = ["run", str(repo), "--name", "cancel-pending", "--wait", "--stop-on-cancel"]
    assert main(argv) == EXIT_INTERRUPTED
    watcher.join(timeout=10)
    out, err = capsys.readouterr()
    assert (
        "recast-reana: deleted cancel-pending.1 from REANA: it had not started running, and "
        "REANA stops only running workflows"
    ) in err
    assert reana.status("cancel-pending.1").body["status"] == "deleted"
    secret_free(token, out, err)
