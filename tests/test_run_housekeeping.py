"""`recast-reana run` and the user's REANA account: the quota in the preflight, `--keep-last`,
answers that only look like a deletion, statuses REANA does not document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import test_run
from fake_reana import FakeReana
from workflow_simulation import FakeClock

from recast_reana.cli import main
from recast_reana.reana.workflows import UNKNOWN_LIMIT

MIB = 1 << 20

SENTINEL = test_run.SENTINEL
clock, fake, repo = test_run.clock, test_run.fake, test_run.repo  # the same fixtures


def runs(fake: FakeReana) -> dict[str, str]:
    return {wf.full_name: wf.status for wf in fake.workflows.values()}


# --- quota ---------------------------------------------------------------------------------


def test_the_quota_is_shown_in_the_preflight(
    repo: Path, fake: FakeReana, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.quota_used["cpu"], fake.quota_limit["cpu"] = 70_536, 200_000
    fake.quota_used["disk"], fake.quota_limit["disk"] = 9 * MIB, 50 * MIB
    assert main(["run", str(repo)]) == 0
    stdout, stderr = capsys.readouterr()
    assert stdout.splitlines()[0] == (
        "REANA quota: cpu 1m 10s out of 3m 20s used (35%), disk 9 MiB out of 50 MiB used (18%)"
    )
    assert "warning" not in stderr


def test_a_quota_without_limits(
    repo: Path, fake: FakeReana, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(repo)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "REANA quota: cpu 0s used (no limit), disk 0 Bytes used (no limit)"
    )


def test_a_quota_nearly_used_up_is_a_warning(
    repo: Path, fake: FakeReana, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.quota_used["disk"], fake.quota_limit["disk"] = 45 * MIB, 50 * MIB
    assert main(["run", str(repo)]) == 0
    assert (
        "recast-reana: warning: disk quota nearly used up: disk 45 MiB out of 50 MiB used (90%)"
    ) in capsys.readouterr().err


def test_over_the_quota_stops_before_anything_is_created(
    repo: Path, fake: FakeReana, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.quota_used["cpu"], fake.quota_limit["cpu"] = 200_000, 200_000
    assert main(["run", str(repo), "--wait"]) == 3
    _, stderr = capsys.readouterr()
    assert stderr.splitlines() == [
        "recast-reana: error: your REANA quota is used up (cpu 3m 20s out of 3m 20s used "
        "(100%)): REANA refuses to start workflows (403 User quota exceeded). Delete old runs "
        "(`reana-client delete -w <workflow>`, or run with --keep-last N) or ask the REANA "
        "administrators for more"
    ]
    assert fake.operations() == ["get_you"]


def test_reana_itself_refuses_a_start_over_the_quota(
    repo: Path, fake: FakeReana, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fake answers as reana-server's `check_quota` does (what the preflight spares)."""
    fake.quota_limit["disk"] = 100  # the uploads alone exceed it
    assert main(["run", str(repo)]) == 1
    stderr = capsys.readouterr().err
    assert "REANA answered HTTP 403: User quota exceeded." in stderr
    assert runs(fake) == {"analysis.1": "deleted"}  # not left behind


@pytest.mark.parametrize(
    ("quota", "field"),
    [
        ("lots", "quota = 'lots'"),
        ({"cpu": {"usage": {"raw": "70536"}}}, "quota.cpu.usage.raw = '70536'"),
        ({"disk": {"usage": {"raw": 1}, "limit": None}}, "quota.disk.limit.raw = None"),
        ({"disk": []}, "quota.disk.usage.raw = None"),
    ],
)
def test_a_malformed_quota_is_one_line(
    repo: Path,
    fake: FakeReana,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    quota: object,
    field: str,
) -> None:
    monkeypatch.setattr(fake, "quota_usage", lambda: quota)
    fake.api.check_response = lambda *_: []  # type: ignore[method-assign]  # not REANA's on purpose
    assert main(["run", str(repo)]) == 3
    assert capsys.readouterr().err.splitlines() == [
        f"recast-reana: error: REANA answered GET /api/you with {field}, not what REANA sends "
        "(a number, or a mapping for quota)"
    ]


# --- --keep-last ---------------------------------------------------------------------------


def test_keep_last_deletes_the_older_ended_runs_of_this_name(
    repo: Path, fake: FakeReana, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.fail = lambda wf, stage: wf.run == 2 and stage == "fit"
    for _ in range(3):
        main(["run", str(repo), "--wait"])
    main(["run", str(repo), "--name", "analysis-other", "--wait"])  # a name containing it
    main(["run", str(repo)])  # analysis.4, left queued
    capsys.readouterr()
    disk_before = fake.quota_usage()["disk"]["usage"]["raw"]
    assert main(["run", str(repo), "--wait", "--keep-last", "2"]) == 0
    stdout, stderr = capsys.readouterr()
    assert stdout.splitlines()[-1] == (
        "--keep-last 2: deleted 3 older runs of analysis with their workspaces: "
        "analysis.3, analysis.2, analysis.1"
    )
    assert runs(fake) == {
        "analysis.1": "deleted",
        "analysis.2": "deleted",  # failed
        "analysis.3": "deleted",
        "analysis.4": "finished",  # ended meanwhile, so it counts
        "analysis.5": "finished",  # this run
        "analysis-other.1": "finished",
    }
    assert fake.quota_usage()["disk"]["usage"]["raw"] < disk_before + 1000  # space given back
    listing = [s.query for s in fake.seen if s.operation == "get_workflows"]
    assert listing == [
        {
            "type": ["batch"],
            "workflow_id_or_name": ["analysis"],
            "sort": ["desc"],
            "status": ["finished,failed,stopped"],
        }
    ]
    assert stderr == ""


def test_keep_last_leaves_running_workflows_alone(
    repo: Path, fake: FakeReana, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["run", str(repo)])
    main(["run", str(repo)])
    capsys.readouterr()
    assert main(["run", str(repo), "--keep-last", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "--keep-last 1: no older ended runs of analysis to delete"
    )
    assert set(runs(fake).values()) == {"queued"}


def test_keep_last_for_each_point_of_a_grid(
    tmp_path: Path, repo: Path, fake: FakeReana, capsys: pytest.CaptureFixture[str]
) -> None:
    grid = tmp_path / "grid.csv"
    grid.write_text("point,xsec\nm300,1.5\nm400,2.5\n")
    argv = ["run", str(repo), "--wait", "--grid", str(grid)]
    main(argv)
    main(argv)
    capsys.readouterr()
    assert main([*argv, "--keep-last", "1"]) == 0
    stdout = capsys.readouterr().out
    assert "deleted 2 older runs of analysis-m300 with their workspaces: analysis-m300.2, " in (
        stdout
    )
    assert sorted(n for n, s in runs(fake).items() if s != "deleted") == [
        "analysis-m300.3",
        "analysis-m400.3",
    ]


def test_keep_last_that_cannot_delete_warns_and_keeps_the_verdict(
    repo: Path, fake: FakeReana, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["run", str(repo), "--wait"])
    capsys.readouterr()
    fake.inject("status", "set_workflow_status", status=500, times=10)
    assert main(["run", str(repo), "--wait", "--keep-last", "1"]) == 0
    stderr = capsys.readouterr().err
    assert stderr.startswith(
        "recast-reana: warning: --keep-last 1: cannot delete analysis.1: cannot delete the "
        "workflow: REANA answered HTTP 500"
    )
    assert SENTINEL not in stderr


@pytest.mark.parametrize("value", ["0", "-2"])
def test_keep_last_must_keep_one(
    repo: Path, fake: FakeReana, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(repo), "--keep-last", value]) == 2
    assert "--keep-last must be at least 1" in capsys.readouterr().err
    assert fake.count() == 0


# --- answers that are not what they seem ---------------------------------------------------


def test_an_ingress_404_page_is_not_a_deletion(
    repo: Path, fake: FakeReana, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """During a REANA restart the ingress answers its own HTML 404: the run goes on."""
    fake.inject("page", "get_workflow_status", status=404, skip=2, times=2)
    assert main(["run", str(repo), "--wait", "--report-dir", str(tmp_path / "r")]) == 0
    stdout, stderr = capsys.readouterr()
    assert "analysis.1 finished in" in stdout
    assert (
        f"recast-reana: warning: cannot read the workflow status: {fake.url} answered HTTP 404 "
        "with text/html, not REANA's JSON (a proxy in front of REANA, e.g. while REANA "
        "restarts?); trying again at the next poll"
    ) in stderr
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["status"] == "finished"


def test_a_404_that_lasts_is_bounded_like_an_outage(
    repo: Path, fake: FakeReana, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.inject("page", "get_workflow_status", status=404, skip=1, times=10_000)
    fake.inject("page", "get_workflows", status=404, times=10_000)
    assert main(["run", str(repo), "--wait"]) == 3
    _, stderr = capsys.readouterr()
    assert "recast-reana: error: REANA did not answer for 15m" in stderr
    assert clock.now < 20 * 60


def test_an_undocumented_status_is_not_followed_for_ever(
    repo: Path,
    fake: FakeReana,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    answer = fake.op_get_workflow_status

    def odd_status(*args: object) -> tuple[int, dict[str, object]]:
        status, body = answer(*args)
        return status, {**body, "status": "paused"} if clock.now > 20 else body

    monkeypatch.setattr(fake, "op_get_workflow_status", odd_status)
    reports = tmp_path / "r"
    assert main(["run", str(repo), "--wait", "--report-dir", str(reports)]) == 3
    _, stderr = capsys.readouterr()
    lines = stderr.splitlines()
    assert lines[0] == (
        "recast-reana: warning: REANA reports analysis.1 as 'paused', a status REANA 0.9 does "
        "not document; following it for at most 15m00s"
    )
    assert lines[-1].startswith(
        "recast-reana: error: REANA has reported analysis.1 as 'paused', a status REANA 0.9 "
        "does not document, for 15m"
    )
    assert lines[-1].endswith(
        f"giving up (it may still be on REANA: {fake.url}/details/{next(iter(fake.workflows))})"
    )
    assert UNKNOWN_LIMIT <= clock.now < UNKNOWN_LIMIT + 120
    summary = json.loads((reports / "summary.json").read_text())["workflows"][0]
    assert summary["status"] == "paused" and summary["message"].startswith("status 'paused'")
