from __future__ import annotations

import time

import pytest
from helpers import REANA_REPO, RECAST_REPO, lint_files, positions

from recast_reana.model.positioned_yaml import MAX_BYTES

RULE = "RR004"

BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip([None, *"abcdefgh"], "abcdefghi", strict=True)
)

PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(
        {**REANA_REPO, "specs/steps.yml": "base: &b {image: x}\n" + REANA_REPO["specs/steps.yml"]},
        id="ordinary-anchor",
    ),
    pytest.param(
        {**RECAST_REPO, "recast.yml": "\ufeff" + RECAST_REPO["recast.yml"]}, id="utf8-bom"
    ),
]

FAIL = [
    pytest.param(
        {**REANA_REPO, "specs/workflow.yml": BOMB}, ["specs/workflow.yml:5:1"], id="alias-bomb"
    ),
    pytest.param(
        {**REANA_REPO, "specs/workflow.yml": b"\x89PNG\r\n\x1a\n\x00\x00"},
        ["specs/workflow.yml:1:1"],
        id="binary",
    ),
    pytest.param(
        {**RECAST_REPO, "recast.yml": "name: caf\xe9\nmetadata: x\n".encode("latin-1")},
        ["recast.yml:1:10"],
        id="latin-1",
    ),
    pytest.param(
        {**REANA_REPO, "reana.yaml": "a: &a [*a]\n"}, ["reana.yaml:1:4"], id="recursive-alias"
    ),
    pytest.param(
        {**REANA_REPO, "specs/workflow.yml": "#" * (MAX_BYTES + 1)},
        ["specs/workflow.yml:1:1"],
        id="oversized",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.message.startswith("refused: ") for d in found)


def test_alias_bomb_is_refused_quickly() -> None:
    start = time.perf_counter()
    lint_files({**REANA_REPO, "specs/workflow.yml": BOMB}, RULE)
    assert time.perf_counter() - start < 10.0  # no expansion (that takes hours), not a benchmark
