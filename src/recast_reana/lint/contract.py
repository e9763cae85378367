"""The lint contract: what a rule module provides, and how it makes a diagnostic.

A rule imports the model and this module, never another rule (yamllint's `rules/`, pre-commit's
`lang_base.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.positioned_yaml import Pos
from recast_reana.model.project import Project
from recast_reana.model.text_edits import Edit, ListEdit
from recast_reana.named_tuple import NamedTuple
from recast_reana.type_names import Any, Protocol


class Option(NamedTuple):
    """One option of a rule: its default and the JSON schema a configured value must satisfy.

    The rule's docstring documents it, in an ``## Options`` section naming it (`- `name`: ...`).
    """

    default: Any
    schema: Mapping[str, Any]


class Rule(Protocol):
    """What a rule module provides (like yamllint's rules and pre-commit's languages).

    Optional module attributes: ``OPTIONS``, a mapping of option name -> `Option` (what
    `options.<ID>` in `.recast-reana.yaml` may hold, each with its default; a rule without it
    takes no options), and ``CONVERTIBLE = True`` for REANA-only problems that
    ``recast-reana convert`` fixes, which the linter reports as info on a recast-atlas layout.
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


def declared_options(rule: Rule) -> Mapping[str, Option]:
    """The rule's `OPTIONS` (none for most rules)."""
    options: Mapping[str, Option] = getattr(rule, "OPTIONS", {})
    return options


def default_options(rule: Rule) -> dict[str, Any]:
    """Option name -> default: what `check` receives when nothing is configured."""
    return {name: option.default for name, option in declared_options(rule).items()}


def options_schema(rule: Rule) -> dict[str, Any]:
    """The JSON schema of the rule's `options.<ID>` mapping: its options and nothing else."""
    properties = {name: option.schema for name, option in declared_options(rule).items()}
    return {"type": "object", "properties": properties, "additionalProperties": False}


def at(
    rule_id: str, file: str, pos: Pos, message: str, severity: Severity | None = None
) -> Diagnostic:
    """A diagnostic of `rule_id` marking `pos` (the mark covers the span's first line)."""
    end_col = pos.end_col if pos.end_line == pos.line else 0
    return Diagnostic(file, pos.line, pos.col, rule_id, message, severity=severity, end_col=end_col)


# How many candidate comparisons one lint may spend on suggestions: a did-you-mean costs one
# comparison per candidate, and 10,000 findings among 10,000 names would otherwise take minutes.
SUGGESTION_BUDGET = 200_000
_spent = [0]


def new_suggestion_budget() -> None:
    """Called by the linter at the start of each lint."""
    _spent[0] = 0


def suggest(name: str, candidates: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest candidate, else an empty string (also once the
    lint has spent `SUGGESTION_BUDGET` comparisons: findings matter more than hints)."""
    pool = candidates if isinstance(candidates, (set, frozenset)) else set(candidates)
    _spent[0] += len(pool)
    if _spent[0] > SUGGESTION_BUDGET:
        return ""
    import difflib  # only when a rule has a finding to suggest for

    close = difflib.get_close_matches(name, sorted(pool), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
