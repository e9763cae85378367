"""recast-atlas specs -> REANA specs, as a deterministic function of the source tree.

Passes, each on a fresh model of the previous result:
1. drop the stages the configuration names (`convert.drop_stages`), refusing when a remaining stage
   still needs one;
2. the rule fixes (RR003 quoting, RR201 ref base, RR401 getkrb calls, RR402/RR404 resources);
3. reana.yaml: generated from recast.yml, or completed when the user wrote one.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from recast_reana.config import Config
from recast_reana.diagnostics import Diagnostic, Severity
from recast_reana.edits import Edit, apply, delete_lines
from recast_reana.fixes import FIXES, plan_resources, resource_edits
from recast_reana.graph import Stage
from recast_reana.images import required_uid
from recast_reana.project import REANA_NAMES, Project, from_files
from recast_reana.reana_yaml import REANA_FILE, VERSION, generate, merge
from recast_reana.rules import at
from recast_reana.sources import SourceFile
from recast_reana.yamlpos import Pos

DEFAULT_CVMFS = ["atlas.cern.ch", "atlas-condb.cern.ch"]


class ConversionError(Exception):
    """The sources cannot be converted; `diagnostics` say where and why."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{len(diagnostics)} problem(s) stop the conversion")
        self.diagnostics = diagnostics


@dataclass
class Conversion:
    files: dict[str, bytes]  # the complete converted tree
    changed: dict[str, bytes] = field(default_factory=dict)  # files that differ or are new
    edits: dict[str, list[Edit]] = field(default_factory=dict)  # applied, per file, all passes
    dropped: list[str] = field(default_factory=list)


def _project(files: Mapping[str, bytes], config: Config) -> Project:
    paths = sorted(files)
    return from_files(files, config, yaml_paths=paths)


def _text(files: Mapping[str, bytes], path: str) -> str:
    return files[path].decode("utf-8").removeprefix("\ufeff")


def convert(files: Mapping[str, bytes], config: Config, example: str = "default") -> Conversion:
    """Convert the repository given as {path: content}; raises ConversionError on bad input."""
    options = dict(config.convert)
    current = dict(files)
    history: dict[str, list[list[Edit]]] = {}

    def commit(edits: list[Edit]) -> None:
        by_file: dict[str, list[Edit]] = {}
        for e in edits:
            by_file.setdefault(e.file, []).append(e)
        for path, file_edits in by_file.items():
            raw = files.get(path, b"")
            bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
            current[path] = (bom + apply(_text(current, path), file_edits)).encode("utf-8")
            history.setdefault(path, []).append(file_edits)

    project = _project(current, config)
    _refuse_broken(project)
    conversion = Conversion(files=current)
    edits, dropped = _drop_stages(project, list(options.get("drop_stages", [])))
    dropped_reads = _init_reads(dropped) - _init_reads(
        [s for s in project.workflow.stages if s not in dropped] if project.workflow else []
    )
    conversion.dropped = [s.name for s in dropped]
    commit(edits)

    project = _project(current, config)
    fixes: list[Edit] = []
    for fix in FIXES.values():
        fixes += fix(project, options)
    cvmfs = False
    for step in project.steps:
        plan = plan_resources(step, required_uid(step.environment, config.images))
        cvmfs |= plan.cvmfs
        fixes += resource_edits(project, step, plan)
    commit(fixes)

    project = _project(current, config)
    wanted = _wanted_reana(project, options, example, cvmfs, conversion.dropped, dropped_reads)
    existing = next((n for n in REANA_NAMES if n in current), None)
    if existing is None:
        current[REANA_FILE] = generate(wanted).encode("utf-8")
    else:  # the user's file is the base: only add the parameters the workflow reads
        params = wanted["inputs"].get("parameters", {})
        read = _init_reads(project.workflow.stages if project.workflow else [])
        wanted["inputs"]["parameters"] = {k: v for k, v in params.items() if k in read}
        if not wanted["inputs"]["parameters"]:
            del wanted["inputs"]["parameters"]
        commit(merge(project.files[existing], wanted))

    conversion.changed = {p: b for p, b in current.items() if files.get(p) != b}
    conversion.edits = {p: [e for batch in b for e in batch] for p, b in history.items()}
    return conversion


def _refuse_broken(project: Project) -> None:
    problems = [
        at(
            "RR001" if s.problem.kind == "syntax" else "RR004",
            s.path,
            _point(s.problem.line, s.problem.col),
            s.problem.message,
            Severity.ERROR,
        )
        for s in project.files.values()
        if s.problem is not None
    ]
    if project.workflow is None and project.workflow_file:
        problems.append(
            at(
                "RR204",
                project.workflow_file,
                _point(1, 1),
                "the workflow file cannot be read",
                Severity.ERROR,
            )
        )
    if problems:
        raise ConversionError(problems)


def _point(line: int, col: int) -> Pos:
    return Pos(line, col, line, col + 1)


def _drop_stages(project: Project, names: list[str]) -> tuple[list[Edit], list[Stage]]:
    wf = project.workflow
    if wf is None or not names:
        return [], []
    dropped = [s for s in wf.stages if s.name in names]
    problems: list[Diagnostic] = []
    for stage in wf.stages:
        if stage in dropped:
            continue
        for dep in stage.dependencies:
            if dep.name in names:
                problems.append(
                    at(
                        "RR301",
                        dep.file,
                        dep.pos,
                        _needs(stage, dep.name, "depends on"),
                        Severity.ERROR,
                    )
                )
        for sel in stage.selectors:
            if sel.stage in names:
                problems.append(
                    at(
                        "RR301",
                        sel.file,
                        sel.pos,
                        _needs(stage, sel.stage, "reads"),
                        Severity.ERROR,
                    )
                )
    edits = []
    for stage in dropped:
        if stage.file != wf.file or stage.path[:-1] != (*wf.path, "stages"):
            problems.append(
                at(
                    "RR301",
                    stage.file,
                    stage.pos,
                    f"cannot drop stage '{stage.name}': it is not written in the "
                    f"stages list of {wf.file}",
                    Severity.ERROR,
                )
            )
            continue
        edits.append(_delete_stage(project, stage))
    if problems:
        raise ConversionError(sorted(problems))
    return edits, dropped


def _needs(stage: Stage, dropped: str, how: str) -> str:
    return (
        f"stage '{stage.name}' {how} stage '{dropped}', which convert.drop_stages removes; "
        f"drop '{stage.name}' too or stop using '{dropped}'"
    )


def _delete_stage(project: Project, stage: Stage) -> Edit:
    src = project.files[stage.file]
    doc = src.doc
    assert doc is not None
    list_path, index = stage.path[:-1], stage.path[-1]
    assert isinstance(index, int)
    first = doc.pos(stage.path).line
    following = (*list_path, index + 1)
    if following in doc.positions:
        last = doc.pos(following).line - 1
    else:  # the last stage: take the blank lines before it instead of after
        last = _content_end(src, doc.pos(stage.path))
        while first > 1 and not src.lines[first - 2].strip():
            first -= 1
    return delete_lines(src, first, last, "drop_stages")


def _content_end(src: SourceFile, pos: Pos) -> int:
    last = pos.end_line
    if last > len(src.lines) or not src.lines[last - 1][: pos.end_col - 1].strip():
        last -= 1
    return max(last, pos.line)


def _wanted_reana(
    project: Project,
    options: Mapping[str, Any],
    example: str,
    cvmfs: bool,
    dropped: list[str],
    dropped_reads: set[str],
) -> dict[str, Any]:
    """What reana.yaml must hold, in REANA's key order."""
    params = _parameters(project, example, dropped_reads)
    wanted: dict[str, Any] = {"version": VERSION}
    inputs: dict[str, Any] = {}
    if params:
        inputs["parameters"] = params
    spec_dir = posixpath.dirname(project.workflow_file or "") or "."
    inputs["directories"] = [spec_dir]
    wanted["inputs"] = inputs
    workflow: dict[str, Any] = {"type": "yadage", "file": project.workflow_file}
    if cvmfs or options.get("cvmfs"):
        workflow["resources"] = {"cvmfs": list(options.get("cvmfs") or DEFAULT_CVMFS)}
    wanted["workflow"] = workflow
    outputs = _outputs(project, options, dropped)
    if outputs:
        wanted["outputs"] = {"files": outputs}
    return wanted


def _parameters(project: Project, example: str, dropped_reads: set[str]) -> dict[str, Any]:
    """The example's initdata, less parameters that only dropped stages read."""
    sets = {ps.label: ps for ps in project.parameter_sets}
    chosen = sets.get(f"example '{example}'")
    if chosen is None:
        return {}
    read = _init_reads(project.workflow.stages if project.workflow else [])
    return {k: v for k, v in chosen.values.items() if k in read or k not in dropped_reads}


def _init_reads(stages: list[Stage]) -> set[str]:
    """Init parameters the stages read."""
    return {sel.output or "" for s in stages for sel in s.selectors if sel.stage == "init"}


def _outputs(project: Project, options: Mapping[str, Any], dropped: list[str]) -> list[str]:
    out: list[str] = []
    recast = project.files.get(project.recast.file) if project.recast else None
    results = recast.data.get("results") if recast and isinstance(recast.data, dict) else None
    for result in results if isinstance(results, list) else []:
        rel = result.get("relpath") if isinstance(result, dict) else None
        if isinstance(rel, str) and rel not in out and rel.split("/", 1)[0] not in dropped:
            out.append(rel)
    for extra in options.get("outputs", []) or []:
        if isinstance(extra, str) and extra not in out:
            out.append(extra)
    return out
