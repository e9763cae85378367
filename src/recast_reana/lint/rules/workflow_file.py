"""A reana.yaml or recast.yml that does not name an existing yadage workflow file.

## What it does
Checks that reana.yaml has `workflow.type: yadage` and a `workflow.file` that exists, and that
recast.yml's `spec.workflow` names a file that exists under the toplevel.

## Why is this bad?
A RECAST analysis is a yadage workflow; recast-reana checks and converts only yadage. REANA
reports a missing workflow file only on the server, after the upload (`Workflow file
specs/workflow.yml does not exist`), and recast-atlas only when the run starts.

## Example
```yaml
# reana.yaml
workflow:
  type: yadage
  file: specs/workflw.yml
```

## Use instead
```yaml
# reana.yaml
workflow:
  type: yadage
  file: specs/workflow.yml
```

## Fix
Name the workflow file, relative to the directory of reana.yaml in reana.yaml and relative to the
toplevel (default `specs/`) in recast.yml.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from typing import Any

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.project import Project

ID = "RR204"
NAME = "workflow-file"
SEVERITY = Severity.ERROR

_SPEC_SUFFIXES = (".yml", ".yaml", ".json")


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    yield from _reana(project)
    yield from _recast(project)


def _reana(project: Project) -> Iterator[Diagnostic]:
    info = project.reana
    src = project.files.get(info.file) if info else None
    if info is None or src is None or not isinstance(src.data, dict):
        return
    workflow = src.data.get("workflow")
    if not isinstance(workflow, dict):
        return  # RR102: the reana.yaml schema requires a `workflow` mapping
    # A missing `type` or `file` is RR102's: the reana.yaml schema requires them.
    wtype = workflow.get("type")
    if "type" in workflow and wtype != "yadage":
        yield at(
            ID,
            src.path,
            src.pos(("workflow", "type")),
            f"workflow type is {_show(wtype)}; a RECAST workflow is yadage: write `type: yadage`",
        )
    wfile = workflow.get("file")
    if isinstance(wfile, str) and info.workflow_file and not info.workflow_file_exists:
        message = f"workflow file '{wfile}' does not exist"
        if close := _closest(project, info.workflow_file):
            message += f"; did you mean '{close}'?"
        yield at(ID, src.path, src.pos(("workflow", "file")), message)


def _recast(project: Project) -> Iterator[Diagnostic]:
    info = project.recast
    src = project.files.get(info.file) if info else None
    if info is None or src is None or info.toplevel is None or not info.workflow_file:
        return  # a remote toplevel cannot be checked; RR103 reports a missing spec.workflow
    if info.workflow_file_exists or info.workflow_file.startswith("../"):
        return  # outside the repository: it may exist where recast-atlas runs
    written = src.data["spec"]["workflow"]  # a string, or workflow_file would be None
    message = (
        f"spec.workflow '{written}' does not exist: recast-atlas looks for "
        f"'{info.workflow_file}' (spec.workflow is relative to the toplevel "
        f"'{info.toplevel_raw}')"
    )
    prefix = "" if info.toplevel in ("", ".") else info.toplevel + "/"
    close = _closest(project, info.workflow_file)
    if close and close.startswith(prefix):
        message += f"; did you mean '{close.removeprefix(prefix)}'?"
    yield at(ID, src.path, src.pos(("spec", "workflow")), message)


def _closest(project: Project, path: str) -> str | None:
    paths = set(project.files) | set(project.other_files)
    candidates = sorted(p for p in paths if p.endswith(_SPEC_SUFFIXES))
    close = difflib.get_close_matches(path, candidates, n=1, cutoff=0.6)
    return close[0] if close else None


def _show(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else "empty" if value is None else repr(value)
