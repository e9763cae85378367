"""The precompiled yadage-schemas table (src/recast_reana/model/yadage_schema_table.py).

`check` validates with the table when the installed yadage-schemas is the release it was made
from, instead of reading, parsing and resolving the JSON files (issue 12: start-up). The table
is generated from the installed release by one command, and this test fails when regenerating
it would change it; review the diff:

    .venv/bin/python tests/test_yadage_schema_table.py --update
"""

from __future__ import annotations

import os
import pprint
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from recast_reana.model import yadage_units

TABLE = Path(__file__).resolve().parents[1] / "src/recast_reana/model/yadage_schema_table.py"
UPDATE = ".venv/bin/python tests/test_yadage_schema_table.py --update"
Location = tuple[str, tuple[Any, ...]]


def table_source() -> str:
    """The table's module text, made from the installed yadage-schemas (the JSON files)."""
    root = yadage_units.package_root()
    assert root is not None, "yadage-schemas is not installed"
    loaded = yadage_units.load_schemas(root)
    assert loaded is not None
    prefix = Path(root).as_uri() + "/"
    docs: dict[str, Any] = {}
    where: dict[int, Location] = {}
    validators = loaded.validators
    # The documents each validator's store holds are the same objects: read them from one.
    store = validators["step"]._store
    for uri, doc in sorted(store.items()):
        name = uri.removeprefix(prefix)
        docs[name] = doc
        _locate(doc, name, (), where)
    refs = {}
    for unit, validator in validators.items():
        pairs = []
        for node, target in validator.ref_pairs():
            # A stubbed-out schema (validated as its own unit) is not in the store: "".
            pairs.append((where[id(node)], where.get(id(target), ("", ()))))
        refs[unit] = pairs
    roots = {unit: name for unit, name, _ in yadage_units.KINDS}
    version = metadata.version("yadage-schemas")

    def literal(value: Any) -> str:
        return pprint.pformat(value, width=100, sort_dicts=False)

    return "\n".join(
        [
            '"""The yadage-schemas validators, precompiled: generated, do not edit.',
            "",
            f"Regenerate with `{UPDATE}`",
            "(the test fails when it would change). `yadage_units.schemas()` uses it when",
            f"yadage-schemas {version} is installed, instead of reading, parsing and resolving its",
            "JSON files.",
            '"""',
            "",
            "# fmt: off",
            "# ruff: noqa: E501",
            "from __future__ import annotations",
            "",
            "from typing import Any",
            "",
            f"VERSION = {version!r}",
            "# Unit -> its schema's document.",
            f"ROOTS: dict[str, str] = {literal(roots)}",
            "# The values each `*_type` key allows; whether a unit's shape decides its validity.",
            f"ENUMS: dict[str, list[str]] = {literal(loaded.enums)}",
            f"BY_SHAPE = {loaded.by_shape!r}",
            "# Unit -> (where a `$ref` is, where it points) as (document, path in it); document ''",
            "# is a schema stubbed out as {'type': 'object'} (a unit validated on its own).",
            f"REFS: dict[str, Any] = {literal(refs)}",
            "# The JSON files under yadageschemas/yadage and yadageschemas/packtivity.",
            f"DOCS: dict[str, Any] = {literal(docs)}",
            "",
        ]
    )


def _locate(node: Any, name: str, path: tuple[Any, ...], where: dict[int, Location]) -> None:
    where[id(node)] = (name, path)
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, child in items:
        if isinstance(child, (dict, list)):
            _locate(child, name, (*path, key), where)


def test_the_table_is_what_the_installed_release_gives() -> None:
    assert TABLE.read_text(encoding="utf-8") == table_source(), f"regenerate it: {UPDATE}"


def test_check_uses_the_table_when_the_release_is_installed() -> None:
    from recast_reana.model import yadage_schema_table

    root = yadage_units.package_root()
    assert root is not None
    from_files = yadage_units.load_schemas(root)
    yadage_units.schemas.cache_clear()
    try:
        found = yadage_units.schemas()
        assert found is not None and from_files is not None
        step = yadage_schema_table.DOCS["packtivity/packtivity-schema.json"]
        assert found.validators["step"].schema is step  # not read from the files
        assert (found.enums, found.by_shape) == (from_files.enums, from_files.by_shape)
    finally:
        yadage_units.schemas.cache_clear()


def test_another_release_is_read_from_its_files(monkeypatch: pytest.MonkeyPatch) -> None:
    from recast_reana.model import yadage_schema_table

    monkeypatch.setattr(yadage_schema_table, "VERSION", "0.0.0")
    yadage_units.schemas.cache_clear()
    try:
        found = yadage_units.schemas()
        assert found is not None
        step = yadage_schema_table.DOCS["packtivity/packtivity-schema.json"]
        assert found.validators["step"].schema is not step
        assert found.validators["step"].schema == step
    finally:
        yadage_units.schemas.cache_clear()


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(f"usage: {UPDATE}")
    TABLE.write_text(table_source(), encoding="utf-8")
    print(f"wrote {os.path.relpath(TABLE)}")
