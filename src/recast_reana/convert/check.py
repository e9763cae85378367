"""`recast-reana check`: lint the sources and, on a recast-atlas layout, their REANA conversion.

The conversion is made in memory from the same model and linted as REANA will see it. Its errors
and warnings that the sources do not already show are reported where they come from, through the
conversion's exact source map, so a check of main says whether the generated reana branch will
work. (It lives in convert/, not lint/, because it converts: lint/ never imports convert/.)
"""

from __future__ import annotations

from recast_reana.lint.diagnostics import Diagnostic, Severity, finalize
from recast_reana.lint.linter import lint, select
from recast_reana.model.project import Project
from recast_reana.named_tuple import NamedTuple
from recast_reana.type_names import TYPE_CHECKING

if TYPE_CHECKING:
    from recast_reana.convert.conversion import Conversion

PREFIX = "after conversion to REANA: "


class Report(NamedTuple):
    diagnostics: list[Diagnostic]
    conversion: Conversion | None = None  # made for a recast-atlas layout


def check(project: Project, example: str = "default") -> list[Diagnostic]:
    """Every finding on the sources and, for a recast-atlas layout, on their conversion."""
    return check_and_convert(project, example).diagnostics


def check_and_convert(project: Project, example: str = "default") -> Report:
    """`check`, keeping the conversion it made (`run` and `sync-branch` send that one)."""
    found = lint(project)
    if project.mode != "recast" or project.workflow is None:
        return Report(found)
    # Only errors and warnings of the sources hide a finding of the conversion at the same place;
    # an info there (the conversion will fix it) gives way to the error when it did not.
    known = {(d.rule, d.path, d.line) for d in found if d.severity is not Severity.INFO}
    # Imported here: a REANA repository (the reana branch) is checked without the converter.
    from recast_reana.convert.conversion import convert

    conversion = convert(project, example)
    if conversion.problems or conversion.project is None:
        extra = [
            d for d in select(project, conversion.problems) if (d.rule, d.path, d.line) not in known
        ]
        return Report(_merge(found, extra), conversion)
    extra = [d for d in findings(conversion) if (d.rule, d.path, d.line) not in known]
    return Report(_merge(found, extra), conversion)


def findings(conversion: Conversion) -> list[Diagnostic]:
    """The errors and warnings of the converted tree, where they come from in the sources.

    REANA never reads recast.yml, and the conversion never changes it: what the sources' lint
    says about it stands (a result of a dropped stage is no REANA problem).
    """
    assert conversion.project is not None
    recast = conversion.source.recast
    unread = recast.file if recast else None
    mapped: dict[tuple[str, str, int], Diagnostic] = {}
    for d in lint(conversion.project):
        if d.severity not in (Severity.ERROR, Severity.WARNING) or d.path == unread:
            continue
        at = conversion.source_map.locate(d.path, d.line, d.col, d.end_col)
        moved = d.with_(
            path=at.path, line=at.line, col=at.col, end_col=at.end_col, message=PREFIX + d.message
        )
        mapped.setdefault((d.rule, at.path, at.line), moved)
    return list(mapped.values())


def _merge(found: list[Diagnostic], extra: list[Diagnostic]) -> list[Diagnostic]:
    """`found` and `extra`, less the infos of `found` that a finding of `extra` replaces."""
    replaced = {(d.rule, d.path, d.line) for d in extra}
    kept = [
        d
        for d in found
        if d.severity is not Severity.INFO or (d.rule, d.path, d.line) not in replaced
    ]
    return finalize([*kept, *extra])
