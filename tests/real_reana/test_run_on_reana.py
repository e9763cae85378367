"""`recast-reana run` end to end against the real reana-server 0.9.4: `main(["run", repo, ...])`.

Preflight (GET /api/you, GET /api/secrets when a step needs kerberos), create, uploads, start with
parameters, status until the workflow is `pending` (the workflow controller created the engine's
Kubernetes job; no engine runs here, so it stays there), the workspace listing and the logs. To
follow a run to its end, a test plays the engine's part: it writes the outputs into the workspace
and publishes the statuses on the jobs-status queue, as the engine does, and REANA's own consumer
moves the workflow on. The access token is the sentinel: it never appears in any output, log
record or report file. What the real server cannot do here (jobs and their logs, faults, timing)
stays with the fake REANA in tests/test_run.py.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from gitrepo import write
from helpers import REANA_REPO, replace_in

from real_reana.client import Reana
from real_reana.harness import Stack
from recast_reana.cli import main
from recast_reana.errors import EXIT_FATAL, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from recast_reana.reana.client import Client

pytestmark = pytest.mark.real_reana

KERBEROS_STEP = replace_in(
    REANA_REPO,
    "specs/steps.yml",
    "    imagetag: v1.2.0\n",
    "    imagetag: v1.2.0\n    resources:\n      - kerberos: true\n",
)
KERBEROS_WORKFLOW = replace_in(
    REANA_REPO,
    "reana.yaml",
    "  file: specs/workflow.yml\n",
    "  file: specs/workflow.yml\n  resources:\n    kerberos: true\n",
)


@pytest.fixture
def as_user(
    real_reana_stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> Callable[[str], tuple[Reana, str]]:
    """Point `recast-reana run` at the real server as `user`; returns the REST API and token."""
    for name in ("CI", "GITLAB_CI", "CI_PROJECT_NAME", "CI_COMMIT_REF_SLUG", "CI_COMMIT_REF_NAME"):
        monkeypatch.delenv(name, raising=False)
    for name in [k for k in os.environ if k.startswith("REANA_PARAM_")]:
        monkeypatch.delenv(name)

    def point(user: str) -> tuple[Reana, str]:
        token = real_reana_stack.tokens[user]
        monkeypatch.setenv("REANA_SERVER_URL", real_reana_stack.url)
        monkeypatch.setenv("REANA_ACCESS_TOKEN", token)
        return Reana(real_reana_stack.url, token), token

    return point


def secret_free(token: str, *texts: str, files: Path | None = None) -> None:
    """The token appears in none of the texts nor in any file under `files`."""
    for text in texts:
        assert token not in text
    for path in sorted(files.rglob("*")) if files else []:
        if path.is_file():
            assert token not in path.read_text(errors="replace"), path


def test_run_end_to_end(
    as_user: Callable[[str], tuple[Reana, str]],
    real_reana_stack: Stack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # urllib3 logs every URL, access_token included
    reana, token = as_user("runner")
    repo, reports = write(tmp_path / "analysis", REANA_REPO), tmp_path / "reports"
    argv = ["run", str(repo), "--name", "e2e-run", "--param", "xsec=50.5"]
    assert main([*argv, "--report-dir", str(reports)]) == EXIT_OK
    out, err = capsys.readouterr()
    # Checked before any other client (whose own redaction would hide a leak) is made.
    secret_free(token, out, err, caplog.text, files=reports)
    assert "access_token=***" in caplog.text  # urllib3 logged the URLs, redacted
    url = real_reana_stack.url
    assert f"submitting e2e-run to {url} (2 files, " in out
    assert "  uploaded specs/steps.yml (" in out and "  uploaded specs/workflow.yml (" in out
    [started] = [line for line in out.splitlines() if line.startswith("started ")]
    assert started.startswith(f"started e2e-run.1: {url}/details/")
    workflow_id = started.rsplit("/", 1)[1]

    # The real server has it: status, ls, logs, and the parameters the engine is given.
    client = Client(url, token)
    assert reana.settle(workflow_id) == "pending"
    assert client.status(workflow_id)["name"] == "e2e-run.1"
    names = sorted(item["name"] for item in client.files(workflow_id))
    assert names == ["specs/steps.yml", "specs/workflow.yml"]
    assert client.logs(workflow_id) == {
        "workflow_logs": "",
        "job_logs": {},
        "engine_specific": None,
    }
    assert real_reana_stack.engine_parameters(workflow_id) == {
        "xsec": 50.5,  # --param, a number
        "dataset": "root://eosuser.cern.ch//eos/user/a/analyst/data.root",
    }
    summary = json.loads((reports / "summary.json").read_text())
    [entry] = summary["workflows"]
    assert (entry["workflow"], entry["status"]) == ("e2e-run.1", "queued")
    assert (reports / "reana.env").read_text() == (
        f"REANA_WORKFLOW=e2e-run.1\nREANA_URL={url}/details/{workflow_id}\n"
    )
    client.close()


def test_run_wait_follows_the_real_status(
    as_user: Callable[[str], tuple[Reana, str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    reana, token = as_user("runner")
    repo, reports = write(tmp_path / "analysis", REANA_REPO), tmp_path / "reports"
    argv = ["run", str(repo), "--name", "e2e-wait", "--wait", "--timeout", "4s"]
    assert main([*argv, "--report-dir", str(reports)]) == EXIT_FATAL
    out, err = capsys.readouterr()
    secret_free(token, out, err, caplog.text, files=reports)
    # Polled until the timeout: the workflow was queued, then pending (the scheduler handed it
    # to the workflow controller); on a busy machine the first poll may still see it queued.
    assert re.search(r"\] e2e-wait\.1 (queued|pending): 0/0 jobs finished", out), out
    assert re.search(r"--timeout reached after \ds; still running on REANA: e2e-wait\.1 \(", err)
    entry = json.loads((reports / "summary.json").read_text())["workflows"][0]
    assert entry["status"] == "timeout"
    assert reana.settle(entry["url"].rsplit("/", 1)[1]) == "pending"


def play_engine(
    reana: Reana,
    stack: Stack,
    name: str,
    outputs: tuple[str, ...] = (),
    end: tuple[int, str] = (2, ""),
) -> tuple[threading.Thread, list[BaseException]]:
    """In a thread: once workflow `name` is pending, do what its engine would: write the
    outputs into the workspace, publish `running`, then the `end` status with its logs."""
    errors: list[BaseException] = []

    def engine() -> None:
        try:
            assert reana.reaches(name, "pending"), f"{name} never pending"
            workflow_id = str(reana.status(name).body["id"])
            workspace = stack.workspace(workflow_id)
            assert workspace is not None
            for output in outputs:
                (workspace / output).parent.mkdir(parents=True, exist_ok=True)
                (workspace / output).write_text(f"{output} made by the test engine\n")
            stack.publish_status(workflow_id, 1)
            time.sleep(2)  # `run --wait` sees it running at a poll (every 0.5 s here: conftest)
            stack.publish_status(workflow_id, *end)
        except BaseException as exc:  # the test asserts there is none
            errors.append(exc)

    thread = threading.Thread(target=engine, daemon=True)
    thread.start()
    return thread, errors


def test_run_wait_to_the_end_reads_logs_lists_and_downloads(
    as_user: Callable[[str], tuple[Reana, str]],
    real_reana_stack: Stack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No engine runs here: once the workflow is pending, the test does what the engine would,
    writes the outputs into the workspace and publishes `running`, then `finished`, on the
    jobs-status queue. `run --wait` follows the real status to the end, reads the logs, lists
    the workspace for `outputs.directories` and downloads the outputs from the real server."""
    reana, token = as_user("runner")
    files = replace_in(
        REANA_REPO,
        "reana.yaml",
        "    - fit/limit.png\n",
        "    - fit/limit.png\n  directories:\n    - plots\n",
    )
    repo, out_dir, reports = (
        write(tmp_path / "analysis", files),
        tmp_path / "out",
        tmp_path / "reports",
    )
    thread, errors = play_engine(
        reana,
        real_reana_stack,
        "e2e-finish",
        outputs=("fit/limit.png", "plots/a.png", "plots/b/c.png"),
        end=(2, "yadage: workflow finished\n"),
    )
    argv = ["run", str(repo), "--name", "e2e-finish", "--wait", "--timeout", "3m"]
    code = main([*argv, "--download", str(out_dir), "--report-dir", str(reports)])
    thread.join(timeout=30)
    out, err = capsys.readouterr()
    assert errors == []
    assert code == EXIT_OK, err
    assert re.search(r"\] e2e-finish\.1 running: 0/0 jobs finished", out), out
    assert re.search(r"^e2e-finish\.1 finished in \d+s$", out, re.M), out
    for name in ("fit/limit.png", "plots/a.png", "plots/b/c.png"):
        assert (out_dir / name).read_text() == f"{name} made by the test engine\n"
        assert f"  downloaded {name} (" in out
    entry = json.loads((reports / "summary.json").read_text())["workflows"][0]
    assert (entry["workflow"], entry["status"]) == ("e2e-finish.1", "finished")
    assert sorted(entry["outputs"]) == ["fit/limit.png", "plots/a.png", "plots/b/c.png"]
    workflow_id = entry["url"].rsplit("/", 1)[1]
    server_log = (real_reana_stack.logs / "reana-server.log").read_text()
    for call in ("logs?", "workspace?"):  # run read the logs and listed the workspace
        assert f"GET /api/workflows/{workflow_id}/{call}" in server_log
    secret_free(token, out, err, files=tmp_path)


def test_run_wait_shows_the_log_of_a_failed_workflow(
    as_user: Callable[[str], tuple[Reana, str]],
    real_reana_stack: Stack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reana, token = as_user("runner")
    repo, reports = write(tmp_path / "analysis", REANA_REPO), tmp_path / "reports"
    log = "yadage: stage fit failed\nTraceback: the fit did not converge\n"
    thread, errors = play_engine(reana, real_reana_stack, "e2e-fail", end=(3, log))
    argv = ["run", str(repo), "--name", "e2e-fail", "--wait", "--timeout", "3m"]
    code = main([*argv, "--report-dir", str(reports)])
    thread.join(timeout=30)
    out, err = capsys.readouterr()
    assert errors == []
    assert code == EXIT_PROBLEMS, err
    assert re.search(r"^e2e-fail\.1 failed after \d+s: http", out, re.M), out
    assert "workflow log (last lines):\n  yadage: stage fit failed\n  Traceback: the fit" in out
    entry = json.loads((reports / "summary.json").read_text())["workflows"][0]
    assert (entry["workflow"], entry["status"]) == ("e2e-fail.1", "failed")
    secret_free(token, out, err, files=tmp_path)


def test_run_preflight_stops_on_missing_kerberos_secrets(
    as_user: Callable[[str], tuple[Reana, str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reana, token = as_user("analyst")  # never given secrets
    assert reana.call("GET", "/api/secrets").body == []
    repo = write(tmp_path / "analysis", KERBEROS_STEP)
    assert main(["run", str(repo), "--name", "e2e-no-secrets"]) == EXIT_USAGE
    out, err = capsys.readouterr()
    assert "your REANA account lacks the secrets CERN_USER, CERN_KEYTAB" in err
    assert (
        "reana-client secrets-add --env CERN_USER=<user> --env CERN_KEYTAB=<user>.keytab "
        "--file ~/<user>.keytab" in err
    )
    # Nothing was created.
    answer = reana.status("e2e-no-secrets")
    assert (answer.status, answer.message) == (
        404,
        "REANA_WORKON is set to e2e-no-secrets, but that workflow does not exist. Please set "
        "your REANA_WORKON environment variable appropriately.",
    )
    secret_free(token, out, err)


def add_kerberos_secrets(reana: Reana) -> None:
    """What `reana-client secrets-add --env CERN_USER=analyst --env CERN_KEYTAB=analyst.keytab
    --file /home/analyst/analyst.keytab` sends: the file secret named by its base name."""
    answer = reana.add_secrets(
        {
            "CERN_USER": ("env", b"analyst"),
            "CERN_KEYTAB": ("env", b"analyst.keytab"),
            "analyst.keytab": ("file", b"\x05\x02 not a real keytab"),
        }
    )
    assert (answer.status, answer.message) == (201, "Secret(s) successfully added.")


def test_run_preflight_passes_with_the_secrets(
    as_user: Callable[[str], tuple[Reana, str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reana, token = as_user("kerberos")
    add_kerberos_secrets(reana)
    listed = sorted((s["name"], s["type"]) for s in reana.call("GET", "/api/secrets").body)
    assert listed == [("CERN_KEYTAB", "env"), ("CERN_USER", "env"), ("analyst.keytab", "file")]
    repo = write(tmp_path / "analysis", KERBEROS_STEP)
    assert main(["run", str(repo), "--name", "e2e-secrets"]) == EXIT_OK
    out, err = capsys.readouterr()
    secret_free(token, out, err)
    assert reana.settle(out.strip().rsplit("/", 1)[1]) == "pending"


def test_workflow_kerberos_reads_the_keytab_by_the_file_secrets_name(
    as_user: Callable[[str], tuple[Reana, str]], real_reana_stack: Stack
) -> None:
    """reana.yaml `workflow.resources.kerberos`: the engine's Job gets a kinit init container
    that reads the keytab from the user's file secrets, at the name CERN_KEYTAB gives: so a file
    secret (named by its base name) must be called what CERN_KEYTAB says."""
    reana, _ = as_user("kerberos")
    add_kerberos_secrets(reana)
    submission = reana.submit("e2e-workflow-kerberos", KERBEROS_WORKFLOW)
    assert submission.accepted and submission.status == "pending", submission
    job = real_reana_stack.engine_job(submission.id)
    assert job is not None
    pod = job["spec"]["template"]["spec"]
    kinit = " ".join(
        " ".join(c.get("args") or c.get("command") or []) for c in pod["initContainers"]
    )
    assert "kinit -kt /etc/reana/secrets/analyst.keytab analyst@CERN.CH" in kinit
    files = [
        item["path"]
        for volume in pod["volumes"]
        for item in (volume.get("secret") or {}).get("items") or []
    ]
    assert "analyst.keytab" in files


def test_name_with_a_dot(
    as_user: Callable[[str], tuple[Reana, str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reana, _ = as_user("runner")
    refused = reana.create("my.analysis", {"workflow": {"type": "yadage", "file": "x.yml"}})
    assert (refused.status, refused.message) == (
        403,
        'Workflow name my.analysis contains illegal character "."',
    )
    repo = write(tmp_path / "analysis", REANA_REPO)
    assert main(["run", str(repo), "--name", "my.analysis"]) == EXIT_OK
    out, err = capsys.readouterr()
    assert "recast-reana: note: REANA workflow name my-analysis (REANA refuses '.')" in err
    assert "started my-analysis.1: " in out


def test_parameter_not_in_reana_yaml(
    as_user: Callable[[str], tuple[Reana, str]],
    real_reana_stack: Stack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """reana-server 0.9.4 refuses a start parameter reana.yaml does not declare
    (`validate_input_parameters`); `run` warns and declares it in the reana.yaml it sends."""
    reana, _ = as_user("runner")
    raw = reana.submit("e2e-undeclared-raw", REANA_REPO, parameters={"nevents": 1000})
    assert raw.start is not None
    assert (raw.start.status, raw.start.message) == (
        400,
        'Input parameter "nevents" is not present in reana.yaml',
    )
    repo = write(tmp_path / "analysis", REANA_REPO)
    assert main(["run", str(repo), "--name", "e2e-undeclared", "--param", "nevents=1000"]) == 0
    out, err = capsys.readouterr()
    assert "recast-reana: warning: parameter nevents is not in reana.yaml inputs" in err
    workflow_id = out.strip().rsplit("/", 1)[1]
    assert reana.settle(workflow_id) == "pending"
    parameters = real_reana_stack.engine_parameters(workflow_id)
    assert parameters is not None and parameters["nevents"] == 1000


def test_grid_of_points(
    as_user: Callable[[str], tuple[Reana, str]],
    real_reana_stack: Stack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Eight points submitted back to back, each started with its own parameters."""
    reana, _ = as_user("runner")
    repo = write(tmp_path / "analysis", REANA_REPO)
    grid = tmp_path / "grid.yaml"
    grid.write_text("".join(f"x{n}: {{xsec: {40 + n}}}\n" for n in range(8)))
    argv = ["run", str(repo), "--name", "e2e-grid", "--grid", str(grid)]
    assert main(argv) == EXIT_OK, capsys.readouterr().err
    out, _ = capsys.readouterr()
    started = [line.split()[1] for line in out.splitlines() if line.startswith("started ")]
    assert started == [f"e2e-grid-x{n}.1:" for n in range(8)]
    for n, line in enumerate(line for line in out.splitlines() if line.startswith("started ")):
        workflow_id = line.rsplit("/", 1)[1]
        assert reana.settle(workflow_id) == "pending"
        assert (real_reana_stack.engine_parameters(workflow_id) or {})["xsec"] == 40 + n


def test_wrong_token_is_refused_and_never_printed(
    as_user: Callable[[str], tuple[Reana, str]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    as_user("runner")
    sentinel = "Sentinel-Real-Reana-Token-4c1d9e"
    monkeypatch.setenv("REANA_ACCESS_TOKEN", sentinel)
    repo, reports = write(tmp_path / "analysis", REANA_REPO), tmp_path / "reports"
    assert main(["run", str(repo), "--report-dir", str(reports)]) == EXIT_FATAL
    out, err = capsys.readouterr()
    assert "REANA refused the access token (REANA_ACCESS_TOKEN): Token not valid." in err
    secret_free(sentinel, out, err, caplog.text, files=tmp_path)
