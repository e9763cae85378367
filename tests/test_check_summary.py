"""`check` says what it checked: one summary line ends the text output, and a directory with no
workflow is said to have none (exit 2 when named, 0 for pre-commit's files)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import REANA_REPO, RECAST_REPO, replace_in
from test_cli import write

from recast_reana.cli import main


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = main(["check", "--no-show-source", *argv])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_recast_layout_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = check(capsys, str(write(tmp_path, RECAST_REPO)))
    assert code == 0
    assert (
        lines[-1]
        == "recast-atlas workflow specs/workflow.yml + 2 files: 0 errors, 0 warnings, 2 infos"
    )


def test_counts_by_severity(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = replace_in(REANA_REPO, "specs/steps.yml", "imagetag: v1.2.0\n", "imagetag: latest\n")
    files = replace_in(files, "specs/workflow.yml", "[init, select]", "[init, slect]")
    code, lines, _ = check(capsys, str(write(tmp_path, files)))
    assert code == 1
    assert lines[-1] == (
        "REANA yadage workflow specs/workflow.yml + 2 files: 2 errors, 1 warning, 0 infos"
    )


def test_a_directory_with_no_workflow_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "README.md").write_text("# notes\n")
    code, lines, err = check(capsys, "--strict", str(tmp_path))
    assert (code, lines) == (2, [])
    assert err == (
        f"recast-reana: error: no recast.yml, reana*.yaml or yadage workflow found under "
        f"{tmp_path.resolve()}\n"
    )


def test_pre_commit_files_in_a_repository_with_no_workflow_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "notes.yaml").write_text("a: 1\n")
    monkeypatch.chdir(tmp_path)
    code, lines, _ = check(capsys, "notes.yaml")
    assert code == 0
    assert lines == [
        f"recast-reana: no recast.yml, reana*.yaml or yadage workflow found under "
        f"{tmp_path.resolve()} (checked because of notes.yaml); nothing to check"
    ]
