from __future__ import annotations

import pytest
from helpers import REANA_REPO, RECAST_REPO, lint_files, positions, replace_in

RULE = "RR001"

PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param({**RECAST_REPO, "specs/notes.yml": ""}, id="empty-orphan-spec-file"),
]

FAIL = [
    pytest.param(
        replace_in(REANA_REPO, "specs/workflow.yml", "dependencies: [init]", "dependencies: [init"),
        ["specs/workflow.yml:4:12"],
        id="unclosed-flow-list",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO, "recast.yml", "  author: analyst\n", "  author: analyst\n bad: x\n"
        ),
        ["recast.yml:4:2"],
        id="bad-indentation",
    ),
    pytest.param(
        replace_in(
            REANA_REPO, "specs/steps.yml", "imagetag: v1.2.0", "imagetag: !!python/name:os.system"
        ),
        ["specs/steps.yml:9:15"],
        id="unsafe-tag-as-safe_load-refuses-it",
    ),
    pytest.param(
        {**RECAST_REPO, "specs/extra.yml": "a: [\n"},
        ["specs/extra.yml:2:1"],
        id="orphan-spec-file",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.message.startswith("YAML: ") for d in found)


def test_broken_workflow_does_not_break_the_other_rules() -> None:
    files = replace_in(REANA_REPO, "specs/workflow.yml", "dependencies: [init]", "dependencies: [")
    assert [d.rule for d in lint_files(files)] == ["RR001"]
