"""Snippets (`--show-source`, Code Quality fingerprints): a secret is masked in the snippet of
every rule, whatever rules ran, and a long line is cut to a window around the mark."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import REANA_REPO, replace_in
from test_cli import write

from recast_reana.cli import main
from recast_reana.lint.diagnostics import SNIPPET_WIDTH, Diagnostic, format_text

SENTINEL = "Hunter2-sentinel-pw"


@pytest.mark.parametrize("select", [[], ["--select", "RR3"], ["--ignore", "RR501"]])
def test_a_secret_is_masked_in_the_snippet_of_another_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], select: list[str]
) -> None:
    """An unused reana.yaml parameter (RR305) on the line of a password (RR501)."""
    files = replace_in(
        REANA_REPO,
        "reana.yaml",
        "    xsec: 44.8\n",
        f"    xsec: 44.8\n    kinit_password: {SENTINEL}\n",
    )
    root = write(tmp_path, files)
    for fmt in (["--show-source"], ["--format", "codequality"]):
        main(["check", *fmt, *select, str(root)])
        out = capsys.readouterr().out
        assert "kinit_password" in out or fmt[0] == "--format"
        assert SENTINEL not in out


def test_a_long_line_is_cut_around_the_mark() -> None:
    line = "x" * 5000 + "{oops}" + "y" * 5000
    d = Diagnostic("a.yml", 1, 5001, "RR306", "m", end_col=5007)
    text = format_text([d], {"a.yml": line}, show_source=True)
    _, source, mark = text.splitlines()
    assert len(source) < SNIPPET_WIDTH + 20 and source.count("...") == 2
    assert source[mark.index("^") : mark.index("^") + 6] == "{oops}"
    assert mark.strip() == "^~~~~~"
