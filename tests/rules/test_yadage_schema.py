from __future__ import annotations

from pathlib import Path

import pytest
from helpers import REANA_REPO, RECAST_REPO, lint_files, positions, replace_in, with_files

RULE = "RR101"

SELECT_PARAMS = """\
    parameters:
      input_file: {step: init, output: dataset}
      output_file: '{workdir}/selected.root'
"""
SUBWORKFLOW = """\
stages:
- name: scan
  dependencies: [init]
  scheduler:
    scheduler_type: multistep-stage
    parameters:
      point: [1, 2]
    scatter: {method: zip, parameters: [point]}
    workflow:
      stages:
      - name: inner
        dependencies: [init]
        scheduler:
          scheduler_type: singlestep-stage
          parameters:
            input_file: {step: init, output: point}
            output_file: '{workdir}/out.root'
          step: {$ref: steps.yml#/select}
"""

PASS = [
    pytest.param(
        replace_in(
            RECAST_REPO,
            "specs/workflow.yml",
            "singlestep-stage\n    parameters:\n      input",
            "jq-stage\n    bindings: {}\n    parameters:\n      input",
        ),
        id="jq-stage-with-bindings",
    ),
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(
        replace_in(
            RECAST_REPO,
            "specs/workflow.yml",
            "dependencies: [init]",
            "dependencies: {dependency_type: jsonpath_ready, expressions: [init]}",
        ),
        id="dependencies-in-normalised-form",
    ),
    pytest.param(
        replace_in(
            REANA_REPO,
            "specs/workflow.yml",
            SELECT_PARAMS,
            "    parameters:\n"
            "    - {key: input_file, value: {step: init, output: dataset}}\n"
            "    - {key: output_file, value: '{workdir}/selected.root'}\n",
        ),
        id="parameters-in-normalised-form",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO,
            "specs/workflow.yml",
            "{step: init, output: dataset}",
            "{stages: init, output: dataset, unwrap: true}",
        ),
        id="old-style-selector",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO,
            "specs/workflow.yml",
            "      output_file: '{workdir}/selected.root'\n",
            "      output_file: '{workdir}/selected.root'\n"
            "      nevents: 1000\n      cuts: [a, b]\n      opts: {x: 1}\n",
        ),
        id="number-list-mapping-parameters",
    ),
    pytest.param(with_files(RECAST_REPO, specs__workflow_DOT_yml=SUBWORKFLOW), id="sub-workflow"),
    pytest.param(
        replace_in(
            RECAST_REPO,
            "specs/steps.yml",
            "    imagetag: v1.2.0\n",
            "    imagetag: v1.2.0\n    resources: [CVMFS, {kubernetes_uid: 500}]\n"
            "    env: {A: b}\n    workdir: null\n",
        ),
        id="environment-optional-keys",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO,
            "specs/workflow.yml",
            "steps.yml#/select",
            "steps.yml#/slect",
        ),
        id="unresolved-ref-is-RR202s",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO,
            "specs/steps.yml",
            "    script: |\n      select {input_file} {output_file}\n",
            "    script: {input_file}\n",
        ),
        id="unquoted-placeholder-is-RR003s",
    ),
    pytest.param(
        replace_in(
            REANA_REPO,
            "specs/workflow.yml",
            "    scheduler_type: singlestep-stage\n    parameters:\n      input_file",
            "    scheduler_type: jq-stage\n    bindings: {}\n    anything: 1\n"
            "    parameters:\n      input_file",
        ),
        id="jq-stage-allows-more-keys",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO,
            "specs/steps.yml",
            "    process_type: interpolated-script-cmd\n    script: |\n      select",
            "    cmd: |\n      select",
        ),
        id="process-type-defaults-to-string-interpolated-cmd",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO,
            "specs/steps.yml",
            "  environment:\n    environment_type: docker-encapsulated\n"
            "    image: gitlab-registry.cern.ch/analyst/selection\n    imagetag: v1.2.0\n",
            "  environment: {}\n",
        ),
        id="empty-environment-defaults-to-noop-env",
    ),
]

FAIL = [
    pytest.param(
        replace_in(RECAST_REPO, "specs/steps.yml", "imagetag: v1.2.0", "imagetag: 21.2"),
        ["specs/steps.yml:9:15"],
        id="numeric-imagetag",
    ),
    pytest.param(
        replace_in(
            REANA_REPO, "specs/workflow.yml", "output_file: '{workdir}/selected.root'", "flag: yes"
        ),
        ["specs/workflow.yml:8:13"],
        id="boolean-parameter",
    ),
    pytest.param(
        replace_in(REANA_REPO, "specs/workflow.yml", "xsec: {step: init, output: xsec}", "xsec:"),
        ["specs/workflow.yml:16:12"],
        id="empty-parameter",
    ),
    pytest.param(
        replace_in(RECAST_REPO, "specs/steps.yml", "    imagetag: v1.2.0", "    imagetags: v1"),
        ["specs/steps.yml:9:5"],
        id="unknown-environment-key",
    ),
    pytest.param(
        replace_in(REANA_REPO, "specs/steps.yml", "type: docker-encapsulated", "type: docker"),
        ["specs/steps.yml:7:23"],
        id="unknown-environment-type",
    ),
    pytest.param(
        replace_in(RECAST_REPO, "specs/workflow.yml", SELECT_PARAMS, ""),
        ["specs/workflow.yml:4:3"],
        id="singlestep-without-parameters",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO,
            "specs/workflow.yml",
            "singlestep-stage\n    parameters:\n      input",
            "jq-stage\n    stepscript: '[.]'\n    parameters:\n      input",
        ),
        ["specs/workflow.yml:4:3"],
        id="jq-stage-without-bindings",
    ),
    pytest.param(
        replace_in(RECAST_REPO, "specs/workflow.yml", "    step: {$ref: steps.yml#/fit}\n", ""),
        ["specs/workflow.yml:12:3"],
        id="stage-without-step",
    ),
    pytest.param(
        replace_in(REANA_REPO, "specs/workflow.yml", "stages:", "version: 1\nstages:"),
        ["specs/workflow.yml:1:1"],
        id="unknown-workflow-key",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO, "specs/workflow.yml", "  dependencies: [init]\n", "  depends: [init]\n"
        ),
        ["specs/workflow.yml:3:3"],
        id="unknown-stage-key",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO,
            "specs/workflow.yml",
            "dependencies: [init, select]",
            "dependencies: select",
        ),
        ["specs/workflow.yml:11:17"],
        id="dependencies-not-a-list",
    ),
    pytest.param(
        replace_in(
            REANA_REPO,
            "specs/steps.yml",
            "    publisher_type: interpolated-pub\n",
            "",
        ),
        ["specs/steps.yml:10:3"],
        id="publisher-without-type",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO,
            "specs/workflow.yml",
            "    step: {$ref: steps.yml#/select}\n",
            "    step:\n      process: echo\n"
            "      environment: {environment_type: docker-encapsulated, image: x, imagetag: 1}\n"
            "      publisher: {publisher_type: constant-pub, publish: {}}\n",
        ),
        ["specs/workflow.yml:10:16", "specs/workflow.yml:11:80"],
        id="inline-step",
    ),
    pytest.param(
        replace_in(
            with_files(RECAST_REPO, specs__workflow_DOT_yml=SUBWORKFLOW),
            "specs/workflow.yml",
            "      - name: inner\n",
            "      - name: inner\n        extra: 1\n",
        ),
        ["specs/workflow.yml:12:9"],
        id="stage-in-sub-workflow",
    ),
    pytest.param(
        replace_in(RECAST_REPO, "specs/workflow.yml", "stages:\n", "stages:\n- select\n"),
        ["specs/workflow.yml:2:3"],
        id="stage-not-a-mapping",
    ),
    pytest.param(
        replace_in(RECAST_REPO, "specs/workflow.yml", "{$ref: steps.yml#/fit}", "{$ref: 2}"),
        ["specs/workflow.yml:18:18"],
        id="ref-not-a-string",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "yadage-schema" for d in found)


def _messages(files: dict[str, str]) -> list[str]:
    return [d.message for d in lint_files(files, RULE)]


def test_numeric_imagetag_says_to_quote_it_as_written() -> None:
    files = replace_in(RECAST_REPO, "specs/steps.yml", "imagetag: v1.2.0", "imagetag: 21.20")
    assert _messages(files) == [
        "imagetag of step 'select' must be a string, not a number; quote it: '21.20'"
    ]


def test_boolean_parameter_names_the_parameter_and_stage() -> None:
    files = replace_in(
        REANA_REPO, "specs/workflow.yml", "output_file: '{workdir}/selected.root'", "flag: yes"
    )
    (message,) = _messages(files)
    assert message.startswith("parameter 'flag' of stage 'select' must be a string, a list")
    assert message.endswith("not true; quote it: 'yes'")


def test_unknown_key_suggests_the_known_one() -> None:
    files = replace_in(RECAST_REPO, "specs/steps.yml", "    imagetag: v1.2.0", "    imagetags: v1")
    assert _messages(files) == [
        "unknown key 'imagetags' in environment of step 'select'; did you mean 'imagetag'?"
    ]


def test_unknown_type_lists_the_known_ones() -> None:
    files = replace_in(
        RECAST_REPO,
        "specs/workflow.yml",
        "singlestep-stage\n    parameters:\n      input",
        "single-stage\n    parameters:\n      input",
    )
    (message,) = _messages(files)
    assert message.startswith("scheduler_type of stage 'select' must be one of 'jq-stage'")
    assert message.endswith("not 'single-stage'; did you mean 'singlestep-stage'?")


def test_missing_parameters_explains_the_crash() -> None:
    files = replace_in(RECAST_REPO, "specs/workflow.yml", SELECT_PARAMS, "")
    assert _messages(files) == [
        "scheduler of stage 'select' has no 'parameters' (yadage fails with a KeyError): "
        "add `parameters: {}`"
    ]


def test_jq_stage_without_bindings_explains_the_crash() -> None:
    files = replace_in(
        RECAST_REPO,
        "specs/workflow.yml",
        "singlestep-stage\n    parameters:\n      input",
        "jq-stage\n    stepscript: '[.]'\n    parameters:\n      input",
    )
    assert _messages(files) == [
        "scheduler of stage 'select' is a jq-stage without 'bindings' (yadage fails with "
        "KeyError: 'bindings'): add the values its stepscript reads, or `bindings: {}`"
    ]


def test_stage_without_step_says_what_it_needs() -> None:
    files = replace_in(RECAST_REPO, "specs/workflow.yml", "    step: {$ref: steps.yml#/fit}\n", "")
    assert _messages(files) == [
        "scheduler of stage 'fit' must have exactly one of 'workflow', 'step', 'cases'"
    ]


def test_missing_type_key_lists_the_choices() -> None:
    files = replace_in(REANA_REPO, "specs/steps.yml", "    publisher_type: interpolated-pub\n", "")
    (message,) = _messages(files)
    assert message.startswith("publisher of step 'select' has no 'publisher_type' (one of ")
    assert "'interpolated-pub'" in message


def test_shared_step_is_reported_once() -> None:
    files = replace_in(RECAST_REPO, "specs/workflow.yml", "steps.yml#/fit", "steps.yml#/select")
    files = replace_in(files, "specs/steps.yml", "imagetag: v1.2.0", "imagetag: 1")
    assert positions(lint_files(files, RULE)) == ["specs/steps.yml:9:15"]


def test_stages_of_one_shape_each_get_their_own_position() -> None:
    # Validation is shared by units of the same shape; positions and names are not.
    files = replace_in(
        RECAST_REPO,
        "specs/workflow.yml",
        "output_file: '{workdir}/selected.root'",
        "output_file: no",
    )
    files = replace_in(
        files, "specs/workflow.yml", "limit_file: '{workdir}/limit.png'", "limit_file: no"
    )
    found = lint_files(files, RULE)
    assert positions(found) == ["specs/workflow.yml:8:20", "specs/workflow.yml:17:19"]
    assert "parameter 'limit_file' of stage 'fit'" in found[1].message


def test_rejected_in_both_layouts() -> None:
    for base in (REANA_REPO, RECAST_REPO):
        files = replace_in(base, "specs/steps.yml", "imagetag: v1.2.0", "imagetag: 2.0")
        assert positions(lint_files(files, RULE)) == ["specs/steps.yml:9:15"]


def test_malformed_data_never_raises() -> None:
    for text in (
        "",
        "[]",
        "stages: 5",
        "stages: [[], 1, null]",
        "stages:\n- name: [1]\n  scheduler: x",
    ):
        lint_files(with_files(RECAST_REPO, specs__workflow_DOT_yml=text), RULE)


# The rule must agree with yadage itself: every PASS table entry loads with yadage-schemas (as
# REANA loads it), every FAIL entry does not (except the entries other rules own).
# What yadage-schemas accepts and yadage itself fails on when it schedules the stage.
_RUN_TIME = {"jq-stage-without-bindings"}
_OWNED_ELSEWHERE = {"unresolved-ref-is-RR202s", "unquoted-placeholder-is-RR003s"}


def _yadage_verdict(files: dict[str, str], tmp_path: Path) -> str:
    """ "accepted", or the exception yadage-schemas (as REANA calls it) raises."""
    yadageschemas = pytest.importorskip("yadageschemas")
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    reana = "reana.yaml" in files
    toplevel = str(tmp_path if reana else tmp_path / "specs")
    spec = "specs/workflow.yml" if reana else "workflow.yml"
    opts = {"schema_name": "yadage/workflow-schema", "schemadir": None}
    try:
        yadageschemas.load(
            spec, {"toplevel": toplevel, "load_as_ref": False, **opts}, validopts=opts
        )
    except Exception as exc:  # ValidationError, or the KeyError of a stage without parameters
        return type(exc).__name__
    return "accepted"


@pytest.mark.parametrize(
    ("files", "verdicts"),
    [pytest.param(p.values[0], {"accepted"}, id=p.id) for p in PASS if p.id not in _OWNED_ELSEWHERE]
    + [
        pytest.param(p.values[0], {"ValidationError", "KeyError"}, id=p.id)
        for p in FAIL
        if p.id not in _RUN_TIME
    ],
)
def test_agrees_with_yadage_schemas(
    files: dict[str, str], verdicts: set[str], tmp_path: Path
) -> None:
    assert _yadage_verdict(files, tmp_path) in verdicts
