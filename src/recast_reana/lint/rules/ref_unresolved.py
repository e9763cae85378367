"""A `$ref` whose file or JSON pointer exists under no base, or not for the tool that runs it.

Applies to: yadage workflows.

## What it does
Finds `$ref`s that neither recast-atlas nor REANA can resolve: the file does not exist, does not
load, lies outside the repository, or has no value at the JSON pointer. It suggests the closest
existing file or key. On a recast-atlas layout (main), a top-level `$ref` that only REANA resolves
(written from the repository root, e.g. by a half-finished conversion) is reported too: main is
run by recast-atlas.

## Why is this bad?
yadage resolves every `$ref` when it loads the workflow: recast-atlas stops with an error and
`reana-client validate` with a traceback, and reana-server 0.9.4 refuses the start, after the
upload, with 500 ``Error while resolving `file:///<workspace>/specs/steps.yml#/selection`:
Unresolvable JSON pointer: '/selection'`` (for a file that does not exist: `RuntimeError: `,
and no reason). `recast run` resolves the top-level `$ref`s of `specs/workflow.yml` from
`specs/`: one written `specs/steps.yml#/select` there looks for `specs/specs/steps.yml` and stops
with a `JsonRefError`.

## Example
```yaml
step: {$ref: 'steps.yml#/selection'}   # steps.yml has `select:`
```

## Use instead
```yaml
step: {$ref: 'steps.yml#/select'}
```

## Fix
Correct the file name or the key after `#`. Top-level `$ref`s are relative to the toplevel
(`specs/`) for recast-atlas and to the directory of reana.yaml for REANA; `$ref`s in a referenced
file are relative to that file.

## Options
- `recast_layout_refs`: on a recast-atlas layout, also report top-level `$ref`s only REANA
  resolves (default true). Turn it off when main is never run with recast-atlas:
  `options: {RR202: {recast_layout_refs: false}}`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import Option, at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.project import Project
from recast_reana.model.refs import REANA, RECAST, Ref, get_path, lookup, pointer_path
from recast_reana.type_names import Any

ID = "RR202"
NAME = "ref-unresolved"
SEVERITY = Severity.ERROR

_SPEC_SUFFIXES = (".yml", ".yaml", ".json")

OPTIONS: dict[str, Option] = {
    "recast_layout_refs": Option(default=True, schema={"type": "boolean"})
}


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    spec_files: list[str] | None = None  # built on the first unresolved ref only
    for ref in project.refs:
        if ref.cycle:
            message = (
                f"$ref '{ref.value}' never ends: {ref.cycle}; yadage-schemas recurses for ever "
                "and REANA refuses the run at start (Reference refers directly to itself)"
            )
            yield at(ID, ref.file, ref.pos, message)
            continue
        if options.get("recast_layout_refs", True) and (recast_only := _reana_only(project, ref)):
            yield at(ID, ref.file, ref.pos, recast_only)
            continue
        if ref.targets or ref.remote:
            continue
        mode = project.mode if project.mode in ref.errors else next(iter(ref.errors), "")
        message = f"$ref '{ref.value}' does not resolve"
        if ref.errors.get(mode):
            message += f": {ref.errors[mode]}"
        if spec_files is None:
            paths = set(project.files) | set(project.other_files)
            spec_files = sorted(p for p in paths if p.endswith(_SPEC_SUFFIXES))
        suggestion = _suggest(project, ref, _base(project, ref, mode), spec_files)
        if suggestion and suggestion != ref.value:
            message += f"; did you mean '{suggestion}'?"
        yield at(ID, ref.file, ref.pos, message)


def _reana_only(project: Project, ref: Ref) -> str | None:
    """On main, why recast-atlas cannot load a top-level ref that REANA resolves; else None."""
    reana = ref.targets.get(REANA)
    if project.mode != RECAST or not ref.toplevel or reana is None or RECAST not in ref.errors:
        return None
    toplevel = project.recast.toplevel if project.recast else None
    if toplevel is None:
        return None
    written = posixpath.relpath(reana.file, toplevel)
    spelling = written + ("#" + ref.pointer if "#" in ref.value else "")
    return (
        f"$ref '{ref.value}' is written from the repository root, but recast-atlas resolves the "
        f"top-level workflow's $refs from '{toplevel}/': {ref.errors[RECAST]}; write "
        f"'{spelling}' (`recast-reana convert` writes REANA's spelling on the reana branch)"
    )


def _base(project: Project, ref: Ref, mode: str) -> str:
    """The directory the ref is resolved from, as `mode` does it (see refs.RefResolver)."""
    if not ref.toplevel:
        return posixpath.dirname(ref.file)
    if mode == RECAST and project.recast and project.recast.toplevel is not None:
        return project.recast.toplevel
    return ""


def _suggest(project: Project, ref: Ref, base: str, spec_files: list[str]) -> str | None:
    file_part = ref.file_part
    rel = posixpath.normpath(posixpath.join(base, file_part)) if file_part else ref.file
    rel = rel.removeprefix("./")
    src = project.files.get(rel)
    if src is None or src.doc is None:
        if src is not None:
            return None  # the file exists but does not load: RR001/RR004 say why
        match = _closest_file(rel, spec_files)
        if match is None:
            return None
        written = posixpath.relpath(match, base or ".")
        return f"{written}#{ref.pointer}" if "#" in ref.value else written
    pointer = _closest_pointer(src.data, ref.pointer)
    return f"{file_part}#{pointer}" if pointer is not None else None


def _closest_file(rel: str, spec_files: list[str]) -> str | None:
    # The usual mistake is the base, not the name: prefer a file with the same name elsewhere.
    name = posixpath.basename(rel)
    same_name = [p for p in spec_files if posixpath.basename(p) == name]
    if len(same_name) == 1:
        return same_name[0]
    import difflib  # only to suggest a name: not on every start-up

    close = difflib.get_close_matches(rel, spec_files, n=1, cutoff=0.6)
    return close[0] if close else None


def _closest_pointer(data: Any, pointer: str) -> str | None:
    parts = pointer_path(pointer)
    found, _, real = lookup(data, parts)
    if found or len(real) >= len(parts):
        return None
    parent = get_path(data, real)
    if not isinstance(parent, dict):
        return None
    keys = [str(k) for k in parent]
    import difflib  # only to suggest a name: not on every start-up

    close = difflib.get_close_matches(str(parts[len(real)]), keys, n=1, cutoff=0.5)
    if not close:
        return None
    fixed = [str(p) for p in (*parts[: len(real)], close[0], *parts[len(real) + 1 :])]
    lead = "/" if pointer.startswith("/") else ""
    return lead + "/".join(p.replace("~", "~0").replace("/", "~1") for p in fixed)
