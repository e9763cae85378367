"""A top-level `$ref` written relative to the recast-atlas toplevel, which REANA cannot resolve.

Applies to: yadage workflows.

## What it does
Finds `$ref`s in the top-level workflow file that resolve from the recast-atlas toplevel
(`specs/`) but not from the directory of reana.yaml, where REANA resolves them.

## Why is this bad?
recast-atlas loads the workflow with the toplevel `specs/`, so `steps.yml#/select` means
`specs/steps.yml`. REANA loads it with the workspace root as toplevel, so the same `$ref` looks for
`steps.yml` at the root: reana-server 0.9.4 refuses the start, after the upload, with 500
``Error while resolving `file:///<workspace>/steps.yml#/select`: RuntimeError: ``
(`reana-client validate` shows a traceback).

## Example
```yaml
# specs/workflow.yml
stages:
- name: select
  scheduler:
    scheduler_type: singlestep-stage
    parameters: {}
    step: {$ref: 'steps.yml#/select'}
```

## Use instead
```yaml
# specs/workflow.yml on the reana branch
stages:
- name: select
  scheduler:
    scheduler_type: singlestep-stage
    parameters: {}
    step: {$ref: 'specs/steps.yml#/select'}
```

## Fix
`recast-reana convert` rewrites the `$ref`s for REANA; on a recast-atlas layout this finding is
info only, as main must keep the recast-atlas spelling.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.project import Project
from recast_reana.model.refs import REANA, RECAST
from recast_reana.model.text_edits import Edit, replace_scalar
from recast_reana.type_names import Any

ID = "RR201"
NAME = "ref-base"
SEVERITY = Severity.ERROR
CONVERTIBLE = True


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for ref in project.refs:
        recast = ref.targets.get(RECAST)
        if not ref.toplevel or recast is None or REANA in ref.targets:
            continue
        # Keep the pointer exactly as written (`#x` and `#/x` both occur, jsonref reads both).
        hash_, pointer = ("#", ref.pointer) if "#" in ref.value else ("", "")
        spelling = f"{recast.file}{hash_}{pointer}"
        yield at(
            ID,
            ref.file,
            ref.pos,
            "REANA resolves $refs of the top-level workflow from the directory of reana.yaml: "
            f"write '{spelling}'",
        )


def fix(project: Project, options: Mapping[str, Any]) -> Iterator[Edit]:
    """`steps.yml#/x` -> `specs/steps.yml#/x` in the top-level workflow file.

    A ref is rewritten unless REANA already finds the same target recast-atlas does (a repository
    that is half converted, or a ref written as REANA wants it).
    """
    for ref in project.refs:
        target = ref.targets.get(RECAST)
        if not ref.toplevel or target is None or ref.targets.get(REANA) == target:
            continue
        value = target.file + ("#" + ref.pointer if "#" in ref.value else "")
        yield replace_scalar(project.files[ref.file], ref.pos, value, ID)
