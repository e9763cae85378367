"""A reana file or recast.yml that names a workflow file (or parameters file) that does not exist.

Applies to: every reana file (`reana*.yaml` at the top of the repository, of any workflow type)
and recast.yml.

## What it does
Checks that the `workflow.file` of every reana file exists (yadage, cwl and snakemake workflows
name one; a serial workflow may be inline), that the parameters file of a cwl or snakemake
workflow (`inputs.parameters.input`) exists, and that recast.yml's `spec.workflow` names a file
that exists under the toplevel. A misspelt name gets the nearest existing file as a suggestion,
and the workflow is still linted from that file.

## Why is this bad?
REANA reports a missing workflow file only on the server: reana-server 0.9.4 refuses the start,
after the upload, with 500 `Workflow file specs/workflw.yml does not exist`; recast-atlas
fails only when the run starts.

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
Name the workflow file, relative to the directory of the reana file in a reana file and relative
to the toplevel (default `specs/`) in recast.yml.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.discovery import RECAST_NAMES, ReanaInfo, get, is_reana_file, norm
from recast_reana.model.project import Project
from recast_reana.type_names import Any

ID = "RR204"
NAME = "workflow-file"
SEVERITY = Severity.ERROR

_SPEC_SUFFIXES = (".yml", ".yaml", ".json", ".cwl", "Snakefile", ".smk")


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for info in project.reana_files:
        yield from _reana(project, info)
    yield from _recast(project)


def _reana(project: Project, info: ReanaInfo) -> Iterator[Diagnostic]:
    src = project.files.get(info.file)
    if src is None or not isinstance(src.data, dict):
        return
    workflow = src.data.get("workflow")
    if not isinstance(workflow, dict):
        return  # RR102: the reana.yaml schema requires a `workflow` mapping
    # A missing or unknown `type` and a missing `file` are RR102's (the schema).
    wfile = workflow.get("file")
    if isinstance(wfile, str) and info.workflow_file and not info.workflow_file_exists:
        message = f"workflow file '{wfile}' does not exist"
        if close := _closest(project, info.workflow_file):
            message += f"; did you mean '{close}'?"
        yield at(ID, src.path, src.pos(("workflow", "file")), message)
    if info.engine in ("cwl", "snakemake"):
        written = get(src.data, "inputs", "parameters", "input")
        path = norm(posixpath.dirname(info.file), written) if isinstance(written, str) else ""
        if path and project.read(path) is None:
            where = ("inputs", "parameters", "input")
            message = (
                f"the {info.engine} parameters file '{written}' (inputs.parameters.input) does "
                "not exist"
            )
            if close := _closest(project, path):
                message += f"; did you mean '{close}'?"
            yield at(ID, src.path, src.pos(where), message)


def _recast(project: Project) -> Iterator[Diagnostic]:
    info = project.recast
    src = project.files.get(info.file) if info else None
    if info is None or src is None or info.toplevel is None or not info.workflow_file:
        return  # a remote toplevel cannot be checked; RR103 reports a missing spec.workflow
    if info.workflow_file_exists:
        return
    if info.workflow_file.startswith(("../", "/")):  # it may exist where recast-atlas runs
        written = src.data["spec"]["workflow"]
        message = (
            f"spec.workflow '{written}' is outside the repository: recast-atlas finds it only on "
            "a machine that has it, and the REANA conversion cannot upload it; keep the workflow "
            "in the repository"
        )
        yield at(ID, src.path, src.pos(("spec", "workflow")), message, Severity.WARNING)
        return
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
    paths = set(project.files) | set(project.other_files) | set(project.listing())
    candidates = sorted(
        p
        for p in paths
        if p.endswith(_SPEC_SUFFIXES)
        and p != path
        and not is_reana_file(p)
        and p not in RECAST_NAMES
        and not p.startswith(".")
    )
    import difflib  # only to suggest a name: not on every start-up

    close = difflib.get_close_matches(path, candidates, n=1, cutoff=0.6)
    return close[0] if close else None
