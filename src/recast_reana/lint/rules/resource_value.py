"""A step resource REANA reads with an unknown key, a wrong type or a value it refuses.

Applies to: yadage steps' `resources`, and the resource keys of serial steps.

## What it does
Checks each item of a step's `environment.resources` against what REANA 0.9 reads
(`reana_workflow_engine_yadage/externalbackend.py`, `_get_resources`) and accepts (the job
controller's OpenAPI types in `reana_commons/openapi_specifications/reana_job_controller.json`,
checked by the bravado client before the job is submitted, and its own checks):

| key | value |
|---|---|
| `kerberos`, `voms_proxy`, `rucio`, `unpacked_img` | `true` / `false` |
| `kubernetes_uid` | integer >= 100 (smaller ones are ignored: the job runs as 1000) |
| `kubernetes_job_timeout` | integer > 0 (seconds) |
| `kubernetes_memory_limit` | string such as `'8Gi'`, `'500Mi'`, `'2G'` |
| `compute_backend` | `kubernetes`, `htcondorcern`, `slurmcern` or `compute4punch` |
| `htcondor_max_runtime`, `htcondor_accounting_group` | string (quote numbers: `'3600'`) |
| `slurm_partition`, `slurm_time` | string |
| `c4p_cpu_cores`, `c4p_memory_limit`, `c4p_additional_requirements` | string |

Also reported: unknown keys (with a did-you-mean), a key REANA 0.9 does not know yet, a key
without a value, a key given twice in the step's list (the last wins), unknown string items, items
that are neither strings nor mappings, and (on a recast-atlas layout) `kerberos: true` sharing a
mapping with other keys.

## Why is this bad?
REANA silently ignores unknown keys and empty values, and the wrong type or format fails only when
the job is submitted, in the middle of the run (`kubernetes_memory_limit: 8G` unquoted works,
`kubernetes_memory_limit: 8` is a number and is refused, `8gb` has the wrong format: reana-server
0.9.4 accepts both at start). Only `compute_backend` is checked at start: reana-server
refuses a backend it does not offer with 400 `Compute backend "htcondor" found in step "select"
is not supported. List of supported compute backends: "kubernetes, htcondorcern, slurmcern"`
(a valid name such as `htcondorcern` too, on a server without HTCondor). packtivity
(recast-atlas) mounts the kerberos credentials only for an item that is exactly
`{kerberos: true}` (`packtivity/handlers/execution_handlers.py`).

## Example
```yaml
resources:
  - kubernetes_uid: '500'
  - kubernetes_memory_limt: 8Gi
  - htcondor_max_runtime: 3600
```

## Use instead
```yaml
resources:
  - kubernetes_uid: 500
  - kubernetes_memory_limit: 8Gi
  - htcondor_max_runtime: '3600'
```

## Fix
Correct the key or the value as the message says.

## Options
- `extra_keys`: resource keys your REANA instance reads beyond REANA 0.9's (a newer server, e.g.
  `kubernetes_cpu_request`): not reported as unknown; their values must be strings.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import Option, at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.patterns import LazyPattern
from recast_reana.model.positioned_yaml import Path
from recast_reana.model.project import Project
from recast_reana.model.source_file import SourceFile
from recast_reana.model.stage_graph import Step
from recast_reana.type_names import Any

ID = "RR405"
NAME = "resource-value"
SEVERITY = Severity.ERROR
# Keys your REANA instance reads beyond REANA 0.9's (e.g. a newer server): no "unknown" report.
OPTIONS: dict[str, Option] = {
    "extra_keys": Option(default=[], schema={"type": "array", "items": {"type": "string"}})
}

BOOL_KEYS = ("kerberos", "voms_proxy", "rucio", "unpacked_img")
INT_KEYS = ("kubernetes_uid", "kubernetes_job_timeout")
STR_KEYS = (
    "kubernetes_memory_limit",
    "compute_backend",
    "htcondor_max_runtime",
    "htcondor_accounting_group",
    "slurm_partition",
    "slurm_time",
    "c4p_cpu_cores",
    "c4p_memory_limit",
    "c4p_additional_requirements",
)
KNOWN = (*BOOL_KEYS, *INT_KEYS, *STR_KEYS)
# Read only from REANA 0.95 on (reana-workflow-engine-yadage 0.95 `_get_resources`).
NEWER = (
    "kubernetes_cpu_request",
    "kubernetes_cpu_limit",
    "kubernetes_memory_request",
    "htcondor_request_cpus",
    "htcondor_request_memory",
    "htcondor_request_disk",
    "htcondor_requirements",
)
STRING_ITEMS = ("GRIDProxy", "KRB5Auth", "CVMFS")  # packtivity's; RR402 handles them
COMPUTE_BACKENDS = ("kubernetes", "htcondorcern", "slurmcern", "compute4punch")
MIN_UID = 100
# reana_commons/config.py KUBERNETES_MEMORY_FORMAT (matched with re.match, so anchored at start).
MEMORY_FORMAT = LazyPattern(
    r"(?:(?P<value_bytes>\d+)|(?P<value_unit>(\d+[.])?\d+)(?P<unit>[EPTGMK])(?P<binary>i?))$"
)


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    extra = options.get("extra_keys")
    extra_keys = {k for k in extra if isinstance(k, str)} if isinstance(extra, list) else set()
    for step in project.steps:
        src = project.source(step.file)
        if src is not None:
            yield from _check_step(project, src, step, extra_keys)
    for serial in project.serial_steps:
        src = project.source(serial.file)
        for key in ("kubernetes_uid", "kubernetes_job_timeout", "kubernetes_memory_limit"):
            value = serial.data.get(key)
            # The types are the reana file schema's (RR102); here what the schema cannot say.
            typed = isinstance(value, str) if key == "kubernetes_memory_limit" else _is_int(value)
            problem = _value_problem(key, value) if typed and src is not None else None
            if problem and src is not None:
                yield at(ID, src.path, src.pos((*serial.path, key)), problem)


def _check_step(
    project: Project, src: SourceFile, step: Step, extra_keys: set[str]
) -> Iterator[Diagnostic]:
    base = (*step.environment_path, "resources")
    seen: dict[str, Path] = {}  # key -> where the step's list first gives it
    for i, item in enumerate(step.resources):
        if isinstance(item, str):
            if item not in STRING_ITEMS:
                hint = _did_you_mean(item, (*STRING_ITEMS, *KNOWN))
                yield at(
                    ID,
                    src.path,
                    src.pos((*base, i)),
                    f"resource '{item}' is not known to packtivity or REANA, both ignore it{hint}",
                )
            continue
        if not isinstance(item, dict):
            yield at(
                ID,
                src.path,
                src.pos((*base, i)),
                f"resource item {item!r} is not a mapping; REANA ignores it "
                "(write e.g. `- kubernetes_uid: 500`)",
            )
            continue
        for key, value in item.items():
            path: Path = (*base, i, key)
            if not isinstance(key, str) or (key not in KNOWN and key not in extra_keys):
                pos = src.key_pos(path)
                yield at(ID, src.path, pos, _unknown(key), severity=_unknown_severity(key))
                continue
            if value is None:
                message = f"resource '{key}' has no value; REANA ignores it"
                yield at(ID, src.path, src.pos(path), message)
                continue
            problem = _value_problem(key, value)
            if problem:
                yield at(ID, src.path, src.pos(path), problem)
            if key in seen:
                yield at(
                    ID,
                    src.path,
                    src.key_pos(path),
                    f"resource '{key}' is given again (first on line "
                    f"{src.key_pos(seen[key]).line}); REANA uses the last value: keep one",
                )
            else:
                seen[key] = path
        if project.mode == "recast" and item.get("kerberos") is True and len(item) > 1:
            yield at(
                ID,
                src.path,
                src.key_pos((*base, i, "kerberos")),
                "recast-atlas mounts the kerberos credentials only for an item that is exactly "
                "`- kerberos: true`; give the other keys their own list items",
                severity=Severity.WARNING,
            )


def _unknown(key: Any) -> str:
    if key in NEWER:
        return f"resource '{key}' is read only by REANA 0.95 and later; REANA 0.9 ignores it"
    hint = _did_you_mean(str(key), KNOWN)
    return f"unknown resource '{key}': REANA ignores it{hint}"


def _unknown_severity(key: Any) -> Severity | None:
    return Severity.WARNING if key in NEWER else None


def _did_you_mean(word: str, choices: tuple[str, ...]) -> str:
    lowered = {c.lower(): c for c in choices}
    import difflib  # only to suggest a name: not on every start-up

    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f"; did you mean '{lowered[close[0]]}'?" if close else ""


def _value_problem(key: str, value: Any) -> str | None:
    shown = repr(value) if isinstance(value, str) else _yaml_text(value)
    if key in BOOL_KEYS:
        if not isinstance(value, bool):
            return f"resource '{key}' must be true or false, not {shown}"
        return None
    if key in INT_KEYS:
        if not isinstance(value, int) or isinstance(value, bool):
            return f"resource '{key}' must be an integer, not {shown} (REANA refuses the job)"
        if key == "kubernetes_uid" and value < MIN_UID:
            return (
                f"kubernetes_uid {value} is below {MIN_UID}: REANA ignores it and runs the job "
                "as UID 1000"
            )
        if key == "kubernetes_job_timeout" and value <= 0:
            return f"kubernetes_job_timeout must be greater than 0 seconds, not {value}"
        return None
    if not isinstance(value, str):
        if key == "kubernetes_memory_limit":
            return f"kubernetes_memory_limit must be a string such as '8Gi', not {shown}"
        if isinstance(value, (dict, list)):
            return f"resource '{key}' must be a string, not {shown}"
        return f"resource '{key}' must be a string, not {shown}: quote it ('{shown}')"
    if key == "kubernetes_memory_limit" and not MEMORY_FORMAT.match(value):
        return (
            f"kubernetes_memory_limit {value!r} is not a Kubernetes memory size; write e.g. "
            "'8Gi', '500Mi' or '2G' (units E, P, T, G, M, K, optionally with i)"
        )
    if key == "compute_backend" and value not in COMPUTE_BACKENDS:
        hint = _did_you_mean(value, COMPUTE_BACKENDS)
        allowed = ", ".join(COMPUTE_BACKENDS)
        return f"compute_backend {value!r} is not one of {allowed}{hint}"
    return None


def _yaml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return str(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
