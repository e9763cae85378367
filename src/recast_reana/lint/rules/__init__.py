"""The rule registry: every module in this package is one rule (see `Rule`)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from types import ModuleType
from typing import Any, Protocol, runtime_checkable

from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.positioned_yaml import Pos
from recast_reana.model.project import Project


@runtime_checkable
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


def at(
    rule_id: str, file: str, pos: Pos, message: str, severity: Severity | None = None
) -> Diagnostic:
    """A diagnostic of `rule_id` marking `pos` (the mark covers the span's first line)."""
    end_col = pos.end_col if pos.end_line == pos.line else 0
    return Diagnostic(file, pos.line, pos.col, rule_id, message, severity=severity, end_col=end_col)


def _discover() -> dict[str, Rule]:
    registry: dict[str, Rule] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module: ModuleType = importlib.import_module(f"{__name__}.{info.name}")
        if not isinstance(module, Rule):
            raise TypeError(f"{module.__name__} is not a rule: it needs ID, NAME, SEVERITY, check")
        if module.ID in registry:
            raise TypeError(f"{module.__name__}: rule ID {module.ID} is used twice")
        registry[module.ID] = module
    return dict(sorted(registry.items()))


RULES: dict[str, Rule] = _discover()
