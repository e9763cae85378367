from __future__ import annotations

import datetime

import pytest
import yaml

from recast_reana.model import positioned_yaml
from recast_reana.model.positioned_yaml import Pos

SAMPLES = [
    "a: 1\nb: [1, 2.5, true, null, x]\nc: {d: 'e'}\n",
    "date: 2001-01-01\nn: 0x1f\ninf: .inf\n",
    "base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n",
    "- &a x\n- *a\n",
    "s: |\n  line1\n  line2\n",
    "",
    "# only a comment\n",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_data_equals_safe_load(text: str) -> None:
    assert positioned_yaml.load(text).data == yaml.safe_load(text)


def test_positions_are_one_based_and_cover_keys_and_values() -> None:
    doc = positioned_yaml.load("top:\n  key: value\n  list:\n   - item\n")
    assert doc.pos(("top", "key")) == Pos(2, 8, 2, 13)
    assert doc.key_pos(("top", "key")) == Pos(2, 3, 2, 6)
    assert doc.pos(("top", "list", 0)) == Pos(4, 6, 4, 10)
    assert doc.pos(("top", "missing", "deeper")) == doc.pos(("top",))


def test_duplicate_keys_keep_the_last_value_like_safe_load() -> None:
    doc = positioned_yaml.load("a: 1\nb: 2\na: 3\n")
    assert doc.data == {"a": 3, "b": 2}
    (dup,) = doc.duplicates
    assert (dup.key, dup.first.line, dup.second.line) == ("a", 1, 3)


def test_unquoted_placeholder_is_recorded() -> None:
    doc = positioned_yaml.load("x: {name}\ny: '{name}'\nz: {a: 1}\n")
    assert [(p.path, p.name, p.pos.line, p.pos.col) for p in doc.placeholders] == [
        (("x",), "name", 1, 4)
    ]


def test_flow_style_collections_are_recorded() -> None:
    doc = positioned_yaml.load("a: [x]\nb:\n- y\n")
    assert doc.flow_style == {("a",)}


def test_timestamps_stay_dates_as_reana_sees_them() -> None:
    assert positioned_yaml.load("t: 2021-01-01\n").data == {"t": datetime.date(2021, 1, 1)}


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ("a: [\n", 2, 1),
        ("a: b\n c: d\n", 2, 3),
        ("{x}: 1\n", 1, 1),
        ("a: !!python/object/apply:os.system ['true']\n", 1, 4),
        ("a: 1\n---\nb: 2\n", 2, 1),
    ],
)
def test_syntax_errors_carry_positions(text: str, line: int, col: int) -> None:
    with pytest.raises(positioned_yaml.YamlSyntaxError) as info:
        positioned_yaml.load(text)
    assert (info.value.line, info.value.col) == (line, col)


@pytest.mark.parametrize(
    "raw",
    [b"\x00\x01", b"a: \xff\n", b"#" * (positioned_yaml.MAX_BYTES + 1)],
    ids=["binary", "not-utf8", "oversized"],
)
def test_decode_refuses(raw: bytes) -> None:
    with pytest.raises(positioned_yaml.UnsafeYaml):
        positioned_yaml.decode(raw)


def test_deep_nesting_is_refused_not_a_crash() -> None:
    with pytest.raises((positioned_yaml.UnsafeYaml, positioned_yaml.YamlSyntaxError)):
        positioned_yaml.load("a:\n" + "".join("  " * i + "- \n" for i in range(1, 3000)))


def test_crlf_positions() -> None:
    doc = positioned_yaml.load("a: 1\r\nb: x\r\n")
    assert doc.pos(("b",)) == Pos(2, 4, 2, 5)
