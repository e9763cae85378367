"""A `${name}` in a serial step's commands that the reana file's parameters do not give.

Applies to: serial reana files.

## What it does
REANA's serial engine substitutes `$name` and `${name}` in each command with
`inputs.parameters` (`string.Template.safe_substitute`, reana-commons `serial.py`) and leaves any
other name for bash, which expands an unset variable to nothing. This rule reports a braced
`${name}` that no parameter gives and that the step does not set itself (`name=...`,
`for name in ...`, `read name`, `export name=...`). Upper-case names (`${HOME}`, `${PATH}`,
`${REANA_WORKSPACE}`) are environment variables and are left alone.

## Why is this bad?
A parameter renamed or misspelt in one place runs the command with an empty argument: the job
fails late with a confusing message, or succeeds and writes the wrong thing.

## Example
```yaml
inputs:
  parameters:
    inputfile: data/names.txt
workflow:
  type: serial
  specification:
    steps:
      - environment: docker.io/library/python:3.11-slim
        commands:
          - python code/helloworld.py --inputfile "${input_file}"
```

## Use instead
```yaml
        commands:
          - python code/helloworld.py --inputfile "${inputfile}"
```

## Fix
Use a name from `inputs.parameters` (the message suggests the closest), or add the parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at, suggest
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.discovery import get
from recast_reana.model.patterns import LazyPattern
from recast_reana.model.project import Project
from recast_reana.type_names import Any

ID = "RR309"
NAME = "serial-parameter"
SEVERITY = Severity.WARNING

# string.Template's braced identifier, not after an escaping `$` (`$${x}` is a literal `${x}`).
_BRACED = LazyPattern(r"(?<!\$)(?:\$\$)*\$\{(?P<name>[_a-zA-Z][_a-zA-Z0-9]*)\}")


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for step in project.serial_steps:
        src = project.source(step.file)
        if src is None:
            continue
        params = get(src.data, "inputs", "parameters")
        known = {str(k) for k in params} if isinstance(params, dict) else set()
        commands = list(step.commands)
        script = "\n".join(text for _, text in commands)
        for path, text in commands:
            for m in _BRACED.finditer(text):
                name = m.group("name")
                if name in known or name.isupper() or _sets(script, name):
                    continue
                pos = src.find(src.pos(path), m.group(0)) or src.pos(path)
                yield at(
                    ID,
                    src.path,
                    pos,
                    f"serial step '{step.name}' uses '${{{name}}}', which inputs.parameters does "
                    f"not give{suggest(name, known)}; bash expands it to nothing",
                )


def _sets(script: str, name: str) -> bool:
    """Whether the step's own commands set `name` (an assignment, a loop, a `read`)."""
    word = re.escape(name)
    return bool(
        re.search(rf"(?:^|[\s;&|(]){word}=|\bfor\s+{word}\b|\bread\b[^;\n]*\b{word}\b", script)
    )
