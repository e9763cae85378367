"""Reading one result's value from a downloaded file: YAML or JSON, a plain number, a key path."""

from __future__ import annotations

from pathlib import Path

import yaml

from recast_reana.results.expected import KeyPath
from recast_reana.type_names import Any

MAX_BYTES = 16 * 1024 * 1024  # a result is a small summary, not a dataset


class Unreadable(Exception):
    """Why a result has no value to compare: one line, naming the file and what to do."""


def read_value(path: Path, shown: str, keys: KeyPath, parsed: dict[Path, Any] | None = None) -> Any:
    """The value at `keys` in the YAML/JSON file `path` (`shown` in messages).

    `parsed` keeps each file's data (or why it is unreadable) for the next result in it.
    """
    cache = parsed if parsed is not None else {}
    if path not in cache:
        try:
            cache[path] = _load(path, shown)
        except Unreadable as exc:
            cache[path] = exc
    data = cache[path]
    if isinstance(data, Unreadable):
        raise data
    value = dig(data, keys, shown)
    if isinstance(value, (dict, list)):
        kind = "a mapping" if isinstance(value, dict) else "a list"
        at = f" at {dotted(keys)}" if keys else ""
        raise Unreadable(
            f"{shown}: {kind}{at}, not one value: give `path:` to a number or text inside it"
        )
    return value


def _load(path: Path, shown: str) -> Any:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise Unreadable(f"{shown}: {size} bytes, more than a result file holds")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise Unreadable(f"{shown}: not produced (not in the downloaded outputs)") from None
    except IsADirectoryError:
        raise Unreadable(f"{shown}: a directory, not a result file") from None
    except OSError as exc:
        raise Unreadable(f"{shown}: cannot read it: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unreadable(f"{shown}: not a text file (YAML, JSON or a number)") from None
    try:
        data = yaml.safe_load(text)  # JSON is YAML, and a plain number is a YAML number
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid"
        raise Unreadable(f"{shown}{where}: not YAML or JSON ({problem})") from None
    return data


def dig(data: Any, keys: KeyPath, shown: str) -> Any:
    for depth, key in enumerate(keys):
        here = dotted(keys[:depth]) or "the top"
        if isinstance(data, dict) and key in data:
            data = data[key]
        elif isinstance(data, dict) and str(key) in data:
            data = data[str(key)]
        elif isinstance(data, list) and isinstance(key, int) and -len(data) <= key < len(data):
            data = data[key]
        else:
            if isinstance(data, dict):
                keys_there = ", ".join(str(k) for k in list(data)[:8]) or "none"
                has = f"keys there: {keys_there}"
            elif isinstance(data, list):
                has = f"a list of {len(data)} there"
            else:
                has = f"{_kind(data)} there"
            raise Unreadable(f"{shown}: no {dotted(keys[: depth + 1])} ({has}; at {here})")
    return data


def dotted(keys: KeyPath) -> str:
    text = ""
    for key in keys:
        text += f"[{key}]" if isinstance(key, int) else f".{key}" if text else str(key)
    return text


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return "text"
