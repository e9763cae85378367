"""Where each position of a converted file comes from in the sources: exact, from the edits.

A converted file is its source with edits spliced in. A position outside every edit moves by
the lengths the edits before it added or removed; a position inside text an edit wrote comes
from that edit's origin (or the start of the text it replaced), refined by the most specific
value whose origin the conversion recorded (`path_origins`: a generated reana.yaml parameter
comes from its recast.yml example). A generated file is one edit of an empty source.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from recast_reana.model.positioned_yaml import Path, Pos, pack, unpack
from recast_reana.model.source_file import SourceFile
from recast_reana.model.text_edits import Edit, Origin


@dataclass(frozen=True)
class Location:
    path: str
    line: int
    col: int
    end_col: int = 0  # exclusive, on `line`; 0 when the span does not map as a whole


@dataclass
class _FileMap:
    source: SourceFile | None  # None: a file the conversion generated
    converted: SourceFile
    edits: list[Edit]  # ordered, applied to `source`
    new_starts: list[int]  # where each edit's text starts in the converted text
    fallback: Origin  # for a generated file without a recorded origin
    path_origins: Mapping[Path, Origin] = field(default_factory=dict)
    # `_replaced` of each edit without an origin, packed (index -> Pos): computed while the
    # source's text is at hand (`convert` shelves it afterwards, SourceFile.shelve)
    replaced: dict[int, int] = field(default_factory=dict)


class SourceMap:
    """Maps positions of the converted tree back to the sources (`locate`)."""

    def __init__(self) -> None:
        self._files: dict[str, _FileMap] = {}

    def add(
        self,
        converted: SourceFile,
        source: SourceFile | None,
        edits: Iterable[Edit],
        *,
        fallback: Origin,
        path_origins: Mapping[Path, Origin] | None = None,
    ) -> None:
        """Record how `converted` was made: `edits` (ordered, non-overlapping) of `source`."""
        ordered = list(edits)
        new_starts, shift = [], 0
        for e in ordered:
            new_starts.append(e.start + shift)
            shift += len(e.text) - (e.end - e.start)
        replaced = (
            {i: pack(_replaced(source, e)) for i, e in enumerate(ordered) if e.origin is None}
            if source is not None
            else {}
        )
        self._files[converted.path] = _FileMap(
            source, converted, ordered, new_starts, fallback, path_origins or {}, replaced
        )

    def locate(self, path: str, line: int, col: int, end_col: int = 0) -> Location:
        """The source position of `path:line:col` of the converted tree (itself if unchanged)."""
        fmap = self._files.get(path)
        if fmap is None:
            return Location(path, line, col, end_col)
        offset = fmap.converted.offset(line, col)
        where = self._source_offset(fmap, offset)
        if where is None:  # written by the conversion
            return self._origin(fmap, line, col)
        assert fmap.source is not None
        start = fmap.source.line_col(where)
        end = 0
        if end_col > col:
            stop = self._source_offset(fmap, fmap.converted.offset(line, end_col) - 1)
            if stop is not None and stop >= where:
                stop_line, stop_col = fmap.source.line_col(stop)
                end = stop_col + 1 if stop_line == start[0] else 0
        return Location(fmap.source.path, start[0], start[1], end)

    def _source_offset(self, fmap: _FileMap, offset: int) -> int | None:
        """The source offset of a converted offset, None inside text an edit wrote."""
        if fmap.source is None:
            return None
        i = bisect.bisect_right(fmap.new_starts, offset) - 1
        if i < 0:
            return offset
        edit = fmap.edits[i]
        written = offset - fmap.new_starts[i]
        if written < len(edit.text):
            return None
        return edit.end + written - len(edit.text)

    def _origin(self, fmap: _FileMap, line: int, col: int) -> Location:
        """Where text the conversion wrote comes from: the value, else the edit, else the file."""
        origin = _deepest(fmap, line, col)
        if origin is None and fmap.source is not None:
            offset = fmap.converted.offset(line, col)
            i = bisect.bisect_right(fmap.new_starts, offset) - 1
            edit = fmap.edits[i]
            if edit.origin is not None:
                origin = edit.origin
            else:
                origin = (fmap.source.path, unpack(fmap.replaced[i]))
        file, pos = origin or fmap.fallback
        end = pos.end_col if pos.end_line == pos.line else 0
        return Location(file, pos.line, pos.col, end)


def _replaced(source: SourceFile, edit: Edit) -> Pos:
    """Where an edit without an origin wrote: the text it replaced, or for lines inserted
    between two lines, the line they follow (what they extend)."""
    line, col = source.line_col(edit.start)
    inserted_lines = edit.start == edit.end and col == 1 and line > 1
    if inserted_lines:
        line -= 1
        text = source.lines[line - 1] if line <= len(source.lines) else ""
        col = len(text) - len(text.lstrip()) + 1
    return Pos(line, col, line, col)


def _deepest(fmap: _FileMap, line: int, col: int) -> Origin | None:
    """The recorded origin of the most specific value of `converted` holding `line:col`."""
    doc = fmap.converted.doc
    if doc is None or not fmap.path_origins:
        return None
    best: Path | None = None
    for path in fmap.path_origins:
        pos = doc.positions.get(path)
        key = doc.key_positions.get(path)
        spans = [p for p in (pos, key) if p is not None]
        inside = any(
            (p.line, p.col) <= (line, col) < (p.end_line, p.end_col)
            or (p.line == line and p.col == col)
            for p in spans
        )
        if inside and (best is None or len(path) > len(best)):
            best = path
    return fmap.path_origins[best] if best is not None else None
