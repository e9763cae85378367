"""A file refused before it was loaded: alias bomb, too deep, oversized, binary, not UTF-8,
or not in the repository.

Applies to: every YAML file of the workflow (reana files of any type, recast.yml, yadage specs).

## What it does
Reports spec files that recast-reana refuses to load: larger than 5 MiB, containing NUL bytes,
not valid UTF-8, with recursive aliases, with aliases that expand to over 20,000 nodes or 8 MiB
of repeated text, or nested deeper than 200 levels. Also a workflow file that is a symbolic link
out of the repository (it says where the link points, never what is there), a directory named
like recast.yml or a reana file, and a file that cannot be read.

## Why is this bad?
Such a file is either not a workflow spec at all (a binary committed under `specs/`) or built to
exhaust the memory of whatever loads it ("billion laughs"). REANA's server would load it too.
A link out of the repository works on one machine only, and nobody's CI should read (or print)
a file outside the repository it checks.

## Example
```yaml
a: &a [x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
# ... nine levels deep
```

## Use instead
Plain YAML without alias chains, saved as UTF-8.

## Fix
Re-save the file as UTF-8 text, or remove it from the specs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.positioned_yaml import Pos
from recast_reana.model.project import Project
from recast_reana.type_names import Any

ID = "RR004"
NAME = "unsafe-yaml"
SEVERITY = Severity.ERROR


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for path, why in sorted(project.refused.items()):
        yield at(ID, path, Pos(1, 1, 1, 2), f"not read: {path} is {why}")
    for src in project.files.values():
        if src.problem and src.problem.kind == "unsafe":
            p = src.problem
            yield at(ID, src.path, Pos(p.line, p.col, p.line, p.col + 1), f"refused: {p.message}")
