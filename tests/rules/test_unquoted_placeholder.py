from __future__ import annotations

import pytest
from helpers import REANA_REPO, RECAST_REPO, lint_files, positions, replace_in

RULE = "RR003"

PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(
        replace_in(
            REANA_REPO, "specs/steps.yml", "selected: '{output_file}'", 'selected: "{output_file}"'
        ),
        id="double-quoted",
    ),
    pytest.param(
        replace_in(REANA_REPO, "specs/steps.yml", "selected: '{output_file}'", "selected: {a: b}"),
        id="real-flow-mapping",
    ),
    pytest.param(
        replace_in(REANA_REPO, "specs/steps.yml", "selected: '{output_file}'", "selected: {'a'}"),
        id="quoted-key-is-deliberate",
    ),
]

FAIL = [
    pytest.param(
        replace_in(
            REANA_REPO, "specs/steps.yml", "selected: '{output_file}'", "selected: {output_file}"
        ),
        ["specs/steps.yml:13:17"],
        id="publisher-output",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO,
            "specs/workflow.yml",
            "limit_file: '{workdir}/limit.png'",
            "limit_file: {workdir}",
        ),
        ["specs/workflow.yml:17:19"],
        id="stage-parameter",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    assert positions(lint_files(files, RULE)) == expected


def test_message_shows_the_quoted_form() -> None:
    files = replace_in(
        REANA_REPO, "specs/steps.yml", "selected: '{output_file}'", "selected: {output_file}"
    )
    (d,) = lint_files(files, RULE)
    assert "'{output_file}'" in d.message
    assert d.end_col - d.col == len("{output_file}")
