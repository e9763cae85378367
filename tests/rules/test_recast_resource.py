from __future__ import annotations

import pytest
from helpers import REANA_REPO, RECAST_REPO, lint_files, positions, replace_in, with_files

from recast_reana.lint.diagnostics import Severity

RULE = "RR402"
TAG = "    imagetag: v1.2.0\n"  # first occurrence: the select step (steps.yml line 9)


def resources(base: dict[str, str], text: str) -> dict[str, str]:
    """`base` with `text` (already indented) after the select step's imagetag."""
    return replace_in(base, "specs/steps.yml", TAG, TAG + text)


def reana_workflow_resources(base: dict[str, str], text: str) -> dict[str, str]:
    return replace_in(
        base, "reana.yaml", "  file: specs/workflow.yml\n", "  file: specs/workflow.yml\n" + text
    )


# The tutorial's steps.yml style: one-space indentation.
ONE_SPACE_STEPS = """\
select:
 process:
  process_type: interpolated-script-cmd
  script: |
   select {input_file} {output_file}
 environment:
  environment_type: docker-encapsulated
  image: gitlab-registry.cern.ch/recast-examples/event-selection
  imagetag: final
  resources:
   - KRB5Auth
   - CVMFS
 publisher:
  publisher_type: interpolated-pub
  publish:
   selected: '{output_file}'
fit:
 process:
  process_type: interpolated-script-cmd
  script: |
   fit --signal {signal} --xsec {xsec} --out {limit_file}
 environment:
  environment_type: docker-encapsulated
  image: gitlab-registry.cern.ch/analyst/fitting
  imagetag: v1.2.0
 publisher:
  publisher_type: interpolated-pub
  publish:
   limit: '{limit_file}'
"""

PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(resources(REANA_REPO, "    resources:\n      - kerberos: true\n"), id="mapping"),
    pytest.param(resources(REANA_REPO, "    resources: [{kerberos: true}]\n"), id="flow-mapping"),
    pytest.param(
        resources(REANA_REPO, "    resources:\n      - GRIDProxy\n      - kerberos: true\n"),
        id="gridproxy-next-to-kerberos",
    ),
    pytest.param(
        reana_workflow_resources(
            resources(REANA_REPO, "    resources: [KRB5Auth]\n"),
            "  resources:\n    kerberos: true\n",
        ),
        id="workflow-level-kerberos",
    ),
    pytest.param(
        reana_workflow_resources(
            resources(REANA_REPO, "    resources: [CVMFS]\n"),
            "  resources:\n    cvmfs:\n      - atlas.cern.ch\n",
        ),
        id="workflow-level-cvmfs",
    ),
    pytest.param(resources(REANA_REPO, "    resources: [gpu]\n"), id="unknown-string-is-RR405"),
    pytest.param(resources(REANA_REPO, "    resources: GRIDProxy\n"), id="not-a-list-is-RR101"),
]

FAIL = [
    pytest.param(
        resources(REANA_REPO, "    resources: [GRIDProxy]\n"),
        ["specs/steps.yml:10:17"],
        id="flow-gridproxy",
    ),
    pytest.param(
        resources(RECAST_REPO, "    resources:\n      - GRIDProxy\n"),
        ["specs/steps.yml:11:9"],
        id="block-gridproxy-recast-layout",
    ),
    pytest.param(
        resources(REANA_REPO, "    resources:\n    - KRB5Auth\n    - CVMFS\n"),
        ["specs/steps.yml:11:7", "specs/steps.yml:12:7"],
        id="krb5auth-and-cvmfs-unindented-list",
    ),
    pytest.param(
        with_files(RECAST_REPO, specs__steps_DOT_yml=ONE_SPACE_STEPS),
        ["specs/steps.yml:11:6", "specs/steps.yml:12:6"],
        id="one-space-indentation",
    ),
    pytest.param(
        reana_workflow_resources(
            resources(REANA_REPO, "    resources: [GRIDProxy, CVMFS]\n"),
            "  resources:\n    cvmfs: []\n",
        ),
        ["specs/steps.yml:10:17", "specs/steps.yml:10:28"],
        id="empty-workflow-cvmfs-list",
    ),
    pytest.param(
        resources(REANA_REPO, "    resources:\n      - GRIDProxy\n      - kerberos: 'true'\n"),
        ["specs/steps.yml:11:9"],
        id="kerberos-string-does-not-count",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "recast-resource" for d in found)


def test_auth_message_names_step_and_replacement() -> None:
    (d,) = lint_files(resources(REANA_REPO, "    resources: [GRIDProxy]\n"), RULE)
    assert d.message == (
        "REANA ignores the string resource 'GRIDProxy' of step 'select', so the job gets no "
        "kerberos ticket; write `- kerberos: true` instead"
    )
    assert d.severity is Severity.ERROR
    assert d.end_col - d.col == len("GRIDProxy")


def test_cvmfs_message_points_to_reana_yaml() -> None:
    (d,) = lint_files(resources(REANA_REPO, "    resources: [CVMFS]\n"), RULE)
    assert "reana.yaml `workflow.resources.cvmfs`" in d.message
    assert "atlas.cern.ch" in d.message


def test_recast_layout_is_information() -> None:
    (d,) = lint_files(resources(RECAST_REPO, "    resources: [GRIDProxy]\n"), RULE)
    assert d.severity is Severity.INFO
