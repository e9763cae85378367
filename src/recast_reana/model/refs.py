"""JSON `$ref` resolution exactly as yadage-schemas (jsonref) does it for each tool.

* The top-level workflow file resolves against a base directory: recast-atlas uses the toplevel
  (``specs/``), REANA the workspace root, i.e. the directory of reana.yaml.
* A file reached through a `$ref` resolves its own refs relative to its own directory.
* The fragment is a JSON pointer, written ``#/a/b`` or ``#a/b`` (jsonref strips leading slashes).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from urllib.parse import unquote

from recast_reana.model.positioned_yaml import Path, Pos, walk
from recast_reana.model.source_file import SourceFile
from recast_reana.named_tuple import NamedTuple
from recast_reana.type_names import Any

RECAST = "recast"
REANA = "reana"


class Target(NamedTuple):
    file: str
    path: Path  # JSON pointer as a path into the target file's data


class Ref:
    """A `{$ref: ...}` written in `file` at `path` (the mapping holding the `$ref` key)."""

    __slots__ = ("cycle", "errors", "file", "path", "pos", "targets", "toplevel", "value")

    def __init__(
        self,
        file: str,
        path: Path,
        value: str,
        pos: Pos,
        toplevel: bool,
        targets: dict[str, Target],
        errors: dict[str, str],
    ) -> None:
        self.file = file
        self.path = path
        self.value = value
        self.pos = pos
        self.toplevel = toplevel
        # Where each tool finds it: {"recast": Target, "reana": Target}; a missing key =
        # unresolved.
        self.targets = targets
        self.errors = errors
        # Set when following it never ends (jsonref: "Reference refers directly to itself", or
        # an endless expansion): the chain of refs, e.g. "specs/a.yml#/x -> specs/b.yml#/y -> ...".
        self.cycle: str | None = None

    def __repr__(self) -> str:
        return f"Ref({self.file!r}, {self.path!r}, {self.value!r})"

    @property
    def file_part(self) -> str:
        return self.value.partition("#")[0]

    @property
    def pointer(self) -> str:
        return self.value.partition("#")[2]

    @property
    def remote(self) -> bool:
        return "://" in self.file_part

    def target(self, mode: str) -> Target | None:
        """The target as `mode` resolves it, else as the other tool does."""
        return self.targets.get(mode) or next(iter(self.targets.values()), None)


def pointer_path(pointer: str) -> Path:
    """JSON pointer text to path parts, as jsonref reads it (``#x`` == ``#/x``)."""
    pointer = unquote(pointer.lstrip("/"))
    if not pointer:
        return ()
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/"))


def lookup(data: Any, path: Path) -> tuple[bool, Any, Path]:
    """Follow `path` (string parts, as from a pointer) into `data`: (found, value, real path)."""
    real: list[Any] = []
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
            real.append(part)
        elif isinstance(data, list) and isinstance(part, str) and part.isdigit():
            if int(part) >= len(data):
                return False, None, tuple(real)
            data = data[int(part)]
            real.append(int(part))
        else:
            return False, None, tuple(real)
    return True, data, tuple(real)


def get_path(data: Any, path: Path) -> Any:
    """The value at a real path (as recorded by the loader) into `data`."""
    for part in path:
        data = data[part]
    return data


class RefResolver:
    """Finds and resolves every `$ref` reachable from the top-level workflow file."""

    def __init__(self, load: Callable[[str], SourceFile | None], recast_base: str | None) -> None:
        self.load = load
        self.bases = {REANA: ""}
        if recast_base is not None:
            self.bases[RECAST] = recast_base
        self.refs: list[Ref] = []
        self._by_site: dict[tuple[str, Path], Ref] = {}
        self._scanned: set[str] = set()

    def has_recast_only_refs(self, workflow_file: str) -> bool:
        """True when some top-level ref works for recast-atlas but not for REANA (main layout)."""
        src = self.load(workflow_file)
        if src is None or src.doc is None:
            return False
        return any(
            RECAST in self._resolve(src, path, value, True)[0]
            and REANA not in self._resolve(src, path, value, True)[0]
            for path, value in _ref_sites(src.data)
        )

    def scan(self, file: str, *, toplevel: bool) -> None:
        """Record every ref in `file` and, transitively, in the files they reach."""
        if file in self._scanned:
            return
        self._scanned.add(file)
        src = self.load(file)
        if src is None or src.doc is None:
            return
        for path, value in _ref_sites(src.data):
            targets, errors = self._resolve(src, path, value, toplevel)
            ref = Ref(file, path, value, src.pos((*path, "$ref")), toplevel, targets, errors)
            self.refs.append(ref)
            self._by_site[(file, path)] = ref
            for target in {t.file for t in targets.values()}:
                self.scan(target, toplevel=False)

    def _resolve(
        self, src: SourceFile, path: Path, value: str, toplevel: bool
    ) -> tuple[dict[str, Target], dict[str, str]]:
        file_part, _, pointer = value.partition("#")
        if "://" in file_part:
            return {}, {}
        if toplevel:
            bases = {mode: base for mode, base in self.bases.items()}
        else:
            here = posixpath.dirname(src.path)
            bases = {mode: here for mode in self.bases}
        targets: dict[str, Target] = {}
        errors: dict[str, str] = {}
        for mode, base in bases.items():
            if file_part:
                rel = posixpath.normpath(posixpath.join(base, file_part)).removeprefix("./")
            else:
                rel = src.path
            if rel.startswith(("../", "/")) or rel == "..":
                errors[mode] = f"'{file_part}' points outside the repository"
                continue
            target_src = self.load(rel)
            if target_src is None:
                errors[mode] = f"file '{rel}' does not exist"
                continue
            if target_src.doc is None:
                errors[mode] = f"file '{rel}' does not load"
                continue
            found, _, real = lookup(target_src.data, pointer_path(pointer))
            if not found:
                errors[mode] = f"'{rel}' has no '#{pointer}'"
                continue
            targets[mode] = Target(rel, real)
        return targets, errors

    def find_cycles(self, mode: str) -> None:
        """Mark every ref whose expansion, as `mode` resolves it, never ends."""
        for ref in self.refs:
            chain = [ref]
            seen = {(ref.file, ref.path)}
            current: Ref | None = ref
            while current is not None:
                target = current.target(mode)
                if target is None:
                    break
                if target.file == current.file and current.path[: len(target.path)] == target.path:
                    # The target holds the ref itself (`#`, or a parent): it expands forever.
                    ref.cycle = _chain(chain, target)
                    break
                site = (target.file, target.path)
                if site in seen:
                    ref.cycle = _chain(chain, target)
                    break
                seen.add(site)
                current = self._by_site.get(site)
                if current is not None:
                    chain.append(current)

    def ref_at(self, file: str, path: Path) -> Ref | None:
        return self._by_site.get((file, path))

    def deref(self, file: str, path: Path, value: Any, mode: str) -> tuple[str, Path, Any]:
        """If `value` is a `{$ref}` mapping, the (file, path, data) it stands for; else as given.

        Unresolvable refs come back unchanged (a mapping with `$ref`); rules report them.
        """
        for _ in range(50):  # a ref to a ref to ...; bounded against cycles
            if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
                break
            ref = self._by_site.get((file, path))
            target = ref.target(mode) if ref else None
            src = self.load(target.file) if target else None
            if target is None or src is None:
                break
            file, path = target.file, target.path
            value = get_path(src.data, path)
        return file, path, value


def _chain(refs: list[Ref], last: Target) -> str:
    steps = [f"{r.file}#{_pointer(r.path)}" for r in refs]
    return " -> ".join([*steps, f"{last.file}#{_pointer(last.path)}"])


def _pointer(path: Path) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _ref_sites(data: Any) -> Iterator[tuple[Path, str]]:
    for path, value in walk(data):
        if isinstance(value, dict) and isinstance(value.get("$ref"), str):
            yield path, value["$ref"]
