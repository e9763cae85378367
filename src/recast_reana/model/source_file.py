"""Files as the linter sees them: raw text, loaded YAML with positions, or why they were refused."""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Callable, Sequence

from recast_reana.model import positioned_yaml
from recast_reana.model.positioned_yaml import Document, Path, Pos
from recast_reana.named_tuple import NamedTuple
from recast_reana.type_names import Any, overload


class LoadProblem(NamedTuple):
    """Why a file could not be loaded: ``kind`` is "syntax" (RR001) or "unsafe" (RR004)."""

    kind: str
    message: str
    line: int
    col: int


class SourceFile:
    """One file of the repository, loaded once and shared by all rules.

    Once decoded, only the text is kept (`raw` encodes it again when asked): a 5000-stage steps
    file would otherwise be held twice.
    """

    __slots__ = (
        "_bom",
        "_lines",
        "_offsets",
        "_raw",
        "_shelved",
        "_text",
        "doc",
        "path",
        "problem",
    )

    def __init__(self, path: str, raw: bytes) -> None:
        self.path = path  # relative to the repository root, "/" separators
        self._raw: bytes | None = raw  # until decoded
        self._bom = raw.startswith(b"\xef\xbb\xbf")
        self._text: str | None = None
        self._shelved: bytes | None = None  # the text, compressed (`shelve`)
        self.doc: Document | None = None
        self.problem: LoadProblem | None = None
        self._offsets: array[int] | list[int] = []
        self._lines: Sequence[str] | None = None

    def __repr__(self) -> str:
        return f"SourceFile({self.path!r})"

    @classmethod
    def parse(cls, path: str, raw: bytes, *, yaml: bool = True) -> SourceFile:
        return cls(path, raw).load(yaml=yaml)

    def load(self, *, yaml: bool = True) -> SourceFile:
        """Decode the bytes given to the constructor and load them as YAML (`yaml`).

        The bytes are dropped before the YAML is loaded: a caller that made them and lets go of
        them (`SourceFile(path, raw)`, `del raw`, `.load()`) does not hold a large file twice
        while its model is built.
        """
        if self._raw is None:
            return self
        try:
            self.text = positioned_yaml.decode(self._raw)
            self._raw = None  # decode is lossless: the bytes are the BOM and the text
            if yaml:
                self.doc = positioned_yaml.load(self.text)
        except positioned_yaml.UnsafeYaml as exc:
            self.problem = LoadProblem("unsafe", exc.message, exc.line, exc.col)
        except positioned_yaml.YamlSyntaxError as exc:
            self.problem = LoadProblem("syntax", exc.message, exc.line, exc.col)
        return self

    @property
    def raw(self) -> bytes:
        """The file's bytes."""
        if self._raw is not None:
            return self._raw
        return (("\ufeff" if self._bom else "") + (self.text or "")).encode("utf-8")

    @property
    def bom(self) -> bool:
        """Whether the file starts with a UTF-8 byte order mark."""
        return self._bom

    @property
    def text(self) -> str | None:
        """The decoded text, None when the file could not be decoded."""
        if self._text is None and self._shelved is not None:
            import zlib  # only `convert` shelves

            return zlib.decompress(self._shelved).decode("utf-8")
        return self._text

    @text.setter
    def text(self, text: str | None) -> None:
        self._text, self._shelved, self._lines = text, None, None

    def shelve(self) -> None:
        """Keep the text compressed (a generated steps file to a twentieth), decompressed each
        time it is read: `convert` shelves the sources it rewrote once their edits are spliced,
        and the source map then reads only their line table (built here)."""
        if self._text is None:
            return
        import zlib

        self.offset(1, 1)  # builds the table
        self._shelved = zlib.compress(self._text.encode("utf-8"), 1)
        self._text, self._lines = None, None

    @property
    def data(self) -> Any:
        return self.doc.data if self.doc else None

    @property
    def lines(self) -> Sequence[str]:
        """`text.splitlines()`; for text with only "\n" and "\r\n" line ends, a view that
        slices each line when asked for, not a list of every line (a 5000-stage steps.yml has
        90,000 lines, and a converter's fix asks for a few)."""
        if self._lines is None:
            self.offset(1, 1)  # builds the table
            lines = text_lines(self.text or "", self._offsets)
            if self._shelved is not None:
                return lines  # not kept: that would keep the text
            self._lines = lines
        return self._lines

    def pos(self, path: Path) -> Pos:
        return self.doc.pos(path) if self.doc else Pos(1, 1, 1, 1)

    def key_pos(self, path: Path) -> Pos:
        return self.doc.key_pos(path) if self.doc else Pos(1, 1, 1, 1)

    def offset(self, line: int, col: int) -> int:
        """Character offset in `text` of a 1-based line and column."""
        if not self._offsets:
            self._offsets = line_offsets(self.text or "")
        return self._offsets[min(line, len(self._offsets)) - 1] + col - 1

    def line_col(self, offset: int) -> tuple[int, int]:
        self.offset(1, 1)  # builds the table
        i = bisect.bisect_right(self._offsets, offset) - 1
        return i + 1, offset - self._offsets[i] + 1

    def find_pattern(self, span: Pos, pattern: re.Pattern[str], nth: int = 0) -> Pos | None:
        """Where the `nth` match of `pattern` is inside `span`."""
        if self.text is None:
            return None
        start = self.offset(span.line, span.col)
        end = self.offset(span.end_line, span.end_col)
        for i, m in enumerate(pattern.finditer(self.text, start, end)):
            if i == nth:
                line, col = self.line_col(m.start())
                end_line, end_col = self.line_col(m.end())
                return Pos(line, col, end_line, end_col)
        return None

    def find(self, span: Pos, needle: str, nth: int = 0) -> Pos | None:
        """Where the `nth` occurrence of `needle` is written inside `span` (e.g. a script)."""
        if self.text is None:
            return None
        start = self.offset(span.line, span.col)
        end = self.offset(span.end_line, span.end_col)
        at = start - 1
        for _ in range(nth + 1):
            at = self.text.find(needle, at + 1, end)
            if at < 0:
                return None
        line, col = self.line_col(at)
        end_line, end_col = self.line_col(at + len(needle))
        return Pos(line, col, end_line, end_col)


LARGE_FILE = 1 << 20  # bytes: a workflow of ~1000 stages
_mmap_fixed = False


def mmap_large_blocks() -> None:
    """Keep glibc returning freed blocks of 128 KiB and more to the system (once per process).

    By default glibc raises its mmap threshold to the size of each mmapped block freed (the
    decoded bytes of a large file, a model's megabyte tables), and the next such blocks come
    from the heap, where freed ones around live data stay mapped: 5 MB of a 5000-stage
    `convert --out`'s peak, 1.5 MB of `check`'s (M_MMAP_THRESHOLD in mallopt(3); setting it
    also ends the adjusting). Called for large files only: importing ctypes takes ~2 ms.
    """
    global _mmap_fixed
    if _mmap_fixed:
        return
    _mmap_fixed = True
    try:
        import ctypes

        ctypes.CDLL(None).mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD, glibc's default value
    except (OSError, AttributeError, TypeError):  # not glibc (macOS, Windows): nothing to tune
        pass


def line_offsets(text: str) -> array[int]:
    """The offset in `text` where each line starts (after each "\n")."""
    # str.find, not a loop over every character: 50x faster on a 500-stage workflow;
    # an array of machine ints, not a list of int objects: a fifth of the memory; 4-byte ones
    # while they fit (`decode` refuses files over 5 MB).
    offsets, at = array("I" if len(text) < 1 << 32 else "q", [0]), text.find("\n")
    while at >= 0:
        offsets.append(at + 1)
        at = text.find("\n", at + 1)
    return offsets


def text_lines(text: str, offsets: array[int] | list[int] | None = None) -> Sequence[str]:
    """`text.splitlines()`: where only "\n" and "\r\n" end lines, a view slicing each line from
    `text` when asked for, not a list of every line."""
    if _OTHER_LINE_ENDS.search(text):
        return text.splitlines()
    return _Lines(text, line_offsets(text) if offsets is None else offsets)


# What str.splitlines splits on besides "\n" (a "\r" is fine before a "\n" only).
_OTHER_LINE_ENDS = re.compile("\r(?!\n)|[\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


class _Lines(Sequence[str]):
    """The lines of `text` (as `text.splitlines()`), sliced from it on access."""

    def __init__(self, text: str, offsets: array[int] | list[int]) -> None:
        self._text = text
        self._offsets = offsets
        # splitlines gives no empty last line for a final "\n" (nor for empty text).
        self._count = len(offsets) - (1 if offsets[-1] == len(text) else 0)

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("line index out of range")
        start = self._offsets[index]
        end = self._offsets[index + 1] - 1 if index + 1 < len(self._offsets) else len(self._text)
        if end > start and self._text[end - 1] == "\r":
            end -= 1
        return self._text[start:end]


Reader = Callable[[str], "bytes | None"]
