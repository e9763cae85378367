"""`recast-reana check`: lint the sources and, on a recast-atlas layout, the REANA conversion too.

The conversion is made in memory and linted as REANA will see it. Its errors and warnings that the
sources do not already show are reported at the source line they come from, so a check of main says
whether the generated reana branch will work.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from recast_reana.lint.diagnostics import Diagnostic, Severity, finalize
from recast_reana.lint.linter import lint, select
from recast_reana.model.positioned_yaml import Path
from recast_reana.model.project import Project, from_files

PREFIX = "after conversion to REANA: "


def check(project: Project) -> list[Diagnostic]:
    found = lint(project)
    if project.mode != "recast" or project.workflow is None:
        return found
    from recast_reana.convert.conversion import ConversionError, convert

    sources = {path: src.raw for path, src in project.files.items()}
    config_text = project.other_files.get(project.config.path or "")
    if project.config.path and config_text is not None:  # drop_stages typos point into it
        sources[project.config.path] = config_text.encode("utf-8")
    # Only errors and warnings of the sources hide a finding of the conversion at the same place;
    # an info there (the conversion will fix it) gives way to the error when it did not.
    known = {(d.rule, d.path, d.line) for d in found if d.severity is not Severity.INFO}
    try:
        conversion = convert(sources, project.config)
    except ConversionError as exc:
        extra = [
            d for d in select(project, exc.diagnostics) if (d.rule, d.path, d.line) not in known
        ]
        return _merge(found, extra)
    config = replace(project.config, layout="reana")
    converted = from_files(conversion.files, config, yaml_paths=sorted(conversion.files))
    # REANA never reads recast.yml, and the conversion never changes it: what the sources' lint
    # says about it stands (a result of a dropped stage is no REANA problem).
    unread = project.recast.file if project.recast else None
    extra = []
    for d in lint(converted):
        if d.severity not in (Severity.ERROR, Severity.WARNING) or d.path == unread:
            continue
        path, line, col = _source_position(project, converted, d)
        if (d.rule, path, line) not in known:
            extra.append(
                d.with_(path=path, line=line, col=col, end_col=0, message=PREFIX + d.message)
            )
            known.add((d.rule, path, line))
    return _merge(found, extra)


def _merge(found: list[Diagnostic], extra: list[Diagnostic]) -> list[Diagnostic]:
    """`found` and `extra`, less the infos of `found` that a finding of `extra` replaces."""
    replaced = {(d.rule, d.path, d.line) for d in extra}
    kept = [
        d
        for d in found
        if d.severity is not Severity.INFO or (d.rule, d.path, d.line) not in replaced
    ]
    return finalize([*kept, *extra])


def _source_position(project: Project, converted: Project, d: Diagnostic) -> tuple[str, int, int]:
    """Where a finding in the converted tree comes from in the sources."""
    source = project.files.get(d.path)
    if source is not None and source.text is not None:
        new = converted.files[d.path]
        if new.text == source.text:
            return d.path, d.line, d.col
        line = _map_line(source.text.splitlines(), (new.text or "").splitlines(), d.line)
        return d.path, line, d.col if line == d.line else 1
    if project.recast is not None and d.path in (converted.reana.file if converted.reana else "",):
        return _from_generated_reana(project, converted, d)
    return d.path, d.line, d.col


def _map_line(old: list[str], new: list[str], line: int) -> int:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, _i2, j1, j2 in matcher.get_opcodes():
        if j1 <= line - 1 < j2:
            return i1 + (line - 1 - j1) + 1 if tag == "equal" else i1 + 1
    return max(1, min(line, len(old)))


def _from_generated_reana(
    project: Project, converted: Project, d: Diagnostic
) -> tuple[str, int, int]:
    """Generated reana.yaml keys -> the recast.yml keys they were made from."""
    assert project.recast is not None
    recast = project.files[project.recast.file]
    generated = converted.files[d.path]
    path = _path_at(generated.doc.positions if generated.doc else {}, d.line, d.col)
    target: Path = ()
    if path[:2] == ("inputs", "parameters") and len(path) > 2:
        target = _example_path(project, str(path[2]))
    elif path[:2] == ("outputs", "files") and len(path) > 2 and isinstance(path[2], int):
        target = _result_path(recast.data, generated.data, path[2])
    if not target and path[:2] == ("outputs", "files") and project.config.path:
        # Not from recast.yml results: from `convert: {outputs: [...]}` in the configuration.
        found = _config_line(project, generated.data, path)
        if found:
            return project.config.path, found, 1
    pos = recast.key_pos(target) if target else recast.pos(())
    return recast.path, pos.line, pos.col


def _config_line(project: Project, generated: Any, path: Path) -> int:
    try:
        value = str(generated["outputs"]["files"][path[2]])
    except (KeyError, IndexError, TypeError):
        return 0
    text = project.other_files.get(project.config.path or "") or ""
    return next((n for n, line in enumerate(text.splitlines(), 1) if value in line), 0)


def _path_at(positions: Mapping[Path, Any], line: int, col: int) -> Path:
    best: Path = ()
    for path, pos in positions.items():
        if (pos.line, pos.col) <= (line, col) <= (pos.end_line, pos.end_col) and len(path) > len(
            best
        ):
            best = path
    return best


def _example_path(project: Project, key: str) -> Path:
    for ps in project.parameter_sets:
        if ps.file == (project.recast.file if project.recast else None) and key in ps.values:
            return (*ps.path, key)
    return ()


def _result_path(recast: Any, generated: Any, index: int) -> Path:
    try:
        relpath = generated["outputs"]["files"][index]
        for i, result in enumerate(recast["results"]):
            if isinstance(result, dict) and result.get("relpath") == relpath:
                return ("results", i, "relpath")
    except (KeyError, IndexError, TypeError):
        pass
    return ()
