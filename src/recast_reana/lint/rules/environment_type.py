"""A step environment other than `docker-encapsulated`, which REANA cannot run.

Applies to: yadage steps.

## What it does
Finds steps whose `environment.environment_type` is anything but `docker-encapsulated`:
packtivity's `localproc-env`, `noop-env` and `manual-instructions-env`, or a misspelling.

## Why is this bad?
REANA runs every step as a container job built from `environment.image`
(`reana_workflow_engine_yadage/externalbackend.py`, `submit`): a step without a container image
cannot run there, and the workflow fails when it reaches the step (reana-server 0.9.4 accepts
`localproc-env` at start). A misspelt type such as `docker-encapsulatedX` matches no yadage
schema: reana-server refuses the start with 400 `... is not valid under any of the given
schemas`. A local process or manual instructions only work where packtivity runs on the machine
itself.

## Example
```yaml
environment:
  environment_type: localproc-env
```

## Use instead
```yaml
environment:
  environment_type: docker-encapsulated
  image: atlas/analysisbase
  imagetag: 21.2.247
```

## Fix
Package the step's software in an image and use a `docker-encapsulated` environment.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.project import Project
from recast_reana.type_names import Any

ID = "RR406"
NAME = "environment-type"
SEVERITY = Severity.ERROR

DOCKER = "docker-encapsulated"
# The other types packtivity knows (yadage-schemas packtivity/environment/*.json).
_WHY = {
    "localproc-env": "runs commands on the host",
    "noop-env": "runs nothing",
    "manual-instructions-env": "is done by hand",
}


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for step in project.steps:
        src = project.source(step.file)
        kind = step.environment.get("environment_type")
        if src is None or not isinstance(kind, str) or kind == DOCKER:
            continue
        name = step.name
        pos = src.pos((*step.environment_path, "environment_type"))
        if kind in _WHY:
            message = (
                f"step '{name}' uses environment_type '{kind}', which {_WHY[kind]}; REANA runs "
                f"only '{DOCKER}' steps (a container image): package the step in an image"
            )
        else:
            import difflib  # only to suggest a name: not on every start-up

            close = difflib.get_close_matches(kind, [DOCKER], n=1, cutoff=0.6)
            hint = f"; did you mean '{DOCKER}'?" if close else ""
            message = (
                f"step '{name}' uses unknown environment_type '{kind}'; REANA runs only "
                f"'{DOCKER}' steps{hint}"
            )
        yield at(ID, src.path, pos, message)
