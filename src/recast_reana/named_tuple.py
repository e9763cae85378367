"""`class Point(NamedTuple): x: int` without typing.NamedTuple's start-up cost.

typing.NamedTuple turns every field annotation into a `ForwardRef`, compiling its text (the
annotations are strings under `from __future__ import annotations`): half of the ~3 ms the 21
NamedTuples of `check` cost its start-up (issue 12). This builds the same class, with
`collections.namedtuple`, the fields in annotation order, their defaults and the class body's
methods and docstring; `__annotations__` keeps the strings. mypy sees typing's NamedTuple.
"""

from __future__ import annotations

import collections

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    # As typing.NamedTupleMeta: what the class body may not set, and what namedtuple sets itself.
    _PROHIBITED = frozenset(
        {"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults"}
        | {"_make", "_replace", "_asdict", "_source"}
    )
    _SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})

    class _NamedTupleMeta(type):
        def __new__(mcs, typename: str, bases: tuple[type, ...], ns: dict[str, object]) -> type:
            if ns.get("_root"):  # NamedTuple itself
                return super().__new__(mcs, typename, bases, ns)
            if bases != (NamedTuple,):
                raise TypeError("can only inherit from a NamedTuple type")
            fields = dict(ns.get("__annotations__", {}))  # type: ignore[call-overload]
            defaults = [name for name in fields if name in ns]
            if defaults and list(fields)[-len(defaults) :] != defaults:
                raise TypeError(f"{typename}: a field without a default follows one with")
            cls = collections.namedtuple(  # type: ignore[misc]
                typename, fields, defaults=[ns[n] for n in defaults], module=ns["__module__"]
            )
            cls.__annotations__ = fields
            for key, value in ns.items():
                if key in _PROHIBITED:
                    raise AttributeError(f"Cannot overwrite NamedTuple attribute {key}")
                if key not in _SPECIAL and key not in fields:
                    setattr(cls, key, value)
            return cls

    class NamedTuple(metaclass=_NamedTupleMeta):
        _root = True
