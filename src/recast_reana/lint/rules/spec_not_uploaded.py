"""A workflow file, or a file it `$ref`s, that reana.yaml does not upload.

## What it does
Follows the workflow file named in reana.yaml and every file it `$ref`s, transitively, and finds
those not covered by `inputs.directories` (a directory covers everything below it) or
`inputs.files`.

## Why is this bad?
REANA loads the yadage spec from the workspace, which holds only the uploaded inputs. A missing
spec file fails the run at start (`Workflow file specs/workflow.yml does not exist`, or a `$ref`
that does not load), after the upload.

## Example
```yaml
inputs:
  files:
    - specs/workflow.yml      # specs/steps.yml, which it $refs, is not uploaded
workflow:
  type: yadage
  file: specs/workflow.yml
```

## Use instead
```yaml
inputs:
  directories:
    - specs
workflow:
  type: yadage
  file: specs/workflow.yml
```

## Fix
Add the spec directory to `inputs.directories`. `recast-reana convert` writes a reana.yaml that
uploads it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from typing import Any

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.positioned_yaml import Pos
from recast_reana.model.project import Project, ReanaInfo
from recast_reana.model.refs import REANA, Ref

ID = "RR203"
NAME = "spec-not-uploaded"
SEVERITY = Severity.ERROR
CONVERTIBLE = True


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    reana = project.reana
    if reana is None or not reana.workflow_file or not reana.workflow_file_exists:
        return  # RR204 reports a missing or absent workflow file
    pos = _position(project, reana)
    for file, via in _needed(project, reana.workflow_file):
        if _covered(file, reana):
            continue
        subject = f"the workflow file '{file}'" if via is None else f"'{file}' ($ref from {via})"
        directory = posixpath.dirname(file)
        todo = (
            f"add '{directory}' to inputs.directories"
            if directory
            else f"add '{file}' to inputs.files"
        )
        yield at(
            ID, reana.file, pos, f"REANA needs {subject} but reana.yaml does not upload it: {todo}"
        )


def _needed(project: Project, workflow_file: str) -> list[tuple[str, str | None]]:
    """The workflow file and every file it reaches through $refs: (file, file that refs it)."""
    by_file: dict[str, list[Ref]] = {}
    for ref in project.refs:
        by_file.setdefault(ref.file, []).append(ref)
    needed: dict[str, str | None] = {workflow_file: None}
    queue = [workflow_file]
    while queue:
        file = queue.pop(0)
        for ref in by_file.get(file, []):
            # As REANA resolves it; else where it will be once `convert` rewrites the base.
            target = ref.target(REANA)
            if target is not None and target.file not in needed:
                needed[target.file] = file
                queue.append(target.file)
    return list(needed.items())


def _covered(file: str, reana: ReanaInfo) -> bool:
    if file in reana.files:
        return True
    return any(d == "." or file.startswith(d + "/") for d in reana.directories)


def _position(project: Project, reana: ReanaInfo) -> Pos:
    src = project.files.get(reana.file)
    if src is None or not isinstance(src.data, dict):
        return Pos(1, 1, 1, 1)
    if "inputs" in src.data:
        return src.key_pos(("inputs",))
    return src.pos(("workflow", "file"))
