"""A secret found by RR501 never appears in any output format, snippet or fingerprint."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepo import write
from helpers import RECAST_REPO, replace_in

from recast_reana.cli import main

SENTINEL = "Sentinel-Pw-7f3a9c2e"


def _repo(tmp_path: Path) -> Path:
    files = replace_in(
        RECAST_REPO,
        "specs/steps.yml",
        "      select {input_file} {output_file}\n",
        f"      echo '{SENTINEL}' | kinit analyst@CERN.CH\n"
        "      select {input_file} {output_file}\n",
    )
    return write(tmp_path, files)


@pytest.mark.parametrize(
    "args",
    [["--show-source"], ["--format", "json"], ["--format", "codequality"], ["--no-show-source"]],
)
def test_sentinel_never_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    repo = _repo(tmp_path)
    assert main(["check", str(repo), *args]) == 1
    out, err = capsys.readouterr()
    assert "RR501" in out
    assert SENTINEL not in out + err
    if "--show-source" in args:
        assert "*" * len(SENTINEL) in out


def test_sentinel_not_in_report_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path)
    report = tmp_path / "report.json"
    main(["check", str(repo), "--format", "codequality", "--output", str(report)])
    out, err = capsys.readouterr()
    assert SENTINEL not in report.read_text() + out + err
