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

RULE = "RR304"
WF = "specs/workflow.yml"
STEPS = "specs/steps.yml"
XSEC = "    xsec: 44.8\n"
NO_REANA_PARAMETERS = replace_in(
    REANA_REPO,
    "reana.yaml",
    "  parameters:\n    xsec: 44.8\n    dataset: 'root://eosuser.cern.ch//eos/user/a/analyst/data.root'\n",
    "",
)
# main of a recast-atlas repository with a hand-written reana.yaml: both parameter sets apply.
BOTH = with_files(RECAST_REPO, reana_DOT_yaml=REANA_REPO["reana.yaml"])
SECOND_EXAMPLE = """\
  signal_400:
    initdata:
      masses: [400]
      dataset: 'root://eosuser.cern.ch//eos/user/a/analyst/data.root'
results:
"""

PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(GRAPH_REANA_REPO, id="graph-reana-nested-init-reads-parent"),
    pytest.param(GRAPH_RECAST_REPO, id="graph-recast-layout"),
    pytest.param(BOTH, id="recast-and-reana-files"),
    pytest.param({WF: REANA_REPO[WF], STEPS: REANA_REPO[STEPS]}, id="bare-workflow-no-parameters"),
    pytest.param(
        replace_in(
            replace_in(
                REANA_REPO, WF, "{step: init, output: xsec}", "{step: init, output: 'xsec[0]'}"
            ),
            "reana.yaml",
            XSEC,
            "    xsec: [44.8, 0.1]\n",
        ),
        id="jsonpath-into-list-parameter",
    ),
]

FAIL = [
    pytest.param(
        replace_in(REANA_REPO, "reana.yaml", XSEC, ""),
        [f"{WF}:16:34"],
        id="reana-layout",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO,
            "recast.yml",
            "      dataset: 'root://eosuser.cern.ch//eos/user/a/analyst/data.root'\n",
            "",
        ),
        [f"{WF}:7:40"],
        id="recast-layout",
    ),
    pytest.param(
        replace_in(GRAPH_REANA_REPO, "reana.yaml", "    masses: [300, 400, 500]\n", ""),
        [f"{WF}:7:36"],
        id="old-selector-on-multistep-stage",
    ),
    pytest.param(
        replace_in(GRAPH_RECAST_REPO, "recast.yml", "results:\n", SECOND_EXAMPLE),
        [f"{WF}:20:34"],
        id="second-example-lacks-parameter-read-by-sub-workflow-stage",
    ),
    pytest.param(
        replace_in(
            replace_in(BOTH, "recast.yml", "      xsec: 44.8\n", ""), "reana.yaml", XSEC, ""
        ),
        [f"{WF}:16:34"],
        id="both-sets-lack-it",
    ),
    pytest.param(
        replace_in(REANA_REPO, WF, "{step: init, output: xsec}", "{step: init, output: 'xsec[0]'}"),
        [f"{WF}:16:34"],
        id="index-into-a-number",
    ),
    pytest.param(NO_REANA_PARAMETERS, [f"{WF}:3:18", f"{WF}:11:18"], id="no-parameter-set-at-all"),
    pytest.param(
        replace_in(RECAST_REPO, "recast.yml", "example_inputs:", "other_inputs:"),
        [f"{WF}:3:18", f"{WF}:11:18"],
        id="recast-without-examples",
    ),
    pytest.param(
        replace_in(
            replace_in(REANA_REPO, "reana.yaml", XSEC, ""),
            "reana.yaml",
            "    dataset: 'root://eosuser.cern.ch//eos/user/a/analyst/data.root'\n",
            "",
        ),
        [f"{WF}:3:18", f"{WF}:11:18"],
        id="empty-parameters",
    ),
    pytest.param(
        replace_in(NO_REANA_PARAMETERS, WF, "dependencies: [init]", "dependencies: []"),
        [f"{WF}:7:26", f"{WF}:11:18"],
        id="no-parameters-stage-reads-init-without-depending",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "missing-parameter" for d in found)


def test_no_parameters_is_a_warning_that_says_why() -> None:
    d, fit = lint_files(NO_REANA_PARAMETERS, RULE)
    assert d.severity.value == fit.severity.value == "warning"
    assert d.message == (
        "stage 'select' depends on init, but reana.yaml gives no parameters "
        "(`inputs.parameters`): without parameters yadage creates no init stage, so 'select' "
        "never runs and the workflow still reports success; add the parameters the workflow reads"
    )


def test_message_names_parameter_and_set() -> None:
    files = replace_in(REANA_REPO, "reana.yaml", XSEC, "    xsection: 44.8\n")
    (d,) = lint_files(files, RULE)
    assert d.message == (
        "stage 'fit' reads init parameter 'xsec', which reana.yaml does not give "
        "(did you mean 'xsection'?); add it there"
    )


def test_message_names_recast_example() -> None:
    files = replace_in(GRAPH_RECAST_REPO, "recast.yml", "results:\n", SECOND_EXAMPLE)
    (d,) = lint_files(files, RULE)
    assert (
        "reads init parameter 'lumi', which recast.yml example 'signal_400' does not give"
        in d.message
    )


def test_message_names_every_set_lacking_it() -> None:
    files = replace_in(
        replace_in(BOTH, "recast.yml", "      xsec: 44.8\n", ""), "reana.yaml", XSEC, ""
    )
    (d,) = lint_files(files, RULE)
    assert "which reana.yaml and recast.yml example 'default' do not give" in d.message


def test_converted_branch_ignores_recast_examples() -> None:
    # On a reana branch the run takes its parameters from reana.yaml only.
    files = with_files(
        REANA_REPO, recast_DOT_yml=RECAST_REPO["recast.yml"].replace("      xsec: 44.8\n", "")
    )
    assert lint_files(files, RULE) == []


def test_hand_written_reana_yaml_need_not_give_what_only_dropped_stages_read() -> None:
    from helpers import REANA_REPO, RECAST_REPO

    from recast_reana.model.config import Config

    reana = REANA_REPO["reana.yaml"].replace(
        "    dataset: 'root://eosuser.cern.ch//eos/user/a/analyst/data.root'\n", ""
    )
    files = {**RECAST_REPO, "reana.yaml": reana}
    dropping = Config(convert={"drop_stages": ["select"]})
    found = lint_files(files, RULE, dropping)
    assert [d for d in found if "reana.yaml" in d.message] == []
    assert any("reana.yaml" in d.message for d in lint_files(files, RULE))


def test_index_into_a_value_names_its_kind_never_the_value() -> None:
    sentinel = "SENTINEL-not-a-list-4711"
    files = replace_in(
        REANA_REPO, WF, "{step: init, output: xsec}", "{step: init, output: 'xsec[0]'}"
    )
    files = replace_in(files, "reana.yaml", XSEC, f"    xsec: {sentinel}\n")
    (d,) = lint_files(files, RULE)
    assert "gives 'xsec' as one value (a string), not a list" in d.message
    assert sentinel not in d.message
