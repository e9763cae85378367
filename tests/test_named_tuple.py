"""recast_reana.named_tuple.NamedTuple builds what typing.NamedTuple builds (issue 12)."""

from __future__ import annotations

import pickle
import typing

import pytest

from recast_reana.lint.diagnostics import Diagnostic
from recast_reana.named_tuple import NamedTuple


class Point(NamedTuple):
    """A point."""

    x: int
    y: int = 0
    label: str | None = None

    @property
    def norm1(self) -> int:
        return abs(self.x) + abs(self.y)

    def moved(self, dx: int) -> Point:
        return self._replace(x=self.x + dx)


class TypingPoint(typing.NamedTuple):
    """A point."""

    x: int
    y: int = 0
    label: str | None = None


def test_the_class_behaves_as_typings() -> None:
    ours, theirs = Point(1), TypingPoint(1)
    assert ours == theirs == (1, 0, None)
    assert Point._fields == TypingPoint._fields == ("x", "y", "label")
    assert Point._field_defaults == TypingPoint._field_defaults == {"y": 0, "label": None}
    assert repr(ours) == repr(theirs).replace("TypingPoint", "Point")
    assert repr(ours) == "Point(x=1, y=0, label=None)"
    assert ours._asdict() == theirs._asdict()
    assert Point._make([1, 2, "a"]) == (1, 2, "a")
    assert Point(x=-2, y=3).norm1 == 5 and Point(1).moved(2) == (3, 0, None)
    assert Point.__doc__ == "A point." and Point.__module__ == __name__
    assert Point.__annotations__ == {"x": "int", "y": "int", "label": "str | None"}
    assert isinstance(ours, tuple) and pickle.loads(pickle.dumps(ours)) == ours
    with pytest.raises(AttributeError):
        ours.x = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]


def test_the_model_uses_it() -> None:
    # typing's would hold ForwardRef("str"), compiled when the class is made.
    assert Diagnostic.__annotations__["path"] == "str"
    assert Diagnostic._fields[:2] == ("path", "line")


def test_what_typing_refuses_is_refused() -> None:
    with pytest.raises(TypeError):

        class Bad(NamedTuple):  # a field without a default after one with
            a: int = 0
            b: int  # type: ignore[misc]

    with pytest.raises(AttributeError):

        class Worse(NamedTuple):
            a: int

            def _asdict(self) -> dict[str, int]:  # type: ignore[override]
                return {}
