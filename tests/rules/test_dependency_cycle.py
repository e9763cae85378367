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

from recast_reana.lint.rules.dependency_cycle import components

RULE = "RR308"
WF = "specs/workflow.yml"
SELECT_DEPS = "- name: select\n  dependencies: [init]"
FIT_DEPS = "dependencies: [init, select]"


def _stages(deps: dict[str, str]) -> dict[str, str]:
    """A REANA repository whose workflow has these stages (name -> dependency list text)."""
    lines = ["stages:"]
    for name, dep in deps.items():
        lines += [
            f"- name: {name}",
            f"  dependencies: {dep}",
            "  scheduler:",
            "    scheduler_type: singlestep-stage",
            "    parameters:",
            "      signal: {step: init, output: dataset}",
            "      xsec: {step: init, output: xsec}",
            "      limit_file: '{workdir}/limit.png'",
            "    step: {$ref: specs/steps.yml#/fit}",
        ]
    return with_files(REANA_REPO, specs__workflow_DOT_yml="\n".join(lines) + "\n")


PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(GRAPH_REANA_REPO, id="graph-reana-layout"),
    pytest.param(GRAPH_RECAST_REPO, id="graph-recast-layout"),
    pytest.param(
        replace_in(REANA_REPO, WF, "{step: init, output: dataset}", "{step: fit, output: limit}"),
        id="selector-backwards-is-not-a-dependency-edge",
    ),
    pytest.param(
        replace_in(
            GRAPH_REANA_REPO, WF, "dependencies: [fit_one]", "dependencies: [fit_one, summary]"
        ),
        id="nested-scope-does-not-see-parent-stages",
    ),
    pytest.param(_stages({"a": "[init]", "b": "[a]", "c": "[a, b]", "d": "[c, a]"}), id="diamond"),
]

FAIL = [
    pytest.param(
        replace_in(REANA_REPO, WF, SELECT_DEPS, "- name: select\n  dependencies: [init, fit]"),
        [f"{WF}:3:24"],
        id="two-stages-reana",
    ),
    pytest.param(
        replace_in(RECAST_REPO, WF, FIT_DEPS, "dependencies: [init, select, fit]"),
        [f"{WF}:11:32"],
        id="self-recast",
    ),
    pytest.param(
        replace_in(
            GRAPH_RECAST_REPO,
            WF,
            "- name: scan\n  dependencies: [init]",
            "- name: scan\n  dependencies: [init, summary]",
        ),
        [f"{WF}:3:24"],
        id="through-multistep-and-sub-workflow-stage",
    ),
    pytest.param(
        replace_in(
            GRAPH_REANA_REPO,
            WF,
            "        dependencies: [init]\n",
            "        dependencies: [init, merge]\n",
        ),
        [f"{WF}:24:30"],
        id="inside-nested-sub-workflow",
    ),
    pytest.param(
        replace_in(
            GRAPH_REANA_REPO,
            WF,
            "dependencies: [scan]",
            "dependencies:\n"
            "    dependency_type: jsonpath_ready\n"
            "    expressions: ['scan', 'summary']",
        ),
        [f"{WF}:17:27"],
        id="mapping-form-and-quoted",
    ),
    pytest.param(
        _stages({"a": "[init, b]", "b": "[a]", "c": "[d]", "d": "[c]"}),
        [f"{WF}:3:24", f"{WF}:21:18"],
        id="two-separate-cycles",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "dependency-cycle" for d in found)


def test_message_names_the_cycle_path() -> None:
    files = replace_in(
        GRAPH_RECAST_REPO,
        WF,
        "- name: scan\n  dependencies: [init]",
        "- name: scan\n  dependencies: [init, summary]",
    )
    (d,) = lint_files(files, RULE)
    assert d.message == (
        "dependency cycle: 'scan' depends on 'summary', which depends on 'fit', which depends on "
        "'scan'; yadage runs none of these stages and still reports success; remove one of the "
        "dependencies"
    )


def test_self_dependency_message() -> None:
    (d,) = lint_files(
        replace_in(REANA_REPO, WF, FIT_DEPS, "dependencies: [init, select, fit]"), RULE
    )
    assert d.message.startswith("dependency cycle: 'fit' depends on 'fit';")


def test_one_report_per_knot_naming_the_other_members() -> None:
    (d,) = lint_files(_stages({"a": "[init, b]", "b": "[a, c]", "c": "[b]"}), RULE)
    assert "'a' depends on 'b', which depends on 'a' (also caught in it: c)" in d.message


def test_components_is_iterative() -> None:
    n = 20_000  # far beyond the recursion limit
    chain = {f"s{i}": [f"s{i + 1}"] if i + 1 < n else ["s0"] for i in range(n)}
    (component,) = components(chain)
    assert len(component) == n


def test_500_stage_cycle() -> None:
    """One finding spelling the whole cycle (speed: benchmarks/bench_scale.py, not a timed test)."""
    deps = {f"s{i}": f"[s{i - 1}]" if i else "[s499]" for i in range(500)}
    files = _stages(deps)
    (d,) = lint_files(files, RULE)
    assert d.message.count("which depends on") == 499
