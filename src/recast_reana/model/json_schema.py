"""A small JSON Schema validator for the keywords recast-reana's schemas use (draft-04, draft-07).

It replaces jsonschema on the check path: importing jsonschema 4.9.1 (the newest yadage-schemas
allows) costs ~100 ms (attrs, pyrsistent, urllib.request, http.client, email, ssl) and building
its validators another ~50 ms, half of a `recast-reana check` run. It implements only the keywords
of the yadage-schemas and packtivity schemas, schemas/reana.json and config.SCHEMA, with
jsonschema 4.9.1's semantics, error order and wording (jsonschema/_validators.py,
_legacy_validators.py, _types.py, _utils.py); `Validator.unsupported()` lists any other keyword a
schema uses, so a caller can fall back to jsonschema and tests/test_schema_validator.py fails.
Errors have the attributes of jsonschema's ValidationError that the rules read.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from itertools import islice, pairwise
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from recast_reana.type_names import Any

_UNSET: Any = object()
_TRUE, _FALSE = object(), object()
_PY_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}
_SUBSCHEMA = {"items", "additionalProperties", "not", "propertyNames", "if", "then", "else"}
# Keywords that never fail validation: annotations (draft-07 validation section 10), `definitions`
# (section 9), `format` (jsonschema checks it only with a format checker, which it
# does not use by default), `then`/`else` (read by `if`) and ajv-errors' `errorMessage`.
ANNOTATIONS = frozenset(
    {"$schema", "title", "description", "default", "definitions", "format", "examples"}
    | {"then", "else", "errorMessage"}
)


class ValidationError:
    """One failure, shaped like jsonschema.exceptions.ValidationError (the parts rules read)."""

    def __init__(self, message: str, context: Iterable[ValidationError] = ()) -> None:
        self.message = message
        self.path: deque[str | int] = deque()
        self.relative_path = self.path
        self.schema_path: deque[str | int] = deque()
        self.relative_schema_path = self.schema_path
        self.context = list(context)
        self.parent: ValidationError | None = None
        self.validator = self.validator_value = self.instance = self.schema = _UNSET
        for error in self.context:
            error.parent = self

    @property
    def absolute_path(self) -> deque[str | int]:
        if self.parent is None:
            return self.relative_path
        return deque([*self.parent.absolute_path, *self.relative_path])

    @property
    def absolute_schema_path(self) -> deque[str | int]:
        if self.parent is None:
            return self.relative_schema_path
        return deque([*self.parent.absolute_schema_path, *self.relative_schema_path])

    def __repr__(self) -> str:
        return f"<ValidationError: {self.message!r}>"


Errors = Iterator[ValidationError]


class Validator:
    """A draft-04 or draft-07 validator for `schema`, its `$ref`s resolved once, here.

    `store` maps document URIs to schemas (as jsonschema's RefResolver store); `base_uri` is the
    URI of `schema` itself, against which relative `$ref`s resolve (draft-04 core section 7).
    """

    def __init__(
        self,
        schema: Any,
        draft: int = 7,
        store: Mapping[str, Any] | None = None,
        base_uri: str = "",
    ) -> None:
        self._start(schema, draft)
        self._store = {_norm(uri): doc for uri, doc in (store or {}).items()}
        self._store[_norm(urldefrag(base_uri)[0])] = schema
        self._refs: dict[int, Any] = {}  # id of a schema with `$ref` -> the schema it points to
        self._seen: dict[int, Any] = {}  # every schema reached, kept alive so ids stay unique
        todo = [(schema, base_uri)]
        while todo:
            node, base = todo.pop()
            if not isinstance(node, dict) or id(node) in self._seen:
                continue
            self._seen[id(node)] = node
            ref = node.get("$ref")
            if ref is not None:  # its siblings are ignored (draft-07 core section 8.3)
                url = urljoin(base, ref).rstrip("/")
                doc_uri, fragment = urldefrag(url)
                target = _pointer(self._store[_norm(doc_uri)], fragment)
                self._refs[id(node)] = target
                todo.append((target, doc_uri))
            else:
                todo.extend((child, base) for child in self._children(node))

    @classmethod
    def with_refs(cls, schema: Any, draft: int, refs: Iterable[tuple[Any, Any]]) -> Validator:
        """A validator whose `$ref`s are resolved already: (schema with `$ref`, the schema it
        points to) pairs, as `ref_pairs()` gives them (yadage_units' precompiled table)."""
        self = cls.__new__(cls)
        self._start(schema, draft)
        pairs = list(refs)
        self._store = {}
        self._refs = {id(node): target for node, target in pairs}
        self._seen = {id(node): node for node, _ in pairs}  # kept alive: their ids stay unique
        return self

    def _start(self, schema: Any, draft: int) -> None:
        self.schema, self.draft = schema, draft
        self.keywords: dict[str, Keyword] = dict(_COMMON)
        if draft >= 6:  # draft-06 added const and propertyNames, draft-07 if/then/else
            self.keywords.update(const=_const, propertyNames=_property_names)
            self.keywords["if"] = _if

    def ref_pairs(self) -> list[tuple[Any, Any]]:
        """Each schema with a `$ref` and the schema it points to."""
        return [(self._seen[key], target) for key, target in self._refs.items()]

    @staticmethod
    def _children(node: dict[str, Any]) -> Iterator[Any]:
        """The subschemas of `node` (draft-07 validation section 6)."""
        for key, value in node.items():
            if key == "properties":
                yield from value.values()
            elif key in ("allOf", "anyOf", "oneOf") or (key == "items" and isinstance(value, list)):
                yield from value
            elif key in _SUBSCHEMA:
                yield value

    def unsupported(self) -> set[str]:
        """Keywords the reachable schemas use that this module does not implement."""
        found = {k for node in self._seen.values() for k in node}
        return found - set(self.keywords) - ANNOTATIONS - {"$ref"}

    def iter_errors(self, instance: Any) -> Errors:
        """Every error, in jsonschema's order: keywords in the order the schema lists them."""
        return self.descend(instance, self.schema)

    def is_valid(self, instance: Any, schema: Any = _UNSET) -> bool:
        return (
            next(self.descend(instance, self.schema if schema is _UNSET else schema), None) is None
        )

    def descend(
        self, instance: Any, schema: Any, path: str | int | None = None, schema_path: Any = None
    ) -> Errors:
        if schema is True:  # boolean schemas: draft-07 core section 4.3.2
            return
        if schema is False:
            error = ValidationError(f"False schema does not allow {instance!r}")
            error.validator = error.validator_value = None
            error.instance, error.schema = instance, schema
            error.path.extend(() if path is None else (path,))
            error.schema_path.extend(() if schema_path is None else (schema_path,))
            yield error
            return
        ref = schema.get("$ref")
        pairs = (("$ref", ref),) if ref is not None else schema.items()
        for keyword, value in pairs:
            check = self.keywords.get(keyword)
            if check is None:
                continue  # an annotation or a keyword of another draft
            for error in check(self, value, instance, schema):
                if error.validator is _UNSET:
                    error.validator, error.validator_value = keyword, value
                    error.instance, error.schema = instance, schema
                if keyword not in ("if", "$ref"):  # as jsonschema: these add no schema_path step
                    error.schema_path.appendleft(keyword)
                if path is not None:
                    error.path.appendleft(path)
                if schema_path is not None:
                    error.schema_path.appendleft(schema_path)
                yield error

    def is_type(self, instance: Any, kind: str) -> bool:
        """Draft-04 validation section 5.5.2 / draft-07 section 6.1.1, as jsonschema/_types.py."""
        if kind in _PY_TYPES:
            return isinstance(instance, _PY_TYPES[kind])
        if kind == "null":
            return instance is None
        if isinstance(instance, bool):  # bool is an int in Python, never a number in JSON
            return False
        if kind == "number":  # numbers.Number, imported only for types YAML never makes (~1 ms)
            return isinstance(instance, (int, float)) or _is_number(instance)
        if kind == "integer":  # draft-06 on: a float with a zero fractional part is an integer
            return isinstance(instance, int) or (
                self.draft >= 6 and isinstance(instance, float) and instance.is_integer()
            )
        raise ValueError(f"unknown JSON Schema type {kind!r}")


Keyword = Callable[[Validator, Any, Any, Any], Errors]  # (validator, value, instance, schema)


def _is_number(instance: Any) -> bool:
    if isinstance(instance, (str, list, dict)) or instance is None:
        return False  # JSON's other types: numbers (its import) is for the rare odd value
    import numbers

    return isinstance(instance, numbers.Number)


def _norm(uri: str) -> str:
    return urlsplit(uri).geturl()  # as jsonschema's URIDict


def _pointer(document: Any, fragment: str) -> Any:
    """A JSON pointer (RFC 6901) in a `$ref`'s fragment, as jsonschema's resolve_fragment."""
    fragment = fragment.lstrip("/")
    for part in unquote(fragment).split("/") if fragment else []:
        name = part.replace("~1", "/").replace("~0", "~")
        key: str | int = name
        if isinstance(document, Sequence) and not isinstance(document, str):
            key = int(name) if name.isascii() and name.isdecimal() else name  # an array index
        document = document[key]
    return document


def _ref(v: Validator, ref: Any, instance: Any, schema: Any) -> Errors:
    return v.descend(instance, v._refs[id(schema)])


def _type(v: Validator, types: Any, instance: Any, schema: Any) -> Errors:
    types = [types] if isinstance(types, str) else types
    if not any(v.is_type(instance, t) for t in types):
        reprs = ", ".join(repr(t) for t in types)
        yield ValidationError(f"{instance!r} is not of type {reprs}")


def _properties(v: Validator, properties: Any, instance: Any, schema: Any) -> Errors:
    if isinstance(instance, dict):
        for name, sub in properties.items():
            if name in instance:
                yield from v.descend(instance[name], sub, path=name, schema_path=name)


def _additional(v: Validator, extra: Any, instance: Any, schema: Any) -> Errors:
    """Draft-07 section 6.5.6; `patternProperties` is not used by our schemas (see unsupported)."""
    if not isinstance(instance, dict):
        return
    known = schema.get("properties", {})
    extras = [k for k in instance if k not in known]
    if isinstance(extra, dict):
        for key in extras:
            yield from v.descend(instance[key], extra, path=key)
    elif not extra and extras:
        try:
            ordered = sorted(extras)
        except TypeError:  # keys of mixed types, which YAML allows and jsonschema crashes on
            ordered = sorted(extras, key=repr)
        verb = "was" if len(extras) == 1 else "were"
        names = ", ".join(repr(k) for k in ordered)
        yield ValidationError(f"Additional properties are not allowed ({names} {verb} unexpected)")


def _required(v: Validator, required: Any, instance: Any, schema: Any) -> Errors:
    if isinstance(instance, dict):
        for name in required:
            if name not in instance:
                yield ValidationError(f"{name!r} is a required property")


def _property_names(v: Validator, names: Any, instance: Any, schema: Any) -> Errors:
    if isinstance(instance, dict):
        for key in instance:  # the error is about the key: no path step (jsonschema's choice)
            yield from v.descend(key, names)


def _items(v: Validator, items: Any, instance: Any, schema: Any) -> Errors:
    if not isinstance(instance, list):
        return
    if isinstance(items, list) or (v.draft < 6 and not isinstance(items, dict)):
        for index, (item, sub) in enumerate(zip(instance, items, strict=False)):  # tuple validation
            yield from v.descend(item, sub, path=index, schema_path=index)
    else:
        for index, item in enumerate(instance):
            yield from v.descend(item, items, path=index)


def _enum(v: Validator, enums: Any, instance: Any, schema: Any) -> Errors:
    if instance == 0 or instance == 1:  # True is not 1, False is not 0 (jsonschema's unbool)
        unbooled = _unbool(instance)
        if all(unbooled != _unbool(each) for each in enums):
            yield ValidationError(f"{instance!r} is not one of {enums!r}")
    elif instance not in enums:
        yield ValidationError(f"{instance!r} is not one of {enums!r}")


def _const(v: Validator, const: Any, instance: Any, schema: Any) -> Errors:
    if not _equal(instance, const):
        yield ValidationError(f"{const!r} was expected")


def _all_of(v: Validator, subs: Any, instance: Any, schema: Any) -> Errors:
    for index, sub in enumerate(subs):
        yield from v.descend(instance, sub, schema_path=index)


def _choice(one: bool) -> Keyword:
    """anyOf (draft-07 section 6.7.2) and oneOf (6.7.3): the errors of every branch as context."""

    def check(v: Validator, subs: Any, instance: Any, schema: Any) -> Errors:
        found: list[ValidationError] = []
        for index, sub in enumerate(subs):
            errors = list(v.descend(instance, sub, schema_path=index))
            if not errors:
                more = [s for s in islice(subs, index + 1, None) if one and v.is_valid(instance, s)]
                if more:
                    reprs = ", ".join(repr(s) for s in [*more, sub])
                    yield ValidationError(f"{instance!r} is valid under each of {reprs}")
                return
            found.extend(errors)
        message = f"{instance!r} is not valid under any of the given schemas"
        yield ValidationError(message, context=found)

    return check


def _not(v: Validator, sub: Any, instance: Any, schema: Any) -> Errors:
    if v.is_valid(instance, sub):
        yield ValidationError(f"{instance!r} should not be valid under {sub!r}")


def _if(v: Validator, sub: Any, instance: Any, schema: Any) -> Errors:
    """Draft-07 section 6.6: `then` applies when `if` holds, `else` when it does not."""
    branch = "then" if v.is_valid(instance, sub) else "else"
    if branch in schema:
        yield from v.descend(instance, schema[branch], schema_path=branch)


def _unique_items(v: Validator, unique: Any, instance: Any, schema: Any) -> Errors:
    if unique and isinstance(instance, list) and not _uniq(instance):
        yield ValidationError(f"{instance!r} has non-unique elements")


def _size(kind: type[Sized], more: bool, words: str) -> Keyword:
    """minItems, minLength, maxLength, minProperties: a length bound on one JSON type."""

    def check(v: Validator, limit: Any, instance: Any, schema: Any) -> Errors:
        if isinstance(instance, kind) and (
            len(instance) > limit if more else len(instance) < limit
        ):
            yield ValidationError(f"{instance!r} {words}")

    return check


def _pattern(v: Validator, pattern: Any, instance: Any, schema: Any) -> Errors:
    if isinstance(instance, str) and not re.search(pattern, instance):  # not anchored: search
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _minimum(v: Validator, minimum: Any, instance: Any, schema: Any) -> Errors:
    if not v.is_type(instance, "number"):
        return
    # Draft-04 section 5.1.3: a boolean exclusiveMinimum beside it; draft-06 made it a number.
    if v.draft < 6 and schema.get("exclusiveMinimum", False):
        failed, how = instance <= minimum, "less than or equal to"
    else:
        failed, how = instance < minimum, "less than"
    if failed:
        yield ValidationError(f"{instance!r} is {how} the minimum of {minimum!r}")


def _unbool(element: Any) -> Any:
    """jsonschema/_utils.py unbool: True and 1, False and 0 are different values in JSON."""
    return _TRUE if element is True else _FALSE if element is False else element


def _equal(one: Any, two: Any) -> bool:
    """jsonschema/_utils.py equal: Python equality without bool == int, also in containers."""
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(_equal(i, j) for i, j in zip(one, two, strict=False))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(k in two and _equal(x, two[k]) for k, x in one.items())
    return bool(_unbool(one) == _unbool(two))


def _uniq(container: list[Any]) -> bool:
    """jsonschema/_utils.py uniq: sort and compare neighbours, else compare every pair."""
    try:
        ordered = sorted(_unbool(i) for i in container)
        return not any(_equal(i, j) for i, j in pairwise(ordered))
    except (NotImplementedError, TypeError):
        seen: list[Any] = []
        for element in map(_unbool, container):
            if any(_equal(i, element) for i in seen):
                return False
            seen.append(element)
    return True


_COMMON: dict[str, Keyword] = {
    "$ref": _ref,
    "type": _type,
    "properties": _properties,
    "additionalProperties": _additional,
    "required": _required,
    "items": _items,
    "enum": _enum,
    "allOf": _all_of,
    "anyOf": _choice(one=False),
    "oneOf": _choice(one=True),
    "not": _not,
    "minItems": _size(list, False, "is too short"),
    "maxItems": _size(list, True, "is too long"),
    "uniqueItems": _unique_items,
    "minLength": _size(str, False, "is too short"),
    "maxLength": _size(str, True, "is too long"),
    "minProperties": _size(dict, False, "does not have enough properties"),
    "pattern": _pattern,
    "minimum": _minimum,
}
