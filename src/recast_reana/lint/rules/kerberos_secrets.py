"""Which REANA user secrets a step needs for kerberos, a VOMS proxy or Rucio.

Applies to: yadage steps, and the steps of serial reana files (`kerberos: true` on the step).

## What it does
For every step that asks REANA for credentials (`- kerberos: true`, `- voms_proxy: true`,
`- rucio: true`, or `GRIDProxy`/`KRB5Auth`, which the conversion turns into `kerberos: true`),
reports once which secrets must exist in your REANA account and the `reana-client secrets-add`
command that creates them. A reana.yaml `workflow.resources.kerberos: true` is reported once for
the whole workflow. A step with `rucio: true` but no `voms_proxy: true` is a warning.

## Why is this bad?
REANA checks the secrets only when the job starts: a run fails hours in with
`Secrets ['CERN_KEYTAB'] do not exist.`, and `reana-client validate` says nothing. With reana.yaml
`workflow.resources.kerberos: true`, reana-server 0.9.4 accepts the start and the workflow fails
seconds later, before any job: `Operation cancelled. Secrets ['CERN_KEYTAB'] do not exist.` The
names come from the REANA sources: `CERN_USER` and `CERN_KEYTAB` (`reana_commons/k8s/kerberos.py`),
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
#   reana-client secrets-add --env CERN_USER=<user> --env CERN_KEYTAB=<user>.keytab \\
#     --file ~/<user>.keytab
```

## Fix
Run the `reana-client secrets-add` command from the message once (`reana-client secrets-list`
shows what exists). Silence this information with `ignore: [RR403]` once that is done.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.credentials import KERBEROS, KINDS, RUCIO, VOMS, step_needs
from recast_reana.model.project import Project
from recast_reana.type_names import Any

ID = "RR403"
NAME = "kerberos-secrets"
SEVERITY = Severity.INFO

_COMMANDS = {
    "kerberos": "--env CERN_USER=<user> --env CERN_KEYTAB=<user>.keytab --file ~/<user>.keytab",
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
        name = step.name
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
    for serial in project.serial_steps:
        src = project.source(serial.file)
        kinds = [k for k in KINDS if serial.data.get(k) is True]
        if src is not None and kinds:
            needs = {k: 0 for k in kinds}
            who = f"serial step '{serial.name}' of {serial.file}"
            yield at(ID, src.path, src.key_pos((*serial.path, kinds[0])), _message(who, needs))


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
    keytab = (
        " (CERN_KEYTAB is the keytab's file name: REANA stores a file secret under its base name)"
        if "kerberos" in needs
        else ""
    )
    return (
        f"{who} uses {', '.join(kinds)} on REANA: the REANA secrets {', '.join(secrets)}{voms_alt} "
        "must exist before the run (REANA checks them only when the job starts); create them once "
        f"with `reana-client secrets-add {' '.join(args)}`{keytab}"
    )
