"""Regular expressions compiled on first use, for the patterns of rules, linter and model.

Compiling a pattern costs 0.05-0.3 ms; a rule module's patterns cost its import that much
(RR501's 22 cost ~2 ms, a tenth of what `check` adds to `import yaml`: issue 12), and most of
them run only on the rare text that has their literal part (`kinit`, `-----BEGIN`, a `pass`).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import Any

_END = sys.maxsize  # re.Pattern's own default end position


class LazyPattern:
    """`re.compile(pattern, flags)`, compiled when first used, with the methods rules call."""

    __slots__ = ("_compiled", "flags", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern, self.flags = pattern, flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled

    def search(self, string: str, pos: int = 0, endpos: int = _END) -> re.Match[str] | None:
        return self.compiled.search(string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int = _END) -> re.Match[str] | None:
        return self.compiled.match(string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0, endpos: int = _END) -> re.Match[str] | None:
        return self.compiled.fullmatch(string, pos, endpos)

    def finditer(self, string: str, pos: int = 0, endpos: int = _END) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(string, pos, endpos)

    def findall(self, string: str, pos: int = 0, endpos: int = _END) -> list[Any]:
        return self.compiled.findall(string, pos, endpos)

    def split(self, string: str, maxsplit: int = 0) -> list[str | Any]:
        return self.compiled.split(string, maxsplit)
