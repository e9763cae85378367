"""The GitLab CI template, ci-templates/recast-reana.gitlab-ci.yml, checked and run for real.

- Static checks of the file: GitLab conventions, inputs declared and used, the pinned version.
- GitLab's CI schema: check-jsonschema's vendored `gitlab-ci` schema on the document after the
  `spec:` header, and gitlab-ci-local's own (newer) copy of it.
- gitlab-ci-local runs the pipelines with the shell executor in a temporary git repository that
  includes the template, against the fake GitLab and fake REANA servers on 127.0.0.1. The jobs
  find `python` and `recast-reana` of this test environment first on PATH: the jobs run this
  checkout's code and nothing is downloaded. They skip the install step (input `pip-spec:
  none`, "the image has recast-reana"), except where a test runs it: the default `pip install
  recast-reana==<version>`, with PIP_NO_INDEX, then finds it installed. gitlab-ci-local's gaps
  (ci_local.py) shape the tests: the pipeline source is always given, and no job is named on the
  command line.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import pytest
import yaml
from ci_component import render
from ci_local import GitlabCiLocal, Pipeline, ensure
from fake_gitlab import TOKEN, FakeGitLab
from fake_gitlab_reporting import JOB_TOKEN
from fake_reana import FakeReana
from gitrepo import commit, git
from helpers import RECAST_REPO, replace_in

from recast_reana import __version__

ROOT = Path(__file__).parents[1]
TEMPLATE = ROOT / "ci-templates" / "recast-reana.gitlab-ci.yml"
INCLUDED = "ci-templates/recast-reana.gitlab-ci.yml"  # where the test repositories keep it
COMPONENT = "templates/recast-reana.yml"  # the catalog component, generated from TEMPLATE
# `include: component:` as a project that uses the catalog writes it; gitlab-ci-local reads a
# component of the project it runs in (its git remote's path, at the commit's SHA) locally.
COMPONENT_INCLUDE = "gitlab.example.org/atlas/analysis/recast-reana@$CI_COMMIT_SHA"
JOBS = ("recast-reana-check", "recast-reana-sync-branch", "recast-reana-run")
REANA_TOKEN = "Sentinel-Reana-Token-7c1d"
SPEED = 60.0  # fake REANA seconds per real second: the 140 s workflow ends before the first poll
# RR002 (a repeated key) in the recast-atlas example: an error on specs/steps.yml line 10.
BROKEN = replace_in(
    RECAST_REPO, "specs/steps.yml", "    imagetag: v1.2.0\n", "    imagetag: v1\n    imagetag: v2\n"
)


def documents() -> tuple[dict[str, Any], dict[str, Any]]:
    header, body = yaml.safe_load_all(TEMPLATE.read_text())
    return header, body


def interpolate(text: str, inputs: Mapping[str, Any]) -> str:
    """The body with `$[[ inputs.NAME ]]` replaced as GitLab does inside a string."""
    header = yaml.safe_load(text.split("\n---\n", 1)[0])
    values = {k: v.get("default") for k, v in header["spec"]["inputs"].items()} | dict(inputs)

    def value(match: re.Match[str]) -> str:
        found = values[match[1]]
        return str(found).lower() if isinstance(found, bool) else str(found)

    return re.sub(r"\$\[\[\s*inputs\.([\w-]+)\s*\]\]", value, text.split("\n---\n", 1)[1])


# --- the file itself ----------------------------------------------------------------------------


def test_header_declares_every_input_it_uses_with_a_description_and_a_default() -> None:
    header, _ = documents()
    inputs = header["spec"]["inputs"]
    used = set(re.findall(r"\$\[\[\s*inputs\.([\w-]+)\s*\]\]", TEMPLATE.read_text()))
    assert used == set(inputs)
    for name, spec in inputs.items():
        assert spec.get("description"), name
        assert "default" in spec, f"{name}: every input is optional"
    assert inputs["wait"] == {**inputs["wait"], "type": "boolean", "default": True}


def test_pinned_version_is_the_package_version() -> None:
    header, _ = documents()
    assert str(header["spec"]["inputs"]["version"]["default"]) == __version__


def test_gitlab_conventions() -> None:
    text = TEMPLATE.read_text()
    _, body = documents()
    jobs = {k: v for k, v in body.items() if not k.startswith(".")}
    assert set(jobs) == set(JOBS)
    assert "workflow" not in body  # an included template must not replace the project's
    for name, job in body.items():
        assert not {"only", "except"} & set(job), name
    assert not re.search(r"\b(main|master)\b", text.split("\n---\n", 1)[1])
    for name, job in jobs.items():
        assert job["extends"] == ".recast-reana-base"
        first = job["rules"][0]
        generated = '$CI_COMMIT_BRANCH == "$[[ inputs.branch ]]"'
        assert first["when"] == "never" and generated in first["if"], name
    base = body[".recast-reana-base"]
    assert base["variables"]["PIP_CACHE_DIR"] == "$CI_PROJECT_DIR/.cache/pip"
    assert base["cache"]["paths"] == [".cache/pip"]
    assert base["before_script"][0] == "set +x"
    assert jobs["recast-reana-check"]["interruptible"] is True
    sync = jobs["recast-reana-sync-branch"]
    assert sync["interruptible"] is False and sync["resource_group"]
    assert sync["artifacts"]["reports"]["dotenv"] == "recast-reana-sync.env"
    run = jobs["recast-reana-run"]
    assert run["artifacts"]["reports"] == {
        "junit": "recast-reana-report/junit.xml",
        "dotenv": "recast-reana-report/reana.env",
    }
    assert run["environment"]["url"] == "$REANA_URL"
    check = jobs["recast-reana-check"]
    assert check["artifacts"]["when"] == "always"
    assert check["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    # Tokens come from the environment only: never on a command line, never printed.
    assert not re.search(r"echo[^\n]*(TOKEN|REANA_ACCESS)", text)
    assert not re.search(r"--\w*token", text, re.IGNORECASE)


def test_component_is_the_template_generated() -> None:
    """templates/ holds no copied jobs: the template's header and an include passing each input."""
    text = (ROOT / COMPONENT).read_text()
    assert text == render(TEMPLATE.read_text()), "run: python tests/ci_component.py"
    header, body = yaml.safe_load_all(text)
    assert header == documents()[0]
    [include] = body["include"]
    assert include["local"] == INCLUDED
    assert include["inputs"] == {k: f"$[[ inputs.{k} ]]" for k in header["spec"]["inputs"]}
    assert set(body) == {"include"}


def test_release_job_publishes_on_a_version_tag() -> None:
    pipeline = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text())
    release = pipeline["release"]
    assert release["rules"] == [{"if": r"$CI_COMMIT_TAG =~ /^v?\d+\.\d+\.\d+$/"}]
    assert release["release"]["tag_name"] == "$CI_COMMIT_TAG"
    assert release["stage"] == "release" and "release" in pipeline["stages"]
    # The tag must be the package's version and the template's pinned one: the script checks it.
    script = "\n".join(release["script"])
    assert "pyproject.toml" in script and INCLUDED in script
    assert "python tests/ci_component.py --check" in pipeline["component"]["script"]


def test_release_script_accepts_only_the_package_version(tmp_path: Path) -> None:
    release = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text())["release"]
    for tag, ok in ((__version__, True), (f"v{__version__}", True), ("v9.9.9", False)):
        done = subprocess.run(
            ["sh", "-ec", "\n".join(release["script"])],
            cwd=ROOT,
            env={"CI_COMMIT_TAG": tag, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            check=False,
        )
        assert (done.returncode == 0) is ok, (tag, done.stderr)


# --- GitLab's schema ---------------------------------------------------------------------------


def check_jsonschema(path: Path) -> tuple[int, str]:
    """`check-jsonschema --builtin-schema vendor.gitlab-ci PATH`, run in this process: its exit
    code and output."""
    import check_jsonschema as command

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        argv = ["--builtin-schema", "vendor.gitlab-ci", str(path)]
        code = command.main(argv, standalone_mode=False)
    return code, out.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize(
    "inputs",
    [
        pytest.param(None, id="inputs-left-as-text"),
        pytest.param({}, id="defaults"),
        pytest.param({"wait": False, "grid": "grid.yaml", "stage": "reana"}, id="inputs-given"),
    ],
)
@pytest.mark.parametrize("source", [TEMPLATE, ROOT / COMPONENT], ids=["template", "component"])
def test_schema(tmp_path: Path, inputs: dict[str, Any] | None, source: Path) -> None:
    text = source.read_text()
    body = text.split("\n---\n", 1)[1] if inputs is None else interpolate(text, inputs)
    path = tmp_path / ".gitlab-ci.yml"
    path.write_text(body)
    code, output = check_jsonschema(path)
    assert code == 0, output
    # The check can fail: a rule with an unknown `when:` is refused.
    path.write_text(body + "\nbroken:\n  script: [x]\n  rules:\n    - when: sometimes\n")
    assert check_jsonschema(path) == (1, ANY)


@pytest.mark.slow
def test_schema_of_the_projects_own_pipeline() -> None:
    code, output = check_jsonschema(ROOT / ".gitlab-ci.yml")
    assert code == 0, output


# --- gitlab-ci-local ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def gcl() -> GitlabCiLocal:
    return ensure()


@pytest.fixture
def reana(serve_reana: Callable[..., FakeReana]) -> FakeReana:
    start = time.monotonic()
    return serve_reana(token=REANA_TOKEN, clock=lambda: (time.monotonic() - start) * SPEED)


def make_repo(
    tmp_path: Path,
    gitlab: FakeGitLab,
    files: Mapping[str, str] = RECAST_REPO,
    *,
    inputs: Mapping[str, Any] | None = None,
    branch: str = "main",
    component: bool = False,
) -> Path:
    """A git repository whose .gitlab-ci.yml includes the template (or the catalog component);
    main pushed to the fake."""
    repo = tmp_path / "analysis"
    repo.mkdir()
    # The analysis' images are on gitlab-registry.cern.ch, out of reach here: the check runs
    # online against a real registry on 127.0.0.1 in test_check_job_runs_online_*.
    include: dict[str, Any] = {
        "local": INCLUDED,
        "inputs": {"online": False, "pip-spec": "none", **(inputs or {})},
    }
    if component:
        include = {"component": COMPONENT_INCLUDE, "inputs": include["inputs"]}
    tree = {
        **files,
        INCLUDED: TEMPLATE.read_text(),
        COMPONENT: (ROOT / COMPONENT).read_text(),
        ".gitlab-ci.yml": yaml.safe_dump({"include": [include]}, sort_keys=False),
        ".gitignore": ".gitlab-ci-local/\n",
    }
    git(repo, "init", "-q", "-b", branch)
    commit(repo, tree, "Analysis")  # gitlab-ci-local reads included files from git
    # gitlab-ci-local names the project after the remote; git pushes go to the fake's repository.
    git(repo, "remote", "add", "origin", "https://gitlab.example.org/atlas/analysis.git")
    git(repo, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
    git(repo, "push", "-q", str(gitlab.git_dir), f"HEAD:refs/heads/{branch}")
    return repo


def variables(gitlab: FakeGitLab, reana: FakeReana | None = None) -> dict[str, str]:
    """What GitLab would give the jobs: its predefined variables and the project's CI/CD ones."""
    found = {
        "CI_SERVER_URL": gitlab.url,
        "CI_PROJECT_ID": str(gitlab.project_id),
        "CI_DEFAULT_BRANCH": "main",
        "RECAST_REANA_GITLAB_TOKEN": TOKEN,
        "RECAST_REANA_GITLAB_TIMEOUT": "10",
        "RECAST_REANA_GITLAB_RETRIES": "1",
        "PIP_NO_INDEX": "1",  # the install step must find recast-reana installed
    }
    if reana is not None:
        found |= {"REANA_SERVER_URL": reana.url, "REANA_ACCESS_TOKEN": REANA_TOKEN}
    return found


def pipeline_source(repo: Path, source: str) -> tuple[dict[str, str], list[str]]:
    """CI_PIPELINE_SOURCE and the variables GitLab sets with it, and those it does not set.

    gitlab-ci-local always sets push's: CI_COMMIT_BRANCH from the checkout's branch. A
    merge-request pipeline has CI_MERGE_REQUEST_* instead.
    """
    if source != "merge_request_event":
        return {"CI_PIPELINE_SOURCE": source}, []
    branch = git(repo, "branch", "--show-current")
    return {
        "CI_PIPELINE_SOURCE": source,
        "CI_MERGE_REQUEST_IID": "1",
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": branch,
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
    }, ["CI_COMMIT_BRANCH"]


def jobs(
    gcl: GitlabCiLocal, repo: Path, gitlab: FakeGitLab, source: str, **extra: str
) -> dict[str, dict[str, str]]:
    """The template's jobs in a pipeline of `source` on the checkout's branch, unrun."""
    env, unset = pipeline_source(repo, source)
    return gcl.jobs(repo, {**variables(gitlab), **env, **extra}, unset=unset)


def pipeline(
    gcl: GitlabCiLocal, repo: Path, source: str, env: Mapping[str, str], **extra: str
) -> Pipeline:
    found, unset = pipeline_source(repo, source)
    done = gcl.run(
        repo,
        variables={**env, **found, **extra},
        unset=unset,
        path=[Path(sys.executable).parent],
    )
    for secret in (TOKEN, REANA_TOKEN, JOB_TOKEN):
        assert secret not in done.output, "a token reached the job log"
    return done


def ran(done: Pipeline) -> set[str]:
    return set(done.logs)


@pytest.mark.slow
def test_gitlab_ci_local_schema_and_defaults(
    gcl: GitlabCiLocal, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    """gitlab-ci-local's copy of GitLab's current schema, on an include without inputs."""
    repo = make_repo(tmp_path, gitlab)
    found = gcl.jobs(repo, {**variables(gitlab), "CI_PIPELINE_SOURCE": "push"}, schema=True)
    assert set(found) == {"recast-reana-check", "recast-reana-sync-branch"}
    assert {j["stage"] for j in found.values()} == {"test"}


def case(branch: str, source: str, expected: dict[str, str], **extra: str) -> Any:
    name = f"{source}-on-{branch}" + "".join(f"-{k}={v}" for k, v in extra.items())
    return pytest.param(branch, source, extra, expected, id=name)


OK = "on_success"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("branch", "source", "extra", "expected"),
    [
        case("main", "push", {"check": OK, "sync-branch": OK}),
        case("feature", "push", {}),
        case("feature", "merge_request_event", {"check": OK, "run": "manual"}),
        case("main", "merge_request_event", {"check": OK, "run": "manual"}),
        case("main", "schedule", {"sync-branch": OK, "run": OK}),
        case("feature", "schedule", {"run": OK}),
        case("main", "schedule", {"sync-branch": OK}, RECAST_REANA_RUN="false"),
        case("main", "web", {"run": OK}),
        case("main", "api", {"run": OK}),
        case("feature", "trigger", {"run": OK}),
        case("main", "pipeline", {"run": OK}),
        case("main", "chat", {}),
    ],
)
def test_rules(
    gcl: GitlabCiLocal,
    gitlab: FakeGitLab,
    tmp_path: Path,
    branch: str,
    source: str,
    extra: dict[str, str],
    expected: dict[str, str],
) -> None:
    repo = make_repo(tmp_path, gitlab, branch=branch)
    found = jobs(gcl, repo, gitlab, source, **extra)
    assert {k.removeprefix("recast-reana-"): v["when"] for k, v in found.items()} == expected
    if "run" in expected:
        manual = expected["run"] == "manual"  # in merge requests only, and allowed to fail
        assert found["recast-reana-run"]["allowFailure"] == ("true" if manual else "false")


@pytest.mark.slow
@pytest.mark.parametrize(
    "source", ["push", "schedule", "web", "api", "trigger", "merge_request_event"]
)
def test_no_job_on_the_generated_branch(
    gcl: GitlabCiLocal, gitlab: FakeGitLab, tmp_path: Path, source: str
) -> None:
    """A regeneration pushes to `reana`: that pipeline has none of the template's jobs."""
    repo = make_repo(tmp_path, gitlab, branch="reana")
    assert jobs(gcl, repo, gitlab, source) == {}


@pytest.mark.slow
def test_renamed_generated_branch(gcl: GitlabCiLocal, gitlab: FakeGitLab, tmp_path: Path) -> None:
    repo = make_repo(tmp_path, gitlab, branch="for-reana", inputs={"branch": "for-reana"})
    assert jobs(gcl, repo, gitlab, "push") == {}
    assert jobs(gcl, repo, gitlab, "merge_request_event") == {}
    git(repo, "checkout", "-q", "-b", "reana")  # no longer the generated branch: a plain one
    assert set(jobs(gcl, repo, gitlab, "merge_request_event")) == {
        "recast-reana-check",
        "recast-reana-run",
    }
    git(repo, "checkout", "-q", "-b", "main")
    assert set(jobs(gcl, repo, gitlab, "push")) == {
        "recast-reana-check",
        "recast-reana-sync-branch",
    }


@pytest.mark.slow
def test_merge_request_on_a_broken_example_fails_the_check_with_a_code_quality_report(
    gcl: GitlabCiLocal, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path, gitlab, BROKEN, branch="feature")
    done = pipeline(gcl, repo, "merge_request_event", variables(gitlab))
    assert done.returncode != 0
    assert ran(done) == {"recast-reana-check"}  # the REANA run waits for a click
    log = done.log("recast-reana-check")
    assert "specs/steps.yml:10:5: RR002 key 'imagetag' is repeated" in log
    report = json.loads((repo / "gl-code-quality-report.json").read_text())
    [issue] = [i for i in report if i["check_name"].startswith("RR002 ")]
    assert issue["location"] == {"path": "specs/steps.yml", "lines": {"begin": 10}}
    assert issue["severity"] in ("major", "critical", "blocker")
    assert "FAIL" in done.output and "recast-reana-check" in done.output
    assert gitlab.ref("reana") is None


@pytest.mark.slow
def test_default_branch_push_checks_and_regenerates_the_reana_branch(
    gcl: GitlabCiLocal, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path, gitlab, inputs={"pip-spec": ""})  # the default install step
    source = git(repo, "rev-parse", "HEAD")
    done = pipeline(gcl, repo, "push", variables(gitlab))
    assert done.returncode == 0, done.output
    assert ran(done) == {"recast-reana-check", "recast-reana-sync-branch"}
    report = json.loads((repo / "gl-code-quality-report.json").read_text())
    assert {i["severity"] for i in report} == {"info"}  # what the conversion fixes for REANA
    assert "recast-reana 0.1.0" in done.log("recast-reana-check")  # pip found it installed
    # Plain git on the fake's repository: reana = main + one generated commit.
    assert gitlab.git("rev-parse", "reana^") == source
    assert gitlab.git("rev-list", "--count", f"{source}..reana") == "1"
    files = gitlab.git("ls-tree", "-r", "--name-only", "reana").splitlines()
    assert {"reana.yaml", "recast.yml", "specs/workflow.yml", INCLUDED} <= set(files)
    assert "steps.yml#" not in gitlab.git("show", "reana:specs/workflow.yml").replace(
        "specs/steps.yml#", ""
    )
    message = gitlab.git("log", "-1", "--format=%B", "reana")
    assert f"Recast-Reana-Source: {source}" in message
    head = gitlab.git("rev-parse", "reana")
    assert (repo / "recast-reana-sync.env").read_text() == (
        f"RECAST_REANA_BRANCH=reana\nRECAST_REANA_BRANCH_SHA={head}\nRECAST_REANA_COMMITTED=true\n"
    )
    # The template's own files stay out of what recast-reana reads.
    assert git(repo, "status", "--porcelain") == ""
    # A second push of the same commit writes nothing.
    again = pipeline(gcl, repo, "push", variables(gitlab))
    assert again.returncode == 0, again.output
    assert "reana is up to date" in again.log("recast-reana-sync-branch")
    assert gitlab.git("rev-parse", "reana") == head


@pytest.mark.slow
def test_sync_without_the_token_fails_and_says_how_to_make_one(
    gcl: GitlabCiLocal, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path, gitlab)
    env = {k: v for k, v in variables(gitlab).items() if k != "RECAST_REANA_GITLAB_TOKEN"}
    done = pipeline(gcl, repo, "push", env)
    assert done.returncode != 0
    assert ran(done) == {"recast-reana-check", "recast-reana-sync-branch"}
    log = done.log("recast-reana-sync-branch")
    assert "RECAST_REANA_GITLAB_TOKEN is not set" in log
    assert "project access token with the `api` scope" in log
    assert "masked CI/CD variable RECAST_REANA_GITLAB_TOKEN" in log
    assert gitlab.ref("reana") is None
    assert gitlab.seen == []  # nothing was asked of GitLab without a token


@pytest.mark.slow
def test_schedule_regenerates_runs_waits_downloads_and_reports(
    gcl: GitlabCiLocal, gitlab: FakeGitLab, reana: FakeReana, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path, gitlab)
    done = pipeline(gcl, repo, "schedule", variables(gitlab, reana))
    assert done.returncode == 0, done.output
    assert ran(done) == {"recast-reana-sync-branch", "recast-reana-run"}
    assert gitlab.ref("reana") is not None
    log = done.log("recast-reana-run")
    [wf] = reana.workflows.values()
    assert wf.full_name == "analysis-main.1" and wf.status == "finished"
    assert f"started analysis-main.1: {reana.url}/details/{wf.id}" in log
    ops = reana.operations()
    assert ops[:2] == ["get_you", "create_workflow"] and "start_workflow" in ops
    assert "get_workflow_status" in ops and ops[-1] == "download_file"
    assert (repo / "recast-reana-outputs/fit/limit.png").read_text().startswith("fit/limit.png")
    suite = ET.parse(repo / "recast-reana-report/junit.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("name") == "analysis-main.1"
    assert [c.get("name") for c in suite] == ["select", "fit"]
    assert suite.get("failures") == "0"
    summary = json.loads((repo / "recast-reana-report/summary.json").read_text())
    assert summary["status"] == "finished"
    assert (repo / "recast-reana-report/reana.env").read_text() == (
        f"REANA_WORKFLOW=analysis-main.1\nREANA_URL={reana.url}/details/{wf.id}\n"
    )
    assert wf.parameters["xsec"] == 44.8  # the recast.yml example's value
    assert git(repo, "status", "--porcelain") == ""  # outputs stay out of the next upload


@pytest.mark.slow
def test_pipeline_variable_sets_a_reana_parameter(
    gcl: GitlabCiLocal, gitlab: FakeGitLab, reana: FakeReana, tmp_path: Path
) -> None:
    """ "Run pipeline" with REANA_PARAM_xsec: only the run job, without waiting (an input)."""
    repo = make_repo(tmp_path, gitlab, inputs={"wait": False, "workflow-name": "xsec-scan"})
    done = pipeline(gcl, repo, "web", variables(gitlab, reana), REANA_PARAM_xsec="50.5")
    assert done.returncode == 0, done.output
    assert ran(done) == {"recast-reana-run"}
    [start] = [s for s in reana.seen if s.operation == "start_workflow"]
    assert json.loads(start.body)["input_parameters"]["xsec"] == 50.5
    [wf] = reana.workflows.values()
    assert wf.full_name == "xsec-scan.1" and wf.parameters["xsec"] == 50.5
    assert "get_workflow_status" not in reana.operations()  # wait: false
    assert not (repo / "recast-reana-outputs").exists()
    assert gitlab.seen == [] and gitlab.ref("reana") is None  # no sync outside main/schedules


def set_inputs(repo: Path, inputs: Mapping[str, Any]) -> None:
    include = {"local": INCLUDED, "inputs": dict(inputs)}
    (repo / ".gitlab-ci.yml").write_text(yaml.safe_dump({"include": [include]}, sort_keys=False))
    git(repo, "commit", "-q", "-am", "CI inputs")


@pytest.mark.slow
def test_pip_spec_input_and_missing_reana_variables(
    gcl: GitlabCiLocal, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path, gitlab, inputs={"pip-spec": "recast-reana==99.0.0"})
    done = pipeline(gcl, repo, "web", variables(gitlab))
    assert done.returncode != 0
    assert "No matching distribution found for recast-reana==99.0.0" in done.log("recast-reana-run")
    # "none": the image has recast-reana; the job goes on to say what it lacks.
    set_inputs(repo, {"pip-spec": "none"})
    done = pipeline(gcl, repo, "web", variables(gitlab))
    assert done.returncode != 0
    log = done.log("recast-reana-run")
    assert "REANA_SERVER_URL and REANA_ACCESS_TOKEN not set" in log
    assert "recast-reana 0.1.0" in log and "No matching distribution" not in log


@pytest.mark.slow
def test_check_job_runs_online_against_the_registry_and_caches_the_facts(
    gcl: GitlabCiLocal, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    """The default: `check --online`, the registry's answers in the Code Quality report."""
    from oci_registry import Image, Registry, oci_image

    registry = Registry(tmp_path / "registry")
    try:
        registry.push(oci_image(tmp_path / "layout", Image()), "analysis/selection:final")
        files = replace_in(
            RECAST_REPO,
            "specs/steps.yml",
            "image: gitlab-registry.cern.ch/analyst/selection\n    imagetag: v1.2.0",
            f"image: {registry.host}/analysis/selection\n    imagetag: final",
        )
        files = replace_in(
            files,
            "specs/steps.yml",
            "image: gitlab-registry.cern.ch/analyst/fitting\n    imagetag: v1.2.0",
            f"image: {registry.host}/analysis/fitting\n    imagetag: v1.2.0",
        )
        files[".recast-reana.yaml"] = f"registries:\n  insecure: ['{registry.host}']\n"
        repo = make_repo(tmp_path, gitlab, files, branch="feature", inputs={"online": True})
        done = pipeline(gcl, repo, "merge_request_event", variables(gitlab))
    finally:
        registry.stop()
    assert done.returncode != 0
    log = done.log("recast-reana-check")
    assert f"RR411 image '{registry.host}/analysis/fitting:v1.2.0' of step 'fit'" in log
    report = json.loads((repo / "gl-code-quality-report.json").read_text())
    found = {i["check_name"].split()[0]: i["severity"] for i in report}
    assert found["RR411"] in ("major", "critical", "blocker")  # the job cannot start
    assert found["RR404"] == "info"  # UID 500 from the image: the conversion adds it
    assert "(user 'atlas' is UID 500 in its /etc/passwd, said its registry)" in log
    # (gitlab-ci-local's shell executor runs the job in a copy it removes: the GitLab cache of
    # .cache/recast-reana cannot be looked at here; tests/test_registry.py covers the cache.)
    assert git(repo, "status", "--porcelain") == ""


# --- the catalog component --------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("branch", "source", "expected"),
    [
        ("main", "push", {"check", "sync-branch"}),
        ("feature", "merge_request_event", {"check", "run"}),
        ("main", "schedule", {"sync-branch", "run"}),
        ("reana", "push", set()),
    ],
)
def test_component_has_the_templates_jobs_and_rules(
    gcl: GitlabCiLocal,
    gitlab: FakeGitLab,
    tmp_path: Path,
    branch: str,
    source: str,
    expected: set[str],
) -> None:
    repo = make_repo(tmp_path, gitlab, branch=branch, component=True, inputs={"stage": "reana"})
    (repo / ".gitlab-ci.yml").write_text(
        (repo / ".gitlab-ci.yml").read_text() + "stages: [reana]\n"
    )
    git(repo, "commit", "-q", "-am", "stage reana")
    found = jobs(gcl, repo, gitlab, source)
    assert {k.removeprefix("recast-reana-") for k in found} == expected
    assert {j["stage"] for j in found.values()} <= {"reana"}  # the component's input arrived


@pytest.mark.slow
def test_component_pipeline_checks_and_regenerates_the_reana_branch(
    gcl: GitlabCiLocal, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path, gitlab, component=True)
    source = git(repo, "rev-parse", "HEAD")
    done = pipeline(gcl, repo, "push", variables(gitlab))
    assert done.returncode == 0, done.output
    assert ran(done) == {"recast-reana-check", "recast-reana-sync-branch"}
    assert "recast-reana 0.1.0" in done.log("recast-reana-check")  # the pinned version
    assert gitlab.git("rev-parse", "reana^") == source


# --- reporting into GitLab ---------------------------------------------------------------------


def reporting_variables(gitlab: FakeGitLab, repo: Path, ref: str) -> dict[str, str]:
    """What GitLab adds for reporting: this pipeline (known to the fake) and the job's token."""
    from fake_gitlab_reporting import Pipeline as GitLabPipeline

    sha = git(repo, "rev-parse", "HEAD")
    gitlab.reporting.pipelines.append(GitLabPipeline(77, ref, sha, status="running"))
    return {
        "CI_PIPELINE_ID": "77",
        "CI_JOB_TOKEN": JOB_TOKEN,
        "CI_JOB_URL": f"{gitlab.url}/atlas/analysis/-/jobs/501",
        "CI_PIPELINE_URL": f"{gitlab.url}/atlas/analysis/-/pipelines/77",
    }


def run_job_requests(gitlab: FakeGitLab) -> list[str]:
    reporting = ("statuses", "merge_requests", "jobs/artifacts")
    return [
        f"{s.method} {s.path.split('/', 2)[2]}"
        for s in gitlab.seen
        if any(r in s.path for r in reporting)
    ]


@pytest.mark.slow
def test_schedule_sets_the_commit_status_running_then_success(
    gcl: GitlabCiLocal, gitlab: FakeGitLab, reana: FakeReana, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path, gitlab, inputs={"commit-status": True})
    sha = git(repo, "rev-parse", "HEAD")
    env = variables(gitlab, reana) | reporting_variables(gitlab, repo, "main")
    done = pipeline(gcl, repo, "schedule", env, RECAST_REANA_RUN="true")
    assert done.returncode == 0, done.output
    [wf] = reana.workflows.values()
    [status] = gitlab.reporting.statuses
    assert status["sha"] == sha and status["name"] == "recast-reana/reana"
    assert status["history"] == ["running", "success"]
    assert status["target_url"] == f"{reana.url}/details/{wf.id}"
    assert status["description"].startswith("analysis-main.1 finished in ")
    log = done.log("recast-reana-run")
    assert f"started analysis-main.1: {reana.url}/details/{wf.id}" in log  # passed through
    assert "commit status recast-reana/reana: running on" in log
    assert "commit status recast-reana/reana: success on" in log
    assert len(run_job_requests(gitlab)) <= 4
    assert run_job_requests(gitlab) == [f"POST statuses/{sha}"] * 2


@pytest.mark.slow
def test_merge_request_note_from_the_check_then_the_run_is_one_note(
    gcl: GitlabCiLocal, gitlab: FakeGitLab, reana: FakeReana, tmp_path: Path
) -> None:
    inputs = {"commit-status": True, "mr-note": True}
    repo = make_repo(tmp_path, gitlab, BROKEN, branch="feature", inputs=inputs)
    env = variables(gitlab, reana) | reporting_variables(gitlab, repo, "refs/merge-requests/1/head")
    done = pipeline(gcl, repo, "merge_request_event", env)
    assert done.returncode != 0  # the check fails; its note is written all the same
    [note] = gitlab.reporting.notes[1]
    assert "**Check:** " in note["body"] and "| specs/steps.yml:10 | RR002 |" in note["body"]
    assert run_job_requests(gitlab) == ["GET merge_requests/1/notes", "POST merge_requests/1/notes"]
    # The analyst fixes the check and starts the manual REANA run.
    (repo / "specs/steps.yml").write_text(RECAST_REPO["specs/steps.yml"])
    git(repo, "commit", "-q", "-am", "Fix the repeated key")
    gitlab.seen.clear()
    env = env | reporting_variables(gitlab, repo, "refs/merge-requests/1/head")
    found, unset = pipeline_source(repo, "merge_request_event")
    again = gcl.run(
        repo,
        "--manual",
        "recast-reana-run",
        variables={**env, **found},
        unset=unset,
        path=[Path(sys.executable).parent],
    )
    assert again.returncode == 0, again.output
    assert ran(again) == {"recast-reana-check", "recast-reana-run"}
    [note] = gitlab.reporting.notes[1]  # the same note, now with the run's table
    assert "**Check:** no problems" in note["body"]
    assert "**REANA run:** finished" in note["body"] and "analysis-feature.1" in note["body"]
    requests = run_job_requests(gitlab)
    # check: the note (found by its marker); run: two statuses and the note by the handed id.
    assert requests.count("PUT merge_requests/1/notes/" + str(note["id"])) == 2
    run_requests = [r for r in requests if "statuses" in r] + requests[-1:]
    assert len(run_requests) <= 4
    for secret in (TOKEN, REANA_TOKEN, JOB_TOKEN):
        assert secret not in note["body"] and secret not in again.output


@pytest.mark.slow
def test_nightly_history_comes_from_the_last_successful_pipeline(
    gcl: GitlabCiLocal, gitlab: FakeGitLab, reana: FakeReana, tmp_path: Path
) -> None:
    """history + commit-status: the artifact, then `run --history`; 3 requests to GitLab."""
    pytest.importorskip("recast_reana.results", reason="`run --history` comes with results/")
    from fake_gitlab_reporting import Pipeline as GitLabPipeline

    repo = make_repo(tmp_path, gitlab, inputs={"commit-status": True, "history": True})
    sha = git(repo, "rev-parse", "HEAD")
    previous = b'{"format": "recast-reana results history", "version": 1, "runs": []}\n'
    artifact = {"recast-reana-run": {"recast-reana-report/history.json": previous}}
    gitlab.reporting.pipelines.append(GitLabPipeline(70, "main", sha, artifacts=artifact))
    env = variables(gitlab, reana) | reporting_variables(gitlab, repo, "main")
    done = pipeline(gcl, repo, "schedule", env)
    assert done.returncode == 0, done.output
    log = done.log("recast-reana-run")
    assert f"history: recast-reana-report/history.json ({len(previous)} bytes) from" in log
    assert run_job_requests(gitlab) == [
        "GET jobs/artifacts/main/raw/recast-reana-report/history.json",
        f"POST statuses/{sha}",
        f"POST statuses/{sha}",
    ]
