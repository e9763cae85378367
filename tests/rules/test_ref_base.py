from __future__ import annotations

import pytest
from helpers import (
    GRAPH_RECAST_REPO,
    REANA_REPO,
    RECAST_REPO,
    lint_files,
    positions,
    replace_in,
    with_files,
)

from recast_reana.lint.diagnostics import Severity
from recast_reana.model.config import Config

RULE = "RR201"
WF = "specs/workflow.yml"
# main with a hand-written reana.yaml: the refs are still written for recast-atlas.
MAIN_WITH_REANA_YAML = with_files(RECAST_REPO, reana_DOT_yaml=REANA_REPO["reana.yaml"])
FORCED_REANA = Config(layout="reana")

PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(
        with_files(REANA_REPO, recast_DOT_yml=RECAST_REPO["recast.yml"]),
        id="converted-branch-with-recast-yml",
    ),
    pytest.param(
        with_files(
            REANA_REPO,
            specs__steps_DOT_yml=REANA_REPO["specs/steps.yml"].replace(
                "  environment:\n    environment_type: docker-encapsulated\n"
                "    image: gitlab-registry.cern.ch/analyst/selection\n    imagetag: v1.2.0\n",
                "  environment: {$ref: 'envs.yml#/docker'}\n",
                1,
            ),
            specs__envs_DOT_yml="docker:\n  environment_type: docker-encapsulated\n"
            "  image: gitlab-registry.cern.ch/analyst/selection\n  imagetag: v1.2.0\n",
        ),
        id="nested-ref-is-relative-to-its-file",
    ),
]

FAIL = [
    # On main every top-level ref is written for recast-atlas: info, `convert` rewrites them.
    pytest.param(
        RECAST_REPO, ["specs/workflow.yml:9:18", "specs/workflow.yml:18:18"], id="recast-layout"
    ),
    pytest.param(
        GRAPH_RECAST_REPO,
        [
            "specs/workflow.yml:13:18",
            "specs/workflow.yml:32:24",
            "specs/workflow.yml:40:24",
            "specs/workflow.yml:48:18",
        ],
        id="graph-recast-layout-with-sub-workflow",
    ),
    pytest.param(
        MAIN_WITH_REANA_YAML,
        ["specs/workflow.yml:9:18", "specs/workflow.yml:18:18"],
        id="recast-refs-with-reana-yaml",
    ),
    pytest.param(
        with_files(
            REANA_REPO,
            recast_DOT_yml=RECAST_REPO["recast.yml"],
            specs__workflow_DOT_yml=REANA_REPO[WF].replace("specs/steps.yml#/fit", "steps.yml#fit"),
        ),
        ["specs/workflow.yml:18:18"],
        id="one-ref-left-unconverted",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "ref-base" for d in found)


def test_message_gives_the_reana_spelling() -> None:
    (first, _) = lint_files(MAIN_WITH_REANA_YAML, RULE)
    assert first.message.startswith(
        "REANA resolves $refs of the top-level workflow from the directory of reana.yaml: "
        "write 'specs/steps.yml#/select'"
    )


def test_pointer_spelling_is_kept() -> None:
    files = replace_in(MAIN_WITH_REANA_YAML, WF, "steps.yml#/select", "steps.yml#select")
    (first, _) = lint_files(files, RULE)
    assert "write 'specs/steps.yml#select'" in first.message


def test_info_without_reana_yaml() -> None:
    found = lint_files(RECAST_REPO, RULE)
    assert {d.severity for d in found} == {Severity.INFO}


def test_info_on_main_error_on_reana_layout() -> None:
    # On main (recast mode) `convert` fixes it; forced to the REANA view it is an error.
    on_main = lint_files(MAIN_WITH_REANA_YAML, RULE)
    assert {d.severity for d in on_main} == {Severity.INFO}
    assert on_main[0].message.endswith("`recast-reana convert` fixes this for REANA")
    forced = lint_files(MAIN_WITH_REANA_YAML, RULE, FORCED_REANA)
    assert {d.severity for d in forced} == {Severity.ERROR}
    assert positions(forced) == positions(on_main)


def test_custom_toplevel() -> None:
    files = {
        "reana.yaml": REANA_REPO["reana.yaml"].replace("specs", "yadage"),
        "recast.yml": RECAST_REPO["recast.yml"].replace("spec:\n", "spec:\n  toplevel: yadage\n"),
        "yadage/workflow.yml": RECAST_REPO[WF],
        "yadage/steps.yml": RECAST_REPO["specs/steps.yml"],
    }
    found = lint_files(files, RULE)
    assert positions(found) == ["yadage/workflow.yml:9:18", "yadage/workflow.yml:18:18"]
    assert "write 'yadage/steps.yml#/select'" in found[0].message
