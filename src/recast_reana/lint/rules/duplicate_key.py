"""A mapping key written twice.

Applies to: every YAML file of the workflow (reana files of any type, recast.yml, yadage specs).

## What it does
Finds a key repeated in the same mapping of any loaded YAML file.

## Why is this bad?
`yaml.safe_load`, which REANA and recast-atlas use, silently keeps the last value: the first one,
often the one you meant (the tutorial's reana.yaml gives `cross_section` twice), is lost without a
word.

## Example
```yaml
inputs:
  parameters:
    cross_section: '9999.9'
    cross_section: 44.873
```

## Use instead
```yaml
inputs:
  parameters:
    cross_section: 44.873
```

## Fix
Delete the copy you do not mean.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.project import Project
from recast_reana.type_names import Any

ID = "RR002"
NAME = "duplicate-key"
SEVERITY = Severity.ERROR


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for src in project.files.values():
        if src.doc is None:
            continue
        for dup in src.doc.duplicates:
            yield at(
                ID,
                src.path,
                dup.second,
                f"key '{dup.key}' is repeated (first on line {dup.first.line}); "
                "the last value silently wins",
            )
