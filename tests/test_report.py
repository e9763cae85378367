"""`recast-reana report status | note | fetch-history` against the fake GitLab over real HTTP.

What is asserted is what users see: the status GitLab holds (state, link, line), the note's text,
the warning line, the exit code, and the requests GitLab received (counted at the fake).
"""

from __future__ import annotations

import json
import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from fake_gitlab import TOKEN, FakeGitLab
from fake_gitlab_reporting import JOB_TOKEN, Pipeline
from local_server import LocalServer

from recast_reana.cli import main
from recast_reana.gitlab.report_text import MARKER

MP = pytest.MonkeyPatch
REANA_URL = "https://reana.example.org/details/9f1c"


@pytest.fixture
def sha(gitlab: FakeGitLab) -> str:
    return gitlab.push_commit("main", {"recast.yml": "name: x\n"}, "Analysis")


@pytest.fixture
def ci(gitlab: FakeGitLab, sha: str, monkeypatch: MP) -> dict[str, str]:
    """The variables GitLab gives a job of pipeline 77 on main."""
    gitlab.reporting.pipelines.append(Pipeline(77, "main", sha, status="running"))
    env = {
        "CI_SERVER_URL": gitlab.url,
        "CI_PROJECT_ID": str(gitlab.project_id),
        "CI_COMMIT_SHA": sha,
        "CI_COMMIT_REF_NAME": "main",
        "CI_PIPELINE_ID": "77",
        "CI_PIPELINE_URL": f"{gitlab.url}/atlas/analysis/-/pipelines/77",
        "CI_JOB_URL": f"{gitlab.url}/atlas/analysis/-/jobs/501",
        "CI_JOB_TOKEN": JOB_TOKEN,
        "RECAST_REANA_GITLAB_TOKEN": TOKEN,
        "RECAST_REANA_GITLAB_TIMEOUT": "5",
        "RECAST_REANA_GITLAB_RETRIES": "0",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    for k in ("CI_MERGE_REQUEST_IID", "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", "RECAST_REANA_NOTE_ID"):
        monkeypatch.delenv(k, raising=False)
    return env


def summary_json(tmp_path: Path, status: str = "finished", **workflow: Any) -> Path:
    flow = {"workflow": "analysis-main.3", "status": status, "url": REANA_URL}
    flow |= {"duration_seconds": 140.0, "message": ""} | workflow
    path = tmp_path / "summary.json"
    path.write_text(
        json.dumps({"server": "https://reana.example.org", "status": status, "workflows": [flow]})
    )
    return path


def requests_to(gitlab: FakeGitLab, part: str) -> list[str]:
    return [f"{s.method} {s.status}" for s in gitlab.seen if part in s.path]


# --- commit status ------------------------------------------------------------------------


def test_running_then_success_is_one_status_with_the_reana_page(
    gitlab: FakeGitLab, ci: dict[str, str], sha: str, tmp_path: Path, capsys: Any
) -> None:
    assert main(["report", "status", "--state", "running", "--target-url", REANA_URL]) == 0
    assert (
        main(["report", "status", "--state", "auto", "--summary", str(summary_json(tmp_path))]) == 0
    )
    [status] = gitlab.reporting.statuses
    assert status["history"] == ["running", "success"]
    assert status["name"] == "recast-reana/reana" and status["sha"] == sha
    assert status["pipeline_id"] == 77 and status["ref"] == "main"  # the pipeline's own ref
    assert status["target_url"] == REANA_URL
    assert status["description"] == "analysis-main.3 finished in 2m 20s"
    out = capsys.readouterr().out
    assert f"commit status recast-reana/reana: success on {sha[:12]}" in out
    assert requests_to(gitlab, "statuses") == ["POST 201", "POST 201"]


def test_failed_run_with_results_and_exit_code(
    gitlab: FakeGitLab, ci: dict[str, str], tmp_path: Path
) -> None:
    path = summary_json(tmp_path, "finished")
    data = json.loads(path.read_text())
    data["results"] = {  # results/ validation's section of summary.json
        "status": "failed",
        "checks": [{"name": "limit", "status": "passed"}, {"name": "xsec", "status": "failed"}],
    }
    path.write_text(json.dumps(data))
    args = ["report", "status", "--state", "auto", "--summary", str(path), "--exit-code", "1"]
    assert main(args) == 0
    [status] = gitlab.reporting.statuses
    assert status["status"] == "failed"
    assert status["description"] == (
        "analysis-main.3 finished in 2m 20s; results 1/2 within tolerance"
    )


def test_run_that_never_started_is_failed_with_the_job_page(
    gitlab: FakeGitLab, ci: dict[str, str], tmp_path: Path
) -> None:
    args = ["report", "status", "--state", "auto", "--summary", str(tmp_path / "none.json")]
    assert main([*args, "--exit-code", "2"]) == 0
    [status] = gitlab.reporting.statuses
    assert status["status"] == "failed" and status["target_url"] == ci["CI_JOB_URL"]
    assert status["description"] == "the run stopped before REANA ran it (exit 2)"


def test_running_twice_is_not_a_warning(
    gitlab: FakeGitLab, ci: dict[str, str], capsys: Any
) -> None:
    """A retried job sets `running` again; GitLab answers 400 Cannot transition."""
    for _ in range(2):
        assert main(["report", "status", "--state", "running"]) == 0
    captured = capsys.readouterr()
    assert "commit status recast-reana/reana is already running" in captured.out
    assert captured.err == ""
    assert requests_to(gitlab, "statuses") == ["POST 201", "POST 400"]


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        pytest.param(
            lambda g: g.tokens.pop(TOKEN),
            "commit status recast-reana/reana not set: GitLab refused RECAST_REANA_GITLAB_TOKEN "
            "(401 Unauthorized): expired, revoked or mistyped",
            id="401-revoked",
        ),
        pytest.param(
            lambda g: g.reporting.roles.__setitem__(TOKEN, "reporter"),
            "commit status recast-reana/reana not set: not allowed (403 403 Forbidden): "
            "RECAST_REANA_GITLAB_TOKEN needs the `api` scope and at least the Developer role",
            id="403-reporter",
        ),
        pytest.param(
            lambda g: g.tokens.__setitem__(TOKEN, {"read_api"}),
            "commit status recast-reana/reana not set: not allowed (403 insufficient_scope",
            id="403-read-api-scope",
        ),
    ],
)
def test_a_missing_permission_is_one_warning_and_exit_0(
    gitlab: FakeGitLab, ci: dict[str, str], capsys: Any, setup: Any, expected: str
) -> None:
    setup(gitlab)
    assert main(["report", "status", "--state", "running", "--target-url", REANA_URL]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"recast-reana: warning: {expected}")
    assert TOKEN not in "\n".join(err)


def test_a_proxy_error_page_is_one_warning(
    gitlab: FakeGitLab, ci: dict[str, str], capsys: Any
) -> None:
    page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    gitlab.inject("POST", r"statuses", status=502, body=page, times=9)
    assert main(["report", "status", "--state", "running"]) == 0
    assert capsys.readouterr().err.strip() == (
        "recast-reana: warning: commit status recast-reana/reana not set: 502 (an HTML page, "
        "not GitLab's API)"
    )
    assert requests_to(gitlab, "statuses") == ["POST 502"] * 1  # RETRIES=0: asked once


def test_without_the_project_token_nothing_is_asked(
    gitlab: FakeGitLab, ci: dict[str, str], capsys: Any, monkeypatch: MP
) -> None:
    monkeypatch.delenv("RECAST_REANA_GITLAB_TOKEN")
    assert main(["report", "status", "--state", "running"]) == 0
    err = capsys.readouterr().err
    assert "commit status not set: RECAST_REANA_GITLAB_TOKEN is not set: create a project" in err
    assert gitlab.seen == []


def test_bad_state_is_a_usage_error(ci: dict[str, str], capsys: Any) -> None:
    assert main(["report", "status", "--state", "done"]) == 2
    assert "--state done: one of running, success, failed" in capsys.readouterr().err


class _Recorder(LocalServer):
    """Another host: records every request that reaches it (a token must never)."""

    def __init__(self) -> None:
        self.seen: list[dict[str, str]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                recorder.seen.append(dict(self.headers))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_POST = do_PUT = do_GET

        super().__init__(Handler)


@pytest.mark.parametrize("code", [301, 302, 307, 308])
def test_a_redirect_is_not_followed_and_no_token_leaves(
    gitlab: FakeGitLab, ci: dict[str, str], tmp_path: Path, capsys: Any, code: int
) -> None:
    with _Recorder() as other:
        for verb in ("POST", "GET"):
            gitlab.inject(verb, r".", status=code, headers={"Location": f"{other.url}/x"}, times=9)
        assert main(["report", "status", "--state", "running"]) == 0
        out = tmp_path / "history.json"
        assert main(["report", "fetch-history", "--out", str(out), "--path", "h.json"]) == 0
    assert other.seen == []
    err = capsys.readouterr().err
    assert (
        f"GitLab answered {code} with a redirect to {other.url.split('//')[1]}: not followed" in err
    )
    assert TOKEN not in err and JOB_TOKEN not in err
    assert not out.exists()


def test_follow_passes_the_run_output_through_and_sets_running_once(
    gitlab: FakeGitLab, ci: dict[str, str], tmp_path: Path
) -> None:
    """`recast-reana run ... | recast-reana report status --follow --state running`."""
    lines = [
        "preflight: REANA answers",
        f"started analysis-main.3: {REANA_URL}",
        "[1m 00s] running 1/2",
        f"started analysis-main.3: {REANA_URL}",
        "analysis-main.3 finished in 2m 20s",
    ]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "recast_reana",
            "report",
            "status",
            "--follow",
            "--state",
            "running",
        ],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**ci, "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    said = done.stdout.splitlines()
    ours = [line for line in said if line.startswith("commit status ")]
    assert [line for line in said if line not in ours] == lines  # every line, unchanged, in order
    assert ours == [
        f"commit status recast-reana/reana: running on {ci['CI_COMMIT_SHA'][:12]} "
        "(REANA workflow analysis-main.3 running)"
    ]
    [status] = gitlab.reporting.statuses
    assert status["history"] == ["running"] and status["target_url"] == REANA_URL
    assert status["description"] == "REANA workflow analysis-main.3 running"


# --- merge-request note ----------------------------------------------------------------------

CODEQUALITY = [
    {
        "description": "key 'imagetag' is repeated",
        "check_name": "RR002 duplicate-key",
        "fingerprint": "a",
        "severity": "major",
        "location": {"path": "specs/steps.yml", "lines": {"begin": 10}},
    },
    {
        "description": "the conversion adds kubernetes_uid",
        "check_name": "RR404 kubernetes-uid",
        "fingerprint": "b",
        "severity": "info",
        "location": {"path": "specs/steps.yml", "lines": {"begin": 3}},
    },
]
SUMMARY_MD = (
    "# REANA run: finished\n\nServer: https://reana.example.org\n\n"
    "| point | workflow | status |\n|---|---|---|\n| - | analysis-main.3 | finished |\n\n"
    "## Results: 2 passed\n\n![limit](plots/limit.png) and [junit](junit.xml)\n"
)


@pytest.fixture
def mr(ci: dict[str, str], monkeypatch: MP, tmp_path: Path) -> dict[str, Path]:
    monkeypatch.setenv("CI_MERGE_REQUEST_IID", "1")
    check = tmp_path / "gl-code-quality-report.json"
    check.write_text(json.dumps(CODEQUALITY))
    run = tmp_path / "summary.md"
    run.write_text(SUMMARY_MD)
    return {"check": check, "run": run}


def note_args(mr: dict[str, Path], tmp_path: Path, *extra: str) -> list[str]:
    return [
        "report",
        "note",
        "--check",
        str(mr["check"]),
        "--dotenv",
        str(tmp_path / "n.env"),
        *extra,
    ]


def test_one_note_updated_in_place_on_every_pipeline(
    gitlab: FakeGitLab, mr: dict[str, Path], tmp_path: Path, monkeypatch: MP
) -> None:
    gitlab.reporting.add_note(1, "Looks good, but see the check.")  # a person's comment
    assert main(note_args(mr, tmp_path)) == 0
    [_, ours] = gitlab.reporting.notes[1]
    assert ours["body"].startswith(MARKER + "\n### recast-reana")
    assert "**Check:** 1 major, 1 info" in ours["body"]
    assert "| specs/steps.yml:10 | RR002 | key 'imagetag' is repeated |" in ours["body"]
    assert "RR404" not in ours["body"]  # info: what the conversion fixes
    assert (tmp_path / "n.env").read_text() == f"RECAST_REANA_NOTE_ID={ours['id']}\n"
    # Next pushes: the same note, whether its id is handed on (dotenv) or found by its marker.
    gitlab.reporting.add_note(1, "> " + MARKER + "\n> quoted by someone")
    for handed in (False, True):
        if handed:
            monkeypatch.setenv("RECAST_REANA_NOTE_ID", str(ours["id"]))
        gitlab.seen.clear()
        args = note_args(mr, tmp_path, "--run-summary", str(mr["run"]))
        assert main(args) == 0
        assert [n["id"] for n in gitlab.reporting.notes[1] if n["author"]["id"] == 901] == [
            ours["id"]
        ]
        expected = ["PUT 200"] if handed else ["GET 200", "PUT 200"]
        assert requests_to(gitlab, "notes") == expected
    body = gitlab.reporting.notes[1][1]["body"]
    assert "**REANA run:** finished" in body and "| - | analysis-main.3 | finished |" in body
    assert gitlab.reporting.quick_actions == []


def test_note_links_point_at_the_job_artifacts(
    gitlab: FakeGitLab, mr: dict[str, Path], tmp_path: Path
) -> None:
    base = "https://gitlab.example.org/atlas/analysis/-/jobs/501/artifacts/file/recast-reana-report"
    assert main(["report", "note", "--run-summary", str(mr["run"]), "--link-base", base]) == 0
    [note] = gitlab.reporting.notes[1]
    raw = base.replace("/artifacts/file/", "/artifacts/raw/")
    assert f"![limit]({raw}/plots/limit.png)" in note["body"]
    assert f"[junit]({base}/junit.xml)" in note["body"]
    assert "\n#### Results: 2 passed\n" in note["body"]  # below the note's ### title


def test_a_deleted_note_is_written_again(
    gitlab: FakeGitLab, mr: dict[str, Path], tmp_path: Path, monkeypatch: MP
) -> None:
    monkeypatch.setenv("RECAST_REANA_NOTE_ID", "999999")
    assert main(note_args(mr, tmp_path)) == 0
    assert requests_to(gitlab, "notes") == ["PUT 404", "GET 200", "POST 201"]
    assert len(gitlab.reporting.notes[1]) == 1


def test_note_without_permission_or_token(
    gitlab: FakeGitLab, mr: dict[str, Path], tmp_path: Path, capsys: Any, monkeypatch: MP
) -> None:
    gitlab.tokens[TOKEN] = {"read_api"}
    assert main(note_args(mr, tmp_path)) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "recast-reana: warning: merge-request note not written: not allowed (403 "
        "insufficient_scope): RECAST_REANA_GITLAB_TOKEN needs the `api` scope and at least the "
        "Reporter role in this project"
    ]
    monkeypatch.delenv("RECAST_REANA_GITLAB_TOKEN")
    gitlab.seen.clear()
    assert main(note_args(mr, tmp_path)) == 0
    assert "note not written: RECAST_REANA_GITLAB_TOKEN is not set" in capsys.readouterr().err
    assert gitlab.seen == []


def test_no_token_and_no_quick_action_reaches_the_note(
    gitlab: FakeGitLab, mr: dict[str, Path], tmp_path: Path, monkeypatch: MP
) -> None:
    """A summary quoting the REANA token (a log line) or a `/merge` line: neither takes effect."""
    secret = "Sentinel-Reana-Token-1f2e"
    monkeypatch.setenv("REANA_ACCESS_TOKEN", secret)
    from recast_reana import redact

    mr["run"].write_text(f"# REANA run: failed\n\nlog: access_token={secret}\n/merge\n/close\n")
    redact.register(secret)  # `run` registers it; here the note must not depend on that alone
    assert main(["report", "note", "--run-summary", str(mr["run"])]) == 0
    [note] = gitlab.reporting.notes[1]
    assert TOKEN not in note["body"] and JOB_TOKEN not in note["body"]
    assert "access_token=***" in note["body"]
    assert gitlab.reporting.quick_actions == []
    assert "\\/merge" in note["body"]


def test_note_input_errors_are_one_line(
    gitlab: FakeGitLab, mr: dict[str, Path], tmp_path: Path, capsys: Any
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["report", "note", "--check", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"recast-reana: error: {bad}: not a Code Quality")
    bad.write_text('{"a": 1}')
    assert main(["report", "note", "--check", str(bad)]) == 2
    assert "not a Code Quality report (a JSON array of issues)" in capsys.readouterr().err
    assert gitlab.seen == []


# --- history ---------------------------------------------------------------------------------

HISTORY = b'{"version": 1, "runs": [{"pipeline": 70, "results": {"limit": 1.2}}]}\n'
ARTIFACT = "recast-reana-report/history.json"


def test_history_from_the_last_successful_pipeline_with_the_job_token(
    gitlab: FakeGitLab, ci: dict[str, str], sha: str, tmp_path: Path, capsys: Any
) -> None:
    gitlab.reporting.pipelines += [
        Pipeline(70, "main", sha, artifacts={"recast-reana-run": {ARTIFACT: HISTORY}}),
        Pipeline(
            74, "main", sha, status="failed", artifacts={"recast-reana-run": {ARTIFACT: b"x"}}
        ),
        Pipeline(75, "feature", sha, artifacts={"recast-reana-run": {ARTIFACT: b"y"}}),
    ]
    out = tmp_path / ARTIFACT
    assert main(["report", "fetch-history", "--out", str(out), "--path", ARTIFACT]) == 0
    assert out.read_bytes() == HISTORY
    assert f"history: {out} ({len(HISTORY)} bytes) from {ARTIFACT} of job recast-reana-run" in (
        capsys.readouterr().out
    )
    [seen] = gitlab.seen
    assert seen.path.endswith(f"jobs/artifacts/main/raw/{ARTIFACT}") and seen.status == 200


def test_no_history_yet_is_said_and_not_a_failure(
    gitlab: FakeGitLab, ci: dict[str, str], sha: str, tmp_path: Path, capsys: Any
) -> None:
    """The latest successful pipeline is a push (check + sync), without the run job: 404."""
    gitlab.reporting.pipelines += [
        Pipeline(70, "main", sha, artifacts={"recast-reana-run": {ARTIFACT: HISTORY}}),
        Pipeline(76, "main", sha, artifacts={"recast-reana-check": {"gl.json": b"[]"}}),
    ]
    out = tmp_path / "history.json"
    assert main(["report", "fetch-history", "--out", str(out), "--path", ARTIFACT]) == 0
    captured = capsys.readouterr()
    assert "history: none yet (" in captured.out and captured.err == ""
    assert not out.exists()


def test_history_with_a_revoked_job_token_is_one_warning(
    gitlab: FakeGitLab, ci: dict[str, str], tmp_path: Path, capsys: Any
) -> None:
    gitlab.reporting.job_tokens.clear()  # the job is no longer running
    assert (
        main(["report", "fetch-history", "--out", str(tmp_path / "h.json"), "--path", "h.json"])
        == 0
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "recast-reana: warning: no history fetched: GitLab refused CI_JOB_TOKEN (401 "
        "Unauthorized): expired, revoked or mistyped"
    ]


def test_unreachable_gitlab_is_one_warning(
    ci: dict[str, str], tmp_path: Path, capsys: Any, monkeypatch: MP
) -> None:
    with _Recorder() as gone:
        url = gone.url
    monkeypatch.setenv("CI_SERVER_URL", url)
    assert main(["report", "status", "--state", "running"]) == 0
    assert capsys.readouterr().err.strip() == (
        "recast-reana: warning: commit status recast-reana/reana not set: cannot reach GitLab "
        f"at {url}: connection refused"
    )
