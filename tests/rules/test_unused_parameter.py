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

RULE = "RR305"
WF = "specs/workflow.yml"
XSEC = "    xsec: 44.8\n"
BOTH = with_files(RECAST_REPO, reana_DOT_yaml=REANA_REPO["reana.yaml"])

PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(GRAPH_REANA_REPO, id="graph-reana-layout"),
    pytest.param(GRAPH_RECAST_REPO, id="graph-recast-layout"),
    pytest.param(BOTH, id="recast-and-reana-files"),
    pytest.param(
        replace_in(
            replace_in(REANA_REPO, "reana.yaml", XSEC, XSEC + "    extra: 1\n"),
            WF,
            "{step: init, output: xsec}",
            "{step: init, output: null}",
        ),
        id="whole-init-read",
    ),
    pytest.param(
        replace_in(REANA_REPO, "reana.yaml", XSEC, XSEC + "    extra: 1\n") | {WF: "stages: []\n"},
        id="no-stages-to-tell",
    ),
    pytest.param(
        replace_in(
            replace_in(REANA_REPO, "reana.yaml", XSEC, XSEC + "    extra: 1\n"),
            WF,
            "    scheduler_type: singlestep-stage\n    parameters:\n      signal",
            "    scheduler_type: jq-stage\n"
            "    bindings: {signal: selected.root, xsec: 44.8, limit_file: limit.png}\n"
            "    stepscript: '[.]'\n"
            "    parameters:\n      signal",
        ),
        id="jq-stage-not-followed",
    ),
]

FAIL = [
    pytest.param(
        replace_in(REANA_REPO, "reana.yaml", XSEC, XSEC + "    unused: 1\n"),
        ["reana.yaml:5:5"],
        id="reana-layout",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO, "recast.yml", "      xsec: 44.8\n", "      xsec: 44.8\n      Xsec: 1\n"
        ),
        ["recast.yml:11:7"],
        id="recast-layout",
    ),
    pytest.param(
        replace_in(
            GRAPH_REANA_REPO, "reana.yaml", "    lumi: 140.1\n", "    lumi: 140.1\n    hists: []\n"
        ),
        ["reana.yaml:7:5"],
        id="read-only-inside-sub-workflow-is-not-a-run-parameter",
    ),
    pytest.param(
        replace_in(
            replace_in(BOTH, "reana.yaml", XSEC, XSEC + "    unused: 1\n"),
            "recast.yml",
            "      xsec: 44.8\n",
            "      xsec: 44.8\n      unused: 1\n",
        ),
        ["reana.yaml:5:5", "recast.yml:11:7"],
        id="both-files",
    ),
    pytest.param(
        replace_in(
            REANA_REPO,
            "reana.yaml",
            XSEC,
            "    signal_daod: 'inputdata/DAOD_EXOT27.20140688._000071.pool.root.1'\n" + XSEC,
        ),
        ["reana.yaml:4:5"],
        id="tutorial-dropped-local-stage",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "unused-parameter" for d in found)
    assert all(d.severity is Severity.WARNING for d in found)


def test_message_names_set_and_suggests() -> None:
    files = replace_in(
        RECAST_REPO, "recast.yml", "      xsec: 44.8\n", "      xsec: 44.8\n      xsex: 1\n"
    )
    (d,) = lint_files(files, RULE)
    assert d.message == (
        "parameter 'xsex' in recast.yml example 'default' is never read: no stage selects it from "
        "init (did you mean 'xsec'?); remove it or correct its name"
    )


def test_missing_workflow_says_nothing() -> None:
    files = with_files(REANA_REPO, specs__workflow_DOT_yml=None)
    assert lint_files(files, RULE) == []
