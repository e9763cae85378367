from __future__ import annotations

import pytest
from helpers import REANA_REPO, RECAST_REPO, lint_files, positions, replace_in, with_files

from recast_reana.lint.diagnostics import Severity

RULE = "RR410"
SCRIPT = "      select {input_file} {output_file}\n"


def script(text: str, base: dict[str, str] = REANA_REPO) -> dict[str, str]:
    """`base` with the select step's script (from steps.yml line 5, column 7) replaced."""
    body = "".join(f"      {line}\n" for line in text.split("\n"))
    return replace_in(base, "specs/steps.yml", SCRIPT, body)


ONE_SPACE_STEPS = """\
select:
 process:
  process_type: interpolated-script-cmd
  script: |
   source /home/atlas/release_setup.sh
   sudo yum install -y bc
   select {input_file} {output_file}
 environment:
  environment_type: docker-encapsulated
  image: gitlab-registry.cern.ch/recast-examples/event-selection
  imagetag: final
 publisher:
  publisher_type: interpolated-pub
  publish:
   selected: '{output_file}'
fit:
 process:
  process_type: interpolated-script-cmd
  cmd: 'cd / && fit --signal {signal} --xsec {xsec} --out {limit_file}'
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
    pytest.param(script("cd /code\nselect {input_file}"), id="cd-into-a-directory"),
    pytest.param(script("cd /code/ && cd ../data"), id="cd-elsewhere"),
    pytest.param(script("# sudo make install\nselect"), id="comment"),
    pytest.param(script("select {input_file}  # no sudo here"), id="trailing-comment"),
    pytest.param(script("echo sudo; pseudo-select; ./sudoku"), id="not-a-command-word"),
    pytest.param(script("rm -rf /tmp/scratch; rm -rf ./out/*"), id="rm-elsewhere"),
    pytest.param(script("cat /etc/sudoers.d/x"), id="path-containing-sudo"),
]

FAIL = [
    pytest.param(script("sudo yum install -y bc"), ["specs/steps.yml:5:7"], id="sudo"),
    pytest.param(script("cd /\nselect {input_file}"), ["specs/steps.yml:5:7"], id="cd-root"),
    pytest.param(
        script("source setup.sh && cd / && select", RECAST_REPO),
        ["specs/steps.yml:5:26"],
        id="cd-root-in-chain-recast-layout",
    ),
    pytest.param(script("ls; rm -rf /"), ["specs/steps.yml:5:11"], id="rm-rf-root"),
    pytest.param(script("rm -r -f /*"), ["specs/steps.yml:5:7"], id="rm-rf-root-glob"),
    pytest.param(
        script("if true; then sudo ls; fi\nx=$(sudo id)"),
        ["specs/steps.yml:5:21", "specs/steps.yml:6:11"],
        id="after-then-and-in-substitution",
    ),
    pytest.param(
        script("echo pseudo\nsudo ls"), ["specs/steps.yml:6:7"], id="nth-skips-a-word-containing-it"
    ),
    pytest.param(
        with_files(REANA_REPO, specs__steps_DOT_yml=ONE_SPACE_STEPS),
        ["specs/steps.yml:6:4", "specs/steps.yml:19:9"],
        id="one-space-indentation-and-cmd",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "dangerous-command" for d in found)


def test_sudo_message() -> None:
    (d,) = lint_files(script("sudo yum install -y bc"), RULE)
    assert d.message == (
        "step 'select' runs `sudo`: `sudo` cannot work on REANA, whose jobs run unprivileged; "
        "install software in the image"
    )
    assert d.severity is Severity.WARNING
    assert d.end_col - d.col == len("sudo")


def test_cd_message() -> None:
    (d,) = lint_files(script("cd  /"), RULE)
    assert d.message.startswith("step 'select' runs `cd /`: `cd /` leaves the workflow workspace")
    assert d.end_col - d.col == len("cd  /")
