"""How a repository's workflow is run: which file, from which toplevel, with which parameters.

As the tool that runs it does (DESIGN.md §3, §4):
- on main (recast-atlas layout), `recast run` loads `spec.workflow` relative to `spec.toplevel`
  (default `<dir of recast.yml>/specs`) with the `initdata` of an `example_inputs` entry;
- on a REANA branch (or a repository written for REANA), REANA loads `workflow.file` with
  toplevel = the directory of reana.yaml and the parameters of `inputs.parameters`.

Which of the two a repository is, and its parameter sets, are recast-reana's own reading
(`Project.mode`, `Project.parameter_sets`): the layout rules, not the graph rules, decide those.
The parameter values are read again with `yaml.safe_load`, as both tools read them. On main, a
hand-written reana.yaml's parameters are run against the workflow as recast-atlas loads it: the
stage graph is the same after the conversion, which only rewrites `$ref`s and resources.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from engine_oracle.engine import Request
from recast_reana.model.config import load_config
from recast_reana.model.project import Project, load_project


def write_repository(root: Path, files: Mapping[str, str | bytes]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
    return root


def project_of(root: Path) -> Project:
    return load_project(root, load_config(root), scan=False)


def _value(root: Path, file: str, path: tuple[Any, ...]) -> Any:
    data = yaml.safe_load((root / file).read_text())
    for key in path:
        data = data[key]
    return data


def requests(root: Path, workdirs: Path, project: Project | None = None) -> list[Request]:
    """One dry run per parameter set the repository gives (one run without any if it gives none)."""
    project = project or project_of(root)
    if project.workflow_file is None:
        raise AssertionError(f"no workflow found in {root}")
    if project.mode == "recast" and project.recast and project.recast.toplevel is not None:
        base = project.recast.toplevel
    elif project.reana is not None:
        base = posixpath.dirname(project.reana.file)
    else:
        base = posixpath.dirname(project.workflow_file)
    workflow = posixpath.relpath(project.workflow_file, base or ".")
    toplevel = root / base if base else root
    # On main, a hand-written reana.yaml serves the converted workflow, which lacks the
    # stages `convert.drop_stages` names: its parameters are not run against the whole one.
    dropping = bool(project.mode == "recast" and project.config.drop_stages and project.reana)
    sets: list[tuple[str, Any, tuple[str, tuple[Any, ...]] | None]] = [
        (p.name, _value(root, p.file, tuple(p.path)), (p.file, tuple(p.path)))
        for p in project.parameter_sets
        if not (dropping and project.reana is not None and p.file == project.reana.file)
    ]
    out = []
    for i, (label, initdata, origin) in enumerate(sets or [("no parameters", {}, None)]):
        work = workdirs / f"run{i}"
        out.append(Request(label, work, toplevel, workflow, initdata or {}, origin))
    return out
