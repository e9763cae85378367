"""The fixes `recast-reana convert` applies: one per rule that finds the problem.

Each fix reads the project model and returns text edits; none overlap (resources of one step are
rewritten by a single edit), so all can be applied in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from recast_reana.edits import (
    Edit,
    delete_lines,
    indent_of,
    line_end,
    line_start,
    newline,
    next_line,
    replace_scalar,
    span,
)
from recast_reana.graph import Step
from recast_reana.project import Project
from recast_reana.refs import REANA, RECAST
from recast_reana.sources import SourceFile
from recast_reana.yamlpos import Pos

GETKRB = "/recast_auth/getkrb.sh"
# `. /recast_auth/getkrb.sh`, `source ...` or a plain call, with the `&&`/`;` joining it to the
# rest of its line, so that only the call goes: `. getkrb && xrdcp a b` -> `xrdcp a b`.
_CALL = r"(?:(?:\.|source)[ \t]+)?/recast_auth/getkrb\.sh\b[ \t]*"
_CALL_THEN = re.compile(_CALL + r"(?:&&|;)[ \t]*")
_THEN_CALL = re.compile(r"[ \t]*(?:&&|;)[ \t]*" + _CALL)
_CALL_ALONE = re.compile(_CALL)
KERBEROS_ALIASES = ("GRIDProxy", "KRB5Auth")


def fix_ref_base(project: Project, options: dict[str, Any]) -> Iterator[Edit]:
    """RR201: `steps.yml#/x` -> `specs/steps.yml#/x` in the top-level workflow file."""
    for ref in project.refs:
        target = ref.targets.get(RECAST)
        if not ref.toplevel or target is None or REANA in ref.targets:
            continue
        src = project.files[ref.file]
        value = target.file + ("#" + ref.pointer if "#" in ref.value else "")
        yield replace_scalar(src, ref.pos, value, "RR201")


def fix_auth_script(project: Project, options: dict[str, Any]) -> Iterator[Edit]:
    """RR401: remove calls of /recast_auth/getkrb.sh, keeping the rest of each line."""
    for step in project.steps:
        src = project.files[step.file]
        for key in ("script", "cmd"):
            path = (*step.path, "process", key)
            if not isinstance(step.data.get("process"), dict) or path not in src.doc.positions:  # type: ignore[union-attr]
                continue
            start, end = span(src, src.pos(path))
            text = src.text or ""
            at = text.find(GETKRB, start, end)
            done: set[int] = set()
            while at >= 0:
                line, _ = src.line_col(at)
                if line not in done:
                    done.add(line)
                    yield _remove_call(src, line)
                at = text.find(GETKRB, at + 1, end)


def _remove_call(src: SourceFile, line: int) -> Edit:
    old = src.lines[line - 1]
    new = old
    for pattern in (_CALL_THEN, _THEN_CALL, _CALL_ALONE):
        new = pattern.sub("", new)
    if not new.strip() or new.strip() in ("-", "|", ">"):
        return delete_lines(src, line, line, "RR401")
    return Edit(src.path, line_start(src, line), line_end(src, line), new.rstrip(), "RR401")


def fix_placeholders(project: Project, options: dict[str, Any]) -> Iterator[Edit]:
    """RR003: `key: {name}` -> `key: '{name}'`."""
    for src in project.files.values():
        for ph in src.doc.placeholders if src.doc else ():
            start, end = span(src, ph.pos)
            yield Edit(src.path, start, end, f"'{{{ph.name}}}'", "RR003")


@dataclass
class ResourcePlan:
    """What one step's `resources` list becomes."""

    drop: set[int] = field(default_factory=set)  # item indices removed
    replace: dict[int, str] = field(default_factory=dict)  # item index -> `key: value`
    add: list[str] = field(default_factory=list)  # new `key: value` items
    cvmfs: bool = False


def plan_resources(step: Step, uid: int | None) -> ResourcePlan:
    """RR402 (recast resources) and RR404 (kubernetes_uid) for one step."""
    plan = ResourcePlan()
    items = step.resources
    has_kerberos = any(isinstance(i, dict) and i.get("kerberos") is True for i in items)
    for index, item in enumerate(items):
        if item in KERBEROS_ALIASES:
            if has_kerberos:
                plan.drop.add(index)
            else:
                plan.replace[index] = "kerberos: true"
                has_kerberos = True
        elif item == "CVMFS":
            plan.drop.add(index)
            plan.cvmfs = True
    has_uid = any(isinstance(i, dict) and "kubernetes_uid" in i for i in items)
    if uid is not None and not has_uid:
        plan.add.append(f"kubernetes_uid: {uid}")
    return plan


def resource_edits(project: Project, step: Step, plan: ResourcePlan) -> Iterator[Edit]:
    if not (plan.drop or plan.replace or plan.add):
        return
    src = project.files[step.file]
    doc = src.doc
    assert doc is not None
    nl = newline(src)
    res_path = (*step.environment_path, "resources")
    items = step.resources
    if res_path not in doc.positions or (not items and res_path not in doc.flow_style):
        yield from _add_resources_key(src, step, plan, res_path)
        return
    if res_path in doc.flow_style:
        rendered = [
            "{" + plan.replace[i] + "}" if i in plan.replace else _raw(src, (*res_path, i))
            for i in range(len(items))
            if i not in plan.drop
        ] + ["{" + a + "}" for a in plan.add]
        start, end = span(src, doc.pos(res_path))
        yield Edit(src.path, start, end, "[" + ", ".join(rendered) + "]", "RR402")
        return
    kept = len(items) - len(plan.drop) + len(plan.add)
    first_line = doc.pos((*res_path, 0)).line
    if kept == 0:  # an empty block list would load as null, which yadage-schemas refuses
        key = doc.key_pos(res_path)
        last = doc.pos((*res_path, len(items) - 1)).end_line
        yield Edit(
            src.path, src.offset(key.end_line, key.end_col), line_end(src, last), ": []", "RR402"
        )
        return
    for i in range(len(items)):
        pos = doc.pos((*res_path, i))
        if i in plan.drop:
            yield delete_lines(src, pos.line, pos.end_line, "RR402")
        elif i in plan.replace:
            start, end = span(src, pos)
            yield Edit(src.path, start, end, plan.replace[i], "RR402")
    dash = indent_of(src, first_line)
    added = "".join(f"{dash}- {a}{nl}" for a in plan.add)
    if added:  # after the last item kept, else where the first one was
        kept_items = [i for i in range(len(items)) if i not in plan.drop]
        if kept_items:
            at = next_line(src, _last_line(src, doc.pos((*res_path, kept_items[-1]))))
        else:
            at = line_start(src, first_line)
        if at == len(src.text or "") and not (src.text or "").endswith("\n"):
            added = nl + added.removesuffix(nl)
        yield Edit(src.path, at, at, added, "RR404")


def _raw(src: SourceFile, path: tuple[Any, ...]) -> str:
    start, end = span(src, src.pos(path))
    return (src.text or "")[start:end]


def _add_resources_key(
    src: SourceFile, step: Step, plan: ResourcePlan, res_path: tuple[Any, ...]
) -> Iterator[Edit]:
    doc = src.doc
    assert doc is not None
    entries = [plan.replace[i] for i in sorted(plan.replace)] + plan.add
    if not entries:
        return
    env_path = step.environment_path
    if res_path in doc.positions:  # `resources:` with no value, or `resources: []`
        key = doc.key_pos(res_path)
        end = line_end(src, doc.pos(res_path).end_line if res_path in doc.flow_style else key.line)
        flow = ", ".join("{" + e + "}" for e in entries)
        yield Edit(src.path, src.offset(key.end_line, key.end_col), end, f": [{flow}]", "RR404")
        return
    if env_path in doc.flow_style:
        end = span(src, doc.pos(env_path))[1]
        flow = ", ".join("{" + e + "}" for e in entries)
        yield Edit(src.path, end - 1, end - 1, f", resources: [{flow}]", "RR404")
        return
    nl = newline(src)
    first_key = next(iter(step.environment), None)
    indent = indent_of(src, doc.key_pos((*env_path, first_key)).line)
    last = _last_line(src, doc.pos(env_path))
    at = next_line(src, last)
    text = f"{indent}resources:{nl}" + "".join(f"{indent}  - {e}{nl}" for e in entries)
    if at == len(src.text or "") and not (src.text or "").endswith("\n"):
        text = nl + text
    yield Edit(src.path, at, at, text, "RR404")


def _last_line(src: SourceFile, pos: Pos) -> int:
    """The last line holding content of a block node (its end mark may sit on the next line)."""
    last = pos.end_line
    if last > len(src.lines) or not src.lines[last - 1][: pos.end_col - 1].strip():
        last -= 1
    while last > pos.line and not src.lines[last - 1].strip():
        last -= 1
    return last


FIXES: dict[str, Callable[[Project, dict[str, Any]], Iterator[Edit]]] = {
    "RR003": fix_placeholders,
    "RR201": fix_ref_base,
    "RR401": fix_auth_script,
}
