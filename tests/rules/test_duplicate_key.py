from __future__ import annotations

import pytest
from helpers import REANA_REPO, RECAST_REPO, lint_files, positions, replace_in

RULE = "RR002"

PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(
        replace_in(REANA_REPO, "reana.yaml", "    xsec: 44.8\n", "    xsec: 44.8\n    Xsec: 1\n"),
        id="keys-differ-in-case",
    ),
]

FAIL = [
    pytest.param(
        replace_in(
            REANA_REPO, "reana.yaml", "    xsec: 44.8\n", "    xsec: '9999.9'\n    xsec: 44.8\n"
        ),
        ["reana.yaml:5:5"],
        id="tutorial-cross-section-twice",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO,
            "specs/steps.yml",
            "    imagetag: v1.2.0\n",
            "    imagetag: v1\n    imagetag: v2\n",
        ),
        ["specs/steps.yml:10:5"],
        id="in-a-step",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "duplicate-key" for d in found)


def test_message_names_first_occurrence() -> None:
    files = replace_in(REANA_REPO, "reana.yaml", "    xsec: 44.8\n", "    xsec: 1\n    xsec: 2\n")
    (d,) = lint_files(files, RULE)
    assert d.message.startswith("key 'xsec' is repeated (first on line 4)")
