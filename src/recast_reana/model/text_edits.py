"""Edits of source text: spans computed from node positions, spliced in one pass.

Everything outside an edit stays byte-identical: comments, quoting, blank lines, key order,
indentation and line endings (pre-commit's `migrate_config` / `yaml_rewrite` approach). Rules'
`fix()` return `Edit`s, or a `ListEdit` for a YAML sequence that several rules change (a step's
`resources`), which the converter merges and writes once.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from recast_reana.model.positioned_yaml import Path, Pos
from recast_reana.model.source_file import SourceFile
from recast_reana.named_tuple import NamedTuple

# Where a piece of converted text comes from: a file of the sources and a span in it.
Origin = tuple[str, Pos]


class Edit(NamedTuple):
    """Replace text[start:end] of `file` (character offsets) with `text`.

    `origin` is where what `text` says comes from when that is not the replaced span itself
    (e.g. an inserted `kubernetes_uid` comes from the step's image): findings inside the new text
    are reported there.
    """

    file: str
    start: int
    end: int
    text: str
    rule: str = ""
    origin: Origin | None = None


class ListEdit(NamedTuple):
    """A change to one YAML sequence: items dropped, replaced by `key: value` text, appended.

    The sequence at `path` may not exist yet (its parent mapping then gets the key). Several
    rules change the same `resources` list of a step (RR402 rewrites items, RR404 appends one);
    the converter merges their `ListEdit`s and writes the list once, so no text edits overlap.
    """

    file: str
    path: Path
    drop: frozenset[int] = frozenset()
    replace: tuple[tuple[int, str], ...] = ()
    add: tuple[str, ...] = ()
    rule: str = ""
    origin: Origin | None = None


class EditConflict(Exception):
    """Two edits touch the same text: a bug in the fixes, never the user's fault."""


def ordered(edits: Iterable[Edit]) -> list[Edit]:
    """`edits` by position, repeats once; insertions at one offset keep the order given.

    Repeats come from steps sharing a YAML anchor (each gets the same edit). The order never
    depends on hashing, so the result is the same under any PYTHONHASHSEED.
    """
    result = sorted(dict.fromkeys(edits), key=lambda e: (e.start, e.end))
    for a, b in itertools.pairwise(result):
        if b.start < a.end:
            raise EditConflict(f"{a.file}: edits by {a.rule} and {b.rule} overlap at {b.start}")
    return result


def apply(text: str, edits: Iterable[Edit]) -> str:
    """`text` with `edits` spliced in, in one pass over the text."""
    parts: list[str] = []
    at = 0
    for e in ordered(edits):
        parts += (text[at : e.start], e.text)
        at = e.end
    parts.append(text[at:])
    return "".join(parts)


def span(src: SourceFile, pos: Pos) -> tuple[int, int]:
    return src.offset(pos.line, pos.col), src.offset(pos.end_line, pos.end_col)


def newline(src: SourceFile) -> str:
    """The file's own line ending (that of its first line), so CRLF files stay CRLF.

    Looks at the first line only: called once per edit, it must not scan the whole file.
    """
    text = src.text or ""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def line_start(src: SourceFile, line: int) -> int:
    return src.offset(line, 1)


def line_end(src: SourceFile, line: int) -> int:
    """Offset of the end of `line`, before its line break."""
    text = src.text or ""
    start = line_start(src, line)
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    return end - 1 if end > start and text[end - 1] == "\r" else end


def next_line(src: SourceFile, line: int) -> int:
    """Offset of the start of the line after `line` (end of text on the last line)."""
    text = src.text or ""
    end = text.find("\n", line_start(src, line))
    return len(text) if end < 0 else end + 1


def last_content_line(src: SourceFile, pos: Pos, *, skip_comments: bool = True) -> int:
    """The last line of a block node holding content.

    A block node's end mark may sit at the start of the next line; trailing blank lines (and,
    unless `skip_comments` is False, comment lines) belong to whatever follows.
    """
    last = pos.end_line
    if last > len(src.lines) or not src.lines[last - 1][: pos.end_col - 1].strip():
        last -= 1
    while last > pos.line:
        text = src.lines[last - 1].strip()
        if text and not (skip_comments and text.startswith("#")):
            break
        last -= 1
    return max(last, pos.line)


def indent_of(src: SourceFile, line: int) -> str:
    text = src.lines[line - 1] if 0 < line <= len(src.lines) else ""
    return text[: len(text) - len(text.lstrip(" "))]


def delete_lines(src: SourceFile, first: int, last: int, rule: str) -> Edit:
    """Remove whole lines `first`..`last` (1-based, inclusive) with their line breaks."""
    return Edit(src.path, line_start(src, first), next_line(src, last), "", rule)


def replace_scalar(src: SourceFile, pos: Pos, value: str, rule: str) -> Edit:
    """Replace a scalar keeping its quoting style (plain, 'single' or "double")."""
    start, end = span(src, pos)
    raw = (src.text or "")[start:end]
    if raw[:1] in ("'", '"') and raw[-1:] == raw[:1]:
        start, end = start + 1, end - 1
        if raw[0] == "'":
            value = value.replace("'", "''")
    return Edit(src.path, start, end, value, rule)
