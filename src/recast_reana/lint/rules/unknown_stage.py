"""A dependency or a selector names a stage that does not exist in its workflow.

## What it does
Checks every name in a stage's `dependencies` and every parameter selector
(`{step: S, output: X}` or the old `{stages: S, output: X, unwrap: true}`) against the stages of
the same workflow scope: the stage list it is written in, plus `init`. A nested sub-workflow is its
own scope: its stages see their siblings and their own `init`, not the parent's stages.

## Why is this bad?
yadage waits for a dependency that never appears: the stage is never scheduled, and the workflow
still finishes and reports success, without the stage and everything after it. A selector on a
missing stage finds no step: the stage fails or gets an empty value. REANA's validator checks
neither.

## Example
```yaml
stages:
- name: fit
  dependencies: [init, slect]
  scheduler:
    scheduler_type: singlestep-stage
    parameters:
      signal: {step: slect, output: selected}
```

## Use instead
```yaml
stages:
- name: fit
  dependencies: [init, select]
  scheduler:
    scheduler_type: singlestep-stage
    parameters:
      signal: {step: select, output: selected}
```

## Fix
Correct the stage name (the message suggests the closest existing one), or add the missing stage.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.lint.rule import at
from recast_reana.model.positioned_yaml import Path, Pos
from recast_reana.model.project import Project
from recast_reana.model.stage_graph import Selector, Stage, Workflow

ID = "RR301"
NAME = "unknown-stage"
SEVERITY = Severity.ERROR

INIT = "init"
# A plain stage name, as the graph model reads it from the start of a jsonpath expression.
STAGE_NAME = re.compile(r"[A-Za-z0-9_\-]+")


# Helpers shared by the stage-graph rules (RR301-RR308).


def scopes(project: Project) -> Iterator[Workflow]:
    """The top workflow and every nested sub-workflow: each has its own stage names and `init`."""
    if project.workflow is None:
        return
    yield project.workflow
    for stage in project.workflow.all_stages():
        yield from stage.subworkflows


def stage_index(workflow: Workflow) -> dict[str, list[Stage]]:
    """Stages of one scope by name (a repeated name keeps every stage, in order)."""
    index: dict[str, list[Stage]] = {}
    for stage in workflow.stages:
        if stage.name:
            index.setdefault(stage.name, []).append(stage)
    return index


def suggest(name: str, candidates: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest candidate, else an empty string."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def checked_stage(selector: Selector) -> str | None:
    """The stage a selector reads, or None when it is not a plain name (a jsonpath like `$..x`)."""
    name = selector.stage
    if not name or not selector.expression.startswith(name) or not STAGE_NAME.fullmatch(name):
        return None
    return name


def output_name(selector: Selector) -> str | None:
    """The output a selector reads: `x` for `x`, `x[0]` and `x.y`; None for the whole result."""
    if selector.output is None:
        return None
    m = STAGE_NAME.match(selector.output)
    return m.group(0) if m else None


def value_at(data: Any, path: Path) -> Any:
    """The value at `path` in loaded data, or None when it is not there."""
    for part in path:
        in_list = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if not in_list and not (isinstance(data, dict) and part in data):
            return None
        data = data[part]
    return data


def parameters_readable(project: Project, stage: Stage) -> bool:
    """Whether the stage's parameters are written out (a mapping or list), so names are known.

    A jq-stage computes them with a script, and a malformed stage has none to read: the rules then
    cannot tell which names a step gets.
    """
    src = project.files.get(stage.parameters_file)
    if src is None or not stage.parameters_path:
        return False
    return isinstance(value_at(src.data, stage.parameters_path), (dict, list))


def selector_pos(project: Project, selector: Selector, key: str | None = None) -> Pos:
    """Where the selector's stage expression (or its `key`, e.g. "output") is written."""
    src = project.files.get(selector.file)
    if src is None or src.doc is None:
        return selector.pos
    keys = (key,) if key else ("step",) if not selector.old_style else ("stages", "steps")
    for k in keys:
        value = value_at(src.data, (*selector.path, k))
        if isinstance(value, str):
            return src.pos((*selector.path, k))
    return selector.pos


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for workflow in scopes(project):
        names = {s.name for s in workflow.stages} | {INIT}
        scope = (
            f"the sub-workflow of stage '{workflow.parent.name}'"
            if workflow.parent
            else "the workflow"
        )
        for stage in workflow.stages:
            for dep in stage.dependencies:
                if dep.name not in names:
                    yield at(
                        ID,
                        dep.file,
                        dep.pos,
                        f"stage '{stage.name}' depends on '{dep.name}', which is not a stage of "
                        f"{scope}{suggest(dep.name, names)}; yadage never runs '{stage.name}' "
                        "and still reports success",
                    )
            for sel in stage.selectors:
                name = checked_stage(sel)
                if name is not None and name not in names:
                    yield at(
                        ID,
                        sel.file,
                        selector_pos(project, sel),
                        f"parameter '{sel.key}' of stage '{stage.name}' reads stage '{name}', "
                        f"which is not a stage of {scope}{suggest(name, names)}",
                    )
