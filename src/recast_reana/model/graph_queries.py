"""Questions several rules ask of the stage graph: scopes, names, selectors, components.

Shared by the stage-graph rules (RR301-RR308), so that no rule imports another.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from math import prod

from recast_reana.model.positioned_yaml import Pos, value_at
from recast_reana.model.project import Project
from recast_reana.model.stage_graph import Selector, Stage, Workflow
from recast_reana.type_names import Any

INIT = "init"
# A plain stage name, as the graph model reads it from the start of a jsonpath expression.
STAGE_NAME = re.compile(r"[A-Za-z0-9_\-]+")
_INDEXED = re.compile(r"([A-Za-z0-9_\-]+)\[[0-9]+\]")


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


def indexed_output(selector: Selector) -> str | None:
    """`x` when the selector reads `x[<n>]`, an index into output x; else None."""
    m = _INDEXED.fullmatch(selector.output or "")
    return m.group(1) if m else None


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


def _scatter_length(value: Any, init: Mapping[str, Any]) -> int | None:
    """How many values a scattered parameter holds for one parameter set; None when unknown.

    yadage `expression_handlers.py`: `{step: init, output: x}` is init's `x`; the old
    `{stages: init, output: x}` is the list of each step's `x`, flattened or unwrapped on request.
    """
    if isinstance(value, list):
        return len(value)
    if not isinstance(value, dict) or not isinstance(value.get("output"), str):
        return None
    output = value["output"]
    if not STAGE_NAME.fullmatch(output) or output not in init:
        return None
    given = init[output]
    if value.get("step") == INIT:
        return len(given) if isinstance(given, list) else None
    if value.get("stages", value.get("steps")) != INIT:
        return None
    if value.get("flatten") is True or value.get("unwrap") is True:
        return len(given) if isinstance(given, list) else None
    return 1  # [x]: one value, whatever x is


def step_count(project: Project, stage: Stage) -> tuple[int, str] | None:
    """The fewest steps the multistep stage makes with a parameter set, and that set's name;
    None when the parameters do not tell. An output must be there whichever set runs."""
    if stage.scheduler_type != "multistep-stage" or not stage.scatter:
        return None
    counts: list[tuple[int, str]] = []
    for pset in project.parameter_sets:
        if not pset.values:
            continue
        lengths = [_scatter_length(stage.parameters.get(key), pset.values) for key in stage.scatter]
        known = [n for n in lengths if n is not None]
        if len(known) != len(lengths):
            return None
        if stage.scatter_method == "zip":
            counts.append((min(known), pset.name))
        elif stage.scatter_method == "cartesian":
            counts.append((prod(known), pset.name))
        else:
            return None
    return min(counts, key=lambda c: c[0]) if counts else None


def components(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan, iterative: deep chains must not hit recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(component)
    return found
