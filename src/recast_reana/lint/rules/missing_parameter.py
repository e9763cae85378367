"""The workflow reads an init parameter that a parameter set does not give.

Applies to: yadage workflows (parameters from the yadage reana file or recast.yml).

## What it does
Collects the init parameters the top workflow reads (selectors on `init` such as
`{step: init, output: xsec}`) and checks that every parameter set gives each of them: reana.yaml
`inputs.parameters` and the `initdata` of every recast.yml `example_inputs` entry.

When there are no parameters at all (reana.yaml without `inputs.parameters`, recast.yml without
`example_inputs`, or only empty ones), each top-level stage that depends on `init` or reads it is
a warning. An index into a parameter (`xsec[0]`) that a parameter set gives as one value, not a
list, is an error: jsonpath_rw fails with a `TypeError`.

## Why is this bad?
yadage finds no such key in the init step's result and the stage fails at run time, after the
stages before it have run. `reana-client validate` does not check this. Without any parameters
yadage creates no `init` stage at all (`yadage/wflowstate.py` adds it only for non-empty init
data): every stage waiting for `init` is never scheduled, and the workflow finishes "successfully"
without having run them.

## Example
```yaml
# workflow.yml reads {step: init, output: xsec}
inputs:
  parameters:
    dataset: root://eosuser.cern.ch//eos/user/a/analyst/data.root
```

## Use instead
```yaml
inputs:
  parameters:
    dataset: root://eosuser.cern.ch//eos/user/a/analyst/data.root
    xsec: 44.8
```

## Fix
Add the parameter to each parameter set named in the message (or correct the name the workflow
reads). Read a single value by its name: `xsec`, not `xsec[0]`.
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
    selector_pos,
)
from recast_reana.model.project import Project
from recast_reana.model.stage_graph import Selector
from recast_reana.type_names import Any

ID = "RR304"
NAME = "missing-parameter"
SEVERITY = Severity.ERROR


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    if project.workflow is None:
        return
    if not any(p.values for p in project.parameter_sets):
        yield from _without_parameters(project)
        return
    # On main, a reana.yaml only serves the conversion, which drops `convert.drop_stages`: what
    # only those stages read need not be in it.
    dropped = set(project.config.drop_stages) if project.mode == "recast" else set()
    reana_file = project.reana.file if project.reana else None
    for stage in project.workflow.stages:  # nested sub-workflows read their parent, not the run
        for sel in stage.selectors:
            param = output_name(sel)
            if checked_stage(sel) != INIT or param is None or sel.output is None:
                continue
            lacking = [
                p
                for p in project.parameter_sets
                if param not in p.values
                and sel.output not in p.values
                and not (stage.name in dropped and p.file == reana_file)
            ]
            if not lacking:
                yield from _index_into_value(project, stage.name, sel)
                continue
            given = {str(k) for p in lacking for k in p.values}
            sets = " and ".join(p.name for p in lacking)
            verb = "does" if len(lacking) == 1 else "do"
            yield at(
                ID,
                sel.file,
                selector_pos(project, sel, "output"),
                f"stage '{stage.name}' reads init parameter '{param}', which {sets} {verb} not "
                f"give{suggest(param, given)}; add it there",
            )


def _index_into_value(project: Project, stage: str, sel: Selector) -> Iterator[Diagnostic]:
    """`{step: init, output: 'xsec[0]'}` where a parameter set gives xsec as one value."""
    base = indexed_output(sel)
    if base is None or sel.output is None:
        return
    single = [
        p
        for p in project.parameter_sets
        if sel.output not in p.values and not isinstance(p.values.get(base), (list, dict))
    ]
    if not single:
        return
    value = single[0].values.get(base)
    # The kind, not the value: a parameter may hold a credential.
    kind = (
        "true or false"
        if isinstance(value, bool)
        else "a number"
        if isinstance(value, (int, float))
        else "a string"
        if isinstance(value, str)
        else "empty"
        if value is None
        else "one value"
    )
    yield at(
        ID,
        sel.file,
        selector_pos(project, sel, "output"),
        f"stage '{stage}' reads init parameter '{sel.output}', but {single[0].name} gives "
        f"'{base}' as one value ({kind}), not a list: yadage fails with TypeError selecting "
        f"it; write '{base}'",
    )


def _without_parameters(project: Project) -> Iterator[Diagnostic]:
    """Each top-level stage waiting for an `init` that yadage never creates."""
    assert project.workflow is not None
    if project.mode == "reana" and project.reana is not None:
        where = f"{project.reana.file} gives no parameters (`inputs.parameters`)"
    elif project.mode == "recast" and project.recast is not None:
        where = f"{project.recast.file} gives no parameters (`example_inputs`)"
    else:
        return  # a bare workflow: `yadage-run` gets its parameters on the command line
    for stage in project.workflow.stages:
        dep = next((d for d in stage.dependencies if d.name == INIT), None)
        sel = next((s for s in stage.selectors if checked_stage(s) == INIT), None)
        if dep is not None:
            file, pos, how = dep.file, dep.pos, "depends on init"
        elif sel is not None:
            file, pos, how = sel.file, selector_pos(project, sel), "reads init"
        else:
            continue
        yield at(
            ID,
            file,
            pos,
            f"stage '{stage.name}' {how}, but {where}: without parameters yadage creates no "
            f"init stage, so '{stage.name}' never runs and the workflow still reports success; "
            "add the parameters the workflow reads",
            severity=Severity.WARNING,
        )
