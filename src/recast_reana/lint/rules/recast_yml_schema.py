"""A recast.yml that recast-atlas skips or fails on.

Applies to: recast.yml.

## What it does
Checks recast.yml the way recast-atlas 0.4.2 reads it (`recastatlas/config.py`,
`subcommands/run.py`, `resultsextraction.py`, `subcommands/catalogue.py`): `name`, `metadata`
and `spec` must be present, `spec.workflow` must name the workflow file, every
`example_inputs.<name>` needs `initdata`, every `results` entry needs `name` and `relpath`, every
`tests` entry a `name` and `spec`, and each value must have the type recast-atlas expects. It
warns about a `metadata` without `short_description` and about keys that look like typos.

## Why is this bad?
recast-atlas silently skips a catalogue file without `name`, `metadata` or `spec` (and any file
not ending in `.yml`): `recast run` then says the analysis does not exist. Wrong types and missing
entries fail later, with a Python `KeyError` or `TypeError`.

## Example
```yaml
name: examples/vhbb
spec:
  workflow: workflow.yml
results:
- relpath: fit/limit.png
```

## Use instead
```yaml
name: examples/vhbb
metadata:
  author: analyst
  short_description: VHbb reinterpretation
spec:
  workflow: workflow.yml
results:
- name: limit plot
  relpath: fit/limit.png
```

## Fix
Add the missing keys with values of the right type.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.positioned_yaml import Path
from recast_reana.model.project import Project
from recast_reana.model.source_file import SourceFile
from recast_reana.type_names import Any

ID = "RR103"
NAME = "recast-yml-schema"
SEVERITY = Severity.ERROR

_KINDS: dict[str, type | tuple[type, ...]] = {
    "a string": str,
    "a mapping": dict,
    "a list": list,
    "true or false": bool,
}
_TOP = ("name", "metadata", "spec", "example_inputs", "results", "tests")
_SKIPPED = "recast-atlas silently skips a file without name, metadata and spec"


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    info = project.recast
    src = project.files.get(info.file) if info else None
    if src is None or src.doc is None:
        return  # RR001/RR004 report a file that does not load
    if not src.path.endswith(".yml"):
        # config.py globs `<catalogue dir>/*.yml` only.
        yield at(
            ID,
            src.path,
            src.pos(()),
            f"recast-atlas reads only *.yml catalogue files and skips {src.path}: rename it "
            f"to {src.path.rpartition('.')[0]}.yml",
        )
    data = src.data
    if not isinstance(data, dict):
        yield at(ID, src.path, src.pos(()), f"recast.yml must be a mapping; {_SKIPPED}")
        return
    missing = [k for k in ("name", "metadata", "spec") if k not in data]
    if missing:
        names = ", ".join(f"'{k}'" for k in missing)
        yield at(ID, src.path, src.pos(()), f"recast.yml has no {names}; {_SKIPPED}")
    yield from _unknown(src, (), data, _TOP)
    yield from _typed(src, ("name",), data, "a string")
    yield from _metadata(src, data)
    yield from _spec(src, data)
    yield from _examples(src, data)
    # resultsextraction.py reads r["name"], r["relpath"]; subcommands/testing.py t["name"], ["spec"]
    yield from _entries(src, data, "results", ("name", "relpath"), "collecting the results")
    yield from _entries(src, data, "tests", ("name", "spec"), "`recast testing run`")


def _typed(src: SourceFile, path: Path, parent: dict[Any, Any], kind: str) -> Iterator[Diagnostic]:
    """A diagnostic when `parent[path[-1]]` is present but not of `kind`."""
    key = path[-1]
    if key not in parent or (isinstance(parent[key], _KINDS[kind]) and parent[key] != ""):
        return
    value = parent[key]
    got = "empty" if value is None or value == "" else f"{type(value).__name__} {value!r}"
    if isinstance(value, (dict, list)):
        got = "a mapping" if isinstance(value, dict) else "a list"
    yield at(ID, src.path, src.pos(path), f"{_dotted(path)} must be {kind}, not {got}")


def _required(
    src: SourceFile, path: Path, mapping: dict[Any, Any], key: str, why: str
) -> Iterator[Diagnostic]:
    if key not in mapping:
        yield at(ID, src.path, src.key_pos(path), f"{_dotted(path)} has no '{key}': {why}")


def _unknown(
    src: SourceFile, path: Path, mapping: dict[Any, Any], known: tuple[str, ...]
) -> Iterator[Diagnostic]:
    # recast-atlas ignores unknown keys, so only a likely typo of a known key is worth a word.
    for key in mapping:
        if key in known or not isinstance(key, str):
            continue
        import difflib  # only to suggest a name: not on every start-up

        close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
        if close:
            yield at(
                ID,
                src.path,
                src.key_pos((*path, key)),
                f"unknown key '{key}' (recast-atlas ignores it); did you mean '{close[0]}'?",
                severity=Severity.WARNING,
            )


def _metadata(src: SourceFile, data: dict[Any, Any]) -> Iterator[Diagnostic]:
    yield from _typed(src, ("metadata",), data, "a mapping")
    meta = data.get("metadata")
    if not isinstance(meta, dict):
        return
    if "short_description" not in meta:
        yield at(
            ID,
            src.path,
            src.key_pos(("metadata",)),
            "metadata has no 'short_description': `recast catalogue ls` fails with a KeyError",
            severity=Severity.WARNING,
        )
    for key in ("short_description", "author"):
        yield from _typed(src, ("metadata", key), meta, "a string")
    yield from _typed(src, ("metadata", "tags"), meta, "a list")


def _spec(src: SourceFile, data: dict[Any, Any]) -> Iterator[Diagnostic]:
    yield from _typed(src, ("spec",), data, "a mapping")
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return
    yield from _unknown(src, ("spec",), spec, ("workflow", "toplevel"))
    yield from _required(
        src, ("spec",), spec, "workflow", "name the workflow file, e.g. `workflow: workflow.yml`"
    )
    yield from _typed(src, ("spec", "workflow"), spec, "a string")
    yield from _typed(src, ("spec", "toplevel"), spec, "a string")


def _examples(src: SourceFile, data: dict[Any, Any]) -> Iterator[Diagnostic]:
    yield from _typed(src, ("example_inputs",), data, "a mapping")
    examples = data.get("example_inputs")
    if not isinstance(examples, dict):
        return
    for name, example in examples.items():
        path: Path = ("example_inputs", name)
        yield from _typed(src, path, examples, "a mapping")
        if not isinstance(example, dict):
            continue
        # run.py make_spec: inputs["initdata"] (a KeyError without it), inputs.get("dataopts", {}).
        yield from _required(
            src, path, example, "initdata", f"`recast run --example {name}` fails with a KeyError"
        )
        yield from _typed(src, (*path, "initdata"), example, "a mapping")
        yield from _typed(src, (*path, "dataopts"), example, "a mapping")
        dataopts = example.get("dataopts")
        if isinstance(dataopts, dict):  # backends/reana.py: dataopts["initdir"].rstrip("/")
            yield from _typed(src, (*path, "dataopts", "initdir"), dataopts, "a string")


def _entries(
    src: SourceFile, data: dict[Any, Any], key: str, needs: tuple[str, ...], when: str
) -> Iterator[Diagnostic]:
    yield from _typed(src, (key,), data, "a list")
    entries = data.get(key)
    if not isinstance(entries, list):
        return
    for i, entry in enumerate(entries):
        path: Path = (key, i)
        if not isinstance(entry, dict):
            yield at(ID, src.path, src.pos(path), f"{_dotted(path)} must be a mapping")
            continue
        if key == "results":
            yield from _unknown(src, path, entry, ("name", "relpath", "load_yaml"))
            yield from _typed(src, (*path, "load_yaml"), entry, "true or false")
        for need in needs:
            yield from _required(src, path, entry, need, f"{when} fails with a KeyError")
            yield from _typed(src, (*path, need), entry, "a string")


def _dotted(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out
