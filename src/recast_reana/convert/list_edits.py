"""`ListEdit`s of the rules' fixes, merged per sequence and written as text edits.

RR402 rewrites a step's `resources` items and RR404 appends `kubernetes_uid`: one `resources`
list, two rules. Their `ListEdit`s are merged here and each list is rewritten by edits that never
overlap: whole item lines deleted or replaced in a block list, the whole list rewritten in a flow
list (`[GRIDProxy, CVMFS]`), a new `resources:` key when the environment has none.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from recast_reana.model.positioned_yaml import Path, value_at
from recast_reana.model.source_file import SourceFile
from recast_reana.model.text_edits import (
    Edit,
    ListEdit,
    delete_lines,
    indent_of,
    last_content_line,
    line_end,
    line_start,
    newline,
    next_line,
    span,
)
from recast_reana.type_names import Any


def merge(edits: Iterable[ListEdit]) -> list[ListEdit]:
    """One `ListEdit` per sequence: drops and replacements joined, additions in rule order."""
    merged: dict[tuple[str, Path], ListEdit] = {}
    for e in sorted(edits, key=lambda e: e.rule):
        key = (e.file, e.path)
        have = merged.get(key)
        if have is None:
            merged[key] = e
            continue
        replace = dict(have.replace)
        replace.update(e.replace)
        merged[key] = ListEdit(
            e.file,
            e.path,
            have.drop | e.drop,
            tuple(sorted((i, v) for i, v in replace.items() if i not in have.drop | e.drop)),
            have.add + e.add,
            f"{have.rule}+{e.rule}",
            have.origin or e.origin,
        )
    return [merged[k] for k in sorted(merged, key=lambda k: (k[0], tuple(map(str, k[1]))))]


def render(src: SourceFile, edit: ListEdit) -> Iterator[Edit]:
    """The text edits that make the sequence at `edit.path` what `edit` says."""
    doc = src.doc
    assert doc is not None
    path = edit.path
    items = value_at(src.data, path)
    items = items if isinstance(items, list) else []
    replace = dict(edit.replace)
    rule, origin = edit.rule, edit.origin
    if path not in doc.positions or (not items and path not in doc.flow_style):
        yield from _add_key(src, edit, [replace[i] for i in sorted(replace)] + list(edit.add))
        return
    if path in doc.flow_style:
        rendered = [
            "{" + replace[i] + "}" if i in replace else _raw(src, (*path, i))
            for i in range(len(items))
            if i not in edit.drop
        ] + ["{" + a + "}" for a in edit.add]
        start, end = span(src, doc.pos(path))
        yield Edit(src.path, start, end, "[" + ", ".join(rendered) + "]", rule, origin)
        return
    kept = [i for i in range(len(items)) if i not in edit.drop]
    first_line = doc.pos((*path, 0)).line
    if not kept and not edit.add:  # an empty block list would load as null: yadage refuses it
        key = doc.key_pos(path)
        last = doc.pos((*path, len(items) - 1)).end_line
        start = src.offset(key.end_line, key.end_col)
        yield Edit(src.path, start, line_end(src, last), ": []", rule)
        return
    for i in range(len(items)):
        pos = doc.pos((*path, i))
        if i in edit.drop:
            yield delete_lines(src, pos.line, pos.end_line, rule)
        elif i in replace:
            start, end = span(src, pos)
            yield Edit(src.path, start, end, replace[i], rule)
    if not edit.add:
        return
    nl = newline(src)
    dash = indent_of(src, first_line)
    text = "".join(f"{dash}- {a}{nl}" for a in edit.add)
    if kept:  # after the last item kept, else where the first one was
        last = last_content_line(src, doc.pos((*path, kept[-1])), skip_comments=False)
        at = next_line(src, last)
    else:
        at = line_start(src, first_line)
    yield Edit(src.path, at, at, _at_end(src, at, text, nl), rule, origin)


def _raw(src: SourceFile, path: Path) -> str:
    start, end = span(src, src.pos(path))
    return (src.text or "")[start:end]


def _at_end(src: SourceFile, at: int, text: str, nl: str) -> str:
    """`text` inserted at `at`: after a last line with no line break, the break moves before it."""
    whole = src.text or ""
    if at == len(whole) and not whole.endswith("\n"):
        return nl + text.removesuffix(nl)
    return text


def _add_key(src: SourceFile, edit: ListEdit, entries: list[str]) -> Iterator[Edit]:
    """A `resources` list where the environment has none, or an empty or null one."""
    doc = src.doc
    assert doc is not None
    if not entries:
        return
    path, env_path = edit.path, edit.path[:-1]
    flow = "[" + ", ".join("{" + e + "}" for e in entries) + "]"
    if path in doc.flow_style:  # `resources: []`
        start, end = span(src, doc.pos(path))
        yield Edit(src.path, start, end, flow, edit.rule, edit.origin)
        return
    if path in doc.positions:  # `resources:` with no value (a comment may follow)
        key = doc.key_pos(path)
        colon = (src.text or "").find(":", src.offset(key.end_line, key.end_col))
        yield Edit(src.path, colon, colon + 1, f": {flow}", edit.rule, edit.origin)
        return
    if env_path in doc.flow_style:
        end = span(src, doc.pos(env_path))[1]
        yield Edit(src.path, end - 1, end - 1, f", resources: {flow}", edit.rule, edit.origin)
        return
    nl = newline(src)
    environment: Any = value_at(src.data, env_path)
    first_key = next(iter(environment), None) if isinstance(environment, dict) else None
    indent = indent_of(src, doc.key_pos((*env_path, first_key)).line)
    # The file's own indentation step (the lesson's steps.yml indents by one space).
    unit = " " * max(1, len(indent) - len(indent_of(src, doc.key_pos(env_path).line)))
    at = next_line(src, last_content_line(src, doc.pos(env_path), skip_comments=False))
    text = f"{indent}resources:{nl}" + "".join(f"{indent}{unit}- {e}{nl}" for e in entries)
    yield Edit(src.path, at, at, _at_end(src, at, text, nl), edit.rule, edit.origin)
