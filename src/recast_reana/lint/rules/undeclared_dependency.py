"""A stage reads another stage's output without depending on it.

Applies to: yadage workflows.

## What it does
For each parameter selector, checks that the stage it reads (`init` included) is among the
reading stage's `dependencies`, directly or through other stages' dependencies, in the same
workflow scope.

## Why is this bad?
yadage schedules a stage as soon as its `dependencies` are done; selectors play no part in that
(yadage `predicate_handlers.py`, jsonpath_ready). A stage reading a stage it does not wait for runs
before that stage has a result: the selection fails, or a `stages:` selection silently yields an
empty list. Whether it works depends on timing, so a workflow that ran locally can fail on REANA.

## Example
```yaml
- name: fit
  dependencies: [init]
  scheduler:
    scheduler_type: singlestep-stage
    parameters:
      signal: {step: select, output: selected}
```

## Use instead
```yaml
- name: fit
  dependencies: [init, select]
  scheduler:
    scheduler_type: singlestep-stage
    parameters:
      signal: {step: select, output: selected}
```

## Fix
Add the stage read to the reader's `dependencies`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.graph_queries import INIT, checked_stage, components, scopes, selector_pos
from recast_reana.model.project import Project
from recast_reana.model.stage_graph import Workflow
from recast_reana.type_names import Any

ID = "RR303"
NAME = "undeclared-dependency"
SEVERITY = Severity.ERROR


class _Reach:
    """Which stages each stage waits for, directly or transitively, in one workflow scope.

    Computed once per scope, on the first question that needs more than the direct dependencies:
    strongly connected components come out dependencies first (Tarjan), so each stage's set is the
    union of its dependencies' sets, kept as an int bit set. Linear in the dependency entries (times
    stages/64 for the bit operations); cycles (RR308) put a whole component in each member's set.
    """

    def __init__(self, workflow: Workflow) -> None:
        self.deps: dict[str, set[str]] = {}
        for stage in workflow.stages:
            self.deps.setdefault(stage.name, set()).update(d.name for d in stage.dependencies)
        for names in list(self.deps.values()):
            for name in names:
                self.deps.setdefault(name, set())  # init, and names RR301 reports
        self.bit = {name: 1 << i for i, name in enumerate(self.deps)}
        self.memo: dict[str, int] | None = None

    def waits_for(self, stage: str, other: str) -> bool:
        if other in self.deps.get(stage, ()):
            return True
        if self.memo is None:
            self.memo = self._ancestors()
        return bool(self.memo.get(stage, 0) & self.bit.get(other, 0))

    def _ancestors(self) -> dict[str, int]:
        memo: dict[str, int] = {}
        for component in components(self.deps):
            members = set(component)
            mask = 0
            for name in component:
                for dep in self.deps[name]:
                    mask |= self.bit[dep] | (0 if dep in members else memo[dep])
            if len(component) > 1:
                mask |= sum(self.bit[n] for n in component)
            for name in component:
                memo[name] = mask
        return memo


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for workflow in scopes(project):
        names = {s.name for s in workflow.stages} | {INIT}
        reach = _Reach(workflow)
        for stage in workflow.stages:
            for sel in stage.selectors:
                producer = checked_stage(sel)
                if producer is None or producer not in names:
                    continue  # not a plain name, or RR301
                if producer == stage.name:
                    message = (
                        f"parameter '{sel.key}' of stage '{stage.name}' reads the stage's own "
                        "output, which exists only after the stage has run; read another stage"
                    )
                elif not reach.waits_for(stage.name, producer):
                    message = (
                        f"stage '{stage.name}' reads '{producer}' (parameter '{sel.key}') but "
                        f"does not depend on it; add '{producer}' to its dependencies, or yadage "
                        f"may run it before '{producer}' has a result"
                    )
                else:
                    continue
                yield at(ID, sel.file, selector_pos(project, sel), message)
