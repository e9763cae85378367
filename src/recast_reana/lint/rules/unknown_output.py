"""A selector reads an output that the producing stage's step does not publish.

Applies to: yadage workflows.

## What it does
For each parameter selector `{step: S, output: X}` (or `{stages: S, output: X}`), looks up the
step that stage `S` runs and checks that its publisher publishes `X`. Only publishers whose output
names are known without running the step are checked (`interpolated-pub`, `constant-pub`,
`frompar-pub`, `fromglob-pub`). In a nested sub-workflow, `init` publishes the parameters of the
parent stage. Selectors on the top workflow's `init` read the run's parameters: RR304 checks those.
An index into an output (`X[0]`) is an error when the output is one value: a string an
`interpolated-pub` publishes without `glob: true`, or a scalar of a `constant-pub`.

## Why is this bad?
yadage finds no match for the output in the step's result and the reading stage fails at run time,
after everything before it has already run (hours into a cluster run). An index into a single
value fails the same way, with a `TypeError` from jsonpath_rw (`object of type 'outputReference'
has no len()`).

## Example
```yaml
# steps.yml: select publishes `selected`
- name: fit
  dependencies: [init, select]
  scheduler:
    scheduler_type: singlestep-stage
    parameters:
      signal: {step: select, output: selectd}
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
Use one of the names the step publishes (the message lists them), or publish the output. Read a
single value by its name (`selected`, not `selected[0]`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at, suggest
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.graph_queries import (
    INIT,
    checked_stage,
    indexed_output,
    output_name,
    parameters_readable,
    scopes,
    selector_pos,
    stage_index,
)
from recast_reana.model.project import Project
from recast_reana.model.stage_graph import Stage, Workflow
from recast_reana.type_names import Any

ID = "RR302"
NAME = "unknown-output"
SEVERITY = Severity.ERROR


def _published(producers: list[Stage]) -> set[str] | None:
    """Every output the stages named so publish, or None when a run could publish more."""
    outputs: set[str] = set()
    for stage in producers:
        # A sub-workflow stage's "outputs" are values its scope registers: not known statically.
        if stage.subworkflows or not stage.steps:
            return None
        for step in stage.steps:  # `cases` may run any of several steps
            if step.outputs is None:
                return None
            outputs |= step.outputs
    return outputs


def _scalar(producers: list[Stage], output: str) -> bool:
    """Whether every step the stages run publishes `output` as one value, never a list."""
    steps = [step for stage in producers for step in stage.steps]
    return (
        bool(steps)
        and all(not stage.subworkflows for stage in producers)
        and all(output in step.scalar_outputs for step in steps)
    )


def _init_outputs(project: Project, workflow: Workflow) -> set[str] | None:
    # yadage starts a sub-workflow with an init step publishing the parent stage's (resolved)
    # parameters (yadage `scheduler_handlers.py`, step_or_stages -> init_stage_spec).
    parent = workflow.parent
    if parent is None or not parameters_readable(project, parent):
        return None
    return workflow.init_parameters


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for workflow in scopes(project):
        index = stage_index(workflow)
        init_outputs = _init_outputs(project, workflow)
        for stage in workflow.stages:
            for sel in stage.selectors:
                producer = checked_stage(sel)
                output = output_name(sel)
                if producer is None or output is None or sel.output is None:
                    continue
                if producer == INIT:
                    if workflow.parent is None:
                        continue  # the run's parameters: RR304
                    known = init_outputs
                    what = f"init (the parameters of stage '{workflow.parent.name}')"
                elif producer in index:
                    known = _published(index[producer])
                    what = f"stage '{producer}'"
                    base = indexed_output(sel)
                    if (
                        base is not None
                        and known is not None
                        and sel.output not in known
                        and _scalar(index[producer], base)
                    ):
                        yield at(
                            ID,
                            sel.file,
                            selector_pos(project, sel, "output"),
                            f"parameter '{sel.key}' of stage '{stage.name}' reads "
                            f"'{sel.output}', but output '{base}' of {what} is one value, not a "
                            f"list: yadage fails with TypeError selecting it; write '{base}'",
                        )
                        continue
                else:
                    continue  # RR301
                # yadage first tries the whole selection as a key, then as a jsonpath
                # (yadage `expression_handlers.py`, select_reference).
                if known is None or sel.output in known or output in known:
                    continue
                names = ", ".join(f"'{o}'" for o in sorted(known))
                offered = f"only {names}" if known else "nothing"
                yield at(
                    ID,
                    sel.file,
                    selector_pos(project, sel, "output"),
                    f"parameter '{sel.key}' of stage '{stage.name}' reads output '{output}' of "
                    f"{what}, which publishes {offered}{suggest(output, known)}",
                )
