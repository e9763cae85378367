"""Stages whose dependencies form a cycle.

Applies to: yadage workflows.

## What it does
Finds cycles among the `dependencies` of the stages of each workflow scope (a stage depending on
itself included) and reports each cycle once, at the first stage of it in the file, with the path
round the cycle. Only `dependencies` are edges: yadage schedules a stage when its dependency
expressions are done (yadage `handlers/predicate_handlers.py`, jsonpath_ready); parameter
selectors do not make it wait (RR303 reports a selector on a stage not depended on).

## Why is this bad?
Every stage of the cycle waits for another one that never runs. yadage schedules none of them,
nor anything after them, and still finishes the workflow as a success.

## Example
```yaml
- name: select
  dependencies: [init, fit]
- name: fit
  dependencies: [init, select]
```

## Use instead
```yaml
- name: select
  dependencies: [init]
- name: fit
  dependencies: [init, select]
```

## Fix
Remove the dependency that points backwards (usually the one the message marks).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.graph_queries import components, scopes
from recast_reana.model.project import Project
from recast_reana.model.stage_graph import Dependency, Workflow
from recast_reana.type_names import Any

ID = "RR308"
NAME = "dependency-cycle"
SEVERITY = Severity.ERROR


def _edges(workflow: Workflow) -> dict[str, dict[str, Dependency]]:
    """stage -> {stage it depends on: the first dependency entry saying so}, within the scope."""
    names = {s.name for s in workflow.stages if s.name}
    edges: dict[str, dict[str, Dependency]] = {n: {} for n in names}
    for stage in workflow.stages:
        for dep in stage.dependencies:
            if stage.name in edges and dep.name in names:
                edges[stage.name].setdefault(dep.name, dep)
    return edges


def _cycle(start: str, members: set[str], edges: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """A shortest path start -> ... -> start inside one component (breadth-first)."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in edges[node]:
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if nxt in members and nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    return [start, start]  # not reached: every member of a component is on a cycle


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for workflow in scopes(project):
        edges = _edges(workflow)
        order = {s.name: i for i, s in reversed(list(enumerate(workflow.stages)))}
        for component in components(edges):
            members = set(component)
            if len(component) == 1 and component[0] not in edges[component[0]]:
                continue
            start = min(component, key=order.__getitem__)
            path = _cycle(start, members, edges)
            dep = edges[start][path[1]]
            others = sorted(members - set(path), key=order.__getitem__)
            also = f" (also caught in it: {', '.join(others)})" if others else ""
            chain = ", which depends on ".join(f"'{n}'" for n in path[1:])
            yield at(
                ID,
                dep.file,
                dep.pos,
                f"dependency cycle: '{start}' depends on {chain}{also}; yadage runs none of "
                "these stages and still reports success; remove one of the dependencies",
            )
