"""Every rule is documented, has failing and passing example tests, and docs/rules.md is current.

Like actionlint's scripts/check-checks and pre-commit-hooks' tests/readme_test.py.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from recast_reana.lint.registry import RULES
from recast_reana.lint.rule_docs import missing_sections, render

ROOT = Path(__file__).resolve().parents[1]
ISSUE_RULES = [
    *("RR001", "RR002", "RR003", "RR004", "RR101", "RR102", "RR103", "RR201", "RR202", "RR203"),
    *("RR204", "RR301", "RR302", "RR303", "RR304", "RR305", "RR306", "RR307", "RR308", "RR401"),
    *("RR402", "RR403", "RR404", "RR405", "RR406", "RR407", "RR408", "RR409", "RR410", "RR501"),
    "RR502",
]


@pytest.mark.parametrize("rule_id", ISSUE_RULES)
def test_rule_exists(rule_id: str) -> None:
    assert rule_id in RULES


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_is_documented(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert missing_sections(rule) == []
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.NAME)
    assert "```yaml" in (rule.__doc__ or ""), "the Example section needs a YAML block"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_has_pass_and_fail_examples(rule_id: str) -> None:
    module_name = RULES[rule_id].__name__.rsplit(".", 1)[1]
    path = ROOT / "tests" / "rules" / f"test_{module_name}.py"
    assert path.is_file(), f"{rule_id} needs {path.relative_to(ROOT)}"
    tests = importlib.import_module(f"rules.test_{module_name}")
    assert len(tests.PASS) >= 1 and len(tests.FAIL) >= 1
    assert hasattr(tests, "test_pass") and hasattr(tests, "test_fail")


def test_docs_rules_md_is_generated_from_docstrings() -> None:
    current = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == render(RULES), "regenerate: recast-reana rules --markdown > docs/rules.md"
