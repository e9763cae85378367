"""The repository boundary: no file outside the repository root is read or printed, through a
symbolic link, `..`, or an absolute path; such a reference is a finding that says where it
points, never what is there."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import REANA_REPO, RECAST_REPO, replace_in
from test_cli import write

from recast_reana.cli import main

SENTINEL = "outside-secret-0a1b2c"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A YAML file outside the repository, holding a sentinel that must never be printed."""
    path = tmp_path / "outside.yml"
    path.write_text(f"select:\n  password: {SENTINEL}\n  process: [\n")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["check", "--show-source", *argv])
    out, err = capsys.readouterr()
    return code, out + err


def test_a_symbolic_link_out_of_the_repository_is_not_read(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write(tmp_path / "repo", RECAST_REPO)
    (root / "specs" / "steps.yml").unlink()
    (root / "specs" / "steps.yml").symlink_to(outside)
    code, out = run(capsys, str(root))
    assert code == 1 and SENTINEL not in out
    assert (
        f"specs/steps.yml:1:1: RR004 not read: specs/steps.yml is a symbolic link to {outside}, "
        "outside the repository [unsafe-yaml]"
    ) in out


@pytest.mark.parametrize(
    ("files", "where"),
    [
        (
            replace_in(REANA_REPO, "reana.yaml", "file: specs/workflow.yml", "file: {outside}"),
            "reana.yaml",
        ),
        (
            replace_in(RECAST_REPO, "recast.yml", "workflow: workflow.yml", "workflow: {outside}"),
            "recast.yml",
        ),
        (
            replace_in(
                REANA_REPO,
                "specs/workflow.yml",
                "specs/steps.yml#/fit",
                "../../outside.yml#/select",
            ),
            "specs/workflow.yml",
        ),
    ],
    ids=["absolute-reana-workflow-file", "absolute-spec-workflow", "ref-up-and-out"],
)
def test_a_path_out_of_the_repository_is_a_finding_without_its_content(
    tmp_path: Path,
    outside: Path,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str],
    where: str,
) -> None:
    files = {p: t.replace("{outside}", str(outside)) for p, t in files.items()}
    root = write(tmp_path / "repo", files)
    code, out = run(capsys, str(root))
    assert SENTINEL not in out and "Traceback" not in out
    assert code in (0, 1) and f"\n{where}:" in "\n" + out  # an error, or a warning (recast)


def test_a_directory_named_recast_yml_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write(tmp_path / "repo", {k: v for k, v in RECAST_REPO.items() if k != "recast.yml"})
    (root / "recast.yml").mkdir()
    code, out = run(capsys, str(root))
    assert "recast.yml:1:1: RR004 not read: recast.yml is a directory, not a file" in out
    assert code == 1
