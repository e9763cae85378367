"""A `{x}` in a step's script or publisher that a stage running the step does not pass.

Applies to: yadage workflows.

## What it does
packtivity fills a step's script (`interpolated-script-cmd`) or command (`string-interpolated-cmd`)
with `str.format(**parameters)`, the stage's parameters and nothing else; an `interpolated-pub`
publisher gets the parameters plus `workdir`. This rule checks every `{x}` of every step against
the parameters of each stage that runs the step, comment lines included: the whole script is
formatted. It also reports strings `str.format` rejects outright, such as a lone `}` or `{`.

## Why is this bad?
The step fails with a `KeyError` (or `ValueError`) when it starts, after every stage before it has
run. Shell syntax such as `${HOME}` or `awk '{print $1}'` trips over the same rule.

## Example
```yaml
fit:
  process:
    process_type: interpolated-script-cmd
    script: |
      # writes {outdir}/limit.png
      fit --lumi {lumi} --out ${HOME}/limit.png
```

## Use instead
```yaml
fit:
  process:
    process_type: interpolated-script-cmd
    script: |
      # writes {{outdir}}/limit.png
      fit --lumi {lumi} --out ${{HOME}}/limit.png
```

## Fix
Pass the name as a stage parameter, or double the braces (`{{`, `}}`) of text meant literally.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet

from recast_reana.lint.contract import at, suggest
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.graph_queries import parameters_readable
from recast_reana.model.positioned_yaml import Pos
from recast_reana.model.project import Project
from recast_reana.model.source_file import SourceFile
from recast_reana.model.stage_graph import Placeholder, Stage, Step, format_fields
from recast_reana.type_names import Any

ID = "RR306"
NAME = "undefined-placeholder"
SEVERITY = Severity.ERROR

# Which process field each process type formats with the parameters (packtivity
# `packtivity/handlers/process_handlers.py`: stringinterp_handler formats `cmd`, interp_script
# formats `script`, both with `**parameters` only).
_FORMATTED = {("string-interpolated-cmd", "cmd"), ("interpolated-script-cmd", "script")}
# interpolated-pub formats each published string with `workdir=<the step's work directory>` plus
# the parameters (packtivity `packtivity/handlers/publisher_handlers.py`, interpolated_pub_handler).
_PUBLISHER_EXTRA = frozenset({"workdir"})


def _formatted(step: Step, where: str, key: Any) -> bool:
    if where == "publisher":
        return step.publisher_type == "interpolated-pub"
    return (step.process_type, key) in _FORMATTED


def _section(step: Step, path: tuple[Any, ...]) -> tuple[str, Any]:
    """("process", "script"|"cmd") or ("publisher", ...) for a path inside `step`."""
    rest = path[len(step.path) :]
    if len(rest) >= 2 and rest[0] == "process":
        return "process", rest[1]
    return ("publisher", None) if rest[:1] == ("publisher",) else ("", None)


def _stages_by_step(project: Project) -> dict[int, list[Stage]]:
    runs: dict[int, list[Stage]] = {}
    for stage in project.stages:
        if not parameters_readable(project, stage):
            continue  # a jq-stage or malformed stage: which names it passes is unknown
        for step in stage.steps:
            runs.setdefault(id(step), []).append(stage)
    return runs


def _step_name(step: Step) -> str:
    return step.name


def _hint(src: SourceFile | None, ph: Placeholder, pos: Pos, available: AbstractSet[str]) -> str:
    if ph.name == "" or ph.name.isdigit():
        return "; packtivity passes parameters by name only: name it, or write '{{' and '}}'"
    hints = []
    if src is not None and src.text is not None:
        start = src.offset(pos.line, pos.col)
        if start > 0 and src.text[start - 1] == "$":
            return f"; for a shell variable write '${{{{{ph.field}}}}}'"
        line = src.lines[pos.line - 1] if pos.line <= len(src.lines) else ""
        if line.lstrip().startswith("#"):
            hints.append("it is in a comment, but packtivity formats comments too")
    if ph.name == "workdir" and ph.where == "process":
        hints.append("'{workdir}' exists only in publishers: pass e.g. `outdir: '{workdir}'`")
    hint = suggest(ph.name, available)
    hints.append("add it to the stage's parameters or write '{{' and '}}' for literal braces")
    return hint + "; " + "; ".join(hints)


def _locate(src: SourceFile | None, span: Pos, field: str | None, default: Pos) -> Pos:
    """Where the first field `field` (None: the lone brace) of the string at `span` is written.

    Scanning the source text (a YAML block scalar keeps the braces of its value) gives the exact
    place, also for `{}` and for a field that is a prefix of an earlier one.
    """
    if src is None or src.text is None:
        return default
    start = src.offset(span.line, span.col)
    text = src.text[start : src.offset(span.end_line, span.end_col)]
    for offset, name in format_fields(text):
        if name == field:
            line, col = src.line_col(start + offset)
            width = 1 if field is None else len(field) + 2
            return Pos(line, col, line, col + width)
    return default


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    runs = _stages_by_step(project)
    for step in project.steps:
        stages = runs.get(id(step), [])
        for problem in step.format_problems:
            where, key = _section(step, problem.path)
            if _formatted(step, where, key):
                yield at(
                    ID,
                    problem.file,
                    _locate(project.files.get(problem.file), problem.pos, None, problem.pos),
                    f"step '{_step_name(step)}': packtivity's str.format fails on this "
                    f"{'publisher value' if where == 'publisher' else key}: {problem.message}; "
                    "write '{{' and '}}' for literal braces",
                )
        if not stages:
            continue
        reported: set[tuple[str, str]] = set()
        offered: dict[tuple[int, str], frozenset[str]] = {}  # (stage, where) -> names, once
        for ph in step.placeholders:
            where, key = _section(step, ph.path)
            if (ph.name, ph.where) in reported or not _formatted(step, where, key):
                continue
            extra = _PUBLISHER_EXTRA if ph.where == "publisher" else frozenset()
            lacking = [s for s in stages if ph.name not in s.parameters and ph.name not in extra]
            if not lacking:
                continue
            reported.add((ph.name, ph.where))
            names = ", ".join(dict.fromkeys(f"'{s.name}'" for s in lacking))
            key = (id(lacking[0]), ph.where)
            if key not in offered:
                offered[key] = frozenset(lacking[0].parameters) | extra
            available = offered[key]
            src = project.files.get(ph.file)
            pos = ph.pos  # the model located each field in one pass over the source
            yield at(
                ID,
                ph.file,
                pos,
                f"'{{{ph.field}}}' in step '{_step_name(step)}' is not a parameter of stage"
                f"{'s' if len(lacking) > 1 else ''} {names}"
                f"{_hint(src, ph, pos, available)}",
            )
