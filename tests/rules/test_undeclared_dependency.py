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

RULE = "RR303"
WF = "specs/workflow.yml"

PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(GRAPH_REANA_REPO, id="graph-reana-layout-transitive-and-nested"),
    pytest.param(GRAPH_RECAST_REPO, id="graph-recast-layout"),
    pytest.param(
        replace_in(RECAST_REPO, WF, "dependencies: [init, select]", "dependencies: [select]"),
        id="init-through-select",
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
            REANA_REPO, WF, "{step: select, output: selected}", "{step: selct, output: selected}"
        ),
        id="unknown-stage-is-rr301",
    ),
]

FAIL = [
    pytest.param(
        replace_in(REANA_REPO, WF, "dependencies: [init, select]", "dependencies: [init]"),
        [f"{WF}:15:22"],
        id="direct-reana",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO,
            WF,
            "- name: select\n  dependencies: [init]",
            "- name: select\n  dependencies: []",
        ),
        [f"{WF}:7:26"],
        id="init-not-depended-on-recast",
    ),
    pytest.param(
        replace_in(GRAPH_REANA_REPO, WF, "dependencies: [fit]", "dependencies: [init]"),
        [f"{WF}:46:23"],
        id="old-selector-on-multistep",
    ),
    pytest.param(
        replace_in(GRAPH_RECAST_REPO, WF, "dependencies: [scan]", "dependencies: [init]"),
        [f"{WF}:19:23", f"{WF}:46:23"],
        id="transitive-reader-loses-its-path-too",
    ),
    pytest.param(
        replace_in(GRAPH_REANA_REPO, WF, "dependencies: [fit_one]", "dependencies: [init]"),
        [f"{WF}:38:30"],
        id="nested-scope",
    ),
    pytest.param(
        replace_in(
            REANA_REPO,
            WF,
            "input_file: {step: init, output: dataset}",
            "input_file: {step: select, output: selected}",
        ),
        [f"{WF}:7:26"],
        id="reads-itself",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "undeclared-dependency" for d in found)


def test_message() -> None:
    files = replace_in(REANA_REPO, WF, "dependencies: [init, select]", "dependencies: [init]")
    (d,) = lint_files(files, RULE)
    assert d.message == (
        "stage 'fit' reads 'select' (parameter 'signal') but does not depend on it; add 'select' "
        "to its dependencies, or yadage may run it before 'select' has a result"
    )


def test_self_read_message() -> None:
    files = replace_in(
        REANA_REPO, WF, "{step: init, output: dataset}", "{step: select, output: selected}"
    )
    (d,) = lint_files(files, RULE)
    assert "reads the stage's own output" in d.message


def test_cycle_does_not_hang() -> None:
    files = replace_in(
        REANA_REPO,
        WF,
        "- name: select\n  dependencies: [init]",
        "- name: select\n  dependencies: [init, fit]",
    )
    assert lint_files(files, RULE) == []


def _chain(n: int, read_first: bool) -> dict[str, str]:
    """n stages, each depending on the one before and reading s0 (or a stage it never waits for)."""
    lines = ["stages:"]
    for i in range(n):
        dep = "init" if i == 0 else f"s{i - 1}"
        src = "s0" if read_first or i == 0 else "loose"
        lines += [
            f"- name: s{i}",
            f"  dependencies: [{dep}]",
            "  scheduler:",
            "    scheduler_type: singlestep-stage",
            "    parameters:",
            f"      x: {{step: {src}, output: out}}"
            if i
            else "      x: {step: init, output: xsec}",
            "    step: {$ref: specs/steps.yml#/fit}",
        ]
    lines += [
        "- name: loose",
        "  dependencies: [init]",
        "  scheduler:",
        "    scheduler_type: singlestep-stage",
        "    parameters: {}",
        "    step: {$ref: specs/steps.yml#/fit}",
    ]
    return with_files(REANA_REPO, specs__workflow_DOT_yml="\n".join(lines) + "\n")


def test_500_stage_chain() -> None:
    """Long chains are found whole (speed: benchmarks/bench_scale.py, not a timed test)."""
    files = _chain(500, read_first=True)
    assert lint_files(files, RULE) == []
    found = lint_files(_chain(500, read_first=False), RULE)
    assert len(found) == 499
