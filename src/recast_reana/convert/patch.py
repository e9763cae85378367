"""The conversion as a unified diff (`convert --diff`), made from its edits.

The edits say exactly which lines change, so the diff needs no sequence matching: difflib's
would take minutes on a workflow of 10,000 stages with a line changed in each. The output is what
`git diff` writes (3 lines of context, git's marker for a last line without a line break).
"""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Iterator, Sequence
from typing import Literal

from recast_reana.convert.conversion import Conversion
from recast_reana.model.text_edits import Edit, apply

Opcode = tuple[Literal["replace", "delete", "insert", "equal"], int, int, int, int]


def unified_diff(conversion: Conversion) -> str:
    """Every changed file of `conversion` against its source, in path order."""
    out: list[str] = []
    for path in sorted(conversion.changed):
        before = conversion.source.files.get(path)
        old = (before.text or "") if before is not None else None
        if old is None:
            raw = conversion.source.read(path)
            old = raw.decode("utf-8", "replace") if raw is not None else None
        new = conversion.changed[path].decode("utf-8", "replace").removeprefix("\ufeff")
        edits = conversion.edits.get(path, [])
        opcodes = _opcodes(old or "", new, edits)
        a, b = (old or "").splitlines(keepends=True), new.splitlines(keepends=True)
        out += _render(a, b, opcodes, "/dev/null" if old is None else f"a/{path}", f"b/{path}")
    return "".join(out)


def _opcodes(old: str, new: str, edits: Sequence[Edit]) -> list[Opcode]:
    """Line opcodes turning `old` into `new`, each run of edited lines one replace; the lines
    matched instead if the edits do not split cleanly into whole lines."""
    lines = old.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))  # starts[len(lines)] == len(old)
    regions: list[tuple[int, int, list[Edit]]] = []
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        lo = bisect.bisect_right(starts, e.start) - 1
        if (
            e.start == e.end
            and starts[lo] == e.start
            and (lo < len(lines) or old.endswith("\n") or not old)
        ):
            hi = lo  # whole lines inserted between two lines
        else:
            lo = min(lo, len(lines) - 1)
            hi = min(bisect.bisect_right(starts, max(e.start, e.end - 1)), len(lines))
        if regions and (lo < regions[-1][1] or lo == regions[-1][0] == regions[-1][1] == hi):
            first, last, batch = regions[-1]
            regions[-1] = (first, max(last, hi), [*batch, e])
        else:
            regions.append((lo, hi, [e]))
    opcodes: list[Opcode] = []
    rebuilt: list[str] = []
    a = b = 0
    for lo, hi, batch in regions:
        if lo > a:
            opcodes.append(("equal", a, lo, b, b + lo - a))
            rebuilt += lines[a:lo]
            b += lo - a
        shifted = [Edit(e.file, e.start - starts[lo], e.end - starts[lo], e.text) for e in batch]
        written = apply(old[starts[lo] : starts[hi]], shifted).splitlines(keepends=True)
        opcodes.append(("replace", lo, hi, b, b + len(written)))
        rebuilt += written
        a, b = hi, b + len(written)
    if a < len(lines):
        opcodes.append(("equal", a, len(lines), b, b + len(lines) - a))
        rebuilt += lines[a:]
    return opcodes if "".join(rebuilt) == new else _matched(old, new)


def _matched(old: str, new: str) -> list[Opcode]:
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    return difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


class _Known(difflib.SequenceMatcher[str]):
    """difflib's grouping of opcodes into hunks, on opcodes known in advance."""

    def __init__(self, opcodes: list[Opcode]) -> None:
        self.opcodes = opcodes

    def get_opcodes(self) -> list[Opcode]:
        return self.opcodes


def _range(start: int, stop: int) -> str:
    """`git diff`'s `start,length` of a hunk (difflib's `_format_range_unified`)."""
    length = stop - start
    first = start + 1
    if length == 1:
        return f"{first}"
    if not length:
        first -= 1
    return f"{first},{length}"


def _render(
    a: list[str], b: list[str], opcodes: list[Opcode], before: str, after: str
) -> Iterator[str]:
    groups = [g for g in _Known(opcodes).get_grouped_opcodes(3) if any(o[0] != "equal" for o in g)]
    if not groups:
        return
    yield f"--- {before}\n"
    yield f"+++ {after}\n"
    for group in groups:
        yield f"@@ -{_range(group[0][1], group[-1][2])} +{_range(group[0][3], group[-1][4])} @@\n"
        for tag, i1, i2, j1, j2 in group:
            lines = [" " + line for line in a[i1:i2]] if tag == "equal" else []
            if tag != "equal":
                lines = ["-" + line for line in a[i1:i2]] + ["+" + line for line in b[j1:j2]]
            for line in lines:
                # A last line without a line break gets git's marker, so the diff still applies.
                yield line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
