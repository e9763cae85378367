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

RULE = "RR302"
WF = "specs/workflow.yml"
STEPS = "specs/steps.yml"
SELECTED = "{step: select, output: selected}"

PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(GRAPH_REANA_REPO, id="graph-reana-layout"),
    pytest.param(GRAPH_RECAST_REPO, id="graph-recast-layout"),
    pytest.param(
        replace_in(
            replace_in(REANA_REPO, WF, SELECTED, "{step: select, output: 'selected[0]'}"),
            STEPS,
            "      selected: '{output_file}'",
            "      selected: ['{output_file}']",
        ),
        id="jsonpath-into-list-output",
    ),
    pytest.param(
        replace_in(REANA_REPO, WF, "{step: init, output: xsec}", "{step: init, output: xsection}"),
        id="top-init-is-rr304",
    ),
    pytest.param(
        replace_in(
            REANA_REPO,
            STEPS,
            "    publisher_type: interpolated-pub\n    publish:\n      selected: '{output_file}'",
            "    publisher_type: fromyaml-pub\n    yamlfile: out.yml",
        ),
        id="publisher-known-only-at-run-time",
    ),
    pytest.param(
        replace_in(
            REANA_REPO,
            STEPS,
            "    publisher_type: interpolated-pub\n    publish:\n      selected: '{output_file}'",
            "    publisher_type: fromglob-pub\n"
            "    globexpression: '*.root'\n"
            "    outputkey: selected",
        ),
        id="fromglob-outputkey",
    ),
    pytest.param(
        replace_in(
            GRAPH_REANA_REPO,
            WF,
            "{stages: scan, output: hist, flatten: true}\n      lumi",
            "{stages: fit, output: anything}\n      lumi",
        ),
        id="sub-workflow-stage-values-unknown",
    ),
]

FAIL = [
    pytest.param(
        replace_in(REANA_REPO, WF, SELECTED, "{step: select, output: 'selected[0]'}"),
        [f"{WF}:15:38"],
        id="index-into-a-string-output",
    ),
    pytest.param(
        replace_in(REANA_REPO, WF, SELECTED, "{step: select, output: selectd}"),
        [f"{WF}:15:38"],
        id="typo-reana",
    ),
    pytest.param(
        replace_in(RECAST_REPO, WF, SELECTED, "{stages: select, output: selectd, unwrap: true}"),
        [f"{WF}:15:40"],
        id="old-selector-spelling-recast",
    ),
    pytest.param(
        replace_in(
            GRAPH_REANA_REPO,
            WF,
            "{stages: init, output: hists, unwrap: true}",
            "{stages: init, output: hist, unwrap: true}",
        ),
        [f"{WF}:28:42"],
        id="nested-init-reads-parent-parameters",
    ),
    pytest.param(
        replace_in(
            GRAPH_RECAST_REPO,
            WF,
            "      hists: {stages: scan, output: hist, flatten: true}\n      outdir",
            "      hists: {stages: scan, output: histo, flatten: true}\n      outdir",
        ),
        [f"{WF}:46:37"],
        id="multistep-producer",
    ),
    pytest.param(
        replace_in(
            GRAPH_REANA_REPO,
            WF,
            "{stages: fit_one, output: limit,",
            "{stages: fit_one, output: limits,",
        ),
        [f"{WF}:38:47"],
        id="nested-multistep-producer",
    ),
    pytest.param(
        replace_in(
            REANA_REPO,
            STEPS,
            "    publisher_type: interpolated-pub\n    publish:\n      selected: '{output_file}'",
            "    publisher_type: frompar-pub\n    outputmap:\n      output: output_file",
        ),
        [f"{WF}:15:38"],
        id="frompar-pub",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "unknown-output" for d in found)


def test_message_lists_outputs_and_suggests() -> None:
    files = replace_in(REANA_REPO, WF, SELECTED, "{step: select, output: selectd}")
    (d,) = lint_files(files, RULE)
    assert d.message == (
        "parameter 'signal' of stage 'fit' reads output 'selectd' of stage 'select', "
        "which publishes only 'selected' (did you mean 'selected'?)"
    )


def test_nested_init_message_names_parent() -> None:
    files = replace_in(GRAPH_REANA_REPO, WF, "output: hists, unwrap", "output: hist, unwrap")
    (d,) = lint_files(files, RULE)
    assert (
        "of init (the parameters of stage 'fit'), which publishes only 'hists', 'lumi'" in d.message
    )


def test_publisher_with_nothing() -> None:
    files = replace_in(
        REANA_REPO, STEPS, "    publish:\n      selected: '{output_file}'", "    publish: {}"
    )
    (d,) = lint_files(files, RULE)
    assert "which publishes nothing" in d.message


def test_cases_union_of_steps() -> None:
    cases = (
        "    cases:\n"
        "    - if: '.a'\n"
        "      step: {$ref: specs/steps.yml#/select}\n"
        "    - if: '.b'\n"
        "      step: {$ref: specs/steps.yml#/fit}\n"
    )
    files = replace_in(REANA_REPO, WF, "    step: {$ref: specs/steps.yml#/select}\n", cases)
    assert lint_files(files, RULE) == []  # `selected` is published by one of the cases
    files = replace_in(files, WF, SELECTED, "{step: select, output: nope}")
    assert "publishes only 'limit', 'selected'" in lint_files(files, RULE)[0].message


def test_malformed_parent_parameters_are_not_guessed() -> None:
    files = replace_in(
        GRAPH_REANA_REPO,
        WF,
        "    parameters:\n"
        "      hists: {stages: scan, output: hist, flatten: true}\n"
        "      lumi: {step: init, output: lumi}\n"
        "    workflow:",
        "    parameters: 12\n    workflow:",
    )
    assert lint_files(files, RULE) == []


def test_index_into_one_value_says_what_to_write() -> None:
    files = replace_in(REANA_REPO, WF, SELECTED, "{step: select, output: 'selected[0]'}")
    (d,) = lint_files(files, RULE)
    assert d.message == (
        "parameter 'signal' of stage 'fit' reads 'selected[0]', but output 'selected' of stage "
        "'select' is one value, not a list: yadage fails with TypeError selecting it; write "
        "'selected'"
    )


def test_index_into_globbed_output_is_not_judged() -> None:
    files = replace_in(REANA_REPO, WF, SELECTED, "{step: select, output: 'selected[0]'}")
    files = replace_in(
        files,
        STEPS,
        "    publisher_type: interpolated-pub\n    publish:\n      selected",
        "    publisher_type: interpolated-pub\n    glob: true\n    publish:\n      selected",
    )
    assert lint_files(files, RULE) == []
