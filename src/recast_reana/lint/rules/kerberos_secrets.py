"""Which REANA user secrets a step needs for kerberos, a VOMS proxy or Rucio.

## What it does
For every step that asks REANA for credentials (`- kerberos: true`, `- voms_proxy: true`,
`- rucio: true`, or `GRIDProxy`/`KRB5Auth`, which the conversion turns into `kerberos: true`),
reports once which secrets must exist in your REANA account and the `reana-client secrets-add`
command that creates them. A reana.yaml `workflow.resources.kerberos: true` is reported once for
the whole workflow. A step with `rucio: true` but no `voms_proxy: true` is a warning.

## Why is this bad?
REANA checks the secrets only when the job starts: a run fails hours in with
`Secrets ['CERN_KEYTAB'] do not exist.`, and `reana-client validate` says nothing. The names come
from the REANA sources: `CERN_USER` and `CERN_KEYTAB` (`reana_commons/k8s/kerberos.py`),
`VONAME` with `VOMSPROXY_FILE` or `VOMSPROXY_PASS` + `userkey.pem` + `usercert.pem`, and
`RUCIO_USERNAME` (`reana_job_controller/kubernetes_job_manager.py`). REANA's Rucio set-up
authenticates with the VOMS proxy, so `rucio` needs `voms_proxy` too (docs.reana.io, Rucio).

## Example
```yaml
environment:
  environment_type: docker-encapsulated
  image: gitlab-registry.cern.ch/recast-examples/event-selection
  imagetag: final
  resources:
    - kerberos: true
```

## Use instead
```yaml
# The same step: this rule only informs. Create the secrets once per REANA account:
#   reana-client secrets-add --env CERN_USER=<user> --env CERN_KEYTAB=.keytab --file ~/.keytab
```

## Fix
Run the `reana-client secrets-add` command from the message once (`reana-client secrets-list`
shows what exists). Silence this information with `ignore: [RR403]` once that is done.
"""

from __future__ import annotations

from collections.abc import Collection, Generator, Iterable, Iterator, Mapping
from typing import Any

from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.lint.rule import at
from recast_reana.model.project import Project
from recast_reana.model.stage_graph import Step

ID = "RR403"
NAME = "kerberos-secrets"
SEVERITY = Severity.INFO

AUTH_STRINGS = ("GRIDProxy", "KRB5Auth")  # become `kerberos: true` in the conversion
KERBEROS = ("CERN_USER", "CERN_KEYTAB")
VOMS = ("VONAME", "VOMSPROXY_FILE")
RUCIO = ("RUCIO_USERNAME",)
KINDS = ("kerberos", "voms_proxy", "rucio")
# `reana-client secrets-add` arguments per secret (file secrets named as REANA's docs name them).
SECRET_ARGS = {
    "CERN_USER": "--env CERN_USER=<user>",
    "CERN_KEYTAB": "--env CERN_KEYTAB=.keytab --file ~/.keytab",
    "VONAME": "--env VONAME=atlas",
    "VOMSPROXY_FILE": "--env VOMSPROXY_FILE=x509up_u1000 --file /tmp/x509up_u1000",
    "RUCIO_USERNAME": "--env RUCIO_USERNAME=<rucio-account>",
}
_COMMANDS = {
    "kerberos": "--env CERN_USER=<user> --env CERN_KEYTAB=.keytab --file ~/.keytab",
    "voms_proxy": "--env VONAME=atlas --env VOMSPROXY_FILE=x509up_u1000 --file /tmp/x509up_u1000",
    "rucio": "--env RUCIO_USERNAME=<rucio-account>",
}


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    workflow_kerberos = yield from _workflow_level(project)
    for step in project.steps:
        src = project.source(step.file)
        if src is None:
            continue
        needs = step_needs(step)
        if workflow_kerberos:
            needs.pop("kerberos", None)
        if not needs:
            continue
        name = str(step.path[-1]) if step.path else step.file
        resources = (*step.environment_path, "resources")
        first = min(needs.values())
        yield at(ID, src.path, src.pos((*resources, first)), _message(f"step '{name}'", needs))
        if "rucio" in needs and "voms_proxy" not in needs:
            yield at(
                ID,
                src.path,
                src.pos((*resources, needs["rucio"])),
                f"step '{name}' asks for `rucio: true` without `voms_proxy: true`; REANA's Rucio "
                "set-up authenticates with the VOMS proxy, so add `- voms_proxy: true`",
                severity=Severity.WARNING,
            )


def step_needs(step: Step) -> dict[str, int]:
    """Credential kinds a step asks for -> index of the first resource item asking for it."""
    needs: dict[str, int] = {}
    for i, item in enumerate(step.resources):
        if item in AUTH_STRINGS:
            needs.setdefault("kerberos", i)
        elif isinstance(item, dict):
            for need in KINDS:
                if item.get(need) is True:
                    needs.setdefault(need, i)
    return needs


def credential_needs(project: Project) -> dict[str, list[str]]:
    """Credential kind (kerberos, voms_proxy, rucio) -> the steps asking for it, in order.

    reana.yaml `workflow.resources.kerberos: true` counts as a step named `reana.yaml`. Used by
    `recast-reana run` to list the user's secrets before submitting.
    """
    out: dict[str, list[str]] = {}
    src = project.source(project.reana.file) if project.reana else None
    data = src.data if src is not None else None
    for key in ("workflow", "resources"):
        data = data.get(key) if isinstance(data, dict) else None
    if src is not None and isinstance(data, dict) and data.get("kerberos") is True:
        out["kerberos"] = [src.path]
    for step in project.steps:
        name = str(step.path[-1]) if step.path else step.file
        for need in step_needs(step):
            out.setdefault(need, []).append(name)
    return out


def missing_secrets(kinds: Iterable[str], existing: Collection[str]) -> list[str]:
    """The secret names `kinds` need that `existing` (a REANA account's secrets) lacks.

    A VOMS proxy is given either as VOMSPROXY_FILE or as VOMSPROXY_PASS with userkey.pem and
    usercert.pem (reana_job_controller/kubernetes_job_manager.py); Rucio needs the proxy too.
    """
    kinds = set(kinds)
    wanted: list[str] = []
    if "kerberos" in kinds:
        wanted += KERBEROS
    if kinds & {"voms_proxy", "rucio"}:
        wanted.append("VONAME")
        if not {"VOMSPROXY_PASS", "userkey.pem", "usercert.pem"} <= set(existing):
            wanted.append("VOMSPROXY_FILE")
    if "rucio" in kinds:
        wanted += RUCIO
    return [name for name in wanted if name not in existing]


def secrets_add_command(names: Iterable[str]) -> str:
    """The `reana-client secrets-add` command creating the named secrets."""
    args = [SECRET_ARGS.get(name, f"--env {name}=<value>") for name in names]
    return " ".join(["reana-client secrets-add", *args])


def _workflow_level(project: Project) -> Generator[Diagnostic, None, bool]:
    """reana.yaml `workflow.resources.kerberos: true`; returns whether it is set."""
    src = project.source(project.reana.file) if project.reana else None
    data = src.data if src is not None else None
    for key in ("workflow", "resources"):
        data = data.get(key) if isinstance(data, dict) else None
    if src is None or not isinstance(data, dict) or data.get("kerberos") is not True:
        return False
    pos = src.pos(("workflow", "resources", "kerberos"))
    yield at(ID, src.path, pos, _message("every step of the workflow", {"kerberos": 0}))
    return True


def _message(who: str, needs: Mapping[str, int]) -> str:
    secrets: list[str] = []
    if "kerberos" in needs:
        secrets += KERBEROS
    if "voms_proxy" in needs or "rucio" in needs:
        secrets += VOMS
    if "rucio" in needs:
        secrets += RUCIO
    kinds = [k for k in ("kerberos", "voms_proxy", "rucio") if k in needs]
    args = [_COMMANDS[k] for k in kinds]
    if "rucio" in needs and "voms_proxy" not in needs:
        args.insert(-1, _COMMANDS["voms_proxy"])
    voms_alt = (
        " (or VOMSPROXY_PASS with userkey.pem and usercert.pem instead of VOMSPROXY_FILE)"
        if "VONAME" in secrets
        else ""
    )
    return (
        f"{who} uses {', '.join(kinds)} on REANA: the REANA secrets {', '.join(secrets)}{voms_alt} "
        "must exist before the run (REANA checks them only when the job starts); create them once "
        f"with `reana-client secrets-add {' '.join(args)}`"
    )
