"""`recast-reana run` end to end: `main([...])` against the fake REANA server on simulated time."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fake_reana import FakeReana
from gitrepo import write
from helpers import REANA_REPO, RECAST_REPO, replace_in
from workflow_simulation import FakeClock, Workflow

from recast_reana.cli import main
from recast_reana.reana import run as rr
from recast_reana.reana.workflows import OUTAGE_LIMIT

SENTINEL = "Sentinel-Reana-Token-5e0f2b"
TAG = "    imagetag: v1.2.0\n"  # first occurrence: the select step


@pytest.fixture
def clock(clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The shared fake clock, which `recast-reana run` also sleeps on."""
    monkeypatch.setattr(rr, "SystemClock", lambda: clock)
    return clock


@pytest.fixture
def fake(
    serve_reana: Callable[..., FakeReana], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> FakeReana:
    for name in ("CI", "GITLAB_CI", "CI_PROJECT_NAME", "CI_COMMIT_REF_SLUG", "CI_COMMIT_REF_NAME"):
        monkeypatch.delenv(name, raising=False)
    for name in [k for k in os.environ if k.startswith("REANA_PARAM_")]:
        monkeypatch.delenv(name)
    server = serve_reana(token=SENTINEL, clock=clock.monotonic)
    monkeypatch.setenv("REANA_SERVER_URL", server.url)
    monkeypatch.setenv("REANA_ACCESS_TOKEN", SENTINEL)
    return server


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write(tmp_path / "analysis", REANA_REPO)


def changed(tmp_path: Path, path: str, old: str, new: str) -> Path:
    """REANA_REPO with `old` replaced by `new` in `path`, as the directory tmp_path/analysis."""
    return write(tmp_path / "analysis", replace_in(REANA_REPO, path, old, new))


def kerberos(files: dict[str, str]) -> dict[str, str]:
    return replace_in(
        files, "specs/steps.yml", TAG, TAG + "    resources:\n      - kerberos: true\n"
    )


def run_and_download(repo: Path, out: Path, reports: Path) -> int:
    """`recast-reana run REPO --wait --download OUT --report-dir REPORTS`."""
    return main(["run", str(repo), "--wait", "--download", str(out), "--report-dir", str(reports)])


def started(fake: FakeReana) -> list[Workflow]:
    return sorted(fake.workflows.values(), key=lambda w: w.created)


def start_bodies(fake: FakeReana) -> list[Any]:
    return [json.loads(s.body) for s in fake.seen if s.operation == "start_workflow"]


def test_full_run_with_downloads(
    repo: Path, fake: FakeReana, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir, reports = tmp_path / "results", tmp_path / "reports"
    code = run_and_download(repo, out_dir, reports)
    stdout, stderr = capsys.readouterr()
    assert code == 0, stderr
    assert (out_dir / "fit/limit.png").read_text().startswith("fit/limit.png made by stage fit")
    [wf] = started(fake)
    assert wf.full_name == "analysis.1"
    assert sorted(p.relative_to(wf.workspace).as_posix() for p in wf.workspace.rglob("*.yml")) == [
        "specs/steps.yml",
        "specs/workflow.yml",
    ]
    ops = fake.operations()
    assert ops[:5] == ["get_you", "create_workflow", "upload_file", "upload_file", "start_workflow"]
    assert ops[-2:] == ["get_workflow_logs", "download_file"]
    assert set(ops[5:-2]) == {"get_workflow_status"}
    assert f"started analysis.1: {fake.url}/details/{wf.id}" in stdout
    assert "analysis.1 finished in 2m20s" in stdout
    assert re.search(
        r"\[\d+s\] analysis.1 running: 0/2 jobs finished, 1 running \(step select\)", stdout
    )

    suite = ET.parse(reports / "junit.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("name") == "analysis.1"
    assert (suite.get("tests"), suite.get("failures")) == ("2", "0")
    assert [(c.get("name"), c.get("time")) for c in suite] == [("select", "60"), ("fit", "60")]
    summary = json.loads((reports / "summary.json").read_text())
    assert summary["status"] == "finished"
    [entry] = summary["workflows"]
    assert (entry["workflow"], entry["run_number"], entry["status"]) == (
        "analysis.1",
        "1",
        "finished",
    )
    assert entry["url"] == f"{fake.url}/details/{wf.id}"
    assert entry["duration_seconds"] == 140 and entry["outputs"] == ["fit/limit.png"]
    assert entry["parameters"]["xsec"] == 44.8
    assert "| - | [analysis.1](" in (reports / "summary.md").read_text()
    assert (reports / "reana.env").read_text() == (
        f"REANA_WORKFLOW=analysis.1\nREANA_URL={fake.url}/details/{wf.id}\n"
    )


def test_recast_layout_is_converted_in_memory(
    tmp_path: Path, fake: FakeReana, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = write(tmp_path / "analysis", RECAST_REPO)
    assert main(["run", str(repo), "--wait"]) == 0, capsys.readouterr().err
    [wf] = started(fake)
    assert wf.status == "finished"
    # What REANA got is the conversion: refs from the workspace root, a generated reana.yaml.
    assert "specs/steps.yml#/select" in (wf.workspace / "specs/workflow.yml").read_text()
    assert wf.specification["workflow"] == {"type": "yadage", "file": "specs/workflow.yml"}
    assert wf.parameters["xsec"] == 44.8
    assert not (repo / "reana.yaml").exists()  # nothing written to the repository


def test_failing_job(
    repo: Path, fake: FakeReana, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.fail = lambda wf, stage: stage == "fit"
    reports = tmp_path / "reports"
    code = run_and_download(repo, tmp_path / "out", reports)
    stdout, _ = capsys.readouterr()
    assert code == 1
    assert "analysis.1 failed after 2m20s" in stdout
    assert "step fit failed; the end of its log (last 30 lines):" in stdout
    assert "  ERROR: stage fit failed: exit code 1" in stdout
    assert "fit: line 40 of" in stdout and "fit: line 11 of" not in stdout  # the last 30 lines
    assert "select: line" not in stdout  # finished jobs' logs are not printed
    assert not (tmp_path / "out").exists()
    suite = ET.parse(reports / "junit.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1"
    failure = suite.find("testcase[@name='fit']/failure")
    assert failure is not None and failure.get("message") == "REANA job fit failed"
    assert (failure.text or "").endswith("ERROR: stage fit failed: exit code 1")
    assert json.loads((reports / "summary.json").read_text())["status"] == "failed"


def test_missing_secrets_stop_before_create(
    tmp_path: Path, fake: FakeReana, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = write(tmp_path / "analysis", kerberos(REANA_REPO))
    fake.secrets = {"CERN_USER": "env"}
    assert main(["run", str(repo), "--wait"]) == 2
    _, stderr = capsys.readouterr()
    assert fake.operations() == ["get_you", "get_secrets"]
    assert "lacks the secrets CERN_KEYTAB" in stderr and "kerberos: select" in stderr
    assert (
        "\n    reana-client secrets-add --env CERN_KEYTAB=<user>.keytab --file ~/<user>.keytab\n"
        in stderr
    )


def test_secrets_present(
    tmp_path: Path, fake: FakeReana, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = write(tmp_path / "analysis", kerberos(REANA_REPO))
    fake.secrets = {"CERN_USER": "env", "CERN_KEYTAB": "env", ".keytab": "file"}
    assert main(["run", str(repo)]) == 0, capsys.readouterr().err
    assert fake.operations()[:3] == ["get_you", "get_secrets", "create_workflow"]
    assert fake.count() == 4 + 2  # you, secrets, create, start + the two spec files


def test_parameter_overrides_keep_types(
    repo: Path, fake: FakeReana, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REANA_PARAM_xsec", "50.5")
    monkeypatch.setenv("REANA_PARAM_DATASET", "root://eosuser.cern.ch//eos/other.root")
    monkeypatch.setenv("REANA_PARAM_nevents", "1000")
    argv = ["run", str(repo), "--param", "nevents=2000", "--param", "blind=true"]
    assert main([*argv, "--param", "masses=[300, 400]"]) == 0
    _, stderr = capsys.readouterr()
    [body] = start_bodies(fake)
    assert body == {
        "input_parameters": {
            "xsec": 50.5,  # a float from the pipeline variable
            "dataset": "root://eosuser.cern.ch//eos/other.root",  # REANA_PARAM_DATASET -> dataset
            "nevents": 2000,  # --param wins over the variable, an int
            "blind": True,
            "masses": [300, 400],
        },
        "operational_options": {},
    }
    assert "parameter nevents is not in reana.yaml inputs" in stderr


def test_empty_pipeline_variable_keeps_the_parameter(
    repo: Path, fake: FakeReana, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REANA_PARAM_xsec", "")  # a blank field of the "Run pipeline" form
    assert main(["run", str(repo), "--param", "dataset="]) == 0
    [body] = start_bodies(fake)
    assert body["input_parameters"]["xsec"] == 44.8  # reana.yaml's value
    assert body["input_parameters"]["dataset"] == ""  # --param KEY= is deliberate


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("44.8", 44.8),
        ("3", 3),
        ("1e3", 1000.0),
        ("true", True),
        ("null", None),
        ("", ""),
        ("root://eos//a:b", "root://eos//a:b"),
        ("{name}", "{name}"),
        ("2024-01-01", "2024-01-01"),
        ("'007'", "007"),
        ("[1, 2]", [1, 2]),
        ("a: [", "a: ["),
    ],
)
def test_parse_value(text: str, value: Any) -> None:
    from recast_reana.reana.plan import parse_value

    assert parse_value(text) == value
    assert type(parse_value(text)) is type(value)


GRID_YAML = """\
- {point: m300, xsec: 1.5}
- {point: m400, xsec: 2.5}
- {point: m500, xsec: 3.5}
"""


@pytest.mark.parametrize(
    ("name", "text"),
    [("grid.yaml", GRID_YAML), ("grid.csv", "point,xsec\nm300,1.5\nm400,2.5\nm500,3.5\n")],
)
def test_grid_of_three_with_one_failure(
    repo: Path,
    fake: FakeReana,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    text: str,
) -> None:
    (tmp_path / name).write_text(text)
    fake.fail = lambda wf, stage: stage == "fit" and wf.parameters["xsec"] == 2.5
    out_dir, reports = tmp_path / "out", tmp_path / "reports"
    argv = ["run", str(repo), "--grid", str(tmp_path / name), "--wait", "--parallel", "2"]
    code = main([*argv, "--download", str(out_dir), "--report-dir", str(reports)])
    stdout, stderr = capsys.readouterr()
    assert code == 1
    flows = started(fake)
    assert [w.full_name for w in flows] == ["analysis-m300.1", "analysis-m400.1", "analysis-m500.1"]
    assert [w.parameters["xsec"] for w in flows] == [1.5, 2.5, 3.5]
    # Bounded concurrency: the third starts only after one of the first two ended.
    assert flows[2].started is not None and flows[0].end is not None and flows[1].end is not None
    assert flows[2].started >= min(flows[0].end, flows[1].end)
    assert "1 of 3 points failed: m400 (failed)" in stderr
    table = stdout[stdout.index("point  workflow") :].splitlines()
    assert table[1].split()[:3] == ["m300", "analysis-m300.1", "finished"]
    assert table[2].split()[:3] == ["m400", "analysis-m400.1", "failed"]
    assert table[3].split()[:3] == ["m500", "analysis-m500.1", "finished"]
    assert (out_dir / "m300/fit/limit.png").is_file() and (out_dir / "m500/fit/limit.png").is_file()
    assert not (out_dir / "m400").exists()
    suites = ET.parse(reports / "junit.xml").getroot().findall("testsuite")
    assert [(s.get("name"), s.get("failures")) for s in suites] == [
        ("analysis-m300.1", "0"),
        ("analysis-m400.1", "1"),
        ("analysis-m500.1", "0"),
    ]
    assert (
        (reports / "reana.env")
        .read_text()
        .startswith("REANA_WORKFLOW=analysis-m300.1 analysis-m400.1 analysis-m500.1\n")
    )


def test_server_blips_during_wait(
    repo: Path, fake: FakeReana, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.inject("status", "get_workflow_status", status=503, times=6, skip=2)
    fake.inject("drop", "get_workflow_status", times=1, skip=10)
    fake.inject("status", "get_workflow_logs", status=502, times=1)
    assert main(["run", str(repo), "--wait"]) == 0
    _, stderr = capsys.readouterr()
    assert "trying again at the next poll" in stderr
    assert started(fake)[0].status == "finished"


def test_a_long_outage_gives_up(
    repo: Path, fake: FakeReana, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.inject("drop", "get_workflow_status", times=10_000, skip=1)
    assert main(["run", str(repo), "--wait"]) == 3
    _, stderr = capsys.readouterr()
    assert "REANA did not answer for 15m" in stderr
    assert OUTAGE_LIMIT <= clock.now <= OUTAGE_LIMIT + 200


def test_start_is_recovered_after_a_dropped_connection(
    repo: Path, fake: FakeReana, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.inject("drop", "start_workflow")
    assert main(["run", str(repo), "--wait"]) == 0, capsys.readouterr().err
    ops = fake.operations()
    i = ops.index("start_workflow")
    assert ops[i : i + 3] == ["start_workflow", "get_workflow_status", "start_workflow"]
    assert fake.count("create_workflow") == 1


@pytest.mark.parametrize("uploads", [1, 4, 9])
def test_requests_are_a_constant_plus_one_per_file(
    tmp_path: Path, fake: FakeReana, uploads: int, capsys: pytest.CaptureFixture[str]
) -> None:
    files = dict(REANA_REPO)
    for i in range(uploads - 1):  # the specs/ directory: workflow.yml, steps.yml and data files
        files[f"specs/data/input_{i}.txt"] = f"data {i}\n"
    files["notes.md"] = "not an input\n"
    repo = write(tmp_path / "analysis", files)
    assert main(["run", str(repo)]) == 0, capsys.readouterr().err
    count = uploads + 1  # the workflow and the steps file are both in specs/
    assert fake.count("upload_file") == count
    uploaded = [s.query["file_name"][0] for s in fake.seen if s.operation == "upload_file"]
    assert len(set(uploaded)) == len(uploaded) and "notes.md" not in uploaded
    assert fake.count() == 3 + count  # you, create, start + one upload per file


def test_status_polls_for_a_one_hour_run(
    repo: Path, fake: FakeReana, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.durations = {"select": 1800.0, "fit": 1790.0}
    assert main(["run", str(repo), "--wait"]) == 0
    stdout, _ = capsys.readouterr()
    assert 3600 <= clock.now <= 3700
    polls = fake.count("get_workflow_status")
    assert 60 <= polls <= 80, polls  # 5 s growing by half to 60 s: about 65 for an hour
    assert clock.sleeps[0] == 5.0 and max(clock.sleeps) == 60.0
    assert clock.sleeps == sorted(clock.sleeps)
    assert len(stdout.splitlines()) < 20  # progress lines only when something changed


def test_timeout(
    repo: Path, fake: FakeReana, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.durations = {"select": 7200.0}
    reports = tmp_path / "reports"
    code = main(["run", str(repo), "--wait", "--timeout", "30m", "--report-dir", str(reports)])
    _, stderr = capsys.readouterr()
    assert code == 3
    assert "--timeout reached after 30m00s; still running on REANA: analysis.1" in stderr
    summary = json.loads((reports / "summary.json").read_text())
    assert summary["workflows"][0]["status"] == "timeout"
    assert summary["status"] == "incomplete"


def test_check_errors_stop_the_run_before_any_request(
    tmp_path: Path, fake: FakeReana, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = changed(
        tmp_path,
        "specs/workflow.yml",
        "dependencies: [init, select]",
        "dependencies: [init, selct]",
    )
    assert main(["run", str(repo), "--wait"]) == 1
    stdout, stderr = capsys.readouterr()
    assert "RR301" in stdout and "selct" in stdout
    assert "nothing was sent to REANA" in stderr
    assert fake.count() == 0


def test_ci_sections(
    repo: Path, fake: FakeReana, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("CI_PROJECT_NAME", "my.analysis")
    monkeypatch.setenv("CI_COMMIT_REF_SLUG", "feature-x")
    fake.fail = lambda wf, stage: stage == "fit"
    assert main(["run", str(repo), "--wait"]) == 1
    stdout, _ = capsys.readouterr()
    assert started(fake)[0].full_name == "my-analysis-feature-x.1"  # "." is refused by REANA
    assert re.search(
        r"\x1b\[0Ksection_start:\d+:reana_submit_1\[collapsed=true\]\r\x1b\[0Ksubmitting", stdout
    )
    assert re.search(r"\x1b\[0Ksection_end:\d+:reana_submit_1\r\x1b\[0K", stdout)
    assert re.search(r"section_start:\d+:reana_failed_\w+_1\r\x1b\[0Kstep fit failed", stdout)


def test_without_wait(
    repo: Path, fake: FakeReana, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "reports"
    assert main(["run", str(repo), "--name", "nightly.v2", "--report-dir", str(reports)]) == 0
    stdout, stderr = capsys.readouterr()
    assert "started nightly-v2.1" in stdout
    assert "REANA workflow name nightly-v2 (REANA refuses '.')" in stderr
    assert "get_workflow_status" not in fake.operations()
    assert json.loads((reports / "summary.json").read_text())["workflows"][0]["status"] == "queued"


@pytest.mark.parametrize(
    ("argv", "env", "code", "message"),
    [
        ([], {"REANA_ACCESS_TOKEN": ""}, 2, "REANA_ACCESS_TOKEN not set"),
        (["--param", "xsec"], {}, 2, "--param 'xsec': write KEY=VALUE"),
        (["--download", "out"], {}, 2, "--download needs --wait"),
        (["--wait", "--timeout", "soon"], {}, 2, "--timeout 'soon'"),
        (["--grid", "missing.yaml"], {}, 2, "--grid missing.yaml"),
        ([], {"REANA_SERVER_URL": "reana.cern.ch"}, 2, "give the https:// address"),
        ([], {"REANA_ACCESS_TOKEN": "wrong"}, 3, "REANA refused the access token"),
        ([], {"REANA_SERVER_URL": "http://127.0.0.1:9"}, 3, "connection refused"),
    ],
)
def test_exit_codes(
    repo: Path,
    fake: FakeReana,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    env: dict[str, str],
    code: int,
    message: str,
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(repo.parent)
    assert main(["run", str(repo), *argv]) == code
    _, stderr = capsys.readouterr()
    assert message in stderr
    assert fake.count("create_workflow") == 0


def test_refused_start_without_wait_is_exit_1(
    repo: Path, fake: FakeReana, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.inject("status", "start_workflow", status=400, times=1)
    assert main(["run", str(repo)]) == 1
    assert "REANA refused analysis.1: cannot start the workflow: REANA answered HTTP 400" in (
        capsys.readouterr().err
    )


def test_refused_submission_is_exit_1(
    repo: Path, fake: FakeReana, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.inject("status", "create_workflow", status=400, times=1)
    assert main(["run", str(repo), "--wait"]) == 1
    assert "REANA refused analysis" in capsys.readouterr().err


def test_token_revoked_during_wait(
    repo: Path, fake: FakeReana, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.inject("revoke", "get_workflow_status", skip=3)
    code = main(["run", str(repo), "--wait", "--report-dir", str(tmp_path / "r")])
    _, stderr = capsys.readouterr()
    assert code == 3
    assert "User access token revoked." in stderr
    assert (tmp_path / "r/summary.json").is_file()


@pytest.mark.parametrize("scenario", ["finished", "failed", "revoked", "unreachable", "secrets"])
def test_sentinel_token_never_leaks(
    tmp_path: Path,
    fake: FakeReana,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    scenario: str,
) -> None:
    """Not in stdout, stderr, reports, downloads' names, exception text; even when a job's log
    contains it."""
    repo = write(
        tmp_path / "analysis", kerberos(REANA_REPO) if scenario == "secrets" else REANA_REPO
    )
    fake.secrets = {"CERN_USER": "env", "CERN_KEYTAB": "env"}
    fake.log_extra = f"env: REANA_ACCESS_TOKEN={SENTINEL} url=?access_token={SENTINEL}\n"
    if scenario == "failed":
        fake.fail = lambda wf, stage: stage == "fit"
    if scenario == "revoked":
        fake.inject("revoke", "get_workflow_logs")
    if scenario == "unreachable":
        fake.inject("drop", None, times=10_000, skip=3)
    if scenario == "secrets":
        fake.secrets = {}
    reports = tmp_path / "reports"
    run_and_download(repo, tmp_path / "o", reports)
    stdout, stderr = capsys.readouterr()
    written = "".join(p.read_text() for p in reports.glob("*")) if reports.exists() else ""
    assert SENTINEL not in stdout + stderr + written
    if scenario == "failed":  # the job's log tail is printed and in the JUnit failure text
        assert "REANA_ACCESS_TOKEN=*** url=?access_token=***" in stdout
        assert "REANA_ACCESS_TOKEN=*** url=?access_token=***" in written


def test_output_directories_are_downloaded(
    tmp_path: Path, fake: FakeReana, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = changed(
        tmp_path,
        "reana.yaml",
        "    - fit/limit.png\n",
        "    - fit/limit.png\n  directories:\n    - select\n",
    )
    out_dir = tmp_path / "out"
    assert main(["run", str(repo), "--wait", "--download", str(out_dir)]) == 0, capsys.readouterr()
    assert sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*.*")) == [
        "fit/limit.png",
        "select/selected.root",
    ]
    assert fake.count("get_files") == 1


def test_missing_output_is_exit_1(
    tmp_path: Path, fake: FakeReana, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = changed(
        tmp_path, "reana.yaml", "    - fit/limit.png\n", "    - fit/limit.png\n    - fit/fit.log\n"
    )
    reports = tmp_path / "reports"
    assert run_and_download(repo, tmp_path / "out", reports) == 1
    _, stderr = capsys.readouterr()
    assert "analysis.1 made no fit/fit.log" in stderr
    assert (tmp_path / "out/fit/limit.png").is_file()
    entry = json.loads((reports / "summary.json").read_text())["workflows"][0]
    assert (entry["outputs"], entry["missing_outputs"]) == (["fit/limit.png"], ["fit/fit.log"])
    failure = (
        ET.parse(reports / "junit.xml").getroot().find(".//testcase[@name='workflow']/failure")
    )
    assert failure is not None and failure.get("message") == "outputs missing: fit/fit.log"


def test_grid_parameter_not_in_reana_yaml_is_warned(
    repo: Path, fake: FakeReana, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "grid.yaml").write_text("m300: {mass: 300}\nm400: {mass: 400}\n")
    assert main(["run", str(repo), "--grid", str(tmp_path / "grid.yaml")]) == 0
    _, stderr = capsys.readouterr()
    assert "parameter mass is not in reana.yaml inputs" in stderr
    assert [w.full_name for w in started(fake)] == ["analysis-m300.1", "analysis-m400.1"]
    assert [b["input_parameters"]["mass"] for b in start_bodies(fake)] == [300, 400]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("g.yaml", "", "no points"),
        ("g.yaml", "mass: 300\n", "point mass is not a mapping"),
        ("g.yaml", "- {point: a}\n- {point: a}\n", "points 1 and 2 are both named 'a'"),
        ("g.yaml", "- [1, 2]\n", "point 1 is not a mapping"),
        ("g.yaml", "- {a: [\n", "not valid YAML"),
        ("g.csv", "mass,mass\n1,2\n", "unique, non-empty column names"),
        ("g.csv", "mass,xsec\n1\n", "g.csv:2: 1 cells, header has 2"),
    ],
)
def test_bad_grid_files(tmp_path: Path, name: str, text: str, message: str) -> None:
    from recast_reana.errors import Error
    from recast_reana.reana.grid import load_grid

    (tmp_path / name).write_text(text)
    with pytest.raises(Error) as info:
        load_grid(tmp_path / name)
    assert message in str(info.value)


def test_grid_values_and_names(tmp_path: Path) -> None:
    from recast_reana.reana.grid import Point, load_grid

    (tmp_path / "g.csv").write_text("mass,xsec,label\n300,1.5e-3,a b\n400,,\n")
    assert load_grid(tmp_path / "g.csv") == [
        Point("1", {"mass": 300, "xsec": 0.0015, "label": "a b"}),
        Point("2", {"mass": 400}),  # an empty cell keeps the workflow's value
    ]
    (tmp_path / "g.yaml").write_text("- {point: m.300/x, mass: 300}\n")
    assert load_grid(tmp_path / "g.yaml") == [Point("m-300-x", {"mass": 300})]


def test_junit_is_valid_xml_with_control_characters() -> None:
    from recast_reana.reana.reports import Job, Result, junit

    log = '\x1b[31mred\x1b[0m\x00 and <tags> & "quotes"\n'
    result = Result("w", workflow="w.1", status="failed", jobs=[Job("1", "fit", "failed", log=log)])
    root = ET.fromstring(junit([result]))
    failure = root.find(".//failure")
    assert failure is not None and failure.text == 'red and <tags> & "quotes"'


@pytest.mark.parametrize("debug", [[], ["--debug"]])
def test_token_in_an_unexpected_error_is_redacted(
    repo: Path,
    fake: FakeReana,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    debug: list[str],
) -> None:
    from recast_reana.reana import client

    def factory(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"boom with {SENTINEL}")

    monkeypatch.setattr(client, "Client", factory)
    assert main([*debug, "run", str(repo)]) == 3
    _, err = capsys.readouterr()
    assert SENTINEL not in err and "internal error: RuntimeError: boom with ***" in err
    assert ("Traceback" in err) == bool(debug)


def test_workflow_deleted_while_followed(
    repo: Path, fake: FakeReana, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    """REANA's own answers say it is gone: its JSON 404 on the status, its list without it."""
    sleep = clock.sleep

    def deleted_meanwhile(seconds: float) -> None:
        sleep(seconds)
        if clock.now > 30:
            fake.workflows.clear()

    clock.sleep = deleted_meanwhile  # type: ignore[method-assign]
    assert main(["run", str(repo), "--wait"]) == 1
    stdout, _ = capsys.readouterr()
    assert "analysis.1 deleted after" in stdout
    assert fake.count("get_workflows") == 1
