"""A dependency or a selector names a stage that does not exist in its workflow, or a dependency
selects the steps of a stage instead of the stage.

Applies to: yadage workflows.

## What it does
Checks every name in a stage's `dependencies` and every parameter selector
(`{step: S, output: X}` or the old `{stages: S, output: X, unwrap: true}`) against the stages of
the same workflow scope: the stage list it is written in, plus `init`. A nested sub-workflow is its
own scope: its stages see their siblings and their own `init`, not the parent's stages.
A dependency must name the stage itself (`scan`): one written `scan[*]` or `scan[0]` selects the
stage's steps.

## Why is this bad?
yadage waits for a dependency that never appears: the stage is never scheduled, and the workflow
still finishes and reports success, without the stage and everything after it. A selector on a
missing stage finds no step: the stage fails or gets an empty value. A dependency `scan[*]`
stops the whole run as soon as stage `scan` is scheduled: yadage's `jsonpath_ready` predicate
(`handlers/predicate_handlers.py`) reads the first match as a stage's list of steps and fails
with `KeyError: 0` on a step. REANA's validator checks none of this.

## Example
```yaml
stages:
- name: fit
  dependencies: [init, slect]
  scheduler:
    scheduler_type: singlestep-stage
    parameters:
      signal: {step: slect, output: selected}
- name: plot
  dependencies: ['fit[*]']
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
- name: plot
  dependencies: [fit]
```

## Fix
Correct the stage name (the message suggests the closest existing one), or add the missing stage.
Write a dependency on the steps of a stage as the stage's name: `fit`, not `fit[*]`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at, suggest
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.graph_queries import INIT, checked_stage, scopes, selector_pos
from recast_reana.model.project import Project
from recast_reana.type_names import Any

ID = "RR301"
NAME = "unknown-stage"
SEVERITY = Severity.ERROR

# `scan[*]`, `scan[0]`, `scan [*]`: an index into the stage's list of steps.
_STEPS_OF = re.compile(r"[A-Za-z0-9_\-]+\s*\[.*\]\s*")


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
                elif _STEPS_OF.fullmatch(dep.expression):
                    yield at(
                        ID,
                        dep.file,
                        dep.pos,
                        f"stage '{stage.name}' depends on '{dep.expression}', the steps of stage "
                        f"'{dep.name}' instead of the stage: yadage stops with KeyError: 0 as soon "
                        f"as '{dep.name}' is scheduled; write '{dep.name}'",
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
