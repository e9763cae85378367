"""The yadage-schemas validators and the units RR101 validates (not a rule: private to it).

A workflow is validated as units: the workflow, each stage and each step (and each sub-workflow),
each once however many stages share it. A unit's data is built the way yadage sees it, `$ref`s
resolved and normalised like `yadageschemas/dialects/raw_with_defaults.py`, and remembers where
each part of it is written so errors can be reported at the right line.
"""

from __future__ import annotations

import datetime
import functools
import os
from collections.abc import Iterator
from pathlib import Path as FsPath

from recast_reana.model.json_schema import Validator
from recast_reana.model.positioned_yaml import Path
from recast_reana.model.project import Project
from recast_reana.model.refs import Ref, get_path
from recast_reana.named_tuple import NamedTuple
from recast_reana.type_names import Any

# The keys whose value picks the branch of a oneOf (scheduler, process, environment, ...).
TYPE_KEYS = (
    "scheduler_type",
    "process_type",
    "environment_type",
    "publisher_type",
    "dependency_type",
)
# raw_with_defaults.py set_defaults turns a `parameters` mapping into [{key, value}] for these.
NORMALISED = ("singlestep-stage", "multistep-stage")
_WORKFLOW = "yadage/workflow-schema.json"
_STAGE = "yadage/stage-schema.json"
_STEP = "packtivity/packtivity-schema.json"
_PARAMETERS = "yadage/scheduler/parameterselection.json"
# Unit -> its schema and the schemas stubbed out in its validator (validated as their own units).
KINDS = (
    ("workflow", _WORKFLOW, (_STAGE,)),
    ("stage", _STAGE, (_STEP, _WORKFLOW)),
    ("step", _STEP, ()),
)
# With only these keywords, and `enum` only on the `*_type` keys, validity depends on the data's
# shape alone, so units of the same shape share one validation (see `Unit`).
_SHAPE_KEYWORDS = {"$schema", "title", "description", "default", "type", "properties", "required"}
_SHAPE_KEYWORDS |= {"additionalProperties", "items", "oneOf", "anyOf", "allOf", "not", "$ref"}

Origin = tuple[str, Path]


class Schemas(NamedTuple):
    # "workflow", "stage", "step" -> a draft-04 schema.Validator (or jsonschema Draft4Validator)
    validators: dict[str, Any]
    enums: dict[str, list[str]]  # the values each `*_type` key allows
    by_shape: bool  # whether a unit's shape (see `stand_in`) decides its validity


@functools.lru_cache(maxsize=1)
def schemas() -> Schemas | None:
    """The validators, from the installed yadage-schemas; None when it is not installed.

    The JSON files are read without importing the package (its `__init__` imports requests). Each
    validator accepts any mapping where a unit validated on its own sits (a stage in a workflow,
    a step or sub-workflow in a stage). The release the precompiled table was made from is not
    read at all (see `yadage_schema_table`).
    """
    root = package_root()
    if root is None:
        return None
    return _from_table(root) or load_schemas(root)


def package_root() -> str | None:
    """The directory of the installed yadageschemas package, or None."""
    # importlib.machinery's finder, not importlib.util.find_spec: the same answer for a
    # top-level package, without importing importlib.util (and contextlib) at start-up.
    from importlib.machinery import PathFinder

    spec = PathFinder.find_spec("yadageschemas")
    if spec is None:  # installed behind an import hook (an editable install): ask them all
        import importlib.util

        spec = importlib.util.find_spec("yadageschemas")
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.realpath(next(iter(spec.submodule_search_locations)))


def _from_table(root: str) -> Schemas | None:
    """The validators of the precompiled table, when `root` is the release it was made from."""
    from recast_reana.model import yadage_schema_table as table

    # pip's dist-info names the installed release (an editable checkout has none here).
    if not os.path.isdir(os.path.join(root, "..", f"yadage_schemas-{table.VERSION}.dist-info")):
        return None
    docs = table.DOCS
    validators = {}
    for unit, refs in table.REFS.items():
        pairs = [(_node(docs, *source), _node(docs, *target)) for source, target in refs]
        validators[unit] = Validator.with_refs(docs[table.ROOTS[unit]], 4, pairs)
    return Schemas(validators, table.ENUMS, table.BY_SHAPE)


def _node(docs: dict[str, Any], name: str, path: Path) -> Any:
    """The schema at `path` in document `name` ("": a unit validated on its own, a stub)."""
    return get_path(docs[name] if name else {"type": "object"}, path)


def load_schemas(root: str) -> Schemas | None:
    """The validators, made from the JSON files under `root` (None if they are not yadage's)."""
    import json  # the precompiled table needs neither: a check of the usual release does not
    import warnings

    base = FsPath(root)
    store = {
        f.as_uri(): json.loads(f.read_text("utf-8"))
        for sub in ("yadage", "packtivity")
        for f in sorted((base / sub).rglob("*.json"))
    }
    if any((base / name).as_uri() not in store for name in (_WORKFLOW, _STAGE, _STEP)):
        return None  # not the yadage-schemas this was written for
    validators: dict[str, Any] = {}
    for unit, name, stubs in KINDS:
        local = dict(store) | {(base / s).as_uri(): {"type": "object"} for s in stubs}
        uri = (base / name).as_uri()
        validators[unit] = Validator(store[uri], draft=4, store=local, base_uri=uri)
    if any(v.unsupported() for v in validators.values()):  # a newer yadage-schemas: be exact
        with warnings.catch_warnings():  # RefResolver is deprecated, not removed, in 4.18+
            warnings.simplefilter("ignore", DeprecationWarning)
            from jsonschema import Draft4Validator, RefResolver

            for unit, name, stubs in KINDS:
                local = dict(store) | {(base / s).as_uri(): {"type": "object"} for s in stubs}
                uri = (base / name).as_uri()
                resolver = RefResolver(base_uri=uri, referrer=store[uri], store=local)
                validators[unit] = Draft4Validator(store[uri], resolver=resolver)
    enums: dict[str, list[str]] = {}
    for schema in store.values():
        for key in TYPE_KEYS:
            enums.setdefault(key, []).extend(
                schema.get("properties", {}).get(key, {}).get("enum", [])
            )
    # A parameter value is checked for its type alone (parameterselection.json), so is a
    # dependency list (predicates/*.json); with these, stages of one shape are validated once.
    items = store.get((base / _PARAMETERS).as_uri(), {}).get("items", {})
    value = items.get("properties", {}).get("value", {})
    only_types = list(value) == ["oneOf"] and all(list(o) == ["type"] for o in value["oneOf"])
    by_shape = only_types and all(_shape_only(s) for s in store.values())
    return Schemas(validators, enums, by_shape)


def _shape_only(schema: Any, enum_ok: bool = False) -> bool:
    if not isinstance(schema, dict):
        return isinstance(schema, bool)
    if not set(schema) <= _SHAPE_KEYWORDS | ({"enum"} if enum_ok else set()):
        return False
    if schema.get("properties", {}).get("expressions", {"type": "array"}) != {"type": "array"}:
        return False
    subs = [schema.get("not"), schema.get("additionalProperties")]
    subs += [s for k in ("oneOf", "anyOf", "allOf") for s in schema.get(k, [])]
    items = schema.get("items")
    subs += items if isinstance(items, list) else [items]
    props = schema.get("properties", {})
    return all(_shape_only(s, k in TYPE_KEYS) for k, s in props.items()) and all(
        _shape_only(s) for s in subs if s is not None
    )


def stand_in(value: Any) -> Any:
    """A value of the same JSON type as `value`, the same for all values of that type."""
    if isinstance(value, dict):
        return {}
    if isinstance(value, list):
        return []
    if value is None or isinstance(value, bool):
        return value
    for kind, same in ((str, ""), (int, 0), (float, 0.5), (datetime.date, datetime.date.min)):
        if isinstance(value, kind):
            return same
    return value


class Unit:
    """One unit's data as yadage validates it: `$ref`s resolved, raw_with_defaults applied.

    Built twice when needed: first as its shape (scalars and type-only parts replaced by
    `stand_in`s, `*_type` values kept), which decides validity; then, for a unit with errors only,
    again remembering where each part is written, what to call it and what other rules report.
    """

    def __init__(self, kind: str, label: str, project: Project, refs: dict[Origin, Ref]) -> None:
        self.kind, self.label, self.project, self.refs = kind, label, project, refs
        self.shape = True  # build the shape (else the data as it is)
        self.track = False  # remember origins, names, opaque parts
        self.origins: dict[Path, Origin] = {}
        self.at_key: set[Path] = set()  # parts whose mapping key marks them best
        self.names: dict[Path, str] = {}  # parts with a better name than their key
        self.opaque: set[Path] = set()  # unresolved refs (RR202), unquoted placeholders (RR003)
        self.skip: set[Origin] = set()  # where unquoted placeholders are written
        self.bad_refs: list[Path] = []  # `$ref`s that are not strings

    def deref(self, file: str, path: Path, value: Any) -> tuple[str, Path, Any]:
        for _ in range(50):  # a ref to a ref; bounded against cycles
            ref = self.refs.get((file, path)) if isinstance(value, dict) else None
            target = ref.target(self.project.mode) if ref else None
            src = self.project.files.get(target.file) if target else None
            if target is None or src is None or src.doc is None:
                break
            file, path, value = target.file, target.path, get_path(src.data, target.path)
        return file, path, value

    def boundary(self, cpath: Path) -> bool:
        """Stages (in a workflow), steps and sub-workflows (in a stage) are units of their own."""
        if len(cpath) not in (2, 4):
            return False
        if self.kind == "workflow":
            return len(cpath) == 2 and cpath[0] == "stages"
        return (
            self.kind == "stage"
            and cpath[-1:] in (("step",), ("workflow",))
            and (len(cpath) == 2 or (len(cpath) == 4 and cpath[1] == "cases"))
        )

    def build(self, file: str, path: Path, value: Any, cpath: Path = (), keep: bool = False) -> Any:
        if isinstance(value, dict) and "$ref" in value:
            file, path, value = self.deref(file, path, value)
        if self.track:
            self.origins[cpath] = (file, path)
        if isinstance(value, dict):
            if "$ref" in value or (file, path) in self.skip:
                self._opaque(file, path, value, cpath)
                return value
            if self.boundary(cpath):  # checked only to be a mapping here
                return {}
            if cpath and cpath != ("scheduler",):  # the usual case: nothing to normalise here
                return {
                    k: self.build(file, (*path, k), v, (*cpath, k), k in TYPE_KEYS)
                    for k, v in value.items()
                }
            return {k: self._child(file, path, value, cpath, k) for k in value}
        if isinstance(value, list) and not self.boundary(cpath):
            return [self.build(file, (*path, i), v, (*cpath, i)) for i, v in enumerate(value)]
        return stand_in(value) if self.shape and not keep else value

    def _opaque(self, file: str, path: Path, value: dict[Any, Any], cpath: Path) -> None:
        if self.track:
            self.opaque.add(cpath)
            if not isinstance(value.get("$ref", ""), str):  # no ref RR202 knows: yadage fails
                self.origins[(*cpath, "$ref")] = (file, (*path, "$ref"))
                self.bad_refs.append((*cpath, "$ref"))

    def _child(self, file: str, path: Path, mapping: dict[Any, Any], cpath: Path, key: Any) -> Any:
        # raw_with_defaults.py set_defaults: the "Yadage Stage" turns a `dependencies` list into a
        # jsonpath_ready predicate, a singlestep/multistep "Scheduler" its `parameters` mapping
        # into [{key, value}] (the selector's added expression_type changes no validity).
        stage = self.kind == "stage"
        if stage and cpath == () and key == "dependencies":
            dfile, dpath, deps = self.deref(file, (*path, key), mapping[key])
            if isinstance(deps, list):
                if self.track:
                    self.origins[(key,)] = self.origins[(key, "expressions")] = (dfile, dpath)
                exprs = [  # checked for its type alone: the shape needs no items
                    self.build(dfile, (*dpath, i), v, (key, "expressions", i))
                    for i, v in enumerate([] if self.shape else deps)
                ]
                return {"dependency_type": "jsonpath_ready", "expressions": exprs}
        if stage and cpath == ("scheduler",) and key == "parameters":
            pfile, ppath, params = self.deref(file, (*path, key), mapping[key])
            if isinstance(params, dict) and mapping.get("scheduler_type") in NORMALISED:
                if self.track:
                    self.origins[(*cpath, key)] = (pfile, ppath)
                items = []
                for i, (name, value) in enumerate(params.items()):
                    item = (*cpath, key, i)
                    if self.track:
                        for sub in (item, (*item, "key"), (*item, "value")):
                            self.names[sub] = f"parameter '{name}'"
                        self.origins[item] = self.origins[(*item, "key")] = (pfile, (*ppath, name))
                        self.at_key.update((item, (*item, "key")))
                    if self.shape:  # only the value's type is checked: no need to walk it
                        vfile, vpath, value = self.deref(pfile, (*ppath, name), value)
                        if self.track:
                            self.origins[(*item, "value")] = (vfile, vpath)
                        items.append({"key": stand_in(name), "value": stand_in(value)})
                    else:
                        built = self.build(pfile, (*ppath, name), value, (*item, "value"))
                        items.append({"key": name, "value": built})
                return items
        built = self.build(file, (*path, key), mapping[key], (*cpath, key), key in TYPE_KEYS)
        if self.kind == "step" and cpath == ():
            # set_defaults fills `default`s while it tries the oneOf branches in order: the first
            # branch with no property error is noop-env (`{}`), string-interpolated-cmd (`cmd`).
            if key == "environment" and built == {}:
                return {"environment_type": "noop-env"}
            if key == "process" and isinstance(built, dict) and list(built) == ["cmd"]:
                return {**built, "process_type": "string-interpolated-cmd"}
        return built

    def origin(self, cpath: Path) -> tuple[Path, Origin]:
        """The nearest part of `cpath` written somewhere, and where."""
        while cpath not in self.origins and cpath:
            cpath = cpath[:-1]
        return cpath, self.origins.get(cpath, ("", ()))

    def hidden(self, cpath: Path) -> bool:
        """Whether `cpath` is (inside) a part other rules report."""
        return any(cpath[:i] in self.opaque for i in range(len(cpath) + 1))

    def subject(self, cpath: Path) -> str:
        """How a message names the part at `cpath`: `imagetag of step 'select'`."""
        if not cpath:
            return self.label
        if cpath in self.names:
            return f"{self.names[cpath]} of {self.label}"
        _, (_, path) = self.origin(cpath)
        last = path[-1] if path else cpath[-1]
        if isinstance(last, int):
            last = f"{path[-2] if len(path) > 1 else 'item'}[{last}]"
        return f"{last} of {self.label}"


def units(project: Project) -> Iterator[tuple[str, str, str, Path, Any]]:
    """(kind, label, file, path, data) of every stage, workflow and step, each once."""
    if project.workflow is None:
        return
    seen: set[Origin] = set()
    workflows = [project.workflow]
    step_stage: dict[Origin, str] = {}
    for stage in project.stages:
        label = f"stage '{stage.name}'" if stage.name else "the unnamed stage"
        if (stage.file, stage.path) not in seen:
            seen.add((stage.file, stage.path))
            yield "stage", label, stage.file, stage.path, stage.data
        workflows += stage.subworkflows
        for step in stage.steps:
            step_stage.setdefault((step.file, step.path), label)
    for wf in workflows:
        src = project.files.get(wf.file)
        if src is not None and src.doc is not None and (wf.file, wf.path) not in seen:
            seen.add((wf.file, wf.path))
            label = f"the sub-workflow of stage '{wf.parent.name}'" if wf.parent else "the workflow"
            yield "workflow", label, wf.file, wf.path, get_path(src.data, wf.path)
    for step in project.steps:  # distinct already
        last = step.path[-1] if step.path else None
        if isinstance(last, str) and last != "step":
            label = f"step '{last}'"
        else:
            label = f"the step of {step_stage.get((step.file, step.path), 'a stage')}"
        yield "step", label, step.file, step.path, step.data
