"""Regular expressions compiled on first use, for the patterns of rules, linter and model.

Compiling a pattern costs 0.05-0.3 ms; a rule module's patterns cost its import that much
(RR501's 22 cost ~2 ms, a tenth of what `check` adds to `import yaml`: issue 12), and most of
them run only on the rare text that has their literal part (`kinit`, `-----BEGIN`, a `pass`).

`CompiledLazily` does the same for a library's module-level patterns while it is imported
(Bazaar's `lazy_regex.install_lazy_compile`): PyYAML's pure-Python reader compiles a character
class spanning all of Unicode when it is imported, 4.4 ms of every `check` (7%), and libyaml,
which parses our files, never uses it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

from recast_reana.type_names import Any

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


class CompiledLazily:
    """`with CompiledLazily(): import yaml`: `re.compile` makes a `LazyPattern` inside the block.

    Only module-level patterns of what is first imported in the block are affected; a library
    whose code later calls `re.compile` gets a compiled pattern as always. A pattern made in the
    block has the methods of `LazyPattern` (PyYAML calls only `match` and `search`) but is not an
    instance of `re.Pattern`.
    """

    def __enter__(self) -> None:
        self._compile = re.compile
        re.compile = LazyPattern  # type: ignore[assignment]

    def __exit__(self, *exc_info: object) -> None:
        re.compile = self._compile
