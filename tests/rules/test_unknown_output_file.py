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

from recast_reana.lint.diagnostics import Severity

RULE = "RR307"
WF = "specs/workflow.yml"
STEPS = "specs/steps.yml"
OUT = "    - fit/limit.png\n"
GRAPH_OUT = "    - summary/summary.png\n"
FIT_PUBLISHER = "    publisher_type: interpolated-pub\n    publish:\n      limit: '{limit_file}'"


def _outputs(*entries: str) -> dict[str, str]:
    return replace_in(REANA_REPO, "reana.yaml", OUT, "".join(f"    - {e}\n" for e in entries))


def _graph_outputs(*entries: str) -> dict[str, str]:
    return replace_in(
        GRAPH_REANA_REPO, "reana.yaml", GRAPH_OUT, "".join(f"    - {e}\n" for e in entries)
    )


def _cartesian(*relpaths: str) -> dict[str, str]:
    """The graph in recast layout, stage scan over 3 masses x 2 datasets (6 steps)."""
    files = replace_in(
        GRAPH_RECAST_REPO,
        "specs/workflow.yml",
        "      dataset: {step: init, output: dataset}\n",
        "      dataset: [a.root, b.root]\n",
    )
    files = replace_in(
        files,
        "specs/workflow.yml",
        "      method: zip\n      parameters: [mass]",
        "      method: cartesian\n      parameters: [mass, dataset]",
    )
    results = "".join(f"- name: hist {i}\n  relpath: {r}\n" for i, r in enumerate(relpaths))
    return replace_in(
        files, "recast.yml", "- name: summary plot\n  relpath: summary/summary.png\n", results
    )


PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(GRAPH_REANA_REPO, id="graph-reana-multistep-step-directory"),
    pytest.param(GRAPH_RECAST_REPO, id="graph-recast-layout"),
    pytest.param(
        _outputs("'fit/*.png'", "'*/limit.png'", "'fi?/limit.png'", "select/selected.root"),
        id="globs-and-interpolated-parameter",
    ),
    pytest.param(
        _outputs(
            "_yadage/yadage_snapshot_workflow.json", "init/data.root", "fit/_packtivity/fit.run.log"
        ),
        id="workspace-directories-and-logs",
    ),
    pytest.param(
        _outputs("specs/workflow.yml", "limit.png", "/abs/path.png"), id="uploaded-root-absolute"
    ),
    pytest.param(
        _graph_outputs(
            "'scan_*/hist.root'",
            "scan_2/hist.root",
            "fit/fit_one_0/limit.json",
            "summary/summary.png",
        ),
        id="multistep-glob-and-sub-workflow",
    ),
    pytest.param(
        replace_in(
            _outputs("fit/anything.txt"),
            STEPS,
            FIT_PUBLISHER,
            "    publisher_type: fromyaml-pub\n    yamlfile: out.yml",
        ),
        id="publisher-unknown-before-the-run",
    ),
    pytest.param(
        replace_in(
            _outputs("fit/anything.txt"),
            WF,
            "limit_file: '{workdir}/limit.png'",
            "limit_file: {step: init, output: xsec}",
        ),
        id="published-value-from-a-selector",
    ),
    pytest.param(
        replace_in(
            _outputs("fit/plots/limit.png"),
            STEPS,
            "limit: '{limit_file}'",
            "limit: '{workdir}/plots'",
        ),
        id="file-inside-published-directory",
    ),
    pytest.param(
        replace_in(
            _outputs("fit/limit.png"),
            STEPS,
            FIT_PUBLISHER,
            "    publisher_type: frompar-pub\n    outputmap:\n      limit: limit_file",
        ),
        id="frompar-pub",
    ),
]

FAIL = [
    pytest.param(
        _graph_outputs("scan_3/hist.root", "scan_12/hist.root"),
        ["reana.yaml:15:7", "reana.yaml:16:7"],
        id="step-directory-beyond-the-scatter",
    ),
    pytest.param(
        _cartesian("scan_5/hist.root", "scan_6/hist.root"),
        ["recast.yml:17:12"],
        id="step-directory-beyond-a-cartesian-scatter-recast",
    ),
    pytest.param(
        _outputs("fit/limit.png") | {"specs/workflow.yml": "stages: []\n"},
        ["reana.yaml:13:7"],
        id="workflow-without-stages",
    ),
    pytest.param(_outputs("fitt/limit.png"), ["reana.yaml:13:7"], id="unknown-stage-reana"),
    pytest.param(
        replace_in(
            RECAST_REPO, "recast.yml", "relpath: fit/limit.png", "relpath: fitting/limit.png"
        ),
        ["recast.yml:14:12"],
        id="unknown-stage-recast",
    ),
    pytest.param(_outputs("'x*/limit.png'"), ["reana.yaml:13:7"], id="glob-matching-no-stage"),
    pytest.param(
        _outputs("fit_0/limit.png"),
        ["reana.yaml:13:7"],
        id="single-step-stage-has-no-step-directories",
    ),
    pytest.param(
        _graph_outputs("fit_one_0/limit.json"),
        ["reana.yaml:15:7"],
        id="nested-stage-is-not-top-level",
    ),
    pytest.param(_outputs("fit/limits.png"), ["reana.yaml:13:7"], id="unpublished-file-reana"),
    pytest.param(
        replace_in(RECAST_REPO, "recast.yml", "relpath: fit/limit.png", "relpath: fit/limit.pdf"),
        ["recast.yml:14:12"],
        id="unpublished-file-recast",
    ),
    pytest.param(
        _graph_outputs("scan/hist.root"), ["reana.yaml:15:7"], id="multistep-stage-directory"
    ),
    pytest.param(
        replace_in(
            GRAPH_RECAST_REPO,
            "recast.yml",
            "relpath: summary/summary.png",
            "relpath: summary/plot.png",
        ),
        ["recast.yml:15:12"],
        id="workdir-in-publisher-recast",
    ),
    pytest.param(
        replace_in(
            _outputs("fit/limit.pdf"),
            STEPS,
            FIT_PUBLISHER,
            "    publisher_type: frompar-pub\n    outputmap:\n      limit: limit_file",
        ),
        ["reana.yaml:13:7"],
        id="frompar-pub-unpublished",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "unknown-output-file" for d in found)


def test_unknown_stage_is_an_error_with_suggestion() -> None:
    (d,) = lint_files(_outputs("fitt/limit.png"), RULE)
    assert d.severity is Severity.ERROR
    assert d.message == (
        "outputs.files entry 'fitt/limit.png': 'fitt' is not a stage of the workflow "
        "(did you mean 'fit'?); no stage writes this file"
    )


def test_an_unpublished_file_like_a_published_one_is_an_info_listing_files() -> None:
    (d,) = lint_files(_outputs("fit/limits.png"), RULE)
    assert d.severity is Severity.INFO
    assert d.message == (
        "outputs.files entry 'fit/limits.png' is not among the files stage 'fit' publishes "
        "('fit/limit.png') (did you mean 'fit/limit.png'?); it is found only if the step writes "
        "it anyway"
    )


def test_a_file_the_step_may_write_without_publishing_it_is_not_reported() -> None:
    """REANA downloads any workspace file (reana-demo-atlas-recast lists one so)."""
    assert lint_files(_outputs("fit/fit-results.json"), RULE) == []


def test_multistep_message() -> None:
    (d,) = lint_files(_graph_outputs("scan/hist.root"), RULE)
    assert d.severity is Severity.WARNING
    assert "'scan_0', 'scan_1', ...; name one, or 'scan_*/hist.root'" in d.message


def test_nested_stage_message() -> None:
    (d,) = lint_files(_graph_outputs("fit_one_0/limit.json"), RULE)
    assert d.message == (
        "outputs.files entry 'fit_one_0/limit.json': stage 'fit_one' runs inside a sub-workflow, "
        "so its directory is under 'fit/'"
    )
    (d,) = lint_files(_outputs("'x*/limit.png'"), RULE)
    assert "'x*' matches no stage directory of the workflow" in d.message


def test_recast_results_message() -> None:
    files = replace_in(
        RECAST_REPO, "recast.yml", "relpath: fit/limit.png", "relpath: fitting/limit.png"
    )
    (d,) = lint_files(files, RULE)
    assert d.message.startswith("results relpath 'fitting/limit.png': 'fitting' is not a stage")


def test_malformed_entries_are_ignored() -> None:
    files = _outputs("[1, 2]", "{a: b}", "null")
    files = replace_in(files, "reana.yaml", "outputs:\n", "results: 3\noutputs:\n")
    assert lint_files(files, RULE) == []
    files = replace_in(
        RECAST_REPO,
        "recast.yml",
        "- name: limit plot\n  relpath: fit/limit.png",
        "- 3\n- relpath: [x]",
    )
    assert lint_files(files, RULE) == []


def test_recast_results_do_not_count_on_a_converted_branch() -> None:
    from helpers import REANA_REPO, RECAST_REPO

    recast = RECAST_REPO["recast.yml"].replace("relpath: fit/limit.png", "relpath: gone/limit.png")
    assert lint_files({**REANA_REPO, "recast.yml": recast}, RULE) == []
    assert lint_files({**RECAST_REPO, "recast.yml": recast}, RULE) != []


def test_step_directory_is_checked_against_every_parameter_set() -> None:
    files = replace_in(
        GRAPH_RECAST_REPO,
        "recast.yml",
        "results:\n",
        "  two_masses:\n    initdata:\n      masses: [300, 400]\n"
        "      dataset: x.root\n      lumi: 1\nresults:\n- name: third\n"
        "  relpath: scan_2/hist.root\n",
    )
    (d,) = lint_files(files, RULE)
    assert d.message == (
        "results relpath 'scan_2/hist.root': stage 'scan' runs 2 steps with the parameters of "
        "recast.yml example 'two_masses' ('scan_0' to 'scan_1'), so no step writes 'scan_2/'"
    )
