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

RULE = "RR306"
WF = "specs/workflow.yml"
STEPS = "specs/steps.yml"
SELECT = "      select {input_file} {output_file}\n"
SELECT_SCHEDULER = (
    "    scheduler_type: singlestep-stage\n"
    "    parameters:\n"
    "      input_file: {step: init, output: dataset}\n"
    "      output_file: '{workdir}/selected.root'\n"
)
# A second stage running the `fit` step without passing `limit_file`.
FIT2 = """\
- name: fit2
  dependencies: [init, select]
  scheduler:
    scheduler_type: singlestep-stage
    parameters:
      signal: {step: select, output: selected}
      xsec: {step: init, output: xsec}
    step: {$ref: specs/steps.yml#/fit}
"""


def _script(repo: dict[str, str], new: str) -> dict[str, str]:
    return replace_in(repo, STEPS, SELECT, new)


PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(GRAPH_REANA_REPO, id="graph-multistep-nested-cmd-workdir-in-publisher"),
    pytest.param(GRAPH_RECAST_REPO, id="graph-recast-layout"),
    pytest.param(
        _script(
            REANA_REPO,
            SELECT + "      echo ${{HOME}} {{literal}} {input_file[0]} {output_file!r:>10}\n",
        ),
        id="escaped-braces-and-field-syntax",
    ),
    pytest.param(
        replace_in(
            _script(REANA_REPO, SELECT + "      echo {nope}\n"),
            STEPS,
            "process_type: interpolated-script-cmd\n    script: |\n      select",
            "process_type: manual-instructions-proc\n    script: |\n      select",
        ),
        id="process-type-not-formatted",
    ),
    pytest.param(
        replace_in(
            REANA_REPO,
            STEPS,
            "    publish:\n      selected: '{output_file}'",
            "    publish:\n      selected: '{workdir}/x.root'",
        ),
        id="workdir-in-publisher",
    ),
    pytest.param(
        replace_in(
            _script(REANA_REPO, "      select {anything}\n"),
            WF,
            SELECT_SCHEDULER,
            "    scheduler_type: jq-stage\n"
            "    bindings: {anything: 1, output_file: selected.root}\n"
            "    stepscript: '[.]'\n",
        ),
        id="parameters-unknown",
    ),
]

FAIL = [
    pytest.param(
        _script(REANA_REPO, "      select {input_file} {output_file} {nevents}\n"),
        [f"{STEPS}:5:41"],
        id="script-reana",
    ),
    pytest.param(
        _script(RECAST_REPO, "      # writes {outdir}\n" + SELECT),
        [f"{STEPS}:5:16"],
        id="in-a-comment-recast",
    ),
    pytest.param(
        _script(REANA_REPO, SELECT + "      cd ${HOME}\n"),
        [f"{STEPS}:6:11"],
        id="shell-variable",
    ),
    pytest.param(
        _script(REANA_REPO, SELECT + "      ls {workdir}\n"),
        [f"{STEPS}:6:10"],
        id="workdir-in-script",
    ),
    pytest.param(
        _script(REANA_REPO, SELECT + "      awk '{print $1}' x\n"),
        [f"{STEPS}:6:12"],
        id="awk",
    ),
    pytest.param(
        _script(REANA_REPO, SELECT + "      echo {} done\n"),
        [f"{STEPS}:6:12"],
        id="positional",
    ),
    pytest.param(
        _script(REANA_REPO, "      select {input_file} {output_file} {input}\n"),
        [f"{STEPS}:5:41"],
        id="prefix-of-an-earlier-field",
    ),
    pytest.param(
        _script(REANA_REPO, SELECT + "      echo done }\n"),
        [f"{STEPS}:6:17"],
        id="lone-closing-brace",
    ),
    pytest.param(
        _script(REANA_REPO, SELECT + "      echo {oops\n"),
        [f"{STEPS}:6:12"],
        id="unclosed-brace",
    ),
    pytest.param(
        replace_in(REANA_REPO, STEPS, "selected: '{output_file}'", "selected: '{output_fil}'"),
        [f"{STEPS}:13:18"],
        id="publisher",
    ),
    pytest.param(
        replace_in(
            REANA_REPO,
            WF,
            "    step: {$ref: specs/steps.yml#/fit}\n",
            "    step: {$ref: specs/steps.yml#/fit}\n" + FIT2,
        ),
        [f"{STEPS}:18:49", f"{STEPS}:26:15"],
        id="one-of-two-stages-lacks-it",
    ),
    pytest.param(
        replace_in(
            replace_in(GRAPH_REANA_REPO, WF, "      mass: {stages: init", "      m: {stages: init"),
            WF,
            "      parameters: [mass]",
            "      parameters: [m]",
        ),
        [f"{STEPS}:5:35"],
        id="multistep-once-per-step",
    ),
    pytest.param(
        replace_in(
            GRAPH_RECAST_REPO,
            WF,
            "            limits: {stages: fit_one",
            "            limit: {stages: fit_one",
        ),
        [f"{STEPS}:30:32"],
        id="nested-string-interpolated-cmd",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "undefined-placeholder" for d in found)


def _message(files: dict[str, str]) -> str:
    (d,) = lint_files(files, RULE)
    return d.message


def test_message_names_step_stage_and_suggests() -> None:
    message = _message(_script(REANA_REPO, "      select {input_fil} {output_file}\n"))
    assert message == (
        "'{input_fil}' in step 'select' is not a parameter of stage 'select' (did you mean "
        "'input_file'?); add it to the stage's parameters or write '{{' and '}}' for literal braces"
    )


def test_message_names_only_the_stages_lacking_it() -> None:
    files = replace_in(
        REANA_REPO,
        WF,
        "    step: {$ref: specs/steps.yml#/fit}\n",
        "    step: {$ref: specs/steps.yml#/fit}\n" + FIT2,
    )
    messages = [d.message for d in lint_files(files, RULE)]
    assert all("is not a parameter of stage 'fit2'" in m for m in messages)


def test_stages_listed_once_each() -> None:
    files = replace_in(
        REANA_REPO,
        WF,
        "    step: {$ref: specs/steps.yml#/fit}\n",
        "    step: {$ref: specs/steps.yml#/fit}\n" + FIT2 + FIT2.replace("fit2", "fit3"),
    )
    assert "of stages 'fit2', 'fit3'" in lint_files(files, RULE)[0].message


def test_hints() -> None:
    assert "it is in a comment, but packtivity formats comments too" in _message(
        _script(REANA_REPO, "      # writes {outdir}\n" + SELECT)
    )
    assert "for a shell variable write '${{HOME}}'" in _message(
        _script(REANA_REPO, SELECT + "      cd ${HOME}\n")
    )
    assert "exists only in publishers" in _message(
        _script(REANA_REPO, SELECT + "      ls {workdir}\n")
    )
    assert "by name only" in _message(_script(REANA_REPO, SELECT + "      echo {} done\n"))


def test_format_problem_message() -> None:
    message = _message(_script(REANA_REPO, SELECT + "      echo done }\n"))
    assert message.startswith(
        "step 'select': packtivity's str.format fails on this script: Single '}'"
    )


def test_publisher_format_problem_only_for_interpolated_pub() -> None:
    files = replace_in(REANA_REPO, STEPS, "selected: '{output_file}'", "selected: '{output_file}}'")
    assert positions(lint_files(files, RULE)) == [f"{STEPS}:13:31"]
    files = replace_in(
        files,
        STEPS,
        "publisher_type: interpolated-pub\n    publish:\n      selected",
        "publisher_type: constant-pub\n    publish:\n      selected",
    )
    assert lint_files(files, RULE) == []
