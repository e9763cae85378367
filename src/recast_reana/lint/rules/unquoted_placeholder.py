"""An unquoted `{name}` value, which YAML reads as a mapping.

Applies to: every YAML file of the workflow (reana files of any type, recast.yml, yadage specs).

## What it does
Finds values written `key: {name}` without quotes.

## Why is this bad?
In YAML `{name}` is a flow mapping, `{"name": null}`, not the string `'{name}'` that yadage
interpolates. The step receives a dictionary and the publisher or script breaks at run time.

## Example
```yaml
publish:
  output: {output_file}
```

## Use instead
```yaml
publish:
  output: '{output_file}'
```

## Fix
`recast-reana convert` quotes it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.project import Project
from recast_reana.model.text_edits import Edit, span
from recast_reana.type_names import Any

ID = "RR003"
NAME = "unquoted-placeholder"
SEVERITY = Severity.ERROR


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for src in project.files.values():
        if src.doc is None:
            continue
        for ph in src.doc.placeholders:
            yield at(
                ID,
                src.path,
                ph.pos,
                f"{{{ph.name}}} is read as a mapping, not a string; quote it: '{{{ph.name}}}'",
            )


def fix(project: Project, options: Mapping[str, Any]) -> Iterator[Edit]:
    """`key: {name}` -> `key: '{name}'`."""
    for src in project.files.values():
        for ph in src.doc.placeholders if src.doc else ():
            start, end = span(src, ph.pos)
            yield Edit(src.path, start, end, f"'{{{ph.name}}}'", ID)
