"""What `recast-reana run` sends, decided before the first request (no network here).

The repository is converted in memory (a REANA-layout repository is used as is) and checked;
errors stop the run. The plan holds the reana.yaml to create the workflow with, exactly the files
to upload (each once), the parameters to start it with and what to download afterwards.
"""

from __future__ import annotations

import datetime
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from recast_reana.convert.check import check_and_convert
from recast_reana.errors import EXIT_PROBLEMS, Error
from recast_reana.lint.diagnostics import Severity, format_text
from recast_reana.model.config import Config
from recast_reana.model.credentials import credential_needs
from recast_reana.model.project import Project, load_project
from recast_reana.type_names import Any

PARAM_PREFIX = "REANA_PARAM_"
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")
_EXPONENT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+")


@dataclass
class Plan:
    name: str  # the REANA workflow name (no "."), before a grid point's suffix
    reana: dict[str, Any]  # reana.yaml, sent as JSON at create
    uploads: dict[str, bytes]  # workspace path -> content, each file once
    parameters: dict[str, Any]  # reana.yaml's, then REANA_PARAM_*, then --param
    outputs: list[str] = field(default_factory=list)  # outputs.files
    output_dirs: list[str] = field(default_factory=list)  # outputs.directories
    needs: dict[str, list[str]] = field(default_factory=dict)  # credential kind -> steps


def prepare(
    root: Path,
    config: Config,
    *,
    example: str,
    name: str | None,
    params: Sequence[str],
    env: Mapping[str, str],
    out: Callable[[str], None],
) -> Plan:
    """Check, convert and plan; prints the check's errors and warnings through `out`."""
    overrides = {**_env_params(env), **_cli_params(params)}
    project = load_project(root, config)
    report = check_and_convert(project, example)
    found = [d for d in report.diagnostics if d.severity in (Severity.ERROR, Severity.WARNING)]
    if found:
        out(format_text(found, project.texts, show_source=False).rstrip("\n"))
    errors = sum(1 for d in found if d.severity is Severity.ERROR)
    if errors:
        raise Error(
            f"the check found {errors} error(s): nothing was sent to REANA "
            "(fix them, `recast-reana check` shows them again)",
            EXIT_PROBLEMS,
        )
    # A recast-atlas layout is sent as the check converted it; a REANA layout as it is.
    converted = report.conversion.project if report.conversion else project
    if converted is None:  # the check reports why as errors already
        raise Error("cannot convert the repository", EXIT_PROBLEMS)
    reana = _reana_yaml(converted)
    known = _mapping(_mapping(reana.get("inputs")).get("parameters"))
    parameters = dict(known)
    for key, value in overrides.items():
        parameters[_known_name(key, known)] = value
    outputs = _mapping(reana.get("outputs"))
    return Plan(
        name=sanitise(name) if name else default_name(env, root),
        reana=reana,
        uploads=_uploads(converted, reana),
        parameters=parameters,
        outputs=[_safe(p, "outputs.files") for p in _strings(outputs.get("files"))],
        output_dirs=[_safe(p, "outputs.directories") for p in _strings(outputs.get("directories"))],
        needs=credential_needs(converted),
    )


def unknown_parameters(plan: Plan, extra: Iterable[str] = ()) -> list[str]:
    """Overrides (and grid columns) naming no reana.yaml parameter: the workflow may not read
    them (a typo in a pipeline variable would otherwise pass silently)."""
    known = _mapping(_mapping(plan.reana.get("inputs")).get("parameters"))
    return sorted({k for k in [*plan.parameters, *extra] if k not in known})


def declaring(reana: Mapping[str, Any], parameters: Mapping[str, Any]) -> dict[str, Any]:
    """reana.yaml with every parameter the start sends declared in `inputs.parameters`.

    reana-server 0.9.4 refuses to start a workflow with a parameter its reana.yaml does not
    declare (`reana_server/validation.py`, `validate_input_parameters`: 400 `Input parameter "x"
    is not present in reana.yaml`), after it was created and its files uploaded. An override or a
    grid column that reana.yaml lacks (`run` warns about each) is declared with its value."""
    inputs = _mapping(reana.get("inputs"))
    known = _mapping(inputs.get("parameters"))
    extra = {k: v for k, v in parameters.items() if k not in known}
    if not extra:
        return dict(reana)
    return {**reana, "inputs": {**inputs, "parameters": {**known, **extra}}}


def _reana_yaml(project: Project) -> dict[str, Any]:
    src = project.source(project.reana.file) if project.reana else None
    if src is None or not isinstance(src.data, dict):
        raise Error("no reana.yaml to submit (the conversion made none)", EXIT_PROBLEMS)
    data: dict[str, Any] = _jsonable(src.data)
    return data


def _uploads(project: Project, reana: Mapping[str, Any]) -> dict[str, bytes]:
    """The workflow file, every file its `$ref`s reach, `inputs.files` and `inputs.directories`."""
    inputs = _mapping(reana.get("inputs"))
    paths = project.listing()
    needed: set[str] = set()
    if project.workflow_file:
        needed.add(project.workflow_file)
    needed |= {t.file for ref in project.refs if (t := ref.target(project.mode)) is not None}
    for path in _strings(inputs.get("files")):
        path = _safe(path, "inputs.files")
        if path not in paths:
            raise Error(f"reana.yaml inputs.files names {path}, which is not in the repository")
        needed.add(path)
    for directory in _strings(inputs.get("directories")):
        directory = _safe(directory, "inputs.directories")
        inside = [p for p in paths if directory == "." or p.startswith(directory + "/")]
        if not inside:
            raise Error(
                f"reana.yaml inputs.directories names {directory}, which holds no file of the "
                "repository"
            )
        needed.update(inside)
    files = {p: data for p in sorted(needed) if (data := project.read(p)) is not None}
    missing = sorted(needed - set(files))
    if missing:
        raise Error(
            f"{missing[0]} is needed by the workflow but is not in the repository", EXIT_PROBLEMS
        )
    return files


def _safe(path: str, where: str) -> str:
    """A workspace-relative path: REANA refuses absolute paths and `..` (validate_inputs)."""
    norm = posixpath.normpath(path)
    if norm.startswith("/") or norm == ".." or norm.startswith("../"):
        raise Error(f"reana.yaml {where} names {path}, which is outside the workspace")
    return norm


def sanitise(name: str) -> str:
    """A REANA workflow name: REANA refuses "." (reana-commons REANA_WORKFLOW_NAME_ILLEGAL_
    CHARACTERS); other punctuation would only make URLs and shell commands awkward."""
    clean = _UNSAFE_NAME.sub("-", name).strip("-")
    return clean[:100] or "recast"


def default_name(env: Mapping[str, str], root: Path) -> str:
    """`<CI_PROJECT_NAME>-<ref slug>` in GitLab CI, else the repository directory's name."""
    project = env.get("CI_PROJECT_NAME", "")
    ref = env.get("CI_COMMIT_REF_SLUG") or env.get("CI_COMMIT_REF_NAME", "")
    if project:
        return sanitise(f"{project}-{ref}" if ref else project)
    return sanitise(root.name)


def parse_value(text: str) -> Any:
    """A parameter value as YAML reads a scalar: `44.8` a number, `true` a boolean, `[1, 2]` a
    list; anything else (a mapping, a date, bad YAML) stays the text."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if value is None and text.strip() not in ("null", "~", "Null", "NULL"):
        return text
    if isinstance(value, str) and _EXPONENT.fullmatch(text.strip()):
        return float(text)  # YAML 1.1 (PyYAML) reads 1e3 as a string; JSON and people do not
    if isinstance(value, (dict, datetime.date)) or not _plain(value):
        return text
    return value


def _plain(value: Any) -> bool:
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


def _env_params(env: Mapping[str, str]) -> dict[str, Any]:
    # An empty variable is a field of GitLab's "Run pipeline" form left blank, not a value: it
    # keeps reana.yaml's parameter (`--param KEY=` still sets an empty string on purpose).
    return {
        key[len(PARAM_PREFIX) :]: parse_value(value)
        for key, value in sorted(env.items())
        if key.startswith(PARAM_PREFIX) and len(key) > len(PARAM_PREFIX) and value.strip()
    }


def _cli_params(params: Sequence[str]) -> dict[str, Any]:
    out = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise Error(f"--param {item!r}: write KEY=VALUE")
        out[key.strip()] = parse_value(value)
    return out


def _known_name(key: str, known: Mapping[str, Any]) -> str:
    """GitLab variables are often upper case: REANA_PARAM_XSEC sets `xsec` when that is the
    only parameter of that name in any case."""
    if key in known:
        return key
    same = [k for k in known if k.lower() == key.lower()]
    return same[0] if len(same) == 1 else key


def parse_duration(text: str) -> float:
    """`90`, `90s`, `45m`, `2h`, `1h30m`, `1d` -> seconds."""
    parts = re.findall(r"(\d+(?:\.\d+)?)([smhd]?)", text.strip().lower())
    if not parts or "".join(n + u for n, u in parts) != text.strip().lower().replace(" ", ""):
        raise Error(f"--timeout {text!r}: write a duration such as 90m, 2h or 1h30m")
    scale = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
    seconds = sum(float(n) * scale[u] for n, u in parts)
    if seconds <= 0:
        raise Error(f"--timeout {text!r}: must be more than zero")
    return seconds


def _jsonable(value: Any) -> Any:
    """YAML data as JSON can carry it (dates become their ISO text)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
