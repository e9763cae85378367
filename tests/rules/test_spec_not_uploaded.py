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

from recast_reana.lint.diagnostics import Severity

RULE = "RR203"
DIRS = "  directories:\n    - specs\n"
MAIN_WITH_REANA_YAML = with_files(RECAST_REPO, reana_DOT_yaml=REANA_REPO["reana.yaml"])
NESTED = with_files(
    REANA_REPO,
    specs__steps_DOT_yml=REANA_REPO["specs/steps.yml"].replace(
        "  environment:\n    environment_type: docker-encapsulated\n"
        "    image: gitlab-registry.cern.ch/analyst/selection\n    imagetag: v1.2.0\n",
        "  environment: {$ref: 'common/envs.yml#/docker'}\n",
        1,
    ),
    specs__common__envs_DOT_yml="docker:\n  environment_type: docker-encapsulated\n"
    "  image: x\n  imagetag: v1\n",
)

PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout-without-reana-yaml"),
    pytest.param(GRAPH_REANA_REPO, id="graph-reana-layout"),
    pytest.param(GRAPH_RECAST_REPO, id="graph-recast-layout"),
    pytest.param(MAIN_WITH_REANA_YAML, id="main-with-reana-yaml"),
    pytest.param(NESTED, id="nested-file-under-uploaded-directory"),
    pytest.param(
        replace_in(
            REANA_REPO,
            "reana.yaml",
            DIRS,
            "  files:\n    - specs/workflow.yml\n    - ./specs/steps.yml\n",
        ),
        id="each-file-listed",
    ),
    pytest.param(
        replace_in(REANA_REPO, "reana.yaml", DIRS, "  directories: ['.']\n"),
        id="whole-workspace",
    ),
    pytest.param(
        replace_in(REANA_REPO, "reana.yaml", "file: specs/workflow.yml", "file: specs/none.yml"),
        id="missing-workflow-file-is-RR204s",
    ),
]

FAIL = [
    pytest.param(
        replace_in(REANA_REPO, "reana.yaml", DIRS, "  files:\n    - specs/workflow.yml\n"),
        ["reana.yaml:2:1"],
        id="referenced-file-not-uploaded",
    ),
    pytest.param(
        replace_in(REANA_REPO, "reana.yaml", DIRS, ""),
        ["reana.yaml:2:1", "reana.yaml:2:1"],
        id="nothing-uploaded",
    ),
    pytest.param(
        replace_in(NESTED, "reana.yaml", DIRS, "  directories:\n    - specs/common\n"),
        ["reana.yaml:2:1", "reana.yaml:2:1"],
        id="only-a-subdirectory",
    ),
    pytest.param(
        replace_in(REANA_REPO, "reana.yaml", DIRS, "  directories:\n    - spec\n"),
        ["reana.yaml:2:1", "reana.yaml:2:1"],
        id="directory-prefix-is-not-a-parent",
    ),
    pytest.param(
        replace_in(
            MAIN_WITH_REANA_YAML,
            "reana.yaml",
            "inputs:\n  parameters:\n    xsec: 44.8\n"
            "    dataset: 'root://eosuser.cern.ch//eos/user/a/analyst/data.root'\n" + DIRS,
            "",
        ),
        ["reana.yaml:4:9", "reana.yaml:4:9"],
        id="no-inputs-on-main",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "spec-not-uploaded" for d in found)


def test_messages_name_the_file_and_the_fix() -> None:
    files = replace_in(NESTED, "reana.yaml", DIRS, "  files:\n    - specs/workflow.yml\n")
    assert [d.message for d in lint_files(files, RULE)] == [
        "REANA needs 'specs/common/envs.yml' ($ref from specs/steps.yml) but reana.yaml does not "
        "upload it: add 'specs/common' to inputs.directories",
        "REANA needs 'specs/steps.yml' ($ref from specs/workflow.yml) but reana.yaml does not "
        "upload it: add 'specs' to inputs.directories",
    ]


def test_workflow_file_at_the_root() -> None:
    files = {
        "reana.yaml": REANA_REPO["reana.yaml"]
        .replace("file: specs/workflow.yml", "file: workflow.yml")
        .replace(DIRS, ""),
        "workflow.yml": REANA_REPO["specs/workflow.yml"],
        "specs/steps.yml": REANA_REPO["specs/steps.yml"],
    }
    messages = [d.message for d in lint_files(files, RULE)]
    assert messages == [
        "REANA needs 'specs/steps.yml' ($ref from workflow.yml) but reana.yaml does not upload "
        "it: add 'specs' to inputs.directories",
        "REANA needs the workflow file 'workflow.yml' but reana.yaml does not upload it: "
        "add 'workflow.yml' to inputs.files",
    ]


def test_info_on_main() -> None:
    files = replace_in(MAIN_WITH_REANA_YAML, "reana.yaml", DIRS, "")
    found = lint_files(files, RULE)
    assert len(found) == 2
    assert {d.severity for d in found} == {Severity.INFO}
