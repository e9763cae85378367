"""The lint contract: what a rule module provides, and how it makes a diagnostic.

A rule imports the model and this module, never another rule (yamllint's `rules/`, pre-commit's
`lang_base.py`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.positioned_yaml import Pos
from recast_reana.model.project import Project
from recast_reana.model.text_edits import Edit, ListEdit


class Rule(Protocol):
    """What a rule module provides (like yamllint's rules and pre-commit's languages).

    Optional module attributes: ``OPTIONS`` (defaults of the options `check` receives) and
    ``CONVERTIBLE = True`` for REANA-only problems that ``recast-reana convert`` fixes, which the
    linter reports as info on a recast-atlas layout.
    """

    ID: str
    NAME: str
    SEVERITY: Severity

    def check(self, project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]: ...


class FixableRule(Rule, Protocol):
    """A rule with an automatic fix, which `recast-reana convert` applies.

    `fix` returns text edits of the sources (never overlapping each other), or `ListEdit`s of a
    sequence several rules change; it reads the same model `check` reads.
    """

    def fix(self, project: Project, options: Mapping[str, Any]) -> Iterator[Edit | ListEdit]: ...


def at(
    rule_id: str, file: str, pos: Pos, message: str, severity: Severity | None = None
) -> Diagnostic:
    """A diagnostic of `rule_id` marking `pos` (the mark covers the span's first line)."""
    end_col = pos.end_col if pos.end_line == pos.line else 0
    return Diagnostic(file, pos.line, pos.col, rule_id, message, severity=severity, end_col=end_col)


def suggest(name: str, candidates: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest candidate, else an empty string."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
