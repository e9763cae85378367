"""Runs the rules on a project and applies everything rules must not know about.

Rule selection, severity overrides, the recast-atlas downgrade of convertible findings, inline
`# recast-reana: disable=...` comments and path excludes all live here (as in yamllint's linter.py).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator, Mapping

from recast_reana.lint.contract import (
    Rule,
    default_options,
    new_suggestion_budget,
    options_schema,
)
from recast_reana.lint.diagnostics import SECRET_RULES, Diagnostic, Severity, finalize, secret_masks
from recast_reana.lint.registry import RULES
from recast_reana.model.config import RuleOptions
from recast_reana.model.patterns import LazyPattern
from recast_reana.model.project import Project

# flake8's noqa approach: a regex over raw lines, so it works in YAML, shell and any text.
_DISABLE = LazyPattern(
    r"#\s*recast-reana:\s*disable(?P<file>-file)?(?:\s*=\s*(?P<codes>RR\d+(?:\s*,\s*RR\d+)*))?",
)
CONVERT_HINT = "; `recast-reana convert` fixes this for REANA"


def lint(project: Project, rules: Mapping[str, Rule] | None = None) -> list[Diagnostic]:
    """All diagnostics for `project`, filtered, with final severities, sorted and deduplicated."""
    new_suggestion_budget()
    config = project.config
    out: list[Diagnostic] = []
    table = rules if rules is not None else RULES
    for rule_id in table:
        if not config.enabled(rule_id):
            continue  # before the lookup: a rule not selected is not even imported
        rule = table[rule_id]
        options = default_options(rule) | dict(config.options.get(rule_id, {}))
        convertible = getattr(rule, "CONVERTIBLE", False) and project.mode == "recast"
        for d in rule.check(project, options):
            severity = d.severity or rule.SEVERITY
            # One line per finding, whatever a quoted value held (flake8/actionlint do the same).
            message = d.message.replace("\r", "\\r").replace("\n", "\\n")
            if convertible and severity is not Severity.INFO:
                severity, message = Severity.INFO, message + CONVERT_HINT
            if rule_id in config.severity:
                severity = Severity(config.severity[rule_id])
            out.append(d.with_(name=rule.NAME, severity=severity, message=message))
    return finalize(_suppressed(out, project.texts, config.exclude))


def rule_options(rules: Mapping[str, Rule] | None = None) -> Mapping[str, RuleOptions]:
    """What `load_config(..., rules=...)` checks `options:` against: each rule's options schema.

    Made on demand: without a configuration file nothing reads it, and no rule is imported.
    """
    return _RuleOptions(rules if rules is not None else RULES)


class _RuleOptions(Mapping[str, RuleOptions]):
    def __init__(self, rules: Mapping[str, Rule]) -> None:
        self._rules = rules

    def __getitem__(self, rule_id: str) -> RuleOptions:
        rule = self._rules[rule_id]
        return RuleOptions(rule.NAME, options_schema(rule))

    def __iter__(self) -> Iterator[str]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._rules


def select(project: Project, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Findings made outside the rules (the conversion's refusals), filtered as `lint` filters."""
    config = project.config
    kept = [
        d.with_(severity=Severity(config.severity[d.rule])) if d.rule in config.severity else d
        for d in diagnostics
        if config.enabled(d.rule)
    ]
    return finalize(_suppressed(kept, project.texts, config.exclude))


def _suppressed(
    diagnostics: Iterable[Diagnostic], texts: Mapping[str, str], exclude: Iterable[str]
) -> list[Diagnostic]:
    patterns = list(exclude)
    cache: dict[str, tuple[bool, dict[int, set[str] | None]]] = {}
    kept = []
    for d in diagnostics:
        if any(fnmatch.fnmatch(d.path, p) for p in patterns):
            continue
        if d.path not in cache:
            cache[d.path] = _directives(texts.get(d.path, ""))
        whole_file, lines = cache[d.path]
        if whole_file or any(_covers(lines.get(n, set()), d.rule) for n in (d.line, d.line - 1)):
            continue
        kept.append(d)
    return kept


def _covers(codes: set[str] | None, rule: str) -> bool:
    return codes is None or rule in codes


def _directives(text: str) -> tuple[bool, dict[int, set[str] | None]]:
    """(disable-file present, {line: codes disabled there, None = all})."""
    lines: dict[int, set[str] | None] = {}
    if "recast-reana:" not in text:
        return False, lines
    for n, line in enumerate(text.splitlines(), start=1):
        m = _DISABLE.search(line)
        if not m:
            continue
        if m.group("file"):
            return True, {}
        codes = m.group("codes")
        lines[n] = {c.strip() for c in codes.split(",")} if codes else None
    return False, lines


def secret_spans(project: Project) -> dict[str, list[tuple[int, int, int]]]:
    """Where secrets are written, whatever rules the configuration selects or comments disable:
    every snippet of every rule masks them (`format_text(..., masks=...)`)."""
    found = [d for rule_id in sorted(SECRET_RULES) for d in RULES[rule_id].check(project, {})]
    return secret_masks(found)
