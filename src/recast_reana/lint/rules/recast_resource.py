"""A recast-atlas string resource (`GRIDProxy`, `KRB5Auth`, `CVMFS`), which REANA ignores.

Applies to: yadage steps.

## What it does
Finds the string items `GRIDProxy`, `KRB5Auth` and `CVMFS` in a step's `environment.resources`
(flow `[GRIDProxy]` or block lists alike). The packtivity mapping form `- kerberos: true` is what
both tools understand and is fine. A `GRIDProxy`/`KRB5Auth` item is also fine when the step
already has `- kerberos: true` or reana.yaml sets `workflow.resources.kerberos: true`, and a
`CVMFS` item when reana.yaml mounts CVMFS with `workflow.resources.cvmfs`.

## Why is this bad?
packtivity (recast-atlas) mounts the `/recast_auth` credentials for `GRIDProxy`/`KRB5Auth` and
`/cvmfs` for `CVMFS`. REANA's yadage engine reads only mapping items and skips strings with a log
line nobody sees (`reana_workflow_engine_yadage/externalbackend.py`, `_get_resources`): the job
runs without a kerberos ticket or without CVMFS, and fails somewhere in the middle of the run.

## Example
```yaml
environment:
  environment_type: docker-encapsulated
  image: atlas/analysisbase
  imagetag: 21.2.247
  resources: [GRIDProxy, CVMFS]
```

## Use instead
```yaml
# specs/steps.yml
environment:
  environment_type: docker-encapsulated
  image: atlas/analysisbase
  imagetag: 21.2.247
  resources:
    - kerberos: true
# reana.yaml
workflow:
  resources:
    cvmfs:
      - atlas.cern.ch
      - atlas-condb.cern.ch
      - sft.cern.ch
```

## Fix
`recast-reana convert` writes `- kerberos: true` and the reana.yaml CVMFS list; on the
recast-atlas main branch this is information only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.project import Project
from recast_reana.model.text_edits import ListEdit
from recast_reana.type_names import Any

ID = "RR402"
NAME = "recast-resource"
SEVERITY = Severity.ERROR
CONVERTIBLE = True

AUTH = ("GRIDProxy", "KRB5Auth")
CVMFS = "CVMFS"
# The repositories packtivity's Kubernetes backend mounts for `CVMFS`
# (packtivity/kubernetes/kubespecmixin.py); the same list is a good REANA default.
CVMFS_REPOSITORIES = ("atlas.cern.ch", "atlas-condb.cern.ch", "sft.cern.ch")


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    workflow_resources = _workflow_resources(project)
    workflow_kerberos = workflow_resources.get("kerberos") is True
    cvmfs = workflow_resources.get("cvmfs")
    workflow_cvmfs = isinstance(cvmfs, list) and bool(cvmfs)
    for step in project.steps:
        src = project.source(step.file)
        if src is None:
            continue
        items = step.resources
        step_kerberos = workflow_kerberos or any(
            isinstance(item, dict) and item.get("kerberos") is True for item in items
        )
        name = step.name
        for i, item in enumerate(items):
            if item in AUTH and not step_kerberos:
                yield at(
                    ID,
                    src.path,
                    src.pos((*step.environment_path, "resources", i)),
                    f"REANA ignores the string resource '{item}' of step '{name}', so the job gets "
                    "no kerberos ticket; write `- kerberos: true` instead",
                )
            elif item == CVMFS and not workflow_cvmfs:
                repos = ", ".join(CVMFS_REPOSITORIES)
                yield at(
                    ID,
                    src.path,
                    src.pos((*step.environment_path, "resources", i)),
                    f"REANA ignores the string resource 'CVMFS' of step '{name}', so /cvmfs is not "
                    f"mounted; list the repositories in reana.yaml `workflow.resources.cvmfs` "
                    f"(e.g. [{repos}])",
                )


def fix(project: Project, options: Mapping[str, Any]) -> Iterator[ListEdit]:
    """`GRIDProxy`/`KRB5Auth` -> `kerberos: true` (once per step); `CVMFS` dropped.

    The converter lists the CVMFS repositories in reana.yaml `workflow.resources.cvmfs`.
    """
    for step in project.steps:
        items = step.resources
        has_kerberos = any(isinstance(i, dict) and i.get("kerberos") is True for i in items)
        drop: set[int] = set()
        replace: list[tuple[int, str]] = []
        for index, item in enumerate(items):
            if item in AUTH and has_kerberos:
                drop.add(index)
            elif item in AUTH:
                replace.append((index, "kerberos: true"))
                has_kerberos = True
            elif item == CVMFS:
                drop.add(index)
        if drop or replace:
            path = (*step.environment_path, "resources")
            yield ListEdit(step.file, path, frozenset(drop), tuple(replace), rule=ID)


def _workflow_resources(project: Project) -> dict[str, Any]:
    src = project.source(project.reana.file) if project.reana else None
    data = src.data if src is not None else None
    for key in ("workflow", "resources"):
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}
