"""The fixes `recast-reana convert` applies: one per rule that finds the problem.

Each fix reads the project model and returns text edits; none overlap (resources of one step are
rewritten by a single edit), so all can be applied in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from recast_reana.model.positioned_yaml import Pos
from recast_reana.model.project import Project
from recast_reana.model.refs import REANA, RECAST
from recast_reana.model.source_file import SourceFile
from recast_reana.model.stage_graph import Step
from recast_reana.model.text_edits import (
    Edit,
    delete_lines,
    indent_of,
    last_content_line,
    line_end,
    line_start,
    newline,
    next_line,
    replace_scalar,
    span,
)

GETKRB = "/recast_auth/getkrb.sh"
# Where the words of a call end: the next command separator, a comment, or a backslash (a `\n`
# escape of a double-quoted one-line script).
_COMMAND_END = re.compile(r"&&|\|\||[;|)`\\]|(?<![<>])&(?!>)|\s#")
_JOINER = re.compile(r"[ \t]*(&&|;(?!;))[ \t]*")
KERBEROS_ALIASES = ("GRIDProxy", "KRB5Auth")


def fix_ref_base(project: Project, options: dict[str, Any]) -> Iterator[Edit]:
    """RR201: `steps.yml#/x` -> `specs/steps.yml#/x` in the top-level workflow file.

    A ref is rewritten unless REANA already finds the same target recast-atlas does (a repository
    that is half converted, or a ref written as REANA wants it).
    """
    for ref in project.refs:
        target = ref.targets.get(RECAST)
        if not ref.toplevel or target is None or ref.targets.get(REANA) == target:
            continue
        src = project.files[ref.file]
        value = target.file + ("#" + ref.pointer if "#" in ref.value else "")
        yield replace_scalar(src, ref.pos, value, "RR201")


def fix_auth_script(project: Project, options: dict[str, Any]) -> Iterator[Edit]:
    """RR401: remove each call of /recast_auth/getkrb.sh the rule reports, keeping the rest.

    The calls are the rule's findings, so calls guarded by a file test and comments stay as they
    are. A call joined to its line by `&&` or `;` goes with that joiner; one alone on a line of a
    multi-line script goes with its line; where removing it would leave a shell syntax error
    (`then . getkrb.sh; fi`, `. getkrb.sh || exit 1`) it becomes `true`, which is what it did
    when it worked.
    """
    from recast_reana.lint.rules import recast_auth_script  # the rule imports this package's model

    scalars: dict[str, list[Pos]] = {}
    for step in project.steps:
        doc = project.files[step.file].doc
        for key, _ in step.commands:
            path = (*step.path, "process", key)
            if doc is not None and path in doc.positions:
                scalars.setdefault(step.file, []).append(doc.pos(path))
    calls: dict[tuple[str, int], list[int]] = {}
    for d in recast_auth_script.check(project, {}):
        calls.setdefault((d.path, d.line), []).append(d.col - 1)
    for (file, line), cols in sorted(calls.items()):
        src = project.files[file]
        pos = next((p for p in scalars.get(file, []) if p.line <= line <= p.end_line), None)
        if pos is not None:
            yield _remove_calls(src, pos, line, sorted(set(cols), reverse=True))


def _remove_calls(src: SourceFile, scalar: Pos, line: int, cols: list[int]) -> Edit:
    """The edit of one line of a script holding calls that start at `cols` (right to left)."""
    text = src.lines[line - 1]
    quoted = src.lines[scalar.line - 1][scalar.col - 1 : scalar.col] in ("'", '"')
    lo = scalar.col - 1 + quoted if line == scalar.line else 0
    hi = scalar.end_col - 1 - quoted if line == scalar.end_line else len(text)
    tail = len(text) - hi  # the text after the scalar on its last line never changes
    for col in cols:
        text = _remove_call(text, col, lo, len(text) - tail)
    content = text[lo : len(text) - tail]
    if not content.strip() and line != scalar.line:  # nothing left on this line of a script
        return delete_lines(src, line, line, "RR401")
    if not content.strip():
        content = "true"  # a one-line script that was only the call
    if not quoted and scalar.line == scalar.end_line and _loads_as(content) != content:
        content = "'" + content.replace("'", "''") + "'"  # `[ -f x ]`, `true`: keep a string
    text = text[:lo] + content + text[len(text) - tail :]
    return Edit(src.path, line_start(src, line), line_end(src, line), text.rstrip(), "RR401")


def _loads_as(plain: str) -> Any:
    try:
        return yaml.safe_load(plain)
    except yaml.YAMLError:
        return None


def _remove_call(text: str, start: int, lo: int, hi: int) -> str:
    """`text` without the call starting at `start`, its arguments and the joiner binding it."""
    at = text.find(GETKRB, start, hi)
    stop = _COMMAND_END.search(text, at + len(GETKRB), hi) if at >= 0 else None
    end = start + len(text[start : stop.start() if stop else hi].rstrip())
    before = text[lo:start].rstrip()
    rest = text[end:hi].strip()
    if not before.strip() and rest.startswith("#"):
        end = hi  # `. getkrb.sh  # get a ticket`: the comment was about the call
    joined_before = _joiner(before[::-1])  # reversed: `&&`/`;` ending the text before
    follow = _JOINER.match(text, end, hi)
    joined_after = follow.group(1) if follow else None
    if not before.strip() and (joined_after or not text[end:hi].strip()):
        # `. getkrb.sh && xrdcp ...` -> `xrdcp ...`; alone on its line -> the caller drops it
        return text[:start] + text[follow.end() if follow else end :]
    ends = joined_after or not text[end:hi].strip()  # nothing but a joiner after the call
    if joined_before and ends and (joined_before == "&&" or not joined_after):
        # `a && . getkrb.sh` -> `a`; `a && . getkrb.sh; b` -> `a; b`
        cut = lo + len(before[: -len(joined_before)].rstrip())
        return text[:cut] + text[end:]
    if joined_before and follow:  # `a; . getkrb.sh && b` -> `a; b`
        return text[:start] + text[follow.end() :]
    return text[:start] + "true" + text[end:]


def _joiner(reversed_text: str) -> str | None:
    """`&&` or `;` at the start of `reversed_text` (`;;` ends a case branch, not a command)."""
    if reversed_text.startswith("&&"):
        return "&&"
    if reversed_text.startswith(";") and not reversed_text.startswith(";;"):
        return ";"
    return None


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
            at = next_line(
                src,
                last_content_line(src, doc.pos((*res_path, kept_items[-1])), skip_comments=False),
            )
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
    flow = "[" + ", ".join("{" + e + "}" for e in entries) + "]"
    if res_path in doc.flow_style:  # `resources: []`
        start, end = span(src, doc.pos(res_path))
        yield Edit(src.path, start, end, flow, "RR404")
        return
    if res_path in doc.positions:  # `resources:` with no value (a comment may follow)
        key = doc.key_pos(res_path)
        colon = (src.text or "").find(":", src.offset(key.end_line, key.end_col))
        yield Edit(src.path, colon, colon + 1, f": {flow}", "RR404")
        return
    if env_path in doc.flow_style:
        end = span(src, doc.pos(env_path))[1]
        yield Edit(src.path, end - 1, end - 1, f", resources: {flow}", "RR404")
        return
    nl = newline(src)
    first_key = next(iter(step.environment), None)
    indent = indent_of(src, doc.key_pos((*env_path, first_key)).line)
    # The file's own indentation step (the lesson's steps.yml indents by one space).
    unit = " " * max(1, len(indent) - len(indent_of(src, doc.key_pos(env_path).line)))
    last = last_content_line(src, doc.pos(env_path), skip_comments=False)
    at = next_line(src, last)
    text = f"{indent}resources:{nl}" + "".join(f"{indent}{unit}- {e}{nl}" for e in entries)
    if at == len(src.text or "") and not (src.text or "").endswith("\n"):
        text = nl + text.removesuffix(nl)  # no final line break before, none after
    yield Edit(src.path, at, at, text, "RR404")


FIXES: dict[str, Callable[[Project, dict[str, Any]], Iterator[Edit]]] = {
    "RR003": fix_placeholders,
    "RR201": fix_ref_base,
    "RR401": fix_auth_script,
}
