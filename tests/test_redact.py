"""Secrets are masked in every text, and a short one does not mangle the words around it."""

from __future__ import annotations

import pytest

from recast_reana.redact import Redactor


@pytest.mark.parametrize(
    ("secret", "text", "shown"),
    [
        ("dev", "develop the dev branch with dev", "develop the *** branch with ***"),
        ("ci", "a CI job, a ci token, circle", "a CI job, a *** token, circle"),
        ("tok3n", "https://h/api?access_token=tok3n&x=1", "https://h/api?access_token=***&x=1"),
        ("glpat-0123456789abcdefghij", "xglpat-0123456789abcdefghijx", "x***x"),
        ("pa ss/w+d", "pa%20ss%2Fw%2Bd and pa+ss%2Fw%2Bd", "*** and ***"),
    ],
)
def test_redaction(secret: str, text: str, shown: str) -> None:
    assert Redactor(secret)(text) == shown
