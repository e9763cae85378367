"""An output file names a stage that does not exist, or a file its stage does not publish.

## What it does
Applies to: yadage workflows (the yadage reana file's `outputs.files`, recast.yml's results).

Checks reana.yaml `outputs.files` and recast.yml `results[].relpath`. Their first path segment is a
stage's work directory: the stage name for a single-step stage, `<name>_<i>` for each step of a
multistep stage (yadage `scheduler_handlers.py` names the steps, `state_providers/localposix.py`
makes one directory per step). An unknown stage is an error. When the stage's publishers are known
statically and the file is not one they publish but looks like a typo of one, that is an info
(a step may write files it does not publish, and REANA downloads any workspace file): published
strings are interpolated with the stage's literal parameters and `{workdir}`.
`init/`, `_yadage/`, packtivity's `_packtivity/` logs and uploaded inputs are accepted; globs are
matched as globs. A step directory `<name>_<i>` beyond the steps a multistep stage makes is an
error when the parameters tell how many: the stage scatters over literal lists or over init
parameters, and every parameter set gives them (yadage `scatter`: `zip` makes as many steps as
the shortest list, `cartesian` the product); the entry must be there whichever set runs. A
workflow with no stages at all writes no file.

## Why is this bad?
REANA lists the file as an output that never appears, and `reana-client download` and recast-atlas
results fail at the end of a run that otherwise succeeded.

## Example
```yaml
outputs:
  files:
    - fitting/limit.png   # the stage is `fit`
```

## Use instead
```yaml
outputs:
  files:
    - fit/limit.png
```

## Fix
Use the stage's name (the message suggests one) and a file its publisher names.
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at, suggest
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.graph_queries import INIT, stage_index, step_count
from recast_reana.model.patterns import LazyPattern
from recast_reana.model.positioned_yaml import Path, value_at, walk
from recast_reana.model.project import Project
from recast_reana.model.stage_graph import Stage
from recast_reana.type_names import Any

ID = "RR307"
NAME = "unknown-output-file"
SEVERITY = Severity.ERROR

# Directories of a workspace that are not stage directories: the init data, yadage's own state.
_NOT_STAGES = {INIT, "_yadage"}
# packtivity keeps each step's logs under `<workdir>/_packtivity` (posixfs_context.py, metadir).
_META = "_packtivity"
_STEP_DIR = LazyPattern(r"(.+)_[0-9]+")
_GLOB = LazyPattern(r"[*?\[]")
_WORKDIR = "\0workdir"  # stands for the step's work directory while interpolating
_NUMBER = LazyPattern(r"[-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?")


def _entries(project: Project) -> Iterator[tuple[str, Path, Any, str]]:
    """(file, path, value, what) of each output file entry."""
    if project.reana and (src := project.files.get(project.reana.file)):
        files = value_at(src.data, ("outputs", "files"))
        for i, value in enumerate(files if isinstance(files, list) else []):
            yield src.path, ("outputs", "files", i), value, "outputs.files entry"
    # REANA never reads recast.yml: on a converted (REANA-layout) branch its results do not count.
    if (
        project.mode == "recast"
        and project.recast
        and (src := project.files.get(project.recast.file))
    ):
        results = value_at(src.data, ("results",))
        for i, result in enumerate(results if isinstance(results, list) else []):
            if isinstance(result, dict) and "relpath" in result:
                yield src.path, ("results", i, "relpath"), result["relpath"], "results relpath"


def _uploaded(project: Project, path: str) -> bool:
    if project.reana is None:
        return False
    dirs = project.reana.directories
    return path in project.reana.files or any(path.startswith(d + "/") for d in dirs)


def _literal(stage: Stage) -> dict[str, Any]:
    """Parameters whose value is known before the run, `{workdir}` filled in as packtivity's
    state context does (posixfs_context.py, contextualize_value)."""
    values: dict[str, Any] = {}
    for key, value in stage.parameters.items():
        if isinstance(value, str):
            try:
                values[key] = value.format(workdir=_WORKDIR)
            except (KeyError, IndexError, ValueError, AttributeError, TypeError):
                continue
        elif isinstance(value, (int, float)):
            values[key] = value
    return values


class _Unknown(Exception):
    """A published value names a file only the run can place."""


def _relative(value: Any, relative_paths: bool) -> str | None:
    """The path below the work directory a published value names; None when it names no file."""
    if not isinstance(value, str):
        return None
    if value == _WORKDIR:
        return "*"  # the whole directory
    if value.startswith(_WORKDIR + "/"):
        return value[len(_WORKDIR) + 1 :]
    if _WORKDIR in value:
        raise _Unknown
    if value.startswith("/") or "://" in value or _NUMBER.fullmatch(value):
        return None  # elsewhere, or a plain value such as a cross-section
    # packtivity joins a relative value to the work directory only with `relative_paths: true`.
    if relative_paths:
        return value
    if "/" in value or "." in value:
        raise _Unknown  # relative to wherever the step runs
    return None


def _published(stage: Stage) -> list[str] | None:
    """Paths (globs) below the stage's work directory its publishers name; None when unknown."""
    if stage.subworkflows or not stage.steps:
        return None
    try:
        return _paths(stage)
    except _Unknown:
        return None


def _paths(stage: Stage) -> list[str] | None:
    params = _literal(stage)
    out: list[str] = []
    for step in stage.steps:
        publisher = step.data.get("publisher")
        if not isinstance(publisher, dict):
            return None
        kind = step.publisher_type
        if kind == "interpolated-pub":
            relative = publisher.get("relative_paths") is True
            for _, value in walk(publisher.get("publish")):
                if not isinstance(value, str):
                    continue
                try:  # packtivity publisher_handlers.py, interpolated_pub_handler
                    text = value.format(workdir=_WORKDIR, **params)
                except (KeyError, IndexError, ValueError, AttributeError, TypeError):
                    return None  # reads a value only the run knows
                if (rel := _relative(text, relative)) is not None:
                    out.append(rel)
        elif kind == "frompar-pub" and isinstance(publisher.get("outputmap"), dict):
            for _, name in walk(publisher["outputmap"]):
                if isinstance(name, str):
                    if name not in params:
                        return None
                    if (rel := _relative(params[name], False)) is not None:
                        out.append(rel)
        elif kind == "fromglob-pub" and isinstance(publisher.get("globexpression"), str):
            out.append(publisher["globexpression"])
        else:
            return None
    return out


def _matches(rest: str, published: list[str]) -> bool:
    for pub in published:
        pub = posixpath.normpath(pub)
        if fnmatch.fnmatchcase(rest, pub) or fnmatch.fnmatchcase(pub, rest):
            return True
        if rest.startswith(pub.rstrip("/") + "/"):  # a file inside a published directory
            return True
    return False


def _stage_for(first: str, index: dict[str, list[Stage]]) -> tuple[Stage | None, bool]:
    """(stage whose work directory `first` is, whether `first` names any stage directory)."""
    if first in index:
        return index[first][0], True
    if (m := _STEP_DIR.fullmatch(first)) and m.group(1) in index:
        stage = index[m.group(1)][0]
        if stage.scheduler_type != "singlestep-stage":
            return stage, True
    if _GLOB.search(first):
        dirs = [*index, *(f"{n}_0" for n in index)]
        return None, any(fnmatch.fnmatchcase(d, first) for d in dirs)
    return None, False


def _unknown(project: Project, first: str, index: dict[str, list[Stage]]) -> str:
    if _GLOB.search(first):
        return f"'{first}' matches no stage directory of the workflow; no stage writes this file"
    m = _STEP_DIR.fullmatch(first)
    for stage in project.stages:
        if stage.workflow.parent is not None and stage.name in (first, m and m.group(1)):
            chain = [stage.name]
            parent: Stage | None = stage.workflow.parent
            while parent is not None:
                chain.append(parent.name)
                parent = parent.workflow.parent
            return (
                f"stage '{stage.name}' runs inside a sub-workflow, so its directory is under "
                f"'{'/'.join(reversed(chain[1:]))}/'"
            )
    if not index:
        return "the workflow has no stages; no stage writes this file"
    hint = suggest(first, index)
    return f"'{first}' is not a stage of the workflow{hint}; no stage writes this file"


def _no_stages(project: Project) -> bool:
    """The workflow is written with `stages: []` (not: stages that failed to load)."""
    assert project.workflow is not None
    src = project.files.get(project.workflow.file)
    return src is not None and value_at(src.data, (*project.workflow.path, "stages")) == []


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    if project.workflow is None or not (project.workflow.stages or _no_stages(project)):
        return
    index = stage_index(project.workflow)
    for file, path, value, what in _entries(project):
        if not isinstance(value, str) or value.startswith("/"):
            continue
        entry = posixpath.normpath(value)
        first, _, rest = entry.partition("/")
        if not rest or first in _NOT_STAGES or first == ".." or _uploaded(project, entry):
            continue
        pos = project.files[file].pos(path)
        stage, known = _stage_for(first, index)
        if not known:
            yield at(ID, file, pos, f"{what} '{value}': {_unknown(project, first, index)}")
            continue
        if stage is None or rest.split("/", 1)[0] == _META:
            continue
        if first != stage.name and (counted := step_count(project, stage)) is not None:
            count, pset = counted
            if int(first.rsplit("_", 1)[1]) >= count:
                name, plural = stage.name, "s" if count != 1 else ""
                dirs = f"'{name}_0'" + (f" to '{name}_{count - 1}'" if count > 1 else "")
                yield at(
                    ID,
                    file,
                    pos,
                    f"{what} '{value}': stage '{name}' runs {count} step{plural} with the "
                    f"parameters of {pset} ({dirs}), so no step writes '{first}/'",
                )
                continue
        if first == stage.name and stage.scheduler_type not in ("singlestep-stage", None):
            yield at(
                ID,
                file,
                pos,
                f"{what} '{value}': stage '{first}' runs several steps, each in its own "
                f"directory '{first}_0', '{first}_1', ...; name one, or '{first}_*/{rest}'",
                severity=Severity.WARNING,
            )
            continue
        published = _published(stage)
        if published is None or _matches(rest, published):
            continue
        # Any file a step writes is in the workspace (REANA downloads it, recast-atlas reads it):
        # an unpublished name is only worth a word when it looks like a typo of a published one.
        full = [f"{stage.name}/{p}" for p in published]
        hint = suggest(entry, full)
        if hint:
            offered = ", ".join(f"'{p}'" for p in full)
            yield at(
                ID,
                file,
                pos,
                f"{what} '{value}' is not among the files stage '{stage.name}' publishes "
                f"({offered}){hint}; it is found only if the step writes it anyway",
                severity=Severity.INFO,
            )
