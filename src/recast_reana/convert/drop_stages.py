"""`convert.drop_stages`: the top-level stages the REANA version leaves out.

Stages that read local files (an `initdir` on a laptop, a local ntuple) cannot run on REANA. They
are deleted from the stage list as whole lines (with the comment lines right above them), and
the conversion is refused when a remaining stage still needs one, or a name is not a stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.positioned_yaml import Path, Pos
from recast_reana.model.project import Project
from recast_reana.model.source_file import SourceFile
from recast_reana.model.stage_graph import Stage
from recast_reana.model.text_edits import Edit, delete_lines, last_content_line, line_end

RULE = "RR301"  # the refusals are unknown-stage findings: a stage would read a missing stage


@dataclass
class Dropping:
    stages: list[Stage] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)


def drop_stages(project: Project) -> Dropping:
    """Edits deleting the configured top-level stages, or why they cannot be dropped."""
    wf = project.workflow
    wanted = project.config.drop_stages
    result = Dropping()
    if wf is None or not wanted:
        return result
    result.stages = [s for s in wf.stages if s.name in wanted]
    problems = result.problems
    for stage in wf.stages:
        if stage in result.stages:
            continue
        for dep in stage.dependencies:
            if dep.name in wanted:
                message = _needs(stage, dep.name, "depends on")
                problems.append(at(RULE, dep.file, dep.pos, message, Severity.ERROR))
        for sel in stage.selectors:
            if sel.stage in wanted:
                message = _needs(stage, sel.stage, "reads")
                problems.append(at(RULE, sel.file, sel.pos, message, Severity.ERROR))
    problems += _unknown_names(project, wanted, result.stages)
    src = project.files[wf.file]
    list_path = (*wf.path, "stages")
    if result.stages and len(result.stages) == len(wf.stages):
        message = "convert.drop_stages removes every stage of the workflow"
        problems.append(at(RULE, wf.file, src.key_pos(list_path), message, Severity.ERROR))
    elif result.stages and (list_path in src.doc.flow_style if src.doc else True):
        message = "convert.drop_stages needs the stages written as a block list (`- name: ...`)"
        problems.append(at(RULE, wf.file, src.key_pos(list_path), message, Severity.ERROR))
    if not problems:
        indices = [int(s.path[-1]) for s in result.stages if isinstance(s.path[-1], int)]
        result.edits = _delete_stages(src, list_path, len(wf.stages), indices)
    return result


def _needs(stage: Stage, dropped: str, how: str) -> str:
    return (
        f"stage '{stage.name}' {how} stage '{dropped}', which convert.drop_stages removes; "
        f"drop '{stage.name}' too or stop using '{dropped}'"
    )


def _unknown_names(project: Project, wanted: list[str], dropped: list[Stage]) -> list[Diagnostic]:
    """A drop_stages entry naming no top-level stage: a typo that would silently keep it.

    Only on a recast-atlas layout: in a converted (REANA-layout) tree the stages are gone already,
    and converting it again must change nothing.
    """
    if project.mode != "recast":
        return []
    config = project.config
    found = {s.name for s in dropped}
    known = ", ".join(s.name for s in project.workflow.stages) if project.workflow else ""
    value = config.convert.get("drop_stages")
    problems = []
    for i, name in enumerate(wanted):
        if name in found:
            continue
        where: Path = ("convert", "drop_stages")
        if isinstance(value, list):
            where = (*where, next((n for n, v in enumerate(value) if v == name), i))
        message = f"convert.drop_stages names '{name}', which is not a top-level stage of "
        message += f"the workflow (stages: {known})"
        path = config.path or ".recast-reana.yaml"
        problems.append(at(RULE, path, config.pos(where), message, Severity.ERROR))
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
    while line > 1 and src.lines[line - 2].lstrip().startswith("#"):
        line -= 1
    return line


def _is_dash(src: SourceFile, line: int) -> bool:
    return src.lines[line - 1].strip() == "-"
