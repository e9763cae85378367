"""recast-atlas specs -> REANA specs, as a deterministic function of the source tree.

Passes:
1. drop the stages the configuration names (`convert.drop_stages`), refusing when a remaining stage
   still needs one;
2. the rule fixes (RR003 quoting, RR201 ref base, RR401 getkrb calls, RR402/RR404 resources), on a
   model of the result of pass 1 (the model is rebuilt only when pass 1 changed something);
3. reana.yaml: generated from recast.yml, or completed when the user wrote one. The fixes change no
   stage, `$ref` target or recast.yml, so this reads the same model as pass 2.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from recast_reana.convert.fixes import FIXES, plan_resources, resource_edits
from recast_reana.convert.reana_yaml import REANA_FILE, generate, merge, remove_keys, wanted
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.lint.registry import RULES
from recast_reana.lint.rule import at
from recast_reana.lint.rules import ref_unresolved
from recast_reana.model.config import Config
from recast_reana.model.images import required_uid
from recast_reana.model.positioned_yaml import Path, Pos
from recast_reana.model.project import REANA_NAMES, Project, from_files
from recast_reana.model.source_file import SourceFile
from recast_reana.model.stage_graph import Stage
from recast_reana.model.text_edits import Edit, apply, delete_lines, last_content_line, line_end


class ConversionError(Exception):
    """The sources cannot be converted; `diagnostics` say where and why."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{len(diagnostics)} problem(s) stop the conversion")
        self.diagnostics = [
            d.with_(name=RULES[d.rule].NAME) if d.rule in RULES and not d.name else d
            for d in diagnostics
        ]


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
        for path, file_edits in sorted(by_file.items()):
            raw = files.get(path, b"")
            bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
            current[path] = (bom + apply(_text(current, path), file_edits)).encode("utf-8")
            history.setdefault(path, []).append(file_edits)

    project = _project(current, config)
    _refuse_broken(project)
    initdata = _example(project, example)
    conversion = Conversion(files=current)
    edits, dropped = _drop_stages(project, _names(options.get("drop_stages")), files)
    kept = [s for s in project.workflow.stages if s not in dropped] if project.workflow else []
    dropped_reads = _init_reads(dropped) - _init_reads(kept)
    conversion.dropped = [s.name for s in dropped]
    if edits:
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

    existing = next((n for n in REANA_NAMES if n in current), None)
    reana = _reana_source(project, existing, current)
    have = reana.data if reana is not None and isinstance(reana.data, dict) else {}
    # Parameters that only dropped stages read go; others the example gives stay (RR305 tells).
    params = {k: v for k, v in initdata.items() if k not in dropped_reads}
    target = wanted(project, have, options, params, cvmfs, conversion.dropped)
    if reana is None:
        current[existing or REANA_FILE] = generate(target).encode("utf-8")
    else:  # the user's file is the base: their parameter values win; add what stages read
        given = _params_of(have)
        read = _init_reads(project.workflow.stages if project.workflow else [])
        missing = {k: v for k, v in params.items() if k not in given and k in read}
        rest = {k: v for k, v in target["inputs"].items() if k != "parameters"}
        target["inputs"] = {"parameters": missing, **rest} if missing else rest
        unused = [k for k in given if k in dropped_reads]
        removed = remove_keys(reana, ("inputs", "parameters"), unused, refill=bool(missing))
        commit(merge(reana, target) + removed)

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
    if problems:
        raise ConversionError(sorted(problems))
    where = project.recast.file if project.recast else project.reana.file if project.reana else ""
    if not project.workflow_file:
        if project.recast and project.recast.toplevel is None:
            top = project.recast.toplevel_raw
            why = f"spec.toplevel '{top}' is not a directory of the repository"
        elif where:
            why = "it names no workflow file (recast.yml spec.workflow, reana.yaml workflow.file)"
        else:
            where, why = ".", "it has neither recast.yml nor reana.yaml"
        problems.append(at("RR204", where, _point(1, 1), f"cannot convert: {why}", Severity.ERROR))
    elif project.workflow is None:
        message = f"the workflow file '{project.workflow_file}' does not exist"
        problems.append(at("RR204", where, _point(1, 1), message, Severity.ERROR))
    # A $ref nobody can resolve: converting would only move the breakage to REANA.
    problems += [d.with_(severity=Severity.ERROR) for d in ref_unresolved.check(project, {})]
    reana = project.files.get(project.reana.file) if project.reana else None
    if reana is not None and reana.data is not None and not isinstance(reana.data, dict):
        message = f"{reana.path} is not a mapping of reana.yaml keys"
        problems.append(at("RR102", reana.path, _point(1, 1), message, Severity.ERROR))
    if problems:
        raise ConversionError(sorted(problems))


def _point(line: int, col: int) -> Pos:
    return Pos(line, col, line, col + 1)


def _names(value: Any) -> list[str]:
    """`convert.drop_stages`: a list of stage names (a single name is accepted too)."""
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [v for v in values if isinstance(v, str)]


def _drop_stages(
    project: Project, names: list[str], files: Mapping[str, bytes]
) -> tuple[list[Edit], list[Stage]]:
    """Edits deleting the named top-level stages, refused when the rest would break."""
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
                message = _needs(stage, dep.name, "depends on")
                problems.append(at("RR301", dep.file, dep.pos, message, Severity.ERROR))
        for sel in stage.selectors:
            if sel.stage in names:
                message = _needs(stage, sel.stage, "reads")
                problems.append(at("RR301", sel.file, sel.pos, message, Severity.ERROR))
    problems += _unknown_names(project, names, dropped, files)
    src = project.files[wf.file]
    list_path = (*wf.path, "stages")
    if dropped and len(dropped) == len(wf.stages):
        message = "convert.drop_stages removes every stage of the workflow"
        problems.append(at("RR301", wf.file, src.key_pos(list_path), message, Severity.ERROR))
    elif dropped and (list_path in src.doc.flow_style if src.doc else True):
        message = "convert.drop_stages needs the stages written as a block list (`- name: ...`)"
        problems.append(at("RR301", wf.file, src.key_pos(list_path), message, Severity.ERROR))
    if problems:
        raise ConversionError(sorted(problems))
    indices = [int(s.path[-1]) for s in dropped if isinstance(s.path[-1], int)]
    return _delete_stages(src, list_path, len(wf.stages), indices), dropped


def _needs(stage: Stage, dropped: str, how: str) -> str:
    return (
        f"stage '{stage.name}' {how} stage '{dropped}', which convert.drop_stages removes; "
        f"drop '{stage.name}' too or stop using '{dropped}'"
    )


def _unknown_names(
    project: Project, names: list[str], dropped: list[Stage], files: Mapping[str, bytes]
) -> list[Diagnostic]:
    """A drop_stages entry naming no top-level stage: a typo that would silently keep it.

    Only on a recast-atlas layout: in a converted (REANA-layout) tree the stages are gone already,
    and converting it again must change nothing.
    """
    if project.mode != "recast":
        return []
    found = {s.name for s in dropped}
    config = project.config.path or ".recast-reana.yaml"
    text = files[config].decode("utf-8", "replace") if config in files else ""
    known = ", ".join(s.name for s in project.workflow.stages) if project.workflow else ""
    problems = []
    for name in names:
        if name not in found:
            line = next((n for n, t in enumerate(text.splitlines(), 1) if name in t), 1)
            message = f"convert.drop_stages names '{name}', which is not a top-level stage of "
            message += f"the workflow (stages: {known})"
            problems.append(at("RR301", config, _point(line, 1), message, Severity.ERROR))
    return problems


def _delete_stages(src: SourceFile, list_path: Path, count: int, indices: list[int]) -> list[Edit]:
    """One edit per run of consecutive dropped stages, so that no two edits overlap.

    A stage owns the comment lines right above it and the blank lines after it; the last stage
    of the list owns the blank lines before it instead.
    """
    assert src.doc is not None
    doc = src.doc
    starts = [_block_start(src, doc.pos((*list_path, i))) for i in range(count)]
    edits = []
    runs: list[list[int]] = []
    for i in sorted(indices):
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    for run in runs:
        first, after = starts[run[0]], run[-1] + 1
        if after < count:
            edits.append(delete_lines(src, first, starts[after] - 1, "drop_stages"))
            continue
        last = last_content_line(src, doc.pos((*list_path, run[-1])))
        while first > 1 and not src.lines[first - 2].strip():
            first -= 1
        text = src.text or ""
        if last == len(src.lines) and not text.endswith("\n") and first > 1:
            # The file has no final line break: keep it that way.
            start = line_end(src, first - 1)
            edits.append(Edit(src.path, start, len(text), "", "drop_stages"))
        else:
            edits.append(delete_lines(src, first, last, "drop_stages"))
    return edits


def _block_start(src: SourceFile, pos: Pos) -> int:
    """The first line of a list item: its `-` line, after the comment lines right above it."""
    line = pos.line
    if line > 1 and not src.lines[line - 1][: pos.col - 1].strip() and _is_dash(src, line - 1):
        line -= 1  # `-` alone on its line, the mapping below it
    while line > 1 and _comment(src.lines[line - 2]):
        line -= 1
    return line


def _is_dash(src: SourceFile, line: int) -> bool:
    return src.lines[line - 1].strip() == "-"


def _comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _example(project: Project, example: str) -> dict[str, Any]:
    """recast.yml `example_inputs.<example>.initdata` (the REANA run's parameters)."""
    src = project.files.get(project.recast.file) if project.recast else None
    examples = src.data.get("example_inputs") if src and isinstance(src.data, dict) else None
    if not isinstance(examples, dict) or not examples:
        return {}
    chosen = examples.get(example)
    if chosen is None:
        assert src is not None
        known = ", ".join(str(k) for k in examples)
        message = (
            f"recast.yml has no example_inputs '{example}' (use --example with one of: {known})"
        )
        pos = src.key_pos(("example_inputs",))
        raise ConversionError([at("RR304", src.path, pos, message, Severity.ERROR)])
    initdata = chosen.get("initdata") if isinstance(chosen, dict) else None
    return dict(initdata) if isinstance(initdata, dict) else {}


def _reana_source(
    project: Project, existing: str | None, current: Mapping[str, bytes]
) -> SourceFile | None:
    """The user's reana.yaml as it is after the fixes (RR003 may have quoted a value in it)."""
    if existing is None:
        return None  # an empty reana.yaml (only comments, say) is written afresh too
    src = project.files.get(existing)
    if src is None or src.raw != current[existing]:
        src = SourceFile.parse(existing, current[existing])
    return src if src.data is not None else None


def _params_of(data: Mapping[str, Any]) -> dict[str, Any]:
    inputs = data.get("inputs")
    params = inputs.get("parameters") if isinstance(inputs, dict) else None
    return params if isinstance(params, dict) else {}


def _init_reads(stages: list[Stage]) -> set[str]:
    """Init parameters the stages read."""
    return {sel.output or "" for s in stages for sel in s.selectors if sel.stage == "init"}
