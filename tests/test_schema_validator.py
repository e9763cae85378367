"""model/json_schema.py against jsonschema, the oracle: the same errors, paths and messages.

Every schema the check path validates with (yadage-schemas' yadage and packtivity schemas,
model/schemas/reana.json, config.SCHEMA) is walked for keywords json_schema.py does not
implement; then the fixtures of the RR101/RR102 tests and hypothesis mutations of valid
documents are validated by both, and every error (with its oneOf/anyOf context) must match.
"""

from __future__ import annotations

import copy
import datetime
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers import REANA_REPO, RECAST_REPO, make_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rules import test_reana_yaml_schema, test_yadage_schema

from recast_reana.lint.rules import reana_yaml_schema
from recast_reana.model import config, json_schema, yadage_schema_table, yadage_units
from recast_reana.model.yadage_units import Unit, units

SETTINGS = settings(
    derandomize=True,
    deadline=None,
    max_examples=800,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
KINDS = {
    "workflow": (yadage_units._WORKFLOW, (yadage_units._STAGE,)),
    "stage": (yadage_units._STAGE, (yadage_units._STEP, yadage_units._WORKFLOW)),
    "step": (yadage_units._STEP, ()),
}


def _store() -> tuple[Path, dict[str, Any]]:
    import importlib.util

    spec = importlib.util.find_spec("yadageschemas")
    assert spec is not None and spec.submodule_search_locations
    root = Path(next(iter(spec.submodule_search_locations))).resolve()
    store = {
        f.as_uri(): json.loads(f.read_text("utf-8"))
        for sub in ("yadage", "packtivity")
        for f in sorted((root / sub).rglob("*.json"))
    }
    return root, store


ROOT, STORE = _store()


def _oracle(kind: str) -> Any:
    name, stubs = KINDS[kind]
    local = dict(STORE) | {(ROOT / s).as_uri(): {"type": "object"} for s in stubs}
    uri = (ROOT / name).as_uri()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        resolver = jsonschema.RefResolver(base_uri=uri, referrer=STORE[uri], store=local)
    return jsonschema.Draft4Validator(STORE[uri], resolver=resolver)


ORACLES = {kind: _oracle(kind) for kind in KINDS}
ORACLES["reana"] = jsonschema.Draft7Validator(reana_yaml_schema.schema())
ORACLES["config"] = jsonschema.Draft7Validator(config.SCHEMA)


def _ours(kind: str) -> Any:
    if kind == "reana":
        return reana_yaml_schema._validator()
    if kind == "config":
        return json_schema.Validator(config.SCHEMA)
    found = yadage_units.schemas()
    assert found is not None
    return found.validators[kind]


def summary(errors: Any) -> list[str]:
    """Each error as text: paths, keyword, value, instance, schema, message and its context."""
    out = []
    for e in errors:
        parts = (
            list(e.absolute_path),
            list(e.relative_path),
            list(e.absolute_schema_path),
            e.validator,
            e.validator_value,
            e.instance,
            e.schema,
            e.message,
            summary(e.context),
        )
        out.append(repr(parts))
    return sorted(out)


def assert_same(kind: str, instance: Any) -> None:
    try:
        expected = summary(ORACLES[kind].iter_errors(instance))
    except TypeError:  # jsonschema sorts unexpected keys of mixed types and crashes
        return
    assert summary(_ours(kind).iter_errors(instance)) == expected


# --- keywords ---------------------------------------------------------------------------------


def _schemas() -> Iterator[tuple[str, json_schema.Validator]]:
    for uri, doc in STORE.items():  # every file, on its own with the full store: no stubs
        yield uri, json_schema.Validator(doc, draft=4, store=STORE, base_uri=uri)
    for kind in ("workflow", "stage", "step", "reana", "config"):
        yield kind, _ours(kind)


@pytest.mark.parametrize(("name", "validator"), list(_schemas()))
def test_every_keyword_is_implemented(name: str, validator: json_schema.Validator) -> None:
    assert isinstance(validator, json_schema.Validator)
    assert validator.unsupported() == set(), name


def test_unknown_keywords_are_reported() -> None:
    assert json_schema.Validator({"maxProperties": 1, "title": "x"}).unsupported() == {
        "maxProperties"
    }
    # const and propertyNames are draft-06 keywords: jsonschema's Draft4Validator ignores them.
    assert json_schema.Validator({"const": 1}, draft=4).unsupported() == {"const"}
    nested = {"properties": {"a": {"$ref": "#/definitions/b"}}, "definitions": {"b": {"foo": 1}}}
    assert json_schema.Validator(nested).unsupported() == {"foo"}


def test_yadage_units_use_this_module() -> None:
    found = yadage_units.schemas()
    assert found is not None
    assert all(isinstance(v, json_schema.Validator) for v in found.validators.values())


def test_yadage_units_fall_back_to_jsonschema(monkeypatch: pytest.MonkeyPatch) -> None:
    """A yadage-schemas release with a keyword json_schema.py lacks is validated by jsonschema."""
    monkeypatch.setattr(json_schema.Validator, "unsupported", lambda self: {"newKeyword"})
    monkeypatch.setattr(yadage_schema_table, "VERSION", "0.0.0")  # not the table's release
    yadage_units.schemas.cache_clear()
    try:
        found = yadage_units.schemas()
        assert found is not None
        assert all(isinstance(v, jsonschema.Draft4Validator) for v in found.validators.values())
        files = {**REANA_REPO, "specs/steps.yml": REANA_REPO["specs/steps.yml"] + "bad: 1\n"}
        for kind, data in _unit_data(files):
            assert summary(found.validators[kind].iter_errors(data)) == summary(
                ORACLES[kind].iter_errors(data)
            )
    finally:
        yadage_units.schemas.cache_clear()


# --- fixtures ---------------------------------------------------------------------------------


def _files(module: Any) -> list[dict[str, str]]:
    return [p.values[0] for p in (*module.PASS, *module.FAIL)] + [REANA_REPO, RECAST_REPO]


def _unit_data(files: dict[str, str]) -> Iterator[tuple[str, Any]]:
    project = make_project(files)
    refs = {(r.file, r.path): r for r in project.refs}
    for kind, label, file, path, data in units(project):
        for shape in (True, False):
            unit = Unit(kind, label, project, refs)
            unit.shape = shape
            yield kind, unit.build(file, path, data)


YADAGE_FILES = _files(test_yadage_schema)
UNIT_DATA = [d for files in YADAGE_FILES for d in _unit_data(files)]


def _reana_data(files: dict[str, str]) -> Iterator[Any]:
    src = make_project(files).files.get("reana.yaml")
    if src is not None and src.doc is not None:
        yield reana_yaml_schema._string_keys(src.data, (), [])


REANA_DATA = [
    d for files in _files(test_reana_yaml_schema) + YADAGE_FILES for d in _reana_data(files)
]


def test_fixtures_agree() -> None:
    assert len(UNIT_DATA) > 100 and len(REANA_DATA) > 20
    for kind, data in UNIT_DATA:
        assert_same(kind, data)
    for data in REANA_DATA:
        assert_same("reana", data)


# --- mutations --------------------------------------------------------------------------------


def _walk(node: Any, out: set[str], key: str = "") -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            out.add(k)
            _walk(v, out, k)
    elif isinstance(node, list):
        for v in node:
            _walk(v, out)
    elif isinstance(node, str) and key not in ("description", "title", "$ref", "$schema"):
        out.add(node)


_WORDS: set[str] = set()
for _doc in [*STORE.values(), reana_yaml_schema.schema(), config.SCHEMA]:
    _walk(_doc, _WORDS)
WORDS = [*sorted(_WORDS), "extra", "/abs", "../up", "a/../b", "./", "RR1", "RR101", "x" * 70]
SCALARS = [None, True, False, 0, 1, -1, 1.0, 2.5, "", datetime.date(2020, 1, 2)]
VALUES = st.one_of(
    st.sampled_from(SCALARS),
    st.sampled_from(WORDS),
    st.lists(st.sampled_from([*SCALARS, *WORDS[:20], "a"]), max_size=3),
    st.dictionaries(st.sampled_from(WORDS), st.sampled_from(SCALARS), max_size=2),
)


def _nodes(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, value in items:
        yield from _nodes(value, (*path, key))


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


@st.composite
def mutated(draw: st.DrawFn, bases: list[Any]) -> Any:
    doc = copy.deepcopy(draw(st.sampled_from(bases)))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_nodes(doc))))
        op = draw(st.sampled_from(["set", "delete", "add"]))
        if not path:
            if op == "set":
                doc = draw(VALUES)
            continue
        parent, key = _get(doc, path[:-1]), path[-1]
        if op == "set":
            parent[key] = draw(VALUES)
        elif op == "delete":
            del parent[key]
        elif isinstance(parent[key], dict):
            parent[key][draw(st.sampled_from(WORDS))] = draw(VALUES)
        elif isinstance(parent[key], list):
            parent[key].append(draw(VALUES))
    return doc


def _bases(kind: str) -> list[Any]:
    seen: dict[str, Any] = {}
    for k, data in UNIT_DATA:
        if k == kind and ORACLES[kind].is_valid(data):
            seen.setdefault(repr(data), data)
    return list(seen.values())


@pytest.mark.parametrize("kind", ["workflow", "stage", "step"])
def test_yadage_mutations_agree(kind: str) -> None:
    bases = _bases(kind)
    assert bases

    @SETTINGS
    @given(mutated(bases))
    def check(doc: Any) -> None:
        assert_same(kind, doc)

    check()


SERIAL = {
    "version": "0.9.0",
    "inputs": {"files": ["a.py"], "parameters": {"x": 1}, "options": {"CACHE": "off"}},
    "workflow": {
        "type": "serial",
        "specification": {"steps": [{"environment": "python", "commands": ["python a.py"]}]},
        "resources": {"cvmfs": ["atlas.cern.ch"], "kerberos": True},
    },
    "outputs": {"files": ["out.txt"], "directories": ["plots"]},
    "workspace": {"root_path": "/var/reana", "retention_days": {"*.root": 1}},
}
CONFIG = {
    "select": ["RR1"],
    "ignore": ["RR304"],
    "severity": {"RR101": "warning"},
    "layout": "reana",
    "images": {"atlas/*": 500},
    "exclude": ["old/*"],
    "options": {"RR404": {"x": 1}},
    "convert": {},
}


@SETTINGS
@given(mutated([d for d in REANA_DATA if ORACLES["reana"].is_valid(d)] + [SERIAL]))
def test_reana_yaml_mutations_agree(doc: Any) -> None:
    assert_same("reana", doc)


@SETTINGS
@given(mutated([CONFIG, {}]))
def test_config_mutations_agree(doc: Any) -> None:
    assert_same("config", doc)


@pytest.mark.parametrize(
    ("kind", "instance", "fails"),
    [
        ("config", {"images": {"a": 1.0}}, False),  # draft-07: 1.0 is an integer
        ("config", {"images": {"a": True}}, True),  # a boolean is not
        ("config", {"severity": {"RR1": "fatal"}, "layout": 1}, True),  # propertyNames, enum
        ("config", {1: "x", "y": 2}, True),  # keys of mixed types
        ("reana", {"workflow": {"type": "yadage", "file": "/x", "specification": {}}}, True),
        (
            "reana",
            {"workflow": {"type": "serial", "file": "a"}, "inputs": {"options": {"X": 1}}},
            True,
        ),
        ("reana", {"workflow": {"type": True}, "workspace": {"retention_days": {"/a": -1}}}, True),
        (
            "reana",
            {"workflow": {"type": "cwl", "file": "a", "resources": {"cvmfs": [1, True]}}},
            True,
        ),
        ("step", {"process": {"process_type": "x"}, "environment": {}, "publisher": 1.0}, True),
    ],
)
def test_edge_cases_agree(kind: str, instance: Any, fails: bool) -> None:
    assert_same(kind, instance)
    assert bool(list(_ours(kind).iter_errors(instance))) is fails


MINI = [
    {"type": "integer"},
    {"type": ["number", "null"], "minimum": 1, "exclusiveMinimum": True},
    {"items": [{"type": "string"}, False], "minItems": 1, "uniqueItems": True},
    {"items": {"enum": [0, 1, [1], {"a": False}]}},
    {"const": [1, {"a": True}]},
    {"not": {"anyOf": [{"required": ["a"]}, {"minProperties": 2}]}},
    {"oneOf": [{"type": "number"}, {"type": "integer"}, {"minLength": 1, "maxLength": 2}]},
    {"additionalProperties": {"type": "string"}, "properties": {"a": True}},
    {"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}},
]
MINI_VALUES = [None, True, False, 0, 1, 1.0, 1.5, "", "ab", "abc", [], [1], [1, 1.0], [True, 1]]
MINI_VALUES += [["a", 1], [[1], [True]], {}, {"a": 1}, {"a": 1, "b": "x"}, {"c": 2}]


@pytest.mark.parametrize("draft", [4, 7])
@pytest.mark.parametrize("mini", MINI)
def test_keyword_semantics_agree(mini: dict[str, Any], draft: int) -> None:
    if draft == 4 and ("const" in mini or "if" in mini or "False" in repr(mini)):
        return  # draft-04 has neither these keywords nor boolean schemas
    if draft == 7 and "exclusiveMinimum" in mini:
        return  # a number in draft-07, which no schema of ours uses (see unsupported())
    cls = jsonschema.Draft4Validator if draft == 4 else jsonschema.Draft7Validator
    for value in MINI_VALUES:
        theirs = summary(cls(mini).iter_errors(value))
        assert summary(json_schema.Validator(mini, draft=draft).iter_errors(value)) == theirs, value
