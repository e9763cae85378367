"""Which REANA user secrets a workflow needs for kerberos, a VOMS proxy or Rucio.

The names come from the REANA sources: `CERN_USER` and `CERN_KEYTAB`
(`reana_commons/k8s/kerberos.py`), `VONAME` with `VOMSPROXY_FILE` or `VOMSPROXY_PASS` +
`userkey.pem` + `usercert.pem`, and `RUCIO_USERNAME`
(`reana_job_controller/kubernetes_job_manager.py`). Shared by RR403 and `recast-reana run`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from recast_reana.model.project import Project
from recast_reana.model.stage_graph import Step

AUTH_STRINGS = ("GRIDProxy", "KRB5Auth")  # become `kerberos: true` in the conversion
KERBEROS = ("CERN_USER", "CERN_KEYTAB")
VOMS = ("VONAME", "VOMSPROXY_FILE")
RUCIO = ("RUCIO_USERNAME",)
KINDS = ("kerberos", "voms_proxy", "rucio")
# `reana-client secrets-add` arguments per secret (file secrets named as REANA's docs name them).
SECRET_ARGS = {
    "CERN_USER": "--env CERN_USER=<user>",
    "CERN_KEYTAB": "--env CERN_KEYTAB=<user>.keytab --file ~/<user>.keytab",
    "VONAME": "--env VONAME=atlas",
    "VOMSPROXY_FILE": "--env VOMSPROXY_FILE=x509up_u1000 --file /tmp/x509up_u1000",
    "RUCIO_USERNAME": "--env RUCIO_USERNAME=<rucio-account>",
}


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
        name = step.name
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
