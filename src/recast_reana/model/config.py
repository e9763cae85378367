"""`.recast-reana.yaml`: optional project configuration, validated whole, with positions.

Every key is checked: the top level, `convert`, `severity` and `options` (each rule's options
against the schema the rule declares). An unknown key is exit 2 with its position, a
did-you-mean and the keys known there; so is a value of the wrong type.

The rules live in `lint/`, which this module must not import (a part imports only earlier parts).
What `options.RRnnn` may hold therefore comes in as an argument: `load_config(..., rules=...)`
takes rule ID -> `RuleOptions` (the rule's name and the JSON schema of its options), which
`lint.linter.rule_options()` makes from the registry. Every command that loads a configuration
imports the registry anyway (to lint, or to apply the rules' fixes), so passing every rule costs
no import; without `rules` (tests of this module), `options` and `severity` are checked only as
mappings keyed by rule-like IDs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

from recast_reana.errors import EXIT_USAGE, Error
from recast_reana.model import positioned_yaml
from recast_reana.model.discovery import REANA_PATTERN
from recast_reana.model.json_schema import ValidationError, Validator
from recast_reana.named_tuple import NamedTuple
from recast_reana.type_names import Any

CONFIG_NAME = ".recast-reana.yaml"
_RULE = {"type": "string", "pattern": "^RR[0-9]{0,3}$"}
_SEVERITY = {"enum": ["error", "warning", "info"]}
_STRINGS = {"type": ["array", "string"], "items": {"type": "string"}}  # one string alone too

# What convert/ reads (Config.drop_stages, reana_yaml.py `_strings`, conversion.py `_reana_file`).
CONVERT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "drop_stages": {**_STRINGS, "description": "top-level stages the conversion removes"},
        "outputs": {**_STRINGS, "description": "paths added to reana.yaml outputs.files"},
        "cvmfs": {**_STRINGS, "description": "CVMFS repositories of reana.yaml resources"},
        # A reana file at the top, as discovery finds them on the converted branch.
        "reana_file": {
            "type": "string",
            "pattern": f"^{REANA_PATTERN.pattern}$",
            "description": "the reana file the conversion writes the yadage workflow to",
        },
    },
}

# What the registry client reads (cli/check.py and cli/convert.py pass it to registry/).
REGISTRIES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "insecure": {
            "type": "array",
            "items": {"type": "string", "pattern": r"^[^/\s:@]+:[0-9]+$"},
            "description": "HOST:PORT of registries spoken to in plain HTTP (all others: TLS)",
        },
    },
}

# One expected result, compared with a recast.yml result (README "Validating results").
_TOLERANCE = {"type": "number", "minimum": 0}
_KEY_PATH = {
    "type": ["string", "array"],
    "items": {"type": ["string", "integer"]},
    "description": "where the value is inside a YAML/JSON result: limits.observed, a[0].b",
}
_REFERENCE_VALUE = {
    "type": ["number", "string", "boolean"],
    "description": "the expected value: a number (compared within the tolerances) or exact text",
}
_POINT_REFERENCE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "value": _REFERENCE_VALUE,
        "rel_tol": _TOLERANCE,
        "abs_tol": _TOLERANCE,
        "path": _KEY_PATH,
    },
}
REFERENCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        **_POINT_REFERENCE["properties"],
        "relpath": {"type": "string", "description": "<stage>/<file>, for a file recast.yml lacks"},
        "points": {"type": "object", "additionalProperties": _POINT_REFERENCE},
    },
}
REFERENCES_SCHEMA: dict[str, Any] = {"type": "object", "additionalProperties": REFERENCE_SCHEMA}

# What results/ reads after `run --wait --download` (results/expected.py).
VALIDATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "results": REFERENCES_SCHEMA,
        "references": {"type": "string", "description": "a YAML file of more `results:`"},
        "keep_runs": {"type": "integer", "minimum": 1, "description": "runs the history keeps"},
        "grid_parameter": {"type": "string", "description": "x axis of the grid plots"},
    },
}

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
            "additionalProperties": _SEVERITY,
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
        "convert": CONVERT_SCHEMA,
        "online": {"type": "boolean"},
        "registries": REGISTRIES_SCHEMA,
        "validate": VALIDATE_SCHEMA,
    },
}


class RuleOptions(NamedTuple):
    """What the configuration knows of one rule: its name and the schema of `options.<ID>`."""

    name: str
    schema: Mapping[str, Any]


_NONE: Mapping[str, Any] = MappingProxyType({})  # the default of the mapping fields, read-only


class Config(NamedTuple):
    """What the user configured; every field has a working default."""

    select: tuple[str, ...] = ()  # rule IDs or prefixes ("RR3"); empty = all rules
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = _NONE
    layout: str = "auto"
    # Image (`repo`, `repo:tag`, or a glob of either) -> UID its user runs as (RR404).
    images: Mapping[str, int] = _NONE
    exclude: tuple[str, ...] = ()  # globs of paths whose diagnostics are dropped
    options: Mapping[str, Mapping[str, Any]] = _NONE  # per rule ID
    convert: Mapping[str, Any] = _NONE
    # Ask container registries for image facts (as `--online`); the hooks never do.
    online: bool = False
    insecure_registries: tuple[str, ...] = ()  # HOST:PORT spoken to in plain HTTP
    # References of `run`'s results, the history, the plots (results/expected.py reads it).
    validate: Mapping[str, Any] = _NONE
    path: str | None = None
    # The loaded file, for the positions of what the conversion takes from it.
    document: positioned_yaml.Document | None = None

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


def load_config(
    root: Path, explicit: Path | None = None, rules: Mapping[str, RuleOptions] | None = None
) -> Config:
    """Read `explicit` or `<root>/.recast-reana.yaml`; defaults when neither exists.

    `rules` (rule ID -> `RuleOptions`, from `lint.linter.rule_options()`) checks `options`,
    `severity`, `select` and `ignore` against the rules there are.
    """
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
    return parse_config(doc, shown, rules)


def parse_config(
    doc: positioned_yaml.Document, shown: str, rules: Mapping[str, RuleOptions] | None = None
) -> Config:
    """The configuration in `doc` (named `shown` in messages), or the Error of its first problem."""
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise config_error(shown, 1, 1, "the configuration must be a mapping of options")
    schema = config_schema(rules)
    validator = Validator(schema)  # not jsonschema: importing it costs ~100 ms (see schema.py)
    problems = [_problem(doc, err, rules) for err in validator.iter_errors(data)]
    if rules is not None:
        problems += _unmatched(doc, data, rules)
    if problems:  # the first in the file
        pos, message = min(problems, key=lambda p: (p[0].line, p[0].col))
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
        online=data.get("online", False),
        insecure_registries=tuple(data.get("registries", {}).get("insecure", ())),
        validate=dict(data.get("validate", {})),
        path=shown,
        document=doc,
    )


def config_schema(rules: Mapping[str, RuleOptions] | None) -> dict[str, Any]:
    """SCHEMA, with `severity` and `options` keyed by the rules' IDs when `rules` is given."""
    if rules is None:
        return SCHEMA
    properties = dict(SCHEMA["properties"])
    properties["severity"] = {
        "type": "object",
        "properties": dict.fromkeys(rules, _SEVERITY),
        "additionalProperties": False,
    }
    properties["options"] = {
        "type": "object",
        "properties": {rule_id: rule.schema for rule_id, rule in rules.items()},
        "additionalProperties": False,
    }
    return {**SCHEMA, "properties": properties}


Problem = tuple[positioned_yaml.Pos, str]


def _problem(
    doc: positioned_yaml.Document, err: ValidationError, rules: Mapping[str, RuleOptions] | None
) -> Problem:
    where = tuple(err.absolute_path)
    if "propertyNames" in err.absolute_schema_path:  # the error is about a key: point at it
        return doc.key_pos((*where, err.instance)), f"{_dotted(where)}: {err.message}"
    if err.validator == "additionalProperties" and err.validator_value is False:
        known = list(err.schema.get("properties", {}))
        extra = next(k for k in err.instance if k not in known)  # the first in the file
        return doc.key_pos((*where, extra)), _unknown(where, extra, known, rules or {})
    if where == ("convert", "reana_file") and err.validator == "pattern":
        message = f"{err.instance!r} must name a reana file at the top of the repository"
        return doc.pos(where), f"convert.reana_file: {message}, such as reana-recast.yaml"
    if where[:2] == ("registries", "insecure") and err.validator == "pattern":
        message = f"{err.instance!r} must be HOST:PORT, such as 127.0.0.1:5000"
        return doc.pos(where), f"{_dotted(where)}: {message}"
    if where[:1] == ("options",) and len(where) > 2 and rules and where[1] in rules:
        prefix = f"option '{_dotted(where[2:])}' of {where[1]} {rules[str(where[1])].name}"
    else:
        prefix = _dotted(where)
    return doc.pos(where), f"{prefix}: {err.message}" if prefix else err.message


def _unknown(
    where: tuple[Any, ...], extra: Any, known: list[str], rules: Mapping[str, RuleOptions]
) -> str:
    """The message for a key the schema at `where` does not know."""
    if where in (("options",), ("severity",)):
        return f"unknown rule '{extra}' in {where[0]}{_rule_hint(extra, rules)}"
    hint = _hint(str(extra), known)
    listed = f"; known: {', '.join(known)}" if known else ""
    if len(where) == 2 and where[0] == "options" and where[1] in rules:
        rule = f"{where[1]} {rules[where[1]].name}"
        return f"unknown option '{extra}' of {rule}{hint}" + (listed or f"; {rule} has no options")
    place = f" in {_dotted(where)}" if where else ""
    return f"unknown key '{extra}'{place}{hint}{listed}"


def _unmatched(
    doc: positioned_yaml.Document, data: Mapping[str, Any], rules: Mapping[str, RuleOptions]
) -> list[Problem]:
    """`select` and `ignore` entries that match no rule: a typo turns every rule off, or none."""
    found = []
    for key in ("select", "ignore"):
        value = data.get(key)
        for i, code in enumerate(value if isinstance(value, list) else []):
            if isinstance(code, str) and not any(r.startswith(code) for r in rules):
                message = f"{key}[{i}]: no rule matches '{code}'{_rule_hint(code, rules)}"
                found.append((doc.pos((key, i)), message))
    return found


def _rule_hint(given: Any, rules: Mapping[str, RuleOptions]) -> str:
    """A did-you-mean for a rule ID: the same in capitals, an ID for a rule's name, a close ID."""
    text = str(given)
    names = {rule.name: rule_id for rule_id, rule in rules.items()}
    if text.upper() in rules:
        return f" (did you mean '{text.upper()}'?)"
    if text in names:
        return f" (did you mean '{names[text]}', the ID of {text}?)"
    # One character off in five: RR4077, RR470; not RR999 for RR409.
    return _hint(text.upper(), rules, cutoff=0.8) or " (see `recast-reana rules`)"


def _hint(given: str, candidates: Iterable[str], cutoff: float = 0.6) -> str:
    import difflib  # only for a mistake: not on every check's start-up

    close = difflib.get_close_matches(given, list(candidates), n=1, cutoff=cutoff)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _dotted(path: Iterable[Any]) -> str:
    """`options.RR407.moving_tags[0]`: a path into the configuration as the user writes it."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text
