"""SourceFile.lines is exactly `text.splitlines()`, whether a view or a list."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recast_reana.model.source_file import SourceFile

CASES = ["", "\n", "a", "a\n", "a\nb", "a\r\nb\r\n", "\n\n", "a\r\n", "x\ry\n", "a\x0cb\n"]
CASES += ["a\u2028b", "a\n\n", "\r\n", "é\nü\r\n€"]


def lines_of(text: str) -> list[str]:
    src = SourceFile.parse("f.txt", text.encode("utf-8"), yaml=False)
    lines = src.lines
    got = [lines[i] for i in range(len(lines))]
    assert list(lines) == got
    if got:
        assert lines[-1] == got[-1]
        assert lines[1:] == got[1:]
    with pytest.raises(IndexError):
        lines[len(lines)]
    return got


@pytest.mark.parametrize("text", CASES)
def test_cases(text: str) -> None:
    assert lines_of(text) == text.splitlines()


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(st.text(alphabet="ab \n\r\x0b\x85", max_size=30))
def test_any_text(text: str) -> None:
    assert lines_of(text) == text.splitlines()
