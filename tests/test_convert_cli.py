"""`recast-reana convert` from the command line, and `recast-reana check` through the conversion."""

from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest
from test_convert import DATA, SOURCES, read_tree, write_tree

from recast_reana import filetree
from recast_reana.cli import main
from recast_reana.lint.rules import recast_auth_script

VHBB = SOURCES["vhbb"]


def repo(tmp_path: Path, case: str = "vhbb") -> Path:
    """A copy of a fixture's sources to work on (outside any git repository)."""
    root = tmp_path / "repo"
    shutil.copytree(SOURCES.get(case, DATA / case / "src"), root)
    return root


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


# --- --out ----------------------------------------------------------------------------------------


def test_out_writes_the_complete_converted_tree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["convert", str(repo(tmp_path)), "--out", str(out)]) == 0
    assert read_tree(out) == read_tree(DATA / "vhbb" / "expected")
    assert capsys.readouterr().out == f"wrote 5 files to {out} (3 converted)\n"


def test_out_into_a_non_empty_directory_needs_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine\n")
    assert main(["convert", str(repo(tmp_path)), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"recast-reana: error: --out {out}: exists and is not empty (use --force to replace it)\n"
    )
    assert files_under(out) == ["keep.txt"]
    assert main(["convert", str(tmp_path / "repo"), "--out", str(out), "--force"]) == 0
    assert "reana.yaml" in files_under(out) and "keep.txt" not in files_under(out)  # no stale


def test_out_inside_the_repository_is_not_converted_into_itself(tmp_path: Path) -> None:
    root = repo(tmp_path)
    assert main(["convert", str(root), "--out", str(root / "build")]) == 0
    assert main(["convert", str(root), "--out", str(root / "build"), "--force"]) == 0
    assert not (root / "build" / "build").exists()
    assert read_tree(root / "build") == read_tree(DATA / "vhbb" / "expected")


# --- --in-place -----------------------------------------------------------------------------------


def test_in_place_rewrites_the_working_tree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path)
    assert main(["convert", str(root), "--in-place"]) == 1  # files changed, like a fixer hook
    assert capsys.readouterr().out == (
        "converted reana.yaml\nconverted specs/steps.yml\nconverted specs/workflow.yml\n"
    )
    assert read_tree(root) == read_tree(DATA / "vhbb" / "expected")  # no temporary files left
    assert main(["convert", str(root), "--in-place"]) == 0
    assert capsys.readouterr().out == ""


def test_in_place_keeps_file_modes(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "specs" / "steps.yml").chmod(0o600)
    main(["convert", str(root), "--in-place"])
    assert (root / "specs" / "steps.yml").stat().st_mode & 0o777 == 0o600


def test_in_place_failing_rename_leaves_the_original_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path)
    before = read_tree(root)

    def replace(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device", str(dst))

    monkeypatch.setattr(filetree.os, "replace", replace)
    assert main(["convert", str(root), "--in-place"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("recast-reana: error: cannot write ") and "No space left on device" in err
    assert err.rstrip().endswith("reana.yaml and the files after it were not converted")
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert read_tree(root) == before  # every file as it was, no temporary file left


def test_in_place_failing_write_leaves_the_original_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo(tmp_path)
    before = read_tree(root)
    real_fdopen = os.fdopen

    class HalfWriter:
        """Writes half of the data, then the disk is full."""

        def __init__(self, fh: Any) -> None:
            self.fh = fh

        def __enter__(self) -> HalfWriter:
            return self

        def __exit__(self, *exc: object) -> None:
            self.fh.close()

        def write(self, data: bytes) -> int:
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(filetree.os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))
    assert main(["convert", str(root), "--in-place"]) == 3
    assert read_tree(root) == before


# --- --diff ---------------------------------------------------------------------------------------


def test_diff_prints_a_unified_diff_and_fails_when_there_are_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path)
    assert main(["convert", str(root), "--diff"]) == 1
    text = capsys.readouterr().out
    assert text.startswith("--- /dev/null\n+++ b/reana.yaml\n@@ -0,0 +1,24 @@\n")
    assert "--- a/specs/steps.yml\n+++ b/specs/steps.yml\n" in text
    assert "-     . /recast_auth/getkrb.sh\n" in text
    assert (
        "-    step: {$ref: steps.yml#/fitting}\n+    step: {$ref: specs/steps.yml#/fitting}\n"
        in text
    )
    assert read_tree(root) == read_tree(VHBB)  # nothing written


def test_diff_of_a_converted_tree_is_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "converted"
    shutil.copytree(DATA / "vhbb" / "expected", root)
    assert main(["convert", str(root), "--diff"]) == 0
    assert capsys.readouterr().out == ""


def test_diff_marks_a_missing_final_line_break_and_applies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path, "formatting")
    assert main(["convert", str(root), "--diff"]) == 1
    text = capsys.readouterr().out
    assert "-  imagetag: 21.2.85-centos7\n\\ No newline at end of file\n" in text
    assert text.count("\\ No newline at end of file\n") == 2


# --- bad input: exit 1 with diagnostics, never a traceback ---------------------------------------


def _broken(root: Path, path: str, old: str, new: str) -> None:
    text = (root / path).read_text()
    assert old in text
    (root / path).write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("path", "old", "new", "expected"),
    [
        pytest.param(
            "specs/steps.yml",
            "skimming:\n process:",
            "skimming:\n process: [",
            "specs/steps.yml:4:10: RR001 while parsing a flow sequence",
            id="broken-yaml",
        ),
        pytest.param(
            "specs/workflow.yml",
            "steps.yml#/scaling",
            "steps.yml#/scalling",
            "specs/workflow.yml:35:18: RR202 $ref 'steps.yml#/scalling' does not resolve",
            id="unresolvable-ref",
        ),
        pytest.param(
            ".recast-reana.yaml",
            "drop_stages: [skimming_step]",
            "drop_stages: [skimming_step_eos]",
            "specs/workflow.yml:28:18: RR301 stage 'scaling_step' reads stage "
            "'skimming_step_eos', which convert.drop_stages removes; drop 'scaling_step' too or "
            "stop using 'skimming_step_eos' [unknown-stage]\n",
            id="drop-stages-breaking-the-graph",
        ),
    ],
)
@pytest.mark.parametrize("mode", ["--diff", "--in-place", "--out"])
def test_bad_input_exits_1_with_diagnostics(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    path: str,
    old: str,
    new: str,
    expected: str,
    mode: str,
) -> None:
    root = repo(tmp_path)
    _broken(root, path, old, new)
    before = read_tree(root)
    args = [mode, str(tmp_path / "out")] if mode == "--out" else [mode]
    assert main(["convert", str(root), *args]) == 1
    captured = capsys.readouterr()
    assert expected in captured.out
    assert captured.err.startswith("recast-reana: conversion stopped: ")
    assert "Traceback" not in captured.out + captured.err
    assert read_tree(root) == before and not (tmp_path / "out").exists()


@pytest.mark.parametrize("mode", ["--diff", "--in-place", "--out"])
def test_a_conversion_that_still_fails_on_reana_exits_1_at_the_source_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    """The converter lints its own result, prints what REANA would still fail on, and still
    writes what it was asked to (issue 10: no `wrote N files` and exit 0 on a broken result)."""
    root = repo(tmp_path)
    # A parameter the conversion carries over from recast.yml that no stage gives a value:
    # the converted reana.yaml lacks it, and REANA would fail the stage that reads it.
    _broken(
        root,
        "specs/workflow.yml",
        "{step: init, output: cross_section}",
        "{step: init, output: cross_sectoin}",
    )
    args = [mode, str(tmp_path / "out")] if mode == "--out" else [mode]
    assert main(["convert", str(root), *args]) == 1
    captured = capsys.readouterr()
    assert "RR304 after conversion to REANA: " in captured.err
    assert captured.err.splitlines()[0].startswith("specs/workflow.yml:")
    assert captured.err.rstrip().endswith(
        "error(s) that REANA would fail on"
        + ("" if mode == "--diff" else "; the files were written so that you can look at them")
    )
    if mode == "--out":
        assert (tmp_path / "out" / "reana.yaml").is_file()
        assert captured.out.startswith("wrote ")


def test_drop_stages_breaking_the_graph_names_every_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path)
    _broken(root, ".recast-reana.yaml", "[skimming_step]", "[skimming_step_eos]")
    assert main(["convert", str(root), "--diff"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" RR301 ")[0] for line in lines] == [
        "specs/workflow.yml:24:23:",  # dependencies: [init,skimming_step_eos]
        "specs/workflow.yml:28:18:",  # hist_file: {step: skimming_step_eos, output: output}
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["--example", "nosuch"], "RR304 recast.yml has no example_inputs 'nosuch'"),
        pytest.param([], "", id="ok"),
    ],
)
def test_example_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    code = main(["convert", str(repo(tmp_path)), "--diff", *args])
    assert (code, expected in capsys.readouterr().out) == (1, True)


def test_usage_and_configuration_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path)
    assert main(["convert", str(root / "recast.yml"), "--diff"]) == 2
    assert "convert takes the repository directory" in capsys.readouterr().err
    assert main(["convert", str(root)]) == 2  # one of --out, --in-place, --diff
    capsys.readouterr()
    (root / ".recast-reana.yaml").write_text("convert: [drop_stages]\n")
    assert main(["convert", str(root), "--diff"]) == 2
    assert capsys.readouterr().err.startswith("recast-reana: error: .recast-reana.yaml:1:10: ")


# --- check through the conversion (issue 3, item 6) ---------------------------------------------


def check_json(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, Any]]]:
    capsys.readouterr()
    code = main(["check", str(root), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_check_of_vhbb_reports_what_the_conversion_fixes_as_info(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, found = check_json(repo(tmp_path), capsys)
    assert code == 0
    assert {d["severity"] for d in found} == {"info"}
    assert not any(d["message"].startswith("after conversion") for d in found)
    at = {(d["rule"], d["path"], d["line"]) for d in found}
    assert ("RR401", "specs/steps.yml", 22) in at and ("RR402", "specs/steps.yml", 32) in at
    assert ("RR404", "specs/steps.yml", 46) in at  # scaling's post-processing image


def test_an_image_whose_uid_nobody_knows_is_no_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path)
    _broken(
        root, ".recast-reana.yaml", "  gitlab-registry.cern.ch/recast-examples/post", "  x/post"
    )
    code, found = check_json(root, capsys)
    assert code == 0
    assert not [d for d in found if d["rule"] == "RR404" and d["line"] == 46]


def test_a_problem_only_the_conversion_makes_is_an_error_at_its_source_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Main's own reana.yaml publishes a file of the stage drop_stages removes for REANA."""
    root = repo(tmp_path)
    reana = (DATA / "vhbb_tutorial_target" / "reana.yaml").read_text()
    reana = reana.replace("  files:\n", "  files:\n    - skimming_step/selected.root\n")
    (root / "reana.yaml").write_text(reana)
    code, found = check_json(root, capsys)
    assert code == 1
    errors = [d for d in found if d["severity"] == "error"]
    assert [(d["rule"], d["path"], d["line"]) for d in errors] == [("RR307", "reana.yaml", 24)]
    assert errors[0]["message"].startswith("after conversion to REANA: ")
    assert "skimming_step" in errors[0]["message"]
    # Without the drop, the same reana.yaml is fine.
    _broken(root, ".recast-reana.yaml", "drop_stages: [skimming_step]", "drop_stages: []")
    code, found = check_json(root, capsys)
    assert not [d for d in found if d["severity"] == "error"]


def test_a_configured_output_of_no_stage_is_reported_in_the_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path)
    with (root / ".recast-reana.yaml").open("a") as fh:
        fh.write("  outputs: [fiting_step/limit.png]\n")
    code, found = check_json(root, capsys)
    errors = [d for d in found if d["severity"] == "error"]
    assert code == 1
    assert [(d["rule"], d["path"], d["line"]) for d in errors] == [
        ("RR307", ".recast-reana.yaml", 11)
    ]


def test_check_reports_a_drop_that_breaks_the_graph_once_at_the_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path)
    _broken(root, ".recast-reana.yaml", "[skimming_step]", "[skimming_step_eos]")
    code, found = check_json(root, capsys)
    errors = [
        (d["rule"], d["path"], d["line"], d["name"]) for d in found if d["severity"] == "error"
    ]
    assert code == 1
    assert errors == [
        ("RR301", "specs/workflow.yml", 24, "unknown-stage"),
        ("RR301", "specs/workflow.yml", 28, "unknown-stage"),
    ]


def test_check_reports_an_unresolvable_ref_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path)
    _broken(root, "specs/workflow.yml", "steps.yml#/scaling", "steps.yml#/scalling")
    code, found = check_json(root, capsys)
    assert code == 1
    assert [(d["rule"], d["line"]) for d in found if d["severity"] == "error"] == [("RR202", 35)]


def test_what_the_conversion_cannot_fix_becomes_an_error_at_the_source_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the RR401 fix did nothing, the info on main would turn into an error."""
    monkeypatch.setattr(recast_auth_script, "fix", lambda project, options: iter(()))
    code, found = check_json(repo(tmp_path), capsys)
    rr401 = [(d["severity"], d["line"], d["message"][:27]) for d in found if d["rule"] == "RR401"]
    assert code == 1
    assert rr401 == [
        ("error", 22, "after conversion to REANA: "),
        ("error", 57, "after conversion to REANA: "),
    ]


def test_converted_tree_checks_clean_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for case in ("vhbb", "refs", "getkrb", "formatting"):
        out = write_tree(tmp_path / case, read_tree(DATA / case / "expected"))
        code, found = check_json(out, capsys)
        assert (case, code, [d for d in found if d["severity"] != "info"]) == (case, 0, [])


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_out_interrupted_leaves_the_target_as_it_was(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    signum: int,
) -> None:
    """SIGINT, or SIGTERM (a cancelled CI job), halfway through writing: all or nothing."""
    root = repo(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("an earlier tree\n")
    written = []
    real = Path.write_bytes

    def write_bytes(self: Path, data: bytes) -> int:
        written.append(self)
        if len(written) == 3:
            os.kill(os.getpid(), signum)  # the handler raises while the tree is half written
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    assert main(["convert", str(root), "--out", str(out), "--force"]) == 130
    err = capsys.readouterr().err
    assert err == f"recast-reana: error: interrupted while writing: {out} was left as it was\n"
    assert files_under(out) == ["old.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "repo"]  # no staging folder


def test_out_that_is_a_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "out").write_text("a file\n")
    assert main(["convert", str(repo(tmp_path)), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.endswith("out: exists and is not a directory\n")
