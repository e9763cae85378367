"""A workflow file, or a file it `$ref`s, that the reana file does not upload.

Applies to: every yadage reana file (the workflow file and every file it `$ref`s) and snakemake
reana file (the Snakefile and the parameters file `inputs.parameters.input`). Not cwl: reana-client
packs a cwl workflow and reads its parameters file itself, and sends both with the workflow.

## What it does
Follows the workflow file named in each reana file and, for the yadage workflow, every file it
`$ref`s, transitively, and finds those not covered by `inputs.directories` (a directory covers
everything below it) or `inputs.files`.

## Why is this bad?
REANA loads the yadage spec from the workspace, which holds only the uploaded inputs.
reana-server 0.9.4 refuses the start, after the upload, with 500 `Workflow file
specs/workflow.yml does not exist`, or, for a file the workflow `$ref`s, with 500
``Error while resolving `file:///<workspace>/specs/steps.yml#/select`: RuntimeError: ``.

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
uploads it (the uploads are part of the reana.yaml it generates or completes).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.discovery import ReanaInfo, get, norm
from recast_reana.model.positioned_yaml import Pos
from recast_reana.model.project import Project
from recast_reana.model.refs import REANA, Ref
from recast_reana.type_names import Any

ID = "RR203"
NAME = "spec-not-uploaded"
SEVERITY = Severity.ERROR
CONVERTIBLE = True


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for reana in project.reana_files:
        if reana.engine == "cwl" or not reana.workflow_file or not reana.workflow_file_exists:
            continue  # RR204 reports a missing or absent workflow file; serial is inline
        pos = _position(project, reana)
        name = posixpath.basename(reana.file)
        for file, via in _files(project, reana):
            if reana.uploads(file):
                continue
            subject = f"the workflow file '{file}'" if via is None else f"'{file}' ({via})"
            directory = posixpath.dirname(file)
            todo = (
                f"add '{directory}' to inputs.directories"
                if directory
                else f"add '{file}' to inputs.files"
            )
            message = f"REANA needs {subject} but {name} does not upload it: {todo}"
            yield at(ID, reana.file, pos, message)


def _files(project: Project, reana: ReanaInfo) -> list[tuple[str, str | None]]:
    """What the workflow of `reana` reads from the workspace: (file, why), None = the workflow."""
    assert reana.workflow_file is not None
    if reana.workflow_file == project.workflow_file and reana.maybe_yadage:
        return [(f, f"$ref from {via}" if via else None) for f, via in _needed(project)]
    found: list[tuple[str, str | None]] = [(reana.workflow_file, None)]
    src = project.files.get(reana.file)
    written = get(src.data if src else None, "inputs", "parameters", "input")
    if reana.engine == "snakemake" and isinstance(written, str):
        path = norm(posixpath.dirname(reana.file), written)
        if project.read(path) is not None:
            found.append((path, "its parameters file"))
    return found


def _needed(project: Project) -> list[tuple[str, str | None]]:
    """The workflow file and every file it reaches through $refs: (file, file that refs it)."""
    workflow_file = project.workflow_file
    assert workflow_file is not None
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


def _position(project: Project, reana: ReanaInfo) -> Pos:
    src = project.files.get(reana.file)
    if src is None or not isinstance(src.data, dict):
        return Pos(1, 1, 1, 1)
    if "inputs" in src.data:
        return src.key_pos(("inputs",))
    return src.pos(("workflow", "file"))
