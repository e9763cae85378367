"""Safe YAML loading that keeps the position of every node.

The data built here is what ``yaml.safe_load`` (which REANA and recast-atlas use) returns, plus:

* the 1-based start/end position of every value and mapping key, addressed by its path;
* every repeated mapping key (``safe_load`` silently keeps the last value);
* every unquoted ``{name}`` value, which YAML reads as a one-key mapping ``{name: null}``.

Loading is bounded: a file over ``MAX_BYTES``, a binary or non-UTF-8 file, recursive aliases and an
alias expansion over ``MAX_ALIAS_NODES`` nodes or ``MAX_ALIAS_BYTES`` of repeated text ("billion
laughs"), and nesting deeper than ``MAX_DEPTH`` are refused with `UnsafeYaml`, naming the limit.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping
from sys import intern

from recast_reana.model.patterns import CompiledLazily
from recast_reana.named_tuple import NamedTuple
from recast_reana.type_names import Any

with CompiledLazily():  # PyYAML's patterns compile on first use, the reader's never (libyaml)
    import yaml
    from yaml.constructor import SafeConstructor

try:  # libyaml is ~10x faster at composing; marks are the same.
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MAX_BYTES = 5 * 1024 * 1024
MAX_ALIAS_NODES = 20_000
MAX_ALIAS_BYTES = 8 * 1024 * 1024  # text that aliases repeat: what a dump of the data writes
MAX_DEPTH = 200  # levels of nesting; real specs use a dozen

Key = str | int | float | bool | None
Path = tuple[Key, ...]

_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"


class Pos(NamedTuple):
    """A span in a file: 1-based lines and columns, end exclusive. (A tuple: half a million
    are made for a 10,000-stage workflow, and a frozen dataclass costs three times as much.)"""

    line: int
    col: int
    end_line: int
    end_col: int


_BITS = 23  # a line or column number below 2**23: files are at most MAX_BYTES characters
_MASK = (1 << _BITS) - 1


def _pack(line: int, col: int, end_line: int, end_col: int) -> int:
    return (((line << _BITS | col) << _BITS | end_line) << _BITS) | end_col


def _unpack(packed: int) -> Pos:
    return Pos(
        packed >> 3 * _BITS, packed >> 2 * _BITS & _MASK, packed >> _BITS & _MASK, packed & _MASK
    )


def pack(pos: Pos) -> int:
    """`pos` as one int (a 92-bit int takes 48 bytes; a `Pos` with its line numbers ~100)."""
    return _pack(*pos)


def unpack(packed: int) -> Pos:
    """The `Pos` that `pack` made `packed` of."""
    return _unpack(packed)


_KEY = 4 * _BITS  # a mapping entry's key position sits above its value position
_VALUE = (1 << _KEY) - 1


class Positions(Mapping[Path, Pos]):
    """Path -> `Pos` of the values (or, `keys=True`, of the mapping keys), made on access.

    Both views share one table of ints: a value's position in the low bits, its key's above
    them (0: no key, a list item). A workflow of 5000 stages has 350,000 positions; as `Pos`
    tuples (with their line numbers) in two dicts they took three times the memory, a third of
    a large check's peak.
    """

    __slots__ = ("_shift", "packed")

    def __init__(self, packed: dict[Path, int] | None = None, *, keys: bool = False) -> None:
        self.packed: dict[Path, int] = {} if packed is None else packed
        self._shift = _KEY if keys else 0

    def _bits(self, packed: int | None) -> int:
        return 0 if packed is None else packed >> self._shift & _VALUE

    def __getitem__(self, path: Path) -> Pos:
        bits = self._bits(self.packed.get(path))
        if not bits:
            raise KeyError(path)
        return _unpack(bits)

    def get(self, path: Path, default: Pos | None = None) -> Pos | None:  # type: ignore[override]
        bits = self._bits(self.packed.get(path))
        return _unpack(bits) if bits else default

    def __contains__(self, path: object) -> bool:
        return bool(self._bits(self.packed.get(path)))  # type: ignore[call-overload]

    def __iter__(self) -> Iterator[Path]:
        shift = self._shift
        return (path for path, packed in self.packed.items() if packed >> shift & _VALUE)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __setitem__(self, path: Path, pos: Pos) -> None:
        other = self.packed.get(path, 0) & ~(_VALUE << self._shift)
        self.packed[path] = other | _pack(*pos) << self._shift

    def __repr__(self) -> str:
        return f"Positions({dict(self.items())!r})"


class DuplicateKey(NamedTuple):
    path: Path  # the mapping holding the key
    key: Key
    first: Pos
    second: Pos


class UnquotedPlaceholder(NamedTuple):
    path: Path  # the value that should have been a string
    name: str
    pos: Pos


class YamlSyntaxError(Exception):
    """The text is not YAML that ``yaml.safe_load`` accepts."""

    def __init__(self, message: str, line: int, col: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


class UnsafeYaml(Exception):
    """The file is refused before or while loading (size, encoding, aliases, depth)."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


class Document:
    """A loaded YAML document: the plain data and where each part of it was written."""

    __slots__ = ("data", "duplicates", "flow_style", "key_positions", "placeholders", "positions")

    def __init__(self, data: Any = None) -> None:
        self.data = data
        self.positions = Positions()
        self.key_positions = Positions(self.positions.packed, keys=True)  # the keys' view of it
        self.duplicates: list[DuplicateKey] = []
        self.placeholders: list[UnquotedPlaceholder] = []
        self.flow_style: set[Path] = set()

    def __repr__(self) -> str:
        return f"Document({self.data!r})"

    def pos(self, path: Path) -> Pos:
        """Position of the value at `path`, or of its nearest ancestor that has one."""
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path) or Pos(1, 1, 1, 1)

    def key_pos(self, path: Path) -> Pos:
        """Position of the mapping key naming `path` (the value's position for list items)."""
        return self.key_positions.get(path) or self.pos(path)


def _pos(node: yaml.Node) -> Pos:
    s, e = node.start_mark, node.end_mark
    return Pos(s.line + 1, s.column + 1, e.line + 1, e.column + 1)


def _start(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def decode(raw: bytes) -> str:
    """Bytes of a YAML file to text, refusing what no YAML tool here should read."""
    if len(raw) > MAX_BYTES:
        raise UnsafeYaml(f"file is {len(raw)} bytes, over the {MAX_BYTES}-byte limit")
    if b"\x00" in raw:
        raise UnsafeYaml("binary file (contains NUL bytes); YAML files must be UTF-8 text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise UnsafeYaml(
            f"not UTF-8 (byte 0x{raw[exc.start]:02x}); re-save the file as UTF-8", line, col
        ) from None
    return text.removeprefix("\ufeff")


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.constructor = SafeConstructor()
        self.visits = 0
        self.repeated = 0  # characters of scalars built again through an alias
        self.seen: set[int] = set()
        self.stack: set[int] = set()

    def build(self, node: yaml.Node, path: Path) -> Any:
        ident = id(node)
        if ident in self.stack:
            raise UnsafeYaml("recursive alias: a node contains itself", *_start(node))
        self.visits += 1
        if ident in self.seen and isinstance(node, yaml.ScalarNode):
            self.repeated += len(node.value)
        self.seen.add(ident)
        if self.visits - len(self.seen) > MAX_ALIAS_NODES or self.repeated > MAX_ALIAS_BYTES:
            # Name the top-level entry being built: the alias chain runs through it.
            top = self.doc.key_positions.get(path[:1]) or _pos(node)
            message = (
                f"aliases expand to over {MAX_ALIAS_NODES} nodes or {MAX_ALIAS_BYTES} characters "
                "(an alias bomb?)"
            )
            raise UnsafeYaml(message, top.line, top.col)
        if len(path) > MAX_DEPTH:
            line, col = _start(node)
            raise UnsafeYaml(f"nested deeper than {MAX_DEPTH} levels", line, col)
        self.doc.positions[path] = _pos(node)
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
            self.stack.add(ident)
            try:
                return self._mapping(node, path)
            finally:
                self.stack.discard(ident)
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            self.stack.add(ident)
            try:
                if node.flow_style:
                    self.doc.flow_style.add(path)
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            finally:
                self.stack.discard(ident)
        return self._construct(node)

    def _construct(self, node: yaml.Node) -> Any:
        if node.tag == _STR and isinstance(node, yaml.ScalarNode):
            # What SafeConstructor.construct_yaml_str returns, without construct_object's
            # per-node bookkeeping: most nodes are strings, and this halves the build time.
            return node.value
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark or node.start_mark
            raise YamlSyntaxError(_problem(exc), mark.line + 1, mark.column + 1) from None
        except (ValueError, TypeError, OverflowError) as exc:  # e.g. a bad !!timestamp
            raise YamlSyntaxError(str(exc), *_start(node)) from None
        except (AttributeError, KeyError, IndexError):
            # An explicit tag on a value it cannot take (`!!timestamp x`, `!!bool x`, `!!int ""`):
            # PyYAML's constructors assume the implicit resolver's pattern matched and fail with
            # whatever that causes (yaml/constructor.py construct_yaml_timestamp, _bool, _int).
            value = node.value if isinstance(node, yaml.ScalarNode) else ""
            tag = node.tag.rsplit(":", 1)[-1]
            raise YamlSyntaxError(f"'{value}' is not a valid !!{tag}", *_start(node)) from None

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[Any, Any]:
        try:
            self.constructor.flatten_mapping(node)  # resolves `<<` merge keys in place
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or node.start_mark
            raise YamlSyntaxError(_problem(exc), mark.line + 1, mark.column + 1) from None
        if node.flow_style:
            self.doc.flow_style.add(path)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self._construct(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key_node, yaml.ScalarNode) or not _hashable(key):
                raise YamlSyntaxError(
                    "found unhashable key (a mapping or list used as a key)",
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
            child = (*path, key)
            if key in result:
                self.doc.duplicates.append(
                    DuplicateKey(path, key, self.doc.key_positions[child], _pos(key_node))
                )
            self.doc.key_positions[child] = _pos(key_node)
            result[key] = self.build(value_node, child)
        self._note_placeholder(node, path, result)
        return result

    def _note_placeholder(self, node: yaml.MappingNode, path: Path, value: dict[Any, Any]) -> None:
        # `output: {name}` is the flow mapping {name: null}; yadage wanted the string '{name}'.
        if not node.flow_style or len(node.value) != 1:
            return
        key_node, value_node = node.value[0]
        if (
            isinstance(key_node, yaml.ScalarNode)
            and key_node.tag == _STR
            and not key_node.style
            and isinstance(value_node, yaml.ScalarNode)
            and value_node.tag == _NULL
            and value_node.value == ""
            and isinstance(next(iter(value)), str)
        ):
            self.doc.placeholders.append(UnquotedPlaceholder(path, key_node.value, _pos(node)))


def _hashable(key: Any) -> bool:
    try:
        hash(key)
    except TypeError:
        return False
    return True


def _problem(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    return ", ".join(parts) or "invalid YAML"


def load(text: str) -> Document:
    """Load one YAML document from `text` (an empty file loads as ``None``)."""
    # Loading allocates several objects per node and frees none, so CPython's cyclic collector
    # rescans the growing heap again and again: superlinear (benchmarks/bench_scale.py, 500 stages
    # loaded ~30% faster without it). Nothing built here is cyclic (recursive aliases are
    # refused; the collector frees their nodes later), so reference counting frees it all.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(text)
    finally:
        if enabled:
            gc.enable()


def _load(text: str) -> Document:
    try:
        return _EventBuilder(text).document()
    except _Fallback:
        return _load_nodes(text)


class _Fallback(Exception):
    """The event builder met what only the node builder handles (anchors, aliases, merge keys,
    explicit tags, complex keys, a second document, deep nesting, a value that does not
    construct): the node builder loads the text again, exactly as before."""


_SCALAR = yaml.ScalarEvent
_MAP_START = yaml.MappingStartEvent
_MAP_END = yaml.MappingEndEvent
_SEQ_START = yaml.SequenceStartEvent
_SEQ_END = yaml.SequenceEndEvent


class _EventBuilder:
    """Builds the data and its positions straight from the parser's events.

    What composing into nodes first and building from them (`_Builder`) gives, for the texts
    specs are (no anchors, tags or merge keys), without the node tree: two `Mark`s and a node
    object per value, all alive at once, were most of a large file's peak memory, and walking
    them again doubled the time. Anything else falls back to `_Builder` (see `_Fallback`).
    """

    def __init__(self, text: str) -> None:
        # Events and marks typed Any: PyYAML's stubs leave the parser's methods untyped.
        self.loader: Any = _Loader(text)
        self.doc = Document(data=None)
        self.next: Callable[[], Any] = self.loader.get_event
        self.resolve: Callable[[type[yaml.Node], str, Any], str] = self.loader.resolve
        self.packed = self.doc.positions.packed

    def document(self) -> Document:
        try:
            try:
                self.next()  # StreamStartEvent
                event = self.next()
                if isinstance(event, yaml.StreamEndEvent):
                    return self.doc  # an empty file
                self.doc.data = self.node(self.next(), ())
                self.next()  # DocumentEndEvent
                if not isinstance(self.next(), yaml.StreamEndEvent):
                    raise _Fallback  # a second document: the composer's error
            except yaml.MarkedYAMLError as exc:
                mark = exc.problem_mark or exc.context_mark
                line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
                raise YamlSyntaxError(_problem(exc), line, col) from None
            except yaml.YAMLError as exc:
                raise YamlSyntaxError(str(exc).splitlines()[0], 1, 1) from None
        finally:
            self.loader.dispose()
        return self.doc

    def node(self, event: Any, path: Path, key: int = 0) -> Any:
        """The value `event` starts, at `path`; `key`: the packed key position, shifted."""
        s: Any
        e: Any  # marks (PyYAML's stubs allow None; events always have them)
        kind = type(event)
        if kind is _SCALAR:
            value = self.scalar(event)
            if type(value) is str:
                value = intern(value)
            s, e = event.start_mark, event.end_mark
            self.packed[path] = key | _pack(s.line + 1, s.column + 1, e.line + 1, e.column + 1)
            return value
        if event.anchor is not None or len(path) >= MAX_DEPTH:  # AliasEvent: anchor = its name
            raise _Fallback
        if kind is _MAP_START:
            return self.mapping(event, path, key)
        if kind is _SEQ_START:
            return self.sequence(event, path, key)
        raise _Fallback

    def scalar(self, event: Any) -> Any:
        if event.anchor is not None or event.tag is not None:
            raise _Fallback
        if event.style:  # quoted, literal or folded: a string
            return event.value
        tag = self.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag == _STR:
            return event.value
        if tag == _MERGE:
            raise _Fallback
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            return self.loader.construct_object(node, deep=True)
        except Exception:  # e.g. `2001-02-30`: the node builder reports it where it should
            raise _Fallback from None

    def mapping(self, start: Any, path: Path, at_key: int) -> dict[Any, Any]:
        s: Any
        e: Any
        doc = self.doc
        packed = self.packed
        packed[path] = at_key  # parents before children, as the node builder orders them
        if start.tag is not None and start.tag != "!":
            raise _Fallback
        if start.flow_style:
            doc.flow_style.add(path)
        result: dict[Any, Any] = {}
        first: tuple[Any, Any] | None = None
        event = self.next()
        while type(event) is not _MAP_END:
            if type(event) is not _SCALAR:
                raise _Fallback  # a mapping or list as a key
            key = self.scalar(event)
            if type(key) is str:
                # One object per key name: a 5000-stage workflow repeats `name`, `scheduler`,
                # `parameters`... 150,000 times, and each key is also in the paths under it.
                key = intern(key)
            s, e = event.start_mark, event.end_mark
            at = _pack(s.line + 1, s.column + 1, e.line + 1, e.column + 1)
            child = (*path, key)
            if key in result:  # rare (an RR002 error): the node builder's positions, exactly
                raise _Fallback
            value_event = self.next()
            if first is None and start.flow_style:
                first = (event, value_event)
            result[key] = self.node(value_event, child, at << _KEY)
            event = self.next()
        s, e = start.start_mark, event.end_mark
        packed[path] = at_key | _pack(s.line + 1, s.column + 1, e.line + 1, e.column + 1)
        if start.flow_style and len(result) == 1 and first is not None:
            self.note_placeholder(path, *first)
        return result

    def note_placeholder(self, path: Path, key: Any, value: Any) -> None:
        # `output: {name}` is the flow mapping {name: null}; yadage wanted the string '{name}'.
        if (
            not key.style
            and type(value) is _SCALAR
            and value.value == ""
            and not value.style
            and self.resolve(yaml.ScalarNode, key.value, key.implicit) == _STR
            and self.resolve(yaml.ScalarNode, "", value.implicit) == _NULL
        ):
            self.doc.placeholders.append(
                UnquotedPlaceholder(path, key.value, self.doc.positions[path])
            )

    def sequence(self, start: Any, path: Path, at_key: int) -> list[Any]:
        s: Any
        e: Any
        packed = self.packed
        packed[path] = at_key  # parents before children
        if start.tag is not None and start.tag != "!":
            raise _Fallback
        if start.flow_style:
            self.doc.flow_style.add(path)
        result: list[Any] = []
        event = self.next()
        while type(event) is not _SEQ_END:
            result.append(self.node(event, (*path, len(result))))
            event = self.next()
        s, e = start.start_mark, event.end_mark
        packed[path] = at_key | _pack(s.line + 1, s.column + 1, e.line + 1, e.column + 1)
        return result


_MERGE = "tag:yaml.org,2002:merge"


def _load_nodes(text: str) -> Document:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlSyntaxError(_problem(exc), line, col) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc).splitlines()[0], 1, 1) from None
    except RecursionError:
        raise UnsafeYaml(f"nested deeper than {MAX_DEPTH} levels") from None
    doc = Document(data=None)
    if node is None:
        return doc
    try:
        doc.data = _Builder(doc).build(node, ())
    except RecursionError:
        raise UnsafeYaml(f"nested deeper than {MAX_DEPTH} levels") from None
    return doc


def walk(data: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every (path, value) in `data`, parents before children."""
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from walk(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from walk(value, (*path, i))


def value_at(data: Any, path: Path) -> Any:
    """The value at `path` in loaded data, or None when it is not there."""
    for part in path:
        in_list = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if not in_list and not (isinstance(data, dict) and part in data):
            return None
        data = data[part]
    return data
