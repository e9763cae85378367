"""A step script that uses `sudo`, leaves the workspace with `cd /`, or runs `rm -rf /`.

Applies to: yadage steps.

## What it does
Finds these commands in a step's `process.script` or `process.cmd` (not in comments):
`sudo ...`, `cd /` (to the root directory itself, not `cd /code`), and `rm -r` of `/` or `/*`.

## Why is this bad?
REANA runs jobs as an unprivileged user (UID 1000 or `kubernetes_uid`) with
`allowPrivilegeEscalation: false` (`reana_job_controller/kubernetes_job_manager.py`), so `sudo`
cannot work there, and a step that needs root cannot be preserved. Jobs start in the workflow
workspace: after `cd /`, relative output paths point into the read-only root directory and the
outputs never reach the workspace. `rm -rf /` destroys whatever the container can reach, including
the mounted workspace.

## Example
```yaml
process:
  process_type: interpolated-script-cmd
  script: |
    sudo yum install -y bc
    cd /
    ./run.sh {input} > out.txt
```

## Use instead
```yaml
process:
  process_type: interpolated-script-cmd
  script: |
    cd /analysis
    ./run.sh {input} > {outdir}/out.txt
```

## Fix
Install software when building the image, not in the step, and use absolute paths or the
`{workdir}`-based parameters for outputs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.patterns import LazyPattern
from recast_reana.model.project import Project
from recast_reana.type_names import Any

ID = "RR410"
NAME = "dangerous-command"
SEVERITY = Severity.WARNING

# A command word starts a line, follows a separator, or follows a shell keyword.
_START = r"(?:^|(?<=[;&|(`{])|(?<=\$\()|(?<=\bthen)|(?<=\bdo)|(?<=\belse))\s*"
_END = r"(?=\s|;|&|\||\)|$)"
_COMMANDS = (  # (literal the command contains: a cheap pre-filter, pattern, why)
    (
        "sudo",
        LazyPattern(_START + r"(?P<cmd>sudo)" + _END),
        "`sudo` cannot work on REANA, whose jobs run unprivileged; install software in the image",
    ),
    (
        "cd",
        LazyPattern(_START + r"(?P<cmd>cd\s+/)" + _END),
        "`cd /` leaves the workflow workspace: relative outputs land in the read-only root "
        "directory and are lost; cd to an absolute directory of the image or use {workdir} paths",
    ),
    (
        "rm",
        LazyPattern(_START + r"(?P<cmd>rm\s+(?:-\w+\s+)*(?:/|/\*))" + _END),
        "`rm` of `/` destroys everything the job can reach, the mounted workspace included",
    ),
)
_COMMENT = re.compile(r"(?:^|\s)#")


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for step in project.steps:
        src = project.source(step.file)
        process = step.data.get("process")
        if src is None or not isinstance(process, dict):
            continue
        name = step.name
        for key, text in step.commands:
            span = src.pos((*step.path, "process", key))
            start = 0
            for line in text.split("\n"):
                comment = _COMMENT.search(line)
                code = line[: comment.start()] if comment else line
                for literal, pattern, why in _COMMANDS:
                    if literal not in code:
                        continue
                    for m in pattern.finditer(code):
                        word = m.group("cmd")
                        nth = text.count(word, 0, start + m.start("cmd"))
                        pos = src.find(span, word, nth) or span
                        message = f"step '{name}' runs `{_one_line(word)}`: {why}"
                        yield at(ID, src.path, pos, message)
                start += len(line) + 1


def _one_line(word: str) -> str:
    return " ".join(word.split())
