from __future__ import annotations

import pytest
from helpers import lint_files, positions, replace_in

from recast_reana.lint.diagnostics import Severity

RULE = "RR309"
SERIAL = {
    "reana.yaml": """\
inputs:
  files: [code/helloworld.py, data/names.txt]
  parameters:
    helloworld: code/helloworld.py
    inputfile: data/names.txt
    sleeptime: 0
workflow:
  type: serial
  specification:
    steps:
      - name: greet
        environment: docker.io/library/python:3.11-slim
        commands:
          - python "${helloworld}" --inputfile "${inputfile}" --sleeptime $sleeptime
""",
    "code/helloworld.py": "print('hello')\n",
    "data/names.txt": "Jane\n",
}
COMMAND = 'python "${helloworld}" --inputfile "${inputfile}" --sleeptime $sleeptime'

PASS = [
    pytest.param(SERIAL, id="every-name-is-a-parameter"),
    pytest.param(
        replace_in(SERIAL, "reana.yaml", COMMAND, 'echo "${HOME} ${REANA_WORKSPACE}"'),
        id="environment-variables",
    ),
    pytest.param(
        replace_in(SERIAL, "reana.yaml", COMMAND, "for f in *.txt; do wc -l ${f}; done"),
        id="loop-variable",
    ),
    pytest.param(
        replace_in(SERIAL, "reana.yaml", COMMAND, 'out=greetings.txt && touch "${out}"'),
        id="set-by-the-step",
    ),
    pytest.param(
        replace_in(SERIAL, "reana.yaml", COMMAND, "echo '$${literal}'"),
        id="escaped-dollar",
    ),
    pytest.param(
        replace_in(SERIAL, "reana.yaml", "    sleeptime: 0\n", ""),
        id="unbraced-names-are-not-judged",
    ),
]

FAIL = [
    pytest.param(
        replace_in(SERIAL, "reana.yaml", '"${inputfile}"', '"${input_file}"'),
        ["reana.yaml:14:49"],
        id="misspelt-parameter",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.severity is Severity.WARNING for d in found)


def test_message_suggests_the_parameter() -> None:
    (d,) = lint_files(replace_in(SERIAL, "reana.yaml", '"${inputfile}"', '"${input_file}"'), RULE)
    assert d.message == (
        "serial step 'greet' uses '${input_file}', which inputs.parameters does not give "
        "(did you mean 'inputfile'?); bash expands it to nothing"
    )
