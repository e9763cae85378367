"""The event builder of positioned_yaml gives exactly what the node builder gives.

`positioned_yaml.load` builds data and positions straight from the parser's events and falls
back to composing nodes for what it does not handle (anchors, aliases, merge keys, tags, complex
keys, several documents, deep nesting, values that do not construct). Both must agree on every
text: the data, every position (in the same order), duplicates, placeholders and flow styles.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recast_reana.model import positioned_yaml
from recast_reana.model.positioned_yaml import (
    Document,
    UnsafeYaml,
    YamlSyntaxError,
    _EventBuilder,
    _Fallback,
    _load_nodes,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402

FILES = sorted(
    p
    for d in ("tests/data", "examples")
    for p in (ROOT / d).rglob("*")
    if p.suffix in (".yml", ".yaml")
)


def _parts(doc: Document) -> tuple[object, ...]:
    return (
        doc.data,
        list(doc.positions.items()),
        list(doc.key_positions.items()),
        doc.duplicates,
        doc.placeholders,
        doc.flow_style,
    )


def _outcome(load: object, text: str) -> object:
    try:
        return _parts(load(text))  # type: ignore[operator]
    except (YamlSyntaxError, UnsafeYaml) as exc:
        return (type(exc).__name__, exc.message, exc.line, exc.col)


def _events(text: str) -> Document:
    return _EventBuilder(text).document()


def assert_same(text: str) -> None:
    expected = _outcome(_load_nodes, text)
    assert _outcome(positioned_yaml.load, text) == expected
    try:
        got = _outcome(_events, text)
    except _Fallback:
        return
    assert got == expected


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_repository_files(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    assert_same(text)


def test_generated_workflow_builds_from_events() -> None:
    files = generate(40)
    for text in files.values():
        _events(text)  # no fallback for what specs are
        assert_same(text)


CASES = [
    "",
    "# only a comment\n",
    "a\n",
    "a: 1\nb: [1, 2.5, true, null, ~, '3', \"x\"]\nc: {d: e}\n",
    "a: {name}\nb: [{x}]\nc: {'q'}\nd: {x: }\ne: {1}\n",
    "a: 1\na: 2\nb:\n  c: 1\n  c: 2\n",
    "? [a]\n: b\n",
    "a: &x {b: 1}\nc: *x\n",
    "base: &b {x: 1}\nd:\n  <<: *b\n  y: 2\n",
    "<<: {a: 1}\n",
    "a: !!str 1\nb: !!int '2'\n",
    "a: !custom x\n",
    "a: ! 1\n",
    "a: !!timestamp x\n",
    "when: 2001-02-30\n",
    "when: 2001-02-03\n",
    "a: 1\n---\nb: 2\n",
    "--- \n...\n",
    "a: [1, 2\n",
    "a: b: c\n",
    "a:\n  - b\n  -c: d\n",
    "x: |\n  line\n  {p}\n",
    "- [[[[]]]]\n- {a: [{b: {}}]}\n",
    "1: a\n1.5: b\ntrue: c\nnull: d\n",
    "a: '\\u00e9'\nb: \"\\u00e9\\t\"\n",
    "[" * 250 + "]" * 250,
    "a: *undefined\n",
    "a: &x 1\nb: &x 2\n",
]


@pytest.mark.parametrize("text", CASES)
def test_cases(text: str) -> None:
    assert_same(text)


_scalar = st.one_of(
    st.sampled_from(
        ["a", "b", "{p}", "1", "1.5", "true", "null", "''", "'q'", '"d"', "~", "2001-02-03"]
    ),
    st.from_regex(r"[a-z{}]{1,5}", fullmatch=True),
)


def _block(depth: int) -> st.SearchStrategy[str]:
    if depth == 0:
        return _scalar
    inner = _block(depth - 1)
    flow_map = st.lists(st.tuples(_scalar, _scalar), max_size=3).map(
        lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"
    )
    flow_seq = st.lists(_scalar, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]")
    return st.one_of(inner, flow_map, flow_seq)


@settings(
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow],
    deadline=None,
    derandomize=True,
    database=None,
)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "'a'", "1"]), _block(2)), max_size=6))
def test_generated_mappings(items: list[tuple[str, str]]) -> None:
    assert_same("".join(f"{k}: {v}\n" for k, v in items))


@settings(
    max_examples=200,
    suppress_health_check=[HealthCheck.too_slow],
    deadline=None,
    derandomize=True,
    database=None,
)
@given(st.text(alphabet="ab:-{}[],'\"&*!#|>\n ?1", max_size=40))
def test_arbitrary_text(text: str) -> None:
    assert_same(text)
