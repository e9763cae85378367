from __future__ import annotations

import pytest
from helpers import REANA_REPO, RECAST_REPO, lint_files, positions, replace_in, with_files

from recast_reana.lint.diagnostics import Severity

RULE = "RR401"
SCRIPT = "      select {input_file} {output_file}\n"

# The tutorial's steps.yml: one-space indentation, the auth call first in the script.
TUTORIAL_STEPS = """\
select:
 process:
  process_type: interpolated-script-cmd
  script: |
   . /recast_auth/getkrb.sh
   source /home/atlas/release_setup.sh
   xrdcp {input_file} {output_file}
 environment:
  environment_type: docker-encapsulated
  image: gitlab-registry.cern.ch/recast-examples/event-selection
  imagetag: final
  resources:
   - GRIDProxy
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


def script(base: dict[str, str], text: str) -> dict[str, str]:
    """`base` with the select step's script replaced by `text` (lines indented by 6)."""
    body = "".join(f"      {line}\n" if line else "\n" for line in text.split("\n"))
    return replace_in(base, "specs/steps.yml", SCRIPT, body)


PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(script(REANA_REPO, "# . /recast_auth/getkrb.sh"), id="commented-out"),
    pytest.param(
        script(REANA_REPO, "select {input_file}  # was: . /recast_auth/getkrb.sh"),
        id="trailing-comment",
    ),
    pytest.param(
        script(REANA_REPO, "[ -f /recast_auth/getkrb.sh ] && . /recast_auth/getkrb.sh"),
        id="guarded-same-line",
    ),
    pytest.param(
        script(
            REANA_REPO,
            "if [ -e /recast_auth/getkrb.sh ]; then\n  source /recast_auth/getkrb.sh\nfi\nselect",
        ),
        id="guarded-if-block",
    ),
    pytest.param(
        script(REANA_REPO, "test -r /recast_auth/getkrb.sh && /recast_auth/getkrb.sh; select"),
        id="guarded-by-test",
    ),
    pytest.param(
        replace_in(
            REANA_REPO,
            "specs/steps.yml",
            "  environment:\n",
            "  recast_auth: /recast_auth/getkrb.sh\n  environment:\n",
        ),
        id="outside-the-script",
    ),
]

FAIL = [
    pytest.param(
        with_files(RECAST_REPO, specs__steps_DOT_yml=TUTORIAL_STEPS),
        ["specs/steps.yml:5:4"],
        id="tutorial-one-space-indent-recast-layout",
    ),
    pytest.param(
        with_files(REANA_REPO, specs__steps_DOT_yml=TUTORIAL_STEPS),
        ["specs/steps.yml:5:4"],
        id="tutorial-reana-layout",
    ),
    pytest.param(
        script(REANA_REPO, "source /recast_auth/getkrb.sh\nselect {input_file} {output_file}"),
        ["specs/steps.yml:5:7"],
        id="source",
    ),
    pytest.param(
        script(REANA_REPO, "/recast_auth/getkrb.sh\nselect {input_file}"),
        ["specs/steps.yml:5:7"],
        id="plain-exec",
    ),
    pytest.param(
        script(REANA_REPO, "cd /code && . /recast_auth/getkrb.sh && select {input_file}"),
        ["specs/steps.yml:5:19"],
        id="inside-and-chain",
    ),
    pytest.param(
        script(REANA_REPO, "echo start; source /recast_auth/getkrb.sh; select {input_file}"),
        ["specs/steps.yml:5:19"],
        id="semicolon-separated",
    ),
    pytest.param(
        script(
            REANA_REPO,
            "# . /recast_auth/getkrb.sh\nif true; then\n  . /recast_auth/getkrb.sh\nfi",
        ),
        ["specs/steps.yml:7:9"],
        id="after-a-commented-copy-in-unguarded-if",
    ),
    pytest.param(
        replace_in(
            REANA_REPO,
            "specs/steps.yml",
            "    script: |\n" + SCRIPT,
            "    cmd: 'sh -c \". /recast_auth/getkrb.sh; select {input_file}\"'\n",
        ),
        ["specs/steps.yml:4:18"],
        id="quoted-cmd",
    ),
    pytest.param(
        script(REANA_REPO, ". /recast_auth/getkrb.sh\nselect\n. /recast_auth/getkrb.sh"),
        ["specs/steps.yml:5:7", "specs/steps.yml:7:7"],
        id="twice",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "recast-auth-script" for d in found)


def test_message_for_dot_source_says_it_aborts_and_asks_for_kerberos() -> None:
    (d,) = lint_files(with_files(REANA_REPO, specs__steps_DOT_yml=TUTORIAL_STEPS), RULE)
    assert d.message.startswith("step 'select' runs `. /recast_auth/getkrb.sh`: ")
    assert "sourcing it aborts the step" in d.message
    assert "`- kerberos: true`" in d.message
    assert d.severity is Severity.ERROR
    assert d.end_col - d.col == len(". /recast_auth/getkrb.sh")


def test_message_for_plain_exec_says_no_ticket() -> None:
    (d,) = lint_files(script(REANA_REPO, "/recast_auth/getkrb.sh"), RULE)
    assert "gets no kerberos ticket" in d.message
    assert d.end_col - d.col == len("/recast_auth/getkrb.sh")


def test_step_that_already_requests_kerberos_only_needs_the_call_removed() -> None:
    files = replace_in(
        script(REANA_REPO, ". /recast_auth/getkrb.sh"),
        "specs/steps.yml",
        "    imagetag: v1.2.0\n",
        "    imagetag: v1.2.0\n    resources:\n      - kerberos: true\n",
    )
    (d,) = lint_files(files, RULE)
    assert "REANA already gives the step a ticket (`kerberos: true`)" in d.message


def test_recast_layout_is_information_because_convert_fixes_it() -> None:
    (d,) = lint_files(with_files(RECAST_REPO, specs__steps_DOT_yml=TUTORIAL_STEPS), RULE)
    assert d.severity is Severity.INFO
    assert d.message.endswith("`recast-reana convert` fixes this for REANA")


def test_step_shared_by_two_stages_is_reported_once() -> None:
    files = replace_in(
        script(REANA_REPO, ". /recast_auth/getkrb.sh"),
        "specs/workflow.yml",
        "step: {$ref: specs/steps.yml#/fit}",
        "step: {$ref: specs/steps.yml#/select}",
    )
    assert positions(lint_files(files, RULE)) == ["specs/steps.yml:5:7"]


@pytest.mark.parametrize(
    "text",
    [
        "if [ -f /recast_auth/getkrb.sh ]; then . /recast_auth/getkrb.sh; fi",
        "fi\nfi\n. /recast_auth/getkrb.sh\nif",  # unbalanced if/fi must not crash
        "echo '/recast_auth/getkrb.sh",
        "$(/recast_auth/getkrb.sh)",
    ],
)
def test_odd_scripts_do_not_crash(text: str) -> None:
    lint_files(script(REANA_REPO, text), RULE)


def test_cmd_runs_under_plain_bash_so_sourcing_does_not_abort() -> None:
    files = replace_in(
        REANA_REPO,
        "specs/steps.yml",
        "    script: |\n" + SCRIPT,
        "    cmd: '. /recast_auth/getkrb.sh; select {input_file}'\n",
    )
    (d,) = lint_files(files, RULE)
    assert "gets no kerberos ticket" in d.message


def test_script_with_bash_interpreter_does_not_abort() -> None:
    files = replace_in(
        script(REANA_REPO, ". /recast_auth/getkrb.sh"),
        "specs/steps.yml",
        "    script: |",
        "    interpreter: bash\n    script: |",
    )
    (d,) = lint_files(files, RULE)
    assert "gets no kerberos ticket" in d.message
    assert positions([d]) == ["specs/steps.yml:6:7"]
