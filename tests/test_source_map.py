"""The conversion's source map: every position of a converted file maps to where it comes from.

Property: text the conversion did not write maps to the same text in the source (every line of
every changed file of every golden fixture). Text it wrote maps to what it was made from: a
rewritten `$ref` to the source `$ref`, an added `kubernetes_uid` to the step's image, a generated
reana.yaml parameter to the recast.yml example, an output to recast.yml results or the
configuration.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import RECAST_REPO, replace_in
from test_convert import CASES, convert_dir, run, source

from recast_reana.convert.conversion import Conversion
from recast_reana.model.source_file import SourceFile


def locate_text(conversion: Conversion, path: str, needle: str) -> tuple[str, str]:
    """(source file:line:col, source line) of the first `needle` in converted file `path`."""
    assert conversion.project is not None
    converted = conversion.project.files[path]
    text = converted.text or ""
    line, col = converted.line_col(text.index(needle))
    at = conversion.source_map.locate(path, line, col)
    src = conversion.source.files.get(at.path)
    lines = (src.text or "").splitlines() if src else (conversion.source.read(at.path) or b"")
    shown = lines[at.line - 1] if isinstance(lines, list) else ""
    return f"{at.path}:{at.line}:{at.col}", shown


@pytest.mark.parametrize("case", CASES)
def test_text_the_conversion_kept_maps_to_the_same_text(case: str) -> None:
    conversion = convert_dir(source(case))
    assert conversion.project is not None
    for path in conversion.changed:
        before = conversion.source.files.get(path)
        after: SourceFile = conversion.project.files[path]
        written = {(e.start, e.end, e.text) for e in conversion.edits[path]}
        assert written
        for number, line in enumerate(after.lines, 1):
            for col in range(1, len(line) + 1):
                at = conversion.source_map.locate(path, number, col)
                if at.path == path and before is not None and before.text is not None:
                    source_line = before.lines[at.line - 1]
                    # Kept text: the same character, unless the position is inside written text
                    # whose origin is the replaced span's start in this file.
                    if source_line[at.col - 1 : at.col] != line[col - 1]:
                        assert _inside_written(conversion, path, number, col), (
                            f"{case} {path}:{number}:{col} -> {at}"
                        )


def _inside_written(conversion: Conversion, path: str, line: int, col: int) -> bool:
    assert conversion.project is not None
    offset = conversion.project.files[path].offset(line, col)
    shift = 0
    for e in sorted(conversion.edits[path], key=lambda e: (e.start, e.end)):
        start = e.start + shift
        if start <= offset < start + len(e.text):
            return True
        shift += len(e.text) - (e.end - e.start)
    return False


def test_a_rewritten_ref_maps_to_the_ref_as_written() -> None:
    conversion = run(RECAST_REPO)
    where, line = locate_text(conversion, "specs/workflow.yml", "specs/steps.yml#/fit")
    assert where == "specs/workflow.yml:18:18" and "{$ref: steps.yml#/fit}" in line


def test_lines_after_an_insertion_keep_their_source_line() -> None:
    new = "image: gitlab-registry.cern.ch/analyst/selection\n    imagetag: v1.2.0"
    old = "image: atlas/analysisbase\n    imagetag: 21.2.85-centos7"
    conversion = run(replace_in(RECAST_REPO, "specs/steps.yml", new, old))
    converted = conversion.changed["specs/steps.yml"].decode()
    assert "    resources:\n      - kubernetes_uid: 500\n" in converted  # two lines more
    fit = "fit --signal {signal}"
    where, line = locate_text(conversion, "specs/steps.yml", fit)
    assert where == "specs/steps.yml:18:7" and line.strip().startswith(fit)


def test_an_added_kubernetes_uid_maps_to_the_image() -> None:
    files = replace_in(
        RECAST_REPO,
        "specs/steps.yml",
        "image: gitlab-registry.cern.ch/analyst/fitting\n    imagetag: v1.2.0",
        "image: atlas/analysisbase\n    imagetag: 21.2.85-centos7",
    )
    conversion = run(files)
    where, line = locate_text(conversion, "specs/steps.yml", "kubernetes_uid: 500")
    assert where == "specs/steps.yml:21:12" and line.strip() == "image: atlas/analysisbase"


def test_a_generated_reana_yaml_maps_to_recast_yml_and_the_configuration(
    tmp_path: Path,
) -> None:
    conversion = run(RECAST_REPO, "convert:\n  outputs: [select/selected.root]\n")
    assert "reana.yaml" in conversion.changed
    where, line = locate_text(conversion, "reana.yaml", "xsec: 44.8")
    assert where == "recast.yml:10:7" and line.strip() == "xsec: 44.8"
    where, line = locate_text(conversion, "reana.yaml", "fit/limit.png")
    assert where == "recast.yml:14:12" and line.strip() == "relpath: fit/limit.png"
    where, _ = locate_text(conversion, "reana.yaml", "select/selected.root")
    assert where == ".recast-reana.yaml:2:13"
    where, line = locate_text(conversion, "reana.yaml", "file: specs/workflow.yml")
    assert where == "recast.yml:6:13" and line.strip() == "workflow: workflow.yml"
    where, _ = locate_text(conversion, "reana.yaml", "version:")
    assert where == "recast.yml:1:1"


def test_the_span_of_a_kept_finding_keeps_its_width() -> None:
    conversion = run(RECAST_REPO)
    assert conversion.project is not None
    converted = conversion.project.files["specs/workflow.yml"]
    line, col = converted.line_col((converted.text or "").index("'{workdir}/limit.png'"))
    at = conversion.source_map.locate("specs/workflow.yml", line, col, col + 21)
    assert (at.line, at.col, at.end_col) == (17, 19, 40)


@pytest.mark.parametrize("case", CASES)
def test_the_diff_made_from_the_edits_applies_with_git(case: str, tmp_path: Path) -> None:
    """`convert --diff` is built from the edits, not by matching lines: `git apply` of it gives
    exactly the converted tree."""
    import subprocess

    from test_convert import read_tree, write_tree

    from recast_reana.convert.patch import unified_diff

    conversion = convert_dir(source(case))
    if not conversion.changed:
        assert unified_diff(conversion) == ""
        return
    root = write_tree(tmp_path / "repo", read_tree(source(case)))
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    patch = tmp_path / "conversion.patch"
    patch.write_text(unified_diff(conversion), encoding="utf-8")
    subprocess.run(["git", "-C", str(root), "apply", str(patch)], check=True)
    for path, data in conversion.changed.items():
        assert (root / path).read_bytes() == data, path
