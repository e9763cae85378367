from __future__ import annotations

import pytest
from helpers import (
    GRAPH_REANA_REPO,
    GRAPH_RECAST_REPO,
    REANA_REPO,
    RECAST_REPO,
    lint_files,
    positions,
    replace_in,
    with_files,
)

from recast_reana.lint.linter import lint
from recast_reana.lint.registry import RULES
from recast_reana.model.config import Config
from recast_reana.model.project import from_files

RULE = "RR204"
MAIN_WITH_REANA_YAML = with_files(RECAST_REPO, reana_DOT_yaml=REANA_REPO["reana.yaml"])
# REANA's demo layouts (reanahub/reana-demo-helloworld): serial, cwl and snakemake reana files.
SERIAL = """\
inputs:
  files: [code/helloworld.py]
  parameters: {helloworld: code/helloworld.py}
workflow:
  type: serial
  specification:
    steps:
      - environment: docker.io/library/python:2.7-slim
        commands:
          - python "${helloworld}"
"""
CWL = """\
inputs:
  directories: [workflow/cwl]
  parameters:
    input: workflow/cwl/helloworld-job.yml
workflow:
  type: cwl
  file: workflow/cwl/helloworld.cwl
"""
SNAKEMAKE = """\
inputs:
  directories: [workflow/snakemake]
  parameters:
    input: workflow/snakemake/inputs.yaml
workflow:
  type: snakemake
  file: workflow/snakemake/Snakefile
"""
DEMO = {
    "reana.yaml": SERIAL,
    "reana-cwl.yaml": CWL,
    "reana-snakemake.yaml": SNAKEMAKE,
    "code/helloworld.py": "print('hello')\n",
    "workflow/cwl/helloworld.cwl": "cwlVersion: v1.0\nclass: Workflow\n",
    "workflow/cwl/helloworld-job.yml": "helloworld: {class: File, path: code/helloworld.py}\n",
    "workflow/snakemake/Snakefile": "rule all:\n    input: 'results/greetings.txt'\n",
    "workflow/snakemake/inputs.yaml": "helloworld: code/helloworld.py\n",
}

PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(DEMO, id="serial-cwl-and-snakemake-reana-files"),
    pytest.param(
        {**DEMO, **{p: t for p, t in REANA_REPO.items() if p.startswith("specs/")}}
        | {"reana-yadage.yaml": REANA_REPO["reana.yaml"]},
        id="demo-with-a-yadage-reana-file",
    ),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(GRAPH_REANA_REPO, id="graph-reana-layout"),
    pytest.param(GRAPH_RECAST_REPO, id="graph-recast-layout"),
    pytest.param(MAIN_WITH_REANA_YAML, id="main-with-reana-yaml"),
    pytest.param(
        replace_in(RECAST_REPO, "recast.yml", "spec:\n", "spec:\n  toplevel: github:a/b@main:x\n"),
        id="remote-toplevel-not-checked",
    ),
    pytest.param(
        replace_in(REANA_REPO, "reana.yaml", "workflow:\n", "workflow: null\n"),
        id="workflow-not-a-mapping-is-RR102s",
    ),
    pytest.param(
        replace_in(
            REANA_REPO, "reana.yaml", "file: specs/workflow.yml", "file: ./specs/workflow.yml"
        ),
        id="dot-slash-path",
    ),
]

FAIL = [
    pytest.param(
        replace_in(DEMO, "reana-cwl.yaml", "file: workflow/cwl/helloworld.cwl", "file: hello.cwl"),
        ["reana-cwl.yaml:7:9"],
        id="cwl-workflow-file-does-not-exist",
    ),
    pytest.param(
        replace_in(
            DEMO, "reana-snakemake.yaml", "input: workflow/snakemake/inputs.yaml", "input: i.yaml"
        ),
        ["reana-snakemake.yaml:4:12"],
        id="snakemake-parameters-file-does-not-exist",
    ),
    pytest.param(
        replace_in(REANA_REPO, "reana.yaml", "file: specs/workflow.yml", "file: specs/workflw.yml"),
        ["reana.yaml:10:9"],
        id="reana-file-does-not-exist",
    ),
    pytest.param(
        replace_in(RECAST_REPO, "recast.yml", "workflow: workflow.yml", "workflow: wrkflow.yml"),
        ["recast.yml:6:13"],
        id="recast-file-does-not-exist",
    ),
    pytest.param(
        replace_in(
            MAIN_WITH_REANA_YAML,
            "recast.yml",
            "workflow: workflow.yml",
            "workflow: specs/workflow.yml",
        ),
        ["recast.yml:6:13"],
        id="recast-file-written-from-the-root",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "workflow-file" for d in found)


def _message(files: dict[str, str]) -> str:
    (d,) = lint_files(files, RULE)
    return d.message


def test_messages() -> None:
    files = replace_in(REANA_REPO, "reana.yaml", "file: specs/workflow.yml", "file: specs/wf.yml")
    assert _message(files) == (
        "workflow file 'specs/wf.yml' does not exist; did you mean 'specs/workflow.yml'?"
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("  type: yadage\n", ""),
        ("  file: specs/workflow.yml\n", ""),
        ("file: specs/workflow.yml", "file: ''"),
    ],
    ids=["no-type", "no-file", "empty-file"],
)
def test_missing_keys_are_left_to_the_reana_yaml_schema(old: str, new: str) -> None:
    files = replace_in(MAIN_WITH_REANA_YAML, "reana.yaml", old, new)
    assert lint_files(files, RULE) == []
    assert [d.rule for d in lint_files(files, "RR102")] == ["RR102"]


def test_recast_path_is_relative_to_the_toplevel() -> None:
    files = replace_in(
        RECAST_REPO, "recast.yml", "workflow: workflow.yml", "workflow: specs/workflow.yml"
    )
    assert _message(files) == (
        "spec.workflow 'specs/workflow.yml' does not exist: recast-atlas looks for "
        "'specs/specs/workflow.yml' (spec.workflow is relative to the toplevel 'specs'); "
        "did you mean 'workflow.yml'?"
    )


def test_existence_does_not_depend_on_the_files_checked() -> None:
    # pre-commit passes only the staged files, and the model loads only the workflow file of the
    # primary layout (here recast.yml's); reana.yaml's must still be known to exist.
    files = replace_in(MAIN_WITH_REANA_YAML, "reana.yaml", "specs/workflow.yml", "specs/alt.yml")
    files["specs/alt.yml"] = REANA_REPO["specs/workflow.yml"]
    raw = {p: t.encode() for p, t in files.items()}
    project = from_files(raw, Config(), yaml_paths=["reana.yaml"], other_paths=["reana.yaml"])
    assert "specs/alt.yml" not in project.files
    assert lint(project, {RULE: RULES[RULE]}) == []
    del raw["specs/alt.yml"]
    project = from_files(raw, Config(), yaml_paths=["reana.yaml"], other_paths=["reana.yaml"])
    assert positions(lint(project, {RULE: RULES[RULE]})) == ["reana.yaml:10:9"]
