"""`.recast-reana.yaml`: optional project configuration, validated with positions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recast_reana.errors import EXIT_USAGE, Error
from recast_reana.model import positioned_yaml
from recast_reana.model.json_schema import Validator

CONFIG_NAME = ".recast-reana.yaml"
_RULE = {"type": "string", "pattern": "^RR[0-9]{0,3}$"}

SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "select": {"type": "array", "items": _RULE},
        "ignore": {"type": "array", "items": _RULE},
        "severity": {
            "type": "object",
            "propertyNames": {"pattern": "^RR[0-9]{3}$"},
            "additionalProperties": {"enum": ["error", "warning", "info"]},
        },
        "layout": {"enum": ["auto", "recast", "reana"]},
        "images": {
            "type": "object",
            "additionalProperties": {"type": "integer", "minimum": 0},
        },
        "exclude": {"type": "array", "items": {"type": "string"}},
        "options": {
            "type": "object",
            "propertyNames": {"pattern": "^RR[0-9]{3}$"},
            "additionalProperties": {"type": "object"},
        },
        "convert": {"type": "object"},
    },
}


@dataclass(frozen=True)
class Config:
    """What the user configured; every field has a working default."""

    select: tuple[str, ...] = ()  # rule IDs or prefixes ("RR3"); empty = all rules
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)
    layout: str = "auto"
    # Image (`repo`, `repo:tag`, or a glob of either) -> UID its user runs as (RR404).
    images: Mapping[str, int] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()  # globs of paths whose diagnostics are dropped
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # per rule ID
    convert: Mapping[str, Any] = field(default_factory=dict)
    path: str | None = None
    # The loaded file, for the positions of what the conversion takes from it.
    document: positioned_yaml.Document | None = field(default=None, compare=False, repr=False)

    def pos(self, path: positioned_yaml.Path) -> positioned_yaml.Pos:
        """Where the value at `path` is written in the configuration file."""
        return self.document.pos(path) if self.document else positioned_yaml.Pos(1, 1, 1, 1)

    @property
    def drop_stages(self) -> list[str]:
        """`convert.drop_stages`: a list of stage names (a single name is accepted too)."""
        value = self.convert.get("drop_stages")
        values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        return [v for v in values if isinstance(v, str)]

    def enabled(self, rule_id: str) -> bool:
        if self.select and not any(rule_id.startswith(s) for s in self.select):
            return False
        return not any(rule_id.startswith(s) for s in self.ignore)


def config_error(path: str, line: int, col: int, message: str) -> Error:
    """A configuration file that cannot be used: exit 2 with `path:line:col: message`."""
    return Error(f"{path}:{line}:{col}: {message}", EXIT_USAGE)


def load_config(root: Path, explicit: Path | None = None) -> Config:
    """Read `explicit` or `<root>/.recast-reana.yaml`; defaults when neither exists."""
    path = explicit or root / CONFIG_NAME
    if not path.is_file():
        if explicit is not None:
            raise config_error(str(explicit), 1, 1, "configuration file not found")
        return Config()
    shown = path.name if explicit is None else str(explicit)
    try:
        doc = positioned_yaml.load(positioned_yaml.decode(path.read_bytes()))
    except (positioned_yaml.YamlSyntaxError, positioned_yaml.UnsafeYaml) as exc:
        raise config_error(shown, exc.line, exc.col, exc.message) from None
    return parse_config(doc, shown)


def parse_config(doc: positioned_yaml.Document, shown: str) -> Config:
    data = doc.data if doc.data is not None else {}
    validator = Validator(SCHEMA)  # not jsonschema: importing it costs ~100 ms (see schema.py)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if not isinstance(data, dict):
        raise config_error(shown, 1, 1, "the configuration must be a mapping of options")
    if errors:
        err = errors[0]
        where = tuple(err.absolute_path)
        pos = doc.key_pos(where) if err.validator == "propertyNames" else doc.pos(where)
        message = err.message
        if err.validator == "additionalProperties" and not where:
            known = ", ".join(SCHEMA["properties"])
            message = f"{err.message}; known options: {known}"
            extra = next(k for k in data if k not in SCHEMA["properties"])
            pos = doc.key_pos((extra,))
        raise config_error(shown, pos.line, pos.col, message)
    for key, dup in ((d.key, d.second) for d in doc.duplicates):
        raise config_error(shown, dup.line, dup.col, f"option '{key}' is given twice")
    return Config(
        select=tuple(data.get("select", ())),
        ignore=tuple(data.get("ignore", ())),
        severity=dict(data.get("severity", {})),
        layout=data.get("layout", "auto"),
        images=dict(data.get("images", {})),
        exclude=tuple(data.get("exclude", ())),
        options=dict(data.get("options", {})),
        convert=dict(data.get("convert", {})),
        path=shown,
        document=doc,
    )
