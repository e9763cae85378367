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
)

RULE = "RR301"
WF = "specs/workflow.yml"

PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(GRAPH_REANA_REPO, id="graph-reana-layout"),
    pytest.param(GRAPH_RECAST_REPO, id="graph-recast-layout"),
    pytest.param(
        replace_in(
            REANA_REPO, WF, "dependencies: [init, select]", "dependencies: [init, 'select']"
        ),
        id="quoted-dependency",
    ),
    pytest.param(
        replace_in(
            REANA_REPO,
            WF,
            "dependencies: [init, select]",
            "dependencies: {dependency_type: jsonpath_ready, expressions: [init, select]}",
        ),
        id="dependencies-mapping-form",
    ),
    pytest.param(
        replace_in(
            REANA_REPO,
            WF,
            "{step: select, output: selected}",
            "{stages: select, output: selected, unwrap: true}",
        ),
        id="old-selector-spelling",
    ),
    pytest.param(
        replace_in(
            REANA_REPO,
            WF,
            "{step: select, output: selected}",
            "{stages: '$..select', output: selected}",
        ),
        id="jsonpath-selector-not-followed",
    ),
]

FAIL = [
    pytest.param(
        replace_in(REANA_REPO, WF, "dependencies: [init, select]", "dependencies: [init, slect]"),
        [f"{WF}:11:24"],
        id="dependency-typo-reana",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO, WF, "{step: select, output: selected}", "{step: slect, output: selected}"
        ),
        [f"{WF}:15:22"],
        id="selector-typo-recast",
    ),
    pytest.param(
        replace_in(
            GRAPH_REANA_REPO,
            WF,
            "      hists: {stages: scan, output: hist, flatten: true}\n      outdir",
            "      hists: {stages: scna, output: hist, flatten: true}\n      outdir",
        ),
        [f"{WF}:46:23"],
        id="old-selector-spelling-typo",
    ),
    pytest.param(
        replace_in(
            GRAPH_RECAST_REPO,
            WF,
            "- name: scan\n  dependencies: [init]",
            "- name: scan\n  dependencies: [inti]",
        ),
        [f"{WF}:3:18"],
        id="multistep-stage-depends-on-typo",
    ),
    pytest.param(
        replace_in(
            GRAPH_REANA_REPO, WF, "dependencies: [fit_one]", "dependencies: [fit_one, scan]"
        ),
        [f"{WF}:34:33"],
        id="nested-stage-depends-on-parent-stage",
    ),
    pytest.param(
        replace_in(
            GRAPH_REANA_REPO, WF, "{stages: fit_one, output: limit", "{stages: scan, output: limit"
        ),
        [f"{WF}:38:30"],
        id="nested-selector-on-parent-stage",
    ),
    pytest.param(
        replace_in(GRAPH_RECAST_REPO, WF, "dependencies: [fit]", "dependencies: [fit_one]"),
        [f"{WF}:42:18"],
        id="parent-depends-on-nested-stage",
    ),
    pytest.param(
        replace_in(
            REANA_REPO,
            WF,
            "dependencies: [init, select]",
            "dependencies:\n    dependency_type: jsonpath_ready\n    expressions: [init, selected]",
        ),
        [f"{WF}:13:25"],
        id="dependencies-mapping-form-typo",
    ),
    pytest.param(
        replace_in(
            REANA_REPO, WF, "dependencies: [init, select]", "dependencies: [init, 'select[*]']"
        ),
        [f"{WF}:11:24"],
        id="dependency-on-the-steps-of-a-stage",
    ),
    pytest.param(
        replace_in(
            GRAPH_REANA_REPO,
            WF,
            "dependencies: [scan]",
            "dependencies: {dependency_type: jsonpath_ready, expressions: ['scan[0]']}",
        ),
        [f"{WF}:15:65"],
        id="dependencies-mapping-form-on-one-step",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "unknown-stage" for d in found)


def test_dependency_message_suggests_and_explains() -> None:
    files = replace_in(
        REANA_REPO, WF, "dependencies: [init, select]", "dependencies: [init, slect]"
    )
    (d,) = lint_files(files, RULE)
    assert d.message == (
        "stage 'fit' depends on 'slect', which is not a stage of the workflow "
        "(did you mean 'select'?); yadage never runs 'fit' and still reports success"
    )


def test_steps_dependency_message_says_what_to_write() -> None:
    files = replace_in(
        REANA_REPO, WF, "dependencies: [init, select]", "dependencies: [init, 'select[*]']"
    )
    (d,) = lint_files(files, RULE)
    assert d.message == (
        "stage 'fit' depends on 'select[*]', the steps of stage 'select' instead of the stage: "
        "yadage stops with KeyError: 0 as soon as 'select' is scheduled; write 'select'"
    )


def test_selector_message_names_parameter_and_scope() -> None:
    files = replace_in(
        GRAPH_REANA_REPO, WF, "{stages: fit_one, output: limit", "{stages: scan, output: limit"
    )
    (d,) = lint_files(files, RULE)
    assert "parameter 'limits' of stage 'merge' reads stage 'scan'" in d.message
    assert "not a stage of the sub-workflow of stage 'fit'" in d.message


def test_no_suggestion_when_nothing_is_close() -> None:
    files = replace_in(
        REANA_REPO, WF, "dependencies: [init, select]", "dependencies: [init, zzzzzz]"
    )
    (d,) = lint_files(files, RULE)
    assert "did you mean" not in d.message


def test_every_stage_and_selector_is_checked() -> None:
    files = replace_in(REANA_REPO, WF, "[init, select]", "[ini, select, fitt]")
    files = replace_in(files, WF, "{step: init, output: xsec}", "{step: nit, output: xsec}")
    assert positions(lint_files(files, RULE)) == [f"{WF}:11:18", f"{WF}:11:31", f"{WF}:16:20"]


def test_malformed_graph_does_not_crash() -> None:
    files = replace_in(
        REANA_REPO, WF, "dependencies: [init, select]", "dependencies: [1, {a: b}, null]"
    )
    files = replace_in(files, WF, "{step: select, output: selected}", "{step: [select], output: 3}")
    assert lint_files(files, RULE) == []
