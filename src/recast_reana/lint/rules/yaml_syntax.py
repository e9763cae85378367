"""A file that does not parse as YAML.

Applies to: every YAML file of the workflow (reana files of any type, recast.yml, yadage specs).

## What it does
Reports the position where the YAML parser gave up on a spec file, recast.yml or reana.yaml.

## Why is this bad?
Neither recast-atlas nor REANA can read the workflow; REANA reports it only after upload.

## Example
```yaml
stages:
  - name: fit
    dependencies: [init
```

## Use instead
```yaml
stages:
  - name: fit
    dependencies: [init]
```

## Fix
Correct the syntax at the reported position.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.positioned_yaml import Pos
from recast_reana.model.project import Project
from recast_reana.type_names import Any

ID = "RR001"
NAME = "yaml-syntax"
SEVERITY = Severity.ERROR


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for src in project.files.values():
        if src.problem and src.problem.kind == "syntax":
            p = src.problem
            yield at(ID, src.path, Pos(p.line, p.col, p.line, p.col + 1), f"YAML: {p.message}")
