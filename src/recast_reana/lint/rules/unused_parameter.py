"""A parameter is given but the workflow never reads it.

Applies to: yadage workflows (parameters from the yadage reana file or recast.yml).

## What it does
Lists the parameters of each parameter set (reana.yaml `inputs.parameters`, every recast.yml
`example_inputs.<name>.initdata`) that no selector on `init` in the top workflow reads.

## Why is this bad?
Usually a misspelt name (the workflow then reads a parameter nobody gives, see RR304) or a
leftover, such as a local input file for a stage the REANA version dropped, or a second value for
the same quantity. It misleads whoever reruns the analysis with new inputs.

## Example
```yaml
inputs:
  parameters:
    xsec: 44.8
    signal_daod: inputdata/DAOD_EXOT27.root  # read by no stage
```

## Use instead
```yaml
inputs:
  parameters:
    xsec: 44.8
```

## Fix
Delete the parameter, or correct its name to the one the workflow reads.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at, suggest
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.graph_queries import INIT, checked_stage, output_name
from recast_reana.model.project import Project
from recast_reana.type_names import Any

ID = "RR305"
NAME = "unused-parameter"
SEVERITY = Severity.WARNING


def _read(project: Project) -> set[str] | None:
    """Init parameters the top workflow reads; None when it may read any (or cannot tell)."""
    workflow = project.workflow
    if workflow is None or not workflow.stages:
        return None
    read: set[str] = set()
    for stage in workflow.stages:
        if stage.scheduler_type == "jq-stage":  # binds results with jq: not followed here
            return None
        for sel in stage.selectors:
            producer = checked_stage(sel)
            if producer is None:
                return None  # a jsonpath that may select init
            if producer != INIT:
                continue
            name = output_name(sel)
            if name is None:  # the whole init result, or a jsonpath we do not follow
                return None
            read |= {name, sel.output or name}
    return read


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    if not project.parameter_sets:
        return
    read = _read(project)
    if read is None:
        return
    for pset in project.parameter_sets:
        src = project.files.get(pset.file)
        if src is None:
            continue
        for key in pset.values:
            if str(key) in read:
                continue
            yield at(
                ID,
                pset.file,
                src.key_pos((*pset.path, key)),
                f"parameter '{key}' in {pset.name} is never read: no stage selects it "
                f"from init{suggest(str(key), read)}; remove it or correct its name",
            )
