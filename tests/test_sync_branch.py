"""`recast-reana sync-branch` against the fake GitLab (real HTTP on 127.0.0.1, real bare repo)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fake_gitlab import TOKEN, FakeGitLab
from gitrepo import GIT_ENV, commit, git
from helpers import REANA_REPO, RECAST_REPO

from recast_reana.cli import main
from recast_reana.gitlab import git_objects

MP = pytest.MonkeyPatch
Cap = pytest.CaptureFixture[str]


def commit_and_push(
    work: Path, files: dict[str, str | None], message: str, branch: str = "main"
) -> str:
    sha = commit(work, files, message)
    git(work, "push", "-q", "origin", f"HEAD:refs/heads/{branch}")
    return sha


@pytest.fixture
def work(tmp_path: Path, gitlab: FakeGitLab, monkeypatch: MP) -> Path:
    """The CI checkout: a clone whose main is pushed to the fake's bare repository."""
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    git(work, "remote", "add", "origin", str(gitlab.git_dir))
    sha = commit_and_push(work, dict(RECAST_REPO), "Analysis in recast-atlas layout")
    for name, value in {
        **GIT_ENV,
        "CI_SERVER_URL": gitlab.url,
        "CI_PROJECT_ID": str(gitlab.project_id),
        "CI_COMMIT_SHA": sha,
        "CI_DEFAULT_BRANCH": "main",
        "RECAST_REANA_GITLAB_TOKEN": TOKEN,
        "RECAST_REANA_GITLAB_TIMEOUT": "10",
        "RECAST_REANA_GITLAB_RETRIES": "2",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CI_JOB_TOKEN", raising=False)
    monkeypatch.delenv("RECAST_REANA_DEBUG", raising=False)
    return work


def sync(work: Path, *extra: str) -> int:
    return main(["sync-branch", str(work), *extra])


def new_source(work: Path, monkeypatch: MP, files: dict[str, str | None]) -> str:
    sha = commit_and_push(work, files, "Change the analysis")
    monkeypatch.setenv("CI_COMMIT_SHA", sha)
    return sha


def converted_tree(work: Path, tmp_path: Path) -> str:
    """The tree id of `recast-reana convert --out` of the checkout, via plain git."""
    out = tmp_path / "converted"
    assert main(["convert", str(work), "--out", str(out)]) == 0
    git(out, "init", "-q")
    git(out, "add", "-A")
    return git(out, "write-tree")


def assert_generated(gitlab: FakeGitLab, source: str, tree: str, branch: str = "reana") -> None:
    """Plain git: branch = source + exactly one commit whose tree is the conversion's."""
    assert gitlab.git("rev-parse", f"{branch}^") == source
    assert gitlab.git("rev-list", "--count", f"{source}..{branch}") == "1"
    assert gitlab.git("rev-parse", f"{branch}^{{tree}}") == tree
    message = gitlab.git("log", "-1", "--format=%B", branch)
    assert f"Recast-Reana-Source: {source}" in message
    assert "Recast-Reana-Version: " in message
    assert f"Recast-Reana-Tree: {tree}" in message


def requests(gitlab: FakeGitLab) -> list[str]:
    return [f"{s.method} {s.path.split('/repository/')[-1]}" for s in gitlab.seen]


def assert_left_alone(gitlab: FakeGitLab, capsys: Cap, sha: str, title: str = "") -> None:
    """sync-branch named someone's commit on reana (with its title) and left reana at it."""
    assert f"{sha[:12]} {title}".rstrip() in capsys.readouterr().out
    assert gitlab.git("rev-parse", "reana") == sha


def push_before(
    gitlab: FakeGitLab,
    method: str,
    path: str,
    files: dict[str, str | None],
    message: str,
    base: str | None = None,
) -> list[str]:
    """Someone's push to reana just before the next matching request is answered: its id, in
    the list returned, once it has happened."""
    pushed: list[str] = []
    gitlab.inject(
        method,
        path,
        before=lambda: pushed.append(gitlab.push_commit("reana", files, message, base)),
    )
    return pushed


def test_first_sync_creates_branch_as_source_plus_one_commit(
    work: Path, gitlab: FakeGitLab, tmp_path: Path, capsys: Cap
) -> None:
    dotenv = tmp_path / "sync.env"
    assert sync(work, "--dotenv", str(dotenv)) == 0
    out = capsys.readouterr().out
    source = git(work, "rev-parse", "HEAD")
    assert_generated(gitlab, source, converted_tree(work, tmp_path))
    head = gitlab.git("rev-parse", "reana")
    assert f"committed {head[:12]} to reana" in out
    assert requests(gitlab) == ["GET branches/main", "GET branches/reana", "POST commits"]
    assert dotenv.read_text() == (
        f"RECAST_REANA_BRANCH=reana\nRECAST_REANA_BRANCH_SHA={head}\nRECAST_REANA_COMMITTED=true\n"
    )
    assert gitlab.git("rev-parse", "main") == source  # no other branch written
    assert gitlab.git("for-each-ref", "--format=%(refname)") == "refs/heads/main\nrefs/heads/reana"


def test_second_run_is_up_to_date_in_three_requests(
    work: Path, gitlab: FakeGitLab, tmp_path: Path, capsys: Cap
) -> None:
    assert sync(work) == 0
    head = gitlab.git("rev-parse", "reana")
    gitlab.seen.clear()
    dotenv = tmp_path / "sync.env"
    assert sync(work, "--dotenv", str(dotenv)) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "reana is up to date"
    assert len(gitlab.seen) <= 4
    assert requests(gitlab) == ["GET branches/main", "GET branches/reana", "GET tree"]
    assert gitlab.git("rev-parse", "reana") == head
    assert "RECAST_REANA_COMMITTED=false" in dotenv.read_text()
    assert f"RECAST_REANA_BRANCH_SHA={head}" in dotenv.read_text()


def test_regeneration_takes_six_requests_whatever_the_number_of_files(
    work: Path, gitlab: FakeGitLab, tmp_path: Path, monkeypatch: MP
) -> None:
    assert sync(work) == 0
    many = {f"data/card_{i:03}.txt": f"card {i}\n" for i in range(150)}
    source = new_source(
        work,
        monkeypatch,
        {**many, "specs/steps.yml": RECAST_REPO["specs/steps.yml"].replace("v1.2.0", "v1.3.0")},
    )
    gitlab.seen.clear()
    assert sync(work) == 0
    assert requests(gitlab) == [
        "GET branches/main",
        "GET branches/reana",
        "GET tree",
        "GET compare",
        "POST commits",
        "GET projects/42/events",  # the push event: nothing pushed during the write
    ]
    assert_generated(gitlab, source, converted_tree(work, tmp_path))
    gitlab.seen.clear()
    assert sync(work) == 0
    assert len(gitlab.seen) == 3  # up to date again


def test_new_tool_version_regenerates(
    work: Path, gitlab: FakeGitLab, monkeypatch: MP, tmp_path: Path
) -> None:
    assert sync(work) == 0
    first = gitlab.git("rev-parse", "reana")
    monkeypatch.setattr(git_objects, "__version__", "99.0.0")
    assert sync(work) == 0
    assert gitlab.git("rev-parse", "reana") != first
    assert "Recast-Reana-Version: 99.0.0" in gitlab.git("log", "-1", "--format=%B", "reana")
    assert_generated(gitlab, git(work, "rev-parse", "HEAD"), converted_tree(work, tmp_path))


def test_source_that_needs_no_conversion_still_gets_its_marker_commit(
    tmp_path: Path, gitlab: FakeGitLab, work: Path, monkeypatch: MP
) -> None:
    files: dict[str, str | None] = {p: None for p in RECAST_REPO}
    source = new_source(work, monkeypatch, {**files, **REANA_REPO})
    assert sync(work) == 0
    assert gitlab.git("rev-parse", "reana^{tree}") == gitlab.git("rev-parse", f"{source}^{{tree}}")
    assert_generated(gitlab, source, gitlab.git("rev-parse", f"{source}^{{tree}}"))
    gitlab.seen.clear()
    assert sync(work) == 0 and len(gitlab.seen) == 3


def test_foreign_commit_on_target_is_refused_then_dropped_with_force(
    work: Path, gitlab: FakeGitLab, tmp_path: Path, capsys: Cap
) -> None:
    assert sync(work) == 0
    foreign = gitlab.push_commit("reana", {"notes.txt": "tuning\n"}, "Tune the fit by hand")
    capsys.readouterr()
    gitlab.seen.clear()
    dotenv = tmp_path / "sync.env"
    assert sync(work, "--dotenv", str(dotenv)) == 1
    out = capsys.readouterr().out
    assert "reana has 1 commit(s) that sync-branch did not make" in out
    assert f"  {foreign[:12]} Tune the fit by hand" in out
    assert "--force" in out
    assert gitlab.git("rev-parse", "reana") == foreign
    assert not any(s.method == "POST" for s in gitlab.seen)
    assert f"RECAST_REANA_BRANCH_SHA={foreign}" in dotenv.read_text()

    assert sync(work, "--force") == 0
    out = capsys.readouterr().out
    assert f"dropped 1 commit(s) (--force), kept on reana-rescue-{foreign[:12]}:" in out
    assert gitlab.git("rev-parse", f"reana-rescue-{foreign[:12]}") == foreign
    assert_generated(gitlab, git(work, "rev-parse", "HEAD"), converted_tree(work, tmp_path))


def test_hand_made_branch_without_trailers_is_refused(
    work: Path, gitlab: FakeGitLab, capsys: Cap
) -> None:
    source = git(work, "rev-parse", "HEAD")
    hand = gitlab.push_commit("reana", {"reana.yaml": "version: 0.9.0\n"}, "My REANA port", source)
    assert sync(work) == 1
    assert_left_alone(gitlab, capsys, hand, "My REANA port")


def test_amended_generated_commit_is_someones_work(
    work: Path, gitlab: FakeGitLab, capsys: Cap
) -> None:
    """Same message and parent as the generated commit, different tree: an edit, not ours."""
    assert sync(work) == 0
    message = gitlab.git("log", "-1", "--format=%B", "reana")
    source = git(work, "rev-parse", "HEAD")
    amended = gitlab.push_commit("reana", {"reana.yaml": "version: 0.9.0\n"}, message, source)
    capsys.readouterr()
    assert sync(work) == 1
    assert_left_alone(gitlab, capsys, amended)


def test_branch_generated_from_a_commit_not_on_main_is_refused(
    work: Path, gitlab: FakeGitLab, monkeypatch: MP, capsys: Cap
) -> None:
    main_sha = git(work, "rev-parse", "HEAD")
    git(work, "checkout", "-q", "-b", "feature")
    feature = commit_and_push(work, {"README.md": "feature\n"}, "Feature work", "feature")
    monkeypatch.setenv("CI_COMMIT_SHA", feature)
    assert sync(work, "--source-ref", "feature") == 0
    monkeypatch.setenv("CI_COMMIT_SHA", main_sha)
    capsys.readouterr()
    assert sync(work) == 1
    out = capsys.readouterr().out
    assert f"{feature[:12]} Feature work" in out
    assert "1 commit(s)" in out  # the generated head itself is not foreign


def test_dry_run_prints_actions_and_writes_nothing(
    work: Path, gitlab: FakeGitLab, tmp_path: Path, capsys: Cap
) -> None:
    assert sync(work, "--dry-run") == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["would create reana", "  create reana.yaml", "  update specs/workflow.yml"]
    assert gitlab.ref("refs/heads/reana") is None
    assert not any(s.method == "POST" for s in gitlab.seen)
    assert sync(work) == 0
    gitlab.push_commit("reana", {"x.txt": "x\n"}, "Hand edit")
    capsys.readouterr()
    assert sync(work, "--dry-run", "--force") == 0
    text = capsys.readouterr().out
    assert "would regenerate reana" in text
    assert "would drop 1 commit(s) (--force), keeping them on reana-rescue-" in text
    assert gitlab.git("log", "-1", "--format=%s", "reana") == "Hand edit"
    assert gitlab.git("for-each-ref", "--format=%(refname)") == "refs/heads/main\nrefs/heads/reana"


def test_dry_run_without_token_plans_offline(
    work: Path, gitlab: FakeGitLab, monkeypatch: MP, capsys: Cap
) -> None:
    monkeypatch.delenv("RECAST_REANA_GITLAB_TOKEN")
    monkeypatch.setenv("CI_JOB_TOKEN", "job-token")
    assert sync(work, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "dry run without RECAST_REANA_GITLAB_TOKEN" in out and "  create reana.yaml" in out
    assert gitlab.seen == []


def test_stale_job_does_not_roll_the_branch_back(
    work: Path, gitlab: FakeGitLab, monkeypatch: MP, capsys: Cap
) -> None:
    old = git(work, "rev-parse", "HEAD")
    new = new_source(work, monkeypatch, {"README.md": "newer\n"})
    assert sync(work) == 0
    head = gitlab.git("rev-parse", "reana")
    monkeypatch.setenv("CI_COMMIT_SHA", old)
    capsys.readouterr()
    assert sync(work) == 0
    assert f"skipped: main is at {new[:12]}, not {old[:12]}" in capsys.readouterr().out
    assert gitlab.git("rev-parse", "reana") == head


def test_source_commit_is_read_from_git_not_the_work_tree(
    work: Path, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    tree = converted_tree(work, tmp_path)
    (work / "junk.txt").write_text("left by an earlier CI step\n")
    (work / "specs" / "workflow.yml").write_text("stages: [\n")
    assert sync(work) == 0
    assert gitlab.git("rev-parse", "reana^{tree}") == tree


def test_conversion_error_exits_1_without_requests(
    work: Path, gitlab: FakeGitLab, monkeypatch: MP, capsys: Cap
) -> None:
    new_source(work, monkeypatch, {"specs/workflow.yml": "stages: [\n"})
    assert sync(work) == 1
    out = capsys.readouterr().out
    assert "specs/workflow.yml:" in out and "conversion stopped" in out
    assert gitlab.seen == []


# -- configuration and GitLab errors: exit 2 / 3 and one line ----------------------------------


def error_line(capsys: Cap) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("recast-reana: error: ")
    return err


def test_job_token_alone_says_which_token_to_create(
    work: Path, monkeypatch: MP, capsys: Cap
) -> None:
    monkeypatch.delenv("RECAST_REANA_GITLAB_TOKEN")
    monkeypatch.setenv("CI_JOB_TOKEN", "job-token")
    assert sync(work) == 2
    err = error_line(capsys)
    for part in ("CI_JOB_TOKEN cannot create commits", "project access token", "`api` scope"):
        assert part in err
    assert "Developer or Maintainer role" in err
    assert "masked CI/CD variable RECAST_REANA_GITLAB_TOKEN" in err


@pytest.mark.parametrize(
    ("env", "args", "expected"),
    [
        ({"CI_SERVER_URL": ""}, [], "CI_SERVER_URL not set"),
        ({"CI_DEFAULT_BRANCH": ""}, [], "pass --source-ref or set CI_DEFAULT_BRANCH"),
        ({}, ["--branch", "main"], "--branch main is the source or default branch"),
        ({"RECAST_REANA_GITLAB_RETRIES": "many"}, [], "RECAST_REANA_GITLAB_RETRIES='many'"),
        ({"CI_COMMIT_SHA": "1" * 40}, [], f"commit {'1' * 40} is not in the git repository"),
    ],
)
def test_configuration_errors_exit_2(
    work: Path,
    monkeypatch: MP,
    capsys: Cap,
    env: dict[str, str],
    args: list[str],
    expected: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert sync(work, *args) == 2
    assert expected in error_line(capsys)


def test_bad_token_401(work: Path, gitlab: FakeGitLab, monkeypatch: MP, capsys: Cap) -> None:
    monkeypatch.setenv("RECAST_REANA_GITLAB_TOKEN", "glpat-revoked")
    assert sync(work) == 3
    err = error_line(capsys)
    assert "401" in err and "wrong, expired or revoked" in err and "glpat-revoked" not in err


def test_token_without_api_scope(work: Path, gitlab: FakeGitLab, capsys: Cap) -> None:
    gitlab.tokens[TOKEN] = {"read_api"}  # reads work, the commit is refused
    assert sync(work) == 3
    assert "lacks the `api` scope" in error_line(capsys)
    assert gitlab.seen[-1].method == "POST" and gitlab.seen[-1].status == 403
    gitlab.tokens[TOKEN] = {"read_repository"}
    assert sync(work) == 3
    assert "lacks the `api` scope (reading the source branch 'main'" in error_line(capsys)


def test_protected_branch(work: Path, gitlab: FakeGitLab, capsys: Cap) -> None:
    gitlab.protected.add("reana")
    assert sync(work) == 3
    err = error_line(capsys)
    assert "protected branch 'reana'" in err and "Protected branches" in err
    assert gitlab.ref("refs/heads/reana") is None


def test_project_not_found(work: Path, monkeypatch: MP, capsys: Cap) -> None:
    monkeypatch.setenv("CI_PROJECT_ID", "999")
    assert sync(work) == 3
    err = error_line(capsys)
    assert "404 Project Not Found" in err and "check CI_PROJECT_ID" in err


def test_source_branch_not_found(work: Path, capsys: Cap) -> None:
    assert sync(work, "--source-ref", "develop") == 3
    assert "source branch 'develop' not found" in error_line(capsys)


def test_transient_errors_are_retried(work: Path, gitlab: FakeGitLab, monkeypatch: MP) -> None:
    monkeypatch.setenv("RECAST_REANA_GITLAB_TIMEOUT", "0.3")
    gitlab.inject("GET", "branches/main$", status=503, body={"message": "503"}, times=2)
    gitlab.inject(
        "POST", "commits$", status=429, body={"message": "x"}, headers={"Retry-After": "0"}
    )
    gitlab.inject("GET", "branches/reana$", delay=0.6)  # longer than the timeout: retried
    assert sync(work) == 0
    assert [s.status for s in gitlab.seen if s.path.endswith("branches/main")] == [503, 503, 200]
    assert [s.status for s in gitlab.seen if s.method == "POST"] == [429, 201]
    assert gitlab.git("rev-list", "--count", "main..reana") == "1"


def test_persistent_5xx_exits_3(work: Path, gitlab: FakeGitLab, capsys: Cap) -> None:
    gitlab.inject("GET", "branches/main$", status=502, body=b"<html>Bad Gateway</html>", times=99)
    assert sync(work) == 3
    assert "kept failing reading the source branch 'main' (502 (HTML error page)) after 2" in (
        error_line(capsys)
    )
    assert len(gitlab.seen) == 3  # one try and two retries


def test_persistent_timeouts_exit_3(
    work: Path, gitlab: FakeGitLab, monkeypatch: MP, capsys: Cap
) -> None:
    monkeypatch.setenv("RECAST_REANA_GITLAB_TIMEOUT", "0.3")
    gitlab.inject("GET", "branches/main$", delay=0.6, times=3)
    assert sync(work) == 3
    err = error_line(capsys)
    assert "did not answer reading the source branch 'main' within 0.3 s (2 retries)" in err


def test_unreachable_server_exits_3(work: Path, monkeypatch: MP, capsys: Cap) -> None:
    monkeypatch.setenv("CI_SERVER_URL", "http://127.0.0.1:9")  # discard port: nothing listens
    monkeypatch.setenv("RECAST_REANA_GITLAB_RETRIES", "0")
    assert sync(work) == 3
    err = error_line(capsys)
    assert (
        "cannot reach GitLab at http://127.0.0.1:9: connection refused (reading the source branch"
        in err
    )


# -- races: the branch moves between read and write ---------------------------------------------


def test_push_onto_target_between_read_and_write_is_not_lost(
    work: Path, gitlab: FakeGitLab, monkeypatch: MP, capsys: Cap
) -> None:
    assert sync(work) == 0
    new_source(work, monkeypatch, {"README.md": "v2\n"})
    pushed = push_before(gitlab, "GET", "compare$", {"n.txt": "n\n"}, "Concurrent")
    assert sync(work) == 1
    assert_left_alone(gitlab, capsys, pushed[0], "Concurrent")


def test_target_rewritten_between_read_and_write_is_judged_again(
    work: Path, gitlab: FakeGitLab, monkeypatch: MP, capsys: Cap
) -> None:
    assert sync(work) == 0
    source = new_source(work, monkeypatch, {"README.md": "v2\n"})
    pushed = push_before(gitlab, "GET", "compare$", {"r.txt": "r\n"}, "Rewrite", source)
    assert sync(work) == 1  # judged again: the rewritten head is someone's work
    assert requests(gitlab).count("GET compare") == 2
    assert_left_alone(gitlab, capsys, pushed[0], "Rewrite")


def test_concurrent_sync_job_makes_the_retry_up_to_date(
    work: Path, gitlab: FakeGitLab, monkeypatch: MP, capsys: Cap
) -> None:
    from recast_reana.gitlab.settings import settings_from_env
    from recast_reana.gitlab.sync_branch import run

    assert sync(work) == 0
    new_source(work, monkeypatch, {"README.md": "v2\n"})
    settings = settings_from_env(os.environ, branch="reana", source_ref=None, dry_run=False)

    def other_job() -> None:  # runs while our job waits for its compare answer
        assert run(work, settings, dry_run=False, force=False).committed

    gitlab.inject("GET", "compare$", before=other_job)
    capsys.readouterr()
    assert sync(work) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "reana is up to date"
    assert gitlab.git("rev-list", "--count", "main..reana") == "1"


def test_target_that_keeps_moving_exits_3(
    work: Path, gitlab: FakeGitLab, monkeypatch: MP, capsys: Cap
) -> None:
    assert sync(work) == 0
    source = new_source(work, monkeypatch, {"README.md": "v2\n"})
    n = iter(range(10))
    gitlab.inject(
        "GET",
        "compare$",
        times=2,
        before=lambda: gitlab.push_commit("reana", {"x.txt": f"{next(n)}\n"}, "Mover", source),
    )
    assert sync(work) == 3
    assert "reana changed twice while sync-branch was writing it" in error_line(capsys)


def test_branch_created_between_read_and_write_is_not_overwritten(
    work: Path, gitlab: FakeGitLab, capsys: Cap
) -> None:
    source = git(work, "rev-parse", "HEAD")
    made = push_before(gitlab, "POST", "commits$", {"m.txt": "m\n"}, "Manual", source)
    assert sync(work) == 1
    assert_left_alone(gitlab, capsys, made[0], "Manual")


def test_source_moving_during_the_write_keeps_the_pinned_base(
    work: Path, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    source = git(work, "rev-parse", "HEAD")
    tree = converted_tree(work, tmp_path)
    gitlab.inject(
        "POST", "commits$", before=lambda: gitlab.push_commit("main", {"a": "a\n"}, "Next")
    )
    assert sync(work) == 0
    assert_generated(gitlab, source, tree)


# -- the token never shows ---------------------------------------------------------------------

SENTINEL = "glpat-SENTINEL-never-print-me"


def test_token_never_in_output_logs_or_dotenv(
    work: Path,
    gitlab: FakeGitLab,
    tmp_path: Path,
    monkeypatch: MP,
    capsys: Cap,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("RECAST_REANA_GITLAB_TIMEOUT", "0.3")
    gitlab.tokens = {SENTINEL: {"api"}}
    monkeypatch.setenv("RECAST_REANA_GITLAB_TOKEN", SENTINEL)
    dotenv = tmp_path / "sync.env"
    assert main(["--debug", "sync-branch", str(work), "--dotenv", str(dotenv)]) == 0
    gitlab.inject(
        "GET", "branches/main$", status=500, body={"message": f"echo {SENTINEL}"}, times=9
    )
    assert main(["--debug", "sync-branch", str(work), "--dotenv", str(dotenv)]) == 3
    gitlab.faults.clear()
    gitlab.inject("GET", "branches/main$", delay=0.6, times=3)
    assert main(["sync-branch", str(work), "--debug"]) == 3
    gitlab.faults.clear()
    gitlab.tokens = {}
    assert main(["sync-branch", str(work), "--debug"]) == 3
    out, err = capsys.readouterr()
    assert "echo ***" in err  # the echoed token was replaced
    assert "GitLab: reading" in caplog.text and "127.0.0.1" in caplog.text  # logs were on
    for text in (out, err, caplog.text, dotenv.read_text()):
        assert SENTINEL not in text


def test_token_never_in_a_subprocess_stderr_at_debug(work: Path, gitlab: FakeGitLab) -> None:
    gitlab.tokens = {SENTINEL: {"api"}}
    env = {**os.environ, "RECAST_REANA_GITLAB_TOKEN": SENTINEL, "RECAST_REANA_DEBUG": "1"}
    gitlab.inject("POST", "commits$", status=400, body={"message": f"bad {SENTINEL}"})
    done = subprocess.run(
        [sys.executable, "-m", "recast_reana", "--debug", "sync-branch", str(work)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3, done.stderr
    assert "urllib3" in done.stderr  # debug logging reached stderr
    assert SENTINEL not in done.stdout + done.stderr


def test_check_path_never_imports_gitlab(work: Path) -> None:
    code = (
        "import sys; from recast_reana.cli import main; main(['check', sys.argv[1]]); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('gitlab', 'requests') "
        "or m == 'recast_reana.gitlab.sync_branch'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(work)], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stderr


# -- the local half: git object ids and trailers ------------------------------------------------


def test_tree_ids_match_git(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q")
    files = {"a.txt": b"a\n", "a-b/c.txt": b"c\n", "a/b/d.bin": bytes(range(256)), "z": b""}
    for rel, data in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_bytes(data)
    (repo / "run.sh").write_text("#!/bin/sh\n")
    (repo / "run.sh").chmod(0o755)
    (repo / "link").symlink_to("a.txt")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "t")
    entries, blobs, title = git_objects.read_commit(repo, git(repo, "rev-parse", "HEAD"))
    assert title == "t" and blobs["a/b/d.bin"] == files["a/b/d.bin"] and "link" not in blobs
    assert entries["run.sh"][0] == "100755" and entries["link"][0] == "120000"
    assert git_objects.tree_id(entries) == git(repo, "rev-parse", "HEAD^{tree}")
    changed = {**blobs, "new/x.yml": b"x\n", "a.txt": b"A\n"}
    del changed["z"]
    for rel, data in changed.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_bytes(data)
    (repo / "z").unlink()
    git(repo, "add", "-A")
    assert git_objects.expected_tree(entries, blobs, changed) == git(repo, "write-tree")
    actions = git_objects.file_actions(blobs, {**changed, "a/b/d.bin": b"\xff"})
    assert [(a["action"], a["file_path"]) for a in actions] == [
        ("update", "a.txt"),
        ("update", "a/b/d.bin"),
        ("create", "new/x.yml"),
        ("delete", "z"),
    ]
    assert actions[1] == {
        "action": "update",
        "file_path": "a/b/d.bin",
        "content": "/w==",
        "encoding": "base64",
    }


def test_trailers() -> None:
    msg = "Title\n\nBody: not a trailer\n\nRecast-Reana-Source: abc\nRecast-Reana-Version: 1\n"
    assert git_objects.trailers(msg) == {"Recast-Reana-Source": "abc", "Recast-Reana-Version": "1"}
    assert git_objects.trailers("Recast-Reana-Source: abc") == {}  # a title is no trailer block


# -- the fake answers as GitLab does (python-gitlab, unmodified) --------------------------------


def test_fake_follows_gitlab_rules(work: Path, gitlab: FakeGitLab) -> None:
    import gitlab as python_gitlab

    project = python_gitlab.Gitlab(gitlab.url, private_token=TOKEN).projects.get(gitlab.project_id)
    assert project.default_branch == "main"
    main_sha = project.branches.get("main").commit["id"]
    files = [{"action": "create", "file_path": "n.txt", "content": "n"}]

    def refused(data: dict[str, object]) -> str:
        with pytest.raises(python_gitlab.GitlabCreateError) as info:
            project.commits.create({"commit_message": "m", "actions": files} | data)
        assert info.value.response_code == 400
        return str(info.value.error_message)

    assert refused({"branch": "x", "start_branch": "nope"}) == (
        "You can only create or edit files when you are on a branch"
    )
    assert refused({"branch": "main", "start_sha": main_sha}) == (
        "A branch called 'main' already exists. Switch to that branch in order to make changes"
    )
    assert refused({"branch": "x", "start_branch": "main", "start_sha": main_sha}) == (
        "start_branch, start_sha are mutually exclusive"
    )
    assert refused({"branch": "x", "start_sha": "0" * 40}) == f"Cannot find start_sha '{'0' * 40}'"
    exists = [{"action": "create", "file_path": "recast.yml", "content": "x"}]
    assert refused({"branch": "main", "actions": exists}) == "A file with this name already exists"
    gone = [{"action": "delete", "file_path": "nope.txt"}]
    assert refused({"branch": "main", "actions": gone}) == "A file with this name doesn't exist"

    made = project.commits.create({"branch": "main", "commit_message": "m", "actions": files})
    assert made.parent_ids == [main_sha] and project.commits.get(made.id).title == "m"
    raw = project.files.raw("n.txt", ref="main")
    assert raw == b"n"
    many = [{"action": "create", "file_path": f"d{i:03}/f", "content": ""} for i in range(130)]
    project.commits.create({"branch": "main", "commit_message": "many", "actions": many})
    tree = list(project.repository_tree(ref="main", get_all=True, per_page=100))
    assert len(tree) == 130 + 3 and tree[0]["mode"] == "040000"
    assert len(project.repository_tree(ref="main", get_all=False)) == 20
    compare = project.repository_compare(main_sha, "main")
    assert isinstance(compare, dict)
    assert [c["title"] for c in compare["commits"]] == ["m", "many"]
    assert compare["commit"]["title"] == "many"
    made_branch = project.branches.create({"branch": "keep", "ref": made.id})
    assert made_branch.commit["id"] == made.id
    for data, said in [
        ({"branch": "keep", "ref": "main"}, "Branch already exists"),
        ({"branch": "k2", "ref": "0" * 40}, f"Invalid reference name: {'0' * 40}"),
        ({"branch": "a..b", "ref": "main"}, "Branch name is invalid"),
    ]:
        with pytest.raises(python_gitlab.GitlabCreateError) as refused_branch:
            project.branches.create(data)
        assert (refused_branch.value.response_code, refused_branch.value.error_message) == (
            400,
            said,
        )
    pushes = [e.push_data for e in project.events.list(action="pushed", get_all=True)]
    assert pushes[0] == pushes[0] | {"action": "created", "ref": "keep", "commit_from": None}
    assert pushes[1]["commit_to"] == project.branches.get("main").commit["id"]
    assert pushes[1]["commit_from"] == made.id and pushes[1]["action"] == "pushed"
    with pytest.raises(python_gitlab.GitlabGetError) as missing:
        project.branches.get("nope")
    assert missing.value.error_message == "404 Branch Not Found"
    with pytest.raises(python_gitlab.GitlabAuthenticationError):
        python_gitlab.Gitlab(gitlab.url, private_token="bad").projects.get(gitlab.project_id)
