"""The command line through `main([...])`: exit codes, formats, configuration, suppression."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from gitrepo import write
from helpers import REANA_REPO, RECAST_REPO, replace_in, with_files

from recast_reana import __version__
from recast_reana.cli import main

# A REANA-layout repository with exactly one error: `imagetag` twice in the `select` step.
DUPLICATE = replace_in(
    REANA_REPO, "specs/steps.yml", "    imagetag: v1.2.0\n", "    imagetag: v1\n    imagetag: v2\n"
)
DUPLICATE_LINE = (
    "specs/steps.yml:10:5: RR002 key 'imagetag' is repeated (first on line 9); "
    "the last value silently wins [duplicate-key]"
)
# The same repository with an unquoted placeholder (RR003) in the `fit` publisher as well. That
# also breaks what `fit` publishes, so other rules report it too: tests of the output formats use
# `--select RR0` (the file-level rules) to stay independent of them.
TWO_RULES = replace_in(DUPLICATE, "specs/steps.yml", "limit: '{limit_file}'", "limit: {limit_file}")
RR0 = ("--select", "RR0")


SUMMARY = re.compile(r"^\S.* \d+ errors?, \d+ warnings?, \d+ infos?$")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `main(argv)`; a text check's summary line, which must
    end its output, is taken off (tests/test_check_summary.py tests it)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    lines = out.splitlines(keepends=True)
    text_check = argv[:1] == ("check",) and argv[-2:] != ("--format", "json")
    if text_check and code in (0, 1) and lines and SUMMARY.match(lines[-1].rstrip("\n")):
        out = "".join(lines[:-1])
    return code, out, err


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty repository directory that is also the working directory."""
    root = tmp_path / "analysis"
    root.mkdir()
    monkeypatch.chdir(root)
    return root


# --- exit codes -------------------------------------------------------------------------------


def test_clean_repository_exits_0_silently(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, REANA_REPO)
    assert run(capsys, "check") == (0, "", "")
    assert run(capsys, "check", str(repo)) == (0, "", "")


def test_error_exits_1_with_one_flake8_style_line(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, DUPLICATE)
    code, out, err = run(capsys, "check", "--no-show-source")
    assert (code, out, err) == (1, DUPLICATE_LINE + "\n", "")


def test_recast_layout_example_exits_0(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, RECAST_REPO)
    code, out, _ = run(capsys, "check")
    assert code == 0, out


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param([], id="no-command"),
        pytest.param(["lint"], id="unknown-command"),
        pytest.param(["check", "--format", "xml"], id="unknown-format"),
        pytest.param(["check", "--no-such-option"], id="unknown-option"),
        pytest.param(["check", "missing.yml"], id="missing-file"),
        pytest.param(["check", ".", "specs"], id="two-directories"),
        pytest.param(["check", "specs", "reana.yaml"], id="directory-and-file"),
        pytest.param(["check", "--select", "RR999"], id="select-matches-no-rule"),
        pytest.param(["check", "--select", "E501"], id="select-not-a-rule-id"),
        pytest.param(["check", "--ignore", "RR99"], id="ignore-matches-no-rule"),
        pytest.param(["check", "--select", ","], id="select-empty"),
        pytest.param(["check", "--config", "missing.yaml"], id="missing-config"),
        pytest.param(["check", "--config", "specs"], id="config-is-a-directory"),
        pytest.param(["check", "--output", "no/such/dir/report.txt"], id="output-unwritable"),
    ],
)
def test_usage_errors_exit_2_without_traceback(
    repo: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    write(repo, DUPLICATE)
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert "Traceback" not in out + err
    assert err.strip(), "a usage error says what is wrong"


def test_file_outside_the_repository_is_a_usage_error(
    repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write(repo, DUPLICATE)
    (tmp_path / "elsewhere.yml").write_text("a: 1\n")
    code, _, err = run(capsys, "check", "specs/steps.yml", str(tmp_path / "elsewhere.yml"))
    assert code == 2
    assert "elsewhere.yml: is outside the repository" in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert (code, out) == (0, f"recast-reana {__version__}\n")


def test_python_dash_m_version() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "recast_reana", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"recast-reana {__version__}\n", "")


# --- configuration errors ---------------------------------------------------------------------

CONFIG_ERRORS = [
    pytest.param(
        "select: [RR0]\ncolour: true\n",
        ".recast-reana.yaml:2:1: unknown key 'colour'; known: select, ignore, severity, layout,",
        id="unknown-option",
    ),
    pytest.param("select: RR001\n", ".recast-reana.yaml:1:9: select: 'RR001' is not of", id="type"),
    pytest.param(
        "severity:\n  RR002: fatal\n", ".recast-reana.yaml:2:10: severity.RR002: ", id="enum"
    ),
    pytest.param(
        "severity:\n  rr002: info\n", ".recast-reana.yaml:2:3: unknown rule 'rr002' in", id="key"
    ),
    pytest.param("select: [RR0\n", ".recast-reana.yaml:2:1: ", id="yaml-syntax"),
    pytest.param("- RR001\n", ".recast-reana.yaml:1:1: the configuration must be", id="a-list"),
    pytest.param(
        "layout: auto\nlayout: reana\n", ".recast-reana.yaml:2:1: option 'layout'", id="twice"
    ),
    pytest.param(b"select: [\xff]\n", ".recast-reana.yaml:1:10: not UTF-8", id="not-utf8"),
    pytest.param(b"\x00\x01binary", ".recast-reana.yaml:1:1: binary file", id="binary"),
]


@pytest.mark.parametrize(("config", "expected"), CONFIG_ERRORS)
def test_bad_configuration_exits_2_with_one_positioned_line(
    repo: Path, capsys: pytest.CaptureFixture[str], config: str | bytes, expected: str
) -> None:
    write(repo, with_files(REANA_REPO))
    write(repo, {".recast-reana.yaml": config})
    code, out, err = run(capsys, "check")
    assert (code, out) == (2, "")
    assert err.startswith("recast-reana: error: " + expected), err
    assert err.count("\n") == 1, "one line, no traceback"


def test_explicit_config_file_is_named_as_given(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, REANA_REPO)
    write(repo, {"ci/lint.yaml": "ignore: [RR0]\nbogus: 1\n"})
    code, _, err = run(capsys, "check", "--config", "ci/lint.yaml")
    assert code == 2
    assert err.startswith("recast-reana: error: ci/lint.yaml:2:1: ")


def test_configuration_applies(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, DUPLICATE)
    write(repo, {".recast-reana.yaml": "ignore: [RR002]\n"})
    assert run(capsys, "check") == (0, "", "")


# --- --strict, --select, --ignore -------------------------------------------------------------


def test_strict_counts_warnings(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, DUPLICATE)
    write(repo, {".recast-reana.yaml": "severity:\n  RR002: warning\n"})
    code, out, _ = run(capsys, "check")
    assert code == 0
    assert out.startswith("specs/steps.yml:10:5: RR002 warning: key 'imagetag' is repeated")
    assert run(capsys, "check", "--strict")[0] == 1


def test_info_never_fails_even_strict(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, DUPLICATE)
    write(repo, {".recast-reana.yaml": "severity:\n  RR002: info\n"})
    assert run(capsys, "check", "--strict")[0] == 0


def _rules(out: str) -> list[str]:
    return [line.split(" ")[1] for line in out.splitlines()]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(["--select", "RR002"], ["RR002"], id="select-id"),
        pytest.param(["--select", "rr003"], ["RR003"], id="select-lowercase"),
        pytest.param(["--select", "RR0"], ["RR002", "RR003"], id="select-prefix"),
        pytest.param(["--select", "RR002, RR003"], ["RR002", "RR003"], id="select-list"),
        pytest.param(["--select", "RR0", "--ignore", "RR003"], ["RR002"], id="select-and-ignore"),
        pytest.param(["--select", "RR0", "--ignore", "RR0"], [], id="ignore-prefix"),
    ],
)
def test_select_and_ignore(
    repo: Path, capsys: pytest.CaptureFixture[str], argv: list[str], expected: list[str]
) -> None:
    write(repo, TWO_RULES)
    code, out, _ = run(capsys, "check", "--no-show-source", *argv)
    assert _rules(out) == expected
    assert code == (1 if expected else 0)


def test_select_on_the_command_line_replaces_the_configured_one(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, TWO_RULES)
    write(repo, {".recast-reana.yaml": "select: [RR003]\n"})
    assert _rules(run(capsys, "check")[1]) == ["RR003"]
    assert _rules(run(capsys, "check", "--select", "RR002")[1]) == ["RR002"]


# --- output formats ---------------------------------------------------------------------------


def test_json_format(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, TWO_RULES)
    code, out, _ = run(capsys, "check", *RR0, "--format", "json", str(repo))
    assert code == 1
    report = json.loads(out)
    assert report == [
        {
            "path": "specs/steps.yml",
            "line": 10,
            "column": 5,
            "rule": "RR002",
            "name": "duplicate-key",
            "severity": "error",
            "message": "key 'imagetag' is repeated (first on line 9); the last value silently wins",
        },
        {
            "path": "specs/steps.yml",
            "line": 27,
            "column": 14,
            "rule": "RR003",
            "name": "unquoted-placeholder",
            "severity": "error",
            "message": "{limit_file} is read as a mapping, not a string; quote it: '{limit_file}'",
        },
    ]


def test_json_empty_report_is_an_empty_array(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, REANA_REPO)
    code, out, _ = run(capsys, "check", "--format", "json")
    assert (code, json.loads(out)) == (0, [])


def test_json_paths_are_relative_with_slashes_from_any_directory(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(repo, DUPLICATE)
    monkeypatch.chdir(repo / "specs")
    for argv in (["steps.yml"], [str(repo)], [str(repo / "specs" / "steps.yml")]):
        _, out, _ = run(capsys, "check", "--format", "json", *argv)
        assert [d["path"] for d in json.loads(out)] == ["specs/steps.yml"], argv


CODEQUALITY_KEYS = {"description", "check_name", "fingerprint", "severity", "location"}


def _codequality(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, Any]]:
    _, out, _ = run(capsys, "check", *RR0, "--format", "codequality", *argv)
    report = json.loads(out)
    assert isinstance(report, list)
    for issue in report:  # DESIGN.md section 5
        assert set(issue) == CODEQUALITY_KEYS
        assert isinstance(issue["description"], str) and issue["description"]
        assert isinstance(issue["check_name"], str) and issue["check_name"]
        assert isinstance(issue["fingerprint"], str) and issue["fingerprint"]
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        location = issue["location"]
        assert isinstance(location, dict) and set(location) == {"path", "lines"}
        assert isinstance(location["path"], str) and not location["path"].startswith("/")
        assert isinstance(location["lines"]["begin"], int) and location["lines"]["begin"] >= 1
    return report


def test_codequality_format(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, TWO_RULES)
    report = _codequality(capsys)
    assert [(i["check_name"], i["severity"], i["location"]) for i in report] == [
        ("RR002 duplicate-key", "major", {"path": "specs/steps.yml", "lines": {"begin": 10}}),
        (
            "RR003 unquoted-placeholder",
            "major",
            {"path": "specs/steps.yml", "lines": {"begin": 27}},
        ),
    ]
    assert str(report[0]["description"]).startswith("RR002 key 'imagetag' is repeated")
    assert len({i["fingerprint"] for i in report}) == 2


def test_codequality_is_written_in_pieces_as_one_indented_document(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Streamed (issue 11's memory budget), the report is still what json.dumps(indent=2) writes,
    on stdout and in --output, with findings and without."""
    write(repo, TWO_RULES)
    _, out, _ = run(capsys, "check", *RR0, "--format", "codequality")
    assert out == json.dumps(json.loads(out), indent=2) + "\n"
    assert len(json.loads(out)) == 2
    run(capsys, "check", *RR0, "--format", "codequality", "--output", str(tmp_path / "cq.json"))
    assert (tmp_path / "cq.json").read_text() == out
    _, clean, _ = run(capsys, "check", "--select", "RR004", "--format", "codequality")
    assert clean == "[]\n"


def test_codequality_severities(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, TWO_RULES)
    write(repo, {".recast-reana.yaml": "severity: {RR002: warning, RR003: info}\n"})
    assert [i["severity"] for i in _codequality(capsys)] == ["minor", "info"]


def test_codequality_fingerprints_survive_lines_inserted_above(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, TWO_RULES)
    before = _codequality(capsys)
    steps = repo / "specs" / "steps.yml"
    steps.write_text("# the selection and the fit\n\n" + steps.read_text())
    after = _codequality(capsys)
    assert [i["location"]["lines"]["begin"] for i in after] == [12, 29]
    assert [i["fingerprint"] for i in after] == [i["fingerprint"] for i in before]


def test_codequality_fingerprints_differ_for_the_same_finding_twice(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same rule and message on identical lines in two steps: still two distinct issues.
    files = replace_in(TWO_RULES, "specs/steps.yml", "selected: '{output_file}'", "x: {a}")
    files = replace_in(files, "specs/steps.yml", "limit: {limit_file}", "x: {a}")
    write(repo, files)
    report = [i for i in _codequality(capsys) if i["check_name"] == "RR003 unquoted-placeholder"]
    assert len(report) == 2
    assert report[0]["description"] == report[1]["description"]
    assert report[0]["fingerprint"] != report[1]["fingerprint"]


def test_show_source_marks_the_node(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, TWO_RULES)
    code, out, _ = run(capsys, "check", *RR0, "--show-source")
    assert code == 1
    assert out.splitlines() == [
        DUPLICATE_LINE,
        "  10 |     imagetag: v2",
        "           ^~~~~~~~",
        "specs/steps.yml:27:14: RR003 {limit_file} is read as a mapping, not a string; "
        "quote it: '{limit_file}' [unquoted-placeholder]",
        "  27 |       limit: {limit_file}",
        "                    ^~~~~~~~~~~~",
    ]


def test_no_source_when_output_is_not_a_terminal(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, DUPLICATE)
    assert run(capsys, "check")[1] == DUPLICATE_LINE + "\n"  # capsys is not a TTY


def test_output_file(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, DUPLICATE)
    code, out, _ = run(capsys, "check", "--output", "report.txt")
    assert (code, out) == (1, "")
    *lines, summary = (repo / "report.txt").read_text().splitlines()
    assert lines == [DUPLICATE_LINE] and SUMMARY.match(summary)


def test_output_file_json_keeps_text_on_stdout(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, DUPLICATE)
    code, out, _ = run(capsys, "check", "--format", "codequality", "-o", "gl-code-quality.json")
    assert (code, out) == (1, DUPLICATE_LINE + "\n")
    report = json.loads((repo / "gl-code-quality.json").read_text())
    assert [i["check_name"] for i in report] == ["RR002 duplicate-key"]


# --- inline suppression -----------------------------------------------------------------------


@pytest.mark.parametrize("layout", [REANA_REPO, RECAST_REPO], ids=["reana", "recast"])
@pytest.mark.parametrize(
    ("new", "suppressed"),
    [
        pytest.param("    imagetag: v2  # recast-reana: disable=RR002\n", True, id="same-line"),
        pytest.param(
            "    # recast-reana: disable=RR002\n    imagetag: v2\n", True, id="line-before"
        ),
        pytest.param("    imagetag: v2  # recast-reana: disable\n", True, id="all-rules"),
        pytest.param("    imagetag: v2  #recast-reana:disable=RR001,RR002\n", True, id="list"),
        pytest.param("    imagetag: v2  # recast-reana: disable=RR003\n", False, id="other-rule"),
        pytest.param(
            "    # recast-reana: disable=RR002\n\n    imagetag: v2\n", False, id="two-lines-before"
        ),
    ],
)
def test_inline_disable(
    repo: Path,
    capsys: pytest.CaptureFixture[str],
    layout: dict[str, str],
    new: str,
    suppressed: bool,
) -> None:
    files = replace_in(
        layout, "specs/steps.yml", "    imagetag: v1.2.0\n", "    imagetag: v1\n" + new
    )
    write(repo, files)
    code, out, _ = run(capsys, "check", "--select", "RR002")
    assert (code, out == "") == (0 if suppressed else 1, suppressed), out


def test_disable_file(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = replace_in(
        TWO_RULES, "specs/steps.yml", "fit:\n", "# recast-reana: disable-file\nfit:\n"
    )
    write(repo, files)
    assert run(capsys, "check", *RR0) == (0, "", "")


def test_disable_file_only_covers_its_file(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = replace_in(
        DUPLICATE, "specs/workflow.yml", "stages:\n", "# recast-reana: disable-file\nstages:\n"
    )
    write(repo, files)
    assert run(capsys, "check")[0] == 1


# --- files as pre-commit passes them ----------------------------------------------------------


def test_files_relative_to_the_repository_root(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # pre-commit runs in the repository root and passes the staged files: the whole workflow is
    # still linted, whichever of its files were staged.
    write(repo, DUPLICATE)
    assert run(capsys, "check", "specs/steps.yml")[1] == DUPLICATE_LINE + "\n"
    assert run(capsys, "check", "reana.yaml")[1] == DUPLICATE_LINE + "\n"
    assert run(capsys, "check", "reana.yaml", "specs/workflow.yml", "specs/steps.yml")[0] == 1


def test_files_named_from_another_directory(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write(repo, DUPLICATE)
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "check", "analysis/specs/steps.yml")[1] == DUPLICATE_LINE + "\n"
    monkeypatch.chdir(repo / "specs")
    assert run(capsys, "check", "steps.yml", "../reana.yaml")[1] == DUPLICATE_LINE + "\n"


def test_root_is_the_nearest_directory_with_a_marker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A repository (with .git) holding an analysis in a subdirectory.
    (tmp_path / ".git").mkdir()
    write(tmp_path / "analysis", DUPLICATE)
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "check", "analysis/specs/steps.yml")[1] == DUPLICATE_LINE + "\n"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinked_file_pointing_outside_is_a_repository_file(
    repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write(repo, DUPLICATE)
    (tmp_path / "big.root").write_bytes(b"\x00" * 10)
    (repo / "data.root").symlink_to(tmp_path / "big.root")
    (repo / "dangling.root").symlink_to(tmp_path / "missing.root")
    code, out, err = run(capsys, "check", "data.root", "dangling.root", "specs/steps.yml")
    assert (code, out, err) == (1, DUPLICATE_LINE + "\n", "")


# --- no traceback on broken input -------------------------------------------------------------

ALIAS_BOMB = "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" if i else "l0: &l0 [lol, lol]\n"
    for i in range(10)
)

BROKEN: list[object] = [
    pytest.param({"specs/workflow.yml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}, id="binary-spec"),
    pytest.param({"specs/steps.yml": "select:\n  x: 'caf\xe9'\n".encode("latin-1")}, id="latin-1"),
    pytest.param({"reana.yaml": b"\xef\xbb\xbfversion: 0.9.0\n\xff\xfe"}, id="bom-and-bad-bytes"),
    pytest.param({"specs/steps.yml": ALIAS_BOMB}, id="alias-bomb"),
    pytest.param({"specs/steps.yml": "a: &a [*a]\n"}, id="recursive-alias"),
    pytest.param({"specs/steps.yml": "[" * 5000 + "]" * 5000}, id="deep-nesting"),
    pytest.param({"reana.yaml": "", "specs/workflow.yml": "", "specs/steps.yml": ""}, id="empty"),
    pytest.param({"reana.yaml": "---\n...\n", "specs/workflow.yml": "#\n"}, id="comment-only"),
    pytest.param({"reana.yaml": "a: 1\n---\nb: 2\n"}, id="two-documents"),
    pytest.param({"reana.yaml": "- just\n- a list\n"}, id="reana-yaml-list"),
    pytest.param({"reana.yaml": "workflow: 5\ninputs: [1]\n"}, id="reana-yaml-wrong-types"),
    pytest.param({"reana.yaml": "workflow: {type: yadage, file: [x]}\n"}, id="file-not-a-str"),
    pytest.param({"reana.yaml": "workflow: {file: ../../etc/passwd}\n"}, id="file-outside"),
    pytest.param({"reana.yaml": "workflow: {file: /etc/passwd}\n"}, id="file-absolute"),
    pytest.param({"reana.yaml": "workflow: {file: specs}\n"}, id="file-is-a-directory"),
    pytest.param({"specs/workflow.yml": "stages: 5\n"}, id="stages-not-a-list"),
    pytest.param({"specs/workflow.yml": "stages: [1, null, {name: [x]}]\n"}, id="bad-stages"),
    pytest.param(
        {"specs/workflow.yml": "stages:\n- name: a\n  dependencies: 7\n  scheduler: [1]\n"},
        id="bad-stage-fields",
    ),
    pytest.param({"specs/workflow.yml": "stages:\n- {name: a, scheduler: {step: 5}}\n"}, id="step"),
    pytest.param(
        {"specs/workflow.yml": "stages:\n- {name: a, scheduler: {step: {$ref: [1]}}}\n"},
        id="ref-not-a-string",
    ),
    pytest.param(
        {"specs/workflow.yml": "stages:\n- {name: a, scheduler: {step: {$ref: '#/stages'}}}\n"},
        id="ref-to-itself",
    ),
    pytest.param({"specs/steps.yml": "{a: b}: c\n"}, id="mapping-as-key"),
    pytest.param({"specs/steps.yml": "a: !!python/object:os.system x\n"}, id="python-tag"),
    pytest.param({"specs/steps.yml": "a: !!timestamp 2024-13-45\n"}, id="bad-timestamp"),
    pytest.param({"specs/steps.yml": "a:\tb\n\t- c\n"}, id="tabs"),
    pytest.param({"specs/steps.yml": None, "specs/steps.yml/x": "a: 1\n"}, id="dir-named-steps"),
    pytest.param({"reana.yaml": None, "reana.yaml/x": "a: 1\n"}, id="dir-named-reana-yaml"),
    pytest.param({".recast-reana.yaml": None}, id="no-config"),
    pytest.param({"user.keytab": b"\x05\x02\x00\x00\x00", "x509up_u1000": b"\x30\x82"}, id="creds"),
]


def _broken_repo(
    root: Path, changes: Mapping[str, str | bytes | None], base: dict[str, str]
) -> None:
    files: dict[str, str | bytes] = dict(base)
    for path, content in changes.items():
        files.pop(path, None)
        if content is not None:
            files[path] = content
    write(root, files)


@pytest.mark.parametrize("base", [REANA_REPO, RECAST_REPO], ids=["reana", "recast"])
@pytest.mark.parametrize("changes", BROKEN)
def test_no_traceback_on_broken_input(
    repo: Path,
    capsys: pytest.CaptureFixture[str],
    changes: Mapping[str, str | bytes | None],
    base: dict[str, str],
) -> None:
    _broken_repo(repo, changes, base)
    for argv in (
        ["check", "--show-source"],
        ["check", "--format", "json"],
        ["check", "--format", "codequality"],
        ["check", *sorted(p for p in changes if (repo / p).is_file())],
    ):
        code, out, err = run(capsys, *argv)
        assert code in (0, 1), (argv, err)
        assert "Traceback" not in err and "internal error" not in err, (argv, err)
        if "json" in argv or "codequality" in argv:
            json.loads(out)


def test_directory_named_recast_yml(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, {"recast.yml/README": "not a file\n", "specs/workflow.yml": "stages: []\n"})
    code, _, err = run(capsys, "check")
    assert code in (0, 1) and "Traceback" not in err
