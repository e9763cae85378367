"""The stage graph of a yadage workflow: stages, dependencies, selectors, steps and placeholders.

Read from the loaded files through `$ref`s, tolerating anything malformed (the schema rule reports
that): every field is looked at only when it has the expected type.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from sys import intern

from recast_reana.model.positioned_yaml import Path, Pos, pack, unpack, walk
from recast_reana.model.refs import RefResolver
from recast_reana.model.source_file import SourceFile
from recast_reana.named_tuple import NamedTuple
from recast_reana.type_names import Any

SELECTOR_KEYS = ("step", "stages", "steps")
COMMAND_KEYS = ("script", "cmd")  # interpolated-script-cmd and string-interpolated-cmd
# Publishers whose output names are known without running the step.
_STATIC_PUBLISHERS = {"interpolated-pub": "publish", "constant-pub": "publish"}
_NAME = re.compile(r"[A-Za-z0-9_\-]+")


class Placeholder(NamedTuple):
    """A `{field}` that yadage/packtivity interpolates with the stage's parameters."""

    name: str  # the parameter it reads: `a` for `{a}`, `{a[0]}` and `{a.b}`
    field: str
    file: str
    path: Path  # of the string holding it
    at: int  # `pos`, packed: a 5000-stage workflow has 30,000 placeholders
    where: str  # "process" or "publisher"

    @property
    def pos(self) -> Pos:
        return unpack(self.at)


class FormatProblem(NamedTuple):
    """A string that `str.format` rejects (e.g. a lone `}`): the step fails when it runs."""

    message: str
    file: str
    path: Path
    at: int  # `pos`, packed

    @property
    def pos(self) -> Pos:
        return unpack(self.at)


class Selector(NamedTuple):
    """A parameter value reading another stage's output: `{step: S, output: X}`."""

    key: str  # the stage parameter it fills
    stage: str  # the stage name it reads (first segment of a jsonpath like `S[*]`)
    expression: str
    output: str | None
    old_style: bool  # `{stages: S, output: X, unwrap: true}`
    file: str
    path: Path
    at: int  # `pos`, packed

    @property
    def pos(self) -> Pos:
        return unpack(self.at)


class Dependency(NamedTuple):
    name: str
    expression: str
    file: str
    path: Path
    at: int  # `pos`, packed

    @property
    def pos(self) -> Pos:
        return unpack(self.at)


# Step, Stage and Workflow are plain classes with slots, not dataclasses: the model is mutable
# while it is built, nothing compares them by value, and a dataclass costs ~0.5 ms of start-up
# each (issue 12).
class Step:
    """A packtivity step definition (after `$ref`s), shared by every stage that runs it."""

    __slots__ = (
        "data",
        "file",
        "format_problems",
        "outputs",
        "path",
        "placeholders",
        "process_type",
        "publisher_type",
        "scalar_outputs",
    )

    def __init__(self, file: str, path: Path, data: dict[str, Any]) -> None:
        self.file = file
        self.path = path
        self.data = data
        self.process_type: str | None = None
        self.publisher_type: str | None = None
        self.outputs: set[str] | None = None  # None when only a run can tell
        # Outputs published as one value (a string, a number), never a list: a jsonpath index
        # into them (`x[0]`) fails in yadage's selection.
        self.scalar_outputs: set[str] = set()
        self.placeholders: list[Placeholder] = []
        self.format_problems: list[FormatProblem] = []

    def __repr__(self) -> str:
        return f"Step({self.file!r}, {self.path!r})"

    @property
    def name(self) -> str:
        """How messages name it: its key in the steps file (`select` in steps.yml#/select)."""
        return str(self.path[-1]) if self.path else self.file

    @property
    def environment(self) -> dict[str, Any]:
        env = self.data.get("environment")
        return env if isinstance(env, dict) else {}

    @property
    def environment_path(self) -> Path:
        return (*self.path, "environment")

    @property
    def commands(self) -> list[tuple[str, str]]:
        """(key, text) of what packtivity runs: `process.script` and/or `process.cmd`."""
        process = self.data.get("process")
        if not isinstance(process, dict):
            return []
        return [(k, process[k]) for k in COMMAND_KEYS if isinstance(process.get(k), str)]

    @property
    def resources(self) -> list[Any]:
        res = self.environment.get("resources")
        return res if isinstance(res, list) else []


class Stage:
    __slots__ = (
        "data",
        "dependencies",
        "file",
        "name",
        "parameters",
        "parameters_file",
        "parameters_path",
        "path",
        "pos",
        "scatter",
        "scatter_method",
        "scheduler_type",
        "selectors",
        "steps",
        "subworkflows",
        "workflow",
    )

    def __init__(
        self, name: str, file: str, path: Path, pos: Pos, data: dict[str, Any], workflow: Workflow
    ) -> None:
        self.name = name
        self.file = file
        self.path = path  # of the stage mapping
        self.pos = pos  # of its name
        self.data = data
        self.workflow = workflow
        self.scheduler_type: str | None = None
        self.dependencies: list[Dependency] = []
        self.parameters: dict[str, Any] = {}
        self.parameters_file = ""
        self.parameters_path: Path = ()
        self.selectors: list[Selector] = []
        self.steps: list[Step] = []
        self.subworkflows: list[Workflow] = []
        self.scatter: list[str] = []
        self.scatter_method: str | None = None  # "zip" or "cartesian"

    def __repr__(self) -> str:
        return f"Stage({self.name!r}, {self.file!r}, {self.path!r})"


class Workflow:
    __slots__ = ("file", "parent", "path", "stages")

    def __init__(
        self,
        file: str,
        path: Path,  # of the mapping holding `stages`
        parent: Stage | None = None,
        stages: list[Stage] | None = None,
    ) -> None:
        self.file = file
        self.path = path
        self.parent = parent
        self.stages: list[Stage] = stages if stages is not None else []

    def __repr__(self) -> str:
        return f"Workflow({self.file!r}, {self.path!r}, stages={len(self.stages)})"

    def unlink(self) -> None:
        """Break the stage <-> workflow cycles: the graph is then freed as soon as nothing reads
        it, without the cyclic garbage collector (off in the one-shot commands)."""
        for stage in self.stages:
            for sub in stage.subworkflows:
                sub.unlink()
            stage.subworkflows = []
        self.stages = []

    def stage(self, name: str) -> Stage | None:
        return next((s for s in self.stages if s.name == name), None)

    def all_stages(self) -> Iterator[Stage]:
        for stage in self.stages:
            yield stage
            for sub in stage.subworkflows:
                yield from sub.all_stages()

    @property
    def init_parameters(self) -> set[str] | None:
        """Names `init` offers in this scope; None at the top (they come from the run)."""
        return set(self.parent.parameters) if self.parent else None


class _Builder:
    def __init__(self, resolver: RefResolver, mode: str) -> None:
        self.resolver = resolver
        self.mode = mode
        self.steps: dict[tuple[str, Path], Step] = {}
        self.depth = 0

    def src(self, file: str) -> SourceFile:
        src = self.resolver.load(file)
        assert src is not None  # only files that loaded are ever dereferenced to
        return src

    def deref(self, file: str, path: Path, value: Any) -> tuple[str, Path, Any]:
        return self.resolver.deref(file, path, value, self.mode)

    def workflow(self, file: str, path: Path, data: Any, parent: Stage | None) -> Workflow:
        wf = Workflow(file, path, parent)
        file, path, data = self.deref(file, path, data)
        wf.file, wf.path = file, path
        if not isinstance(data, dict) or self.depth > 20:
            return wf
        sfile, spath, stages = self.deref(file, (*path, "stages"), data.get("stages"))
        if not isinstance(stages, list):
            return wf
        self.depth += 1
        for i, item in enumerate(stages):
            stage = self.stage(*self.deref(sfile, (*spath, i), item), wf)
            if stage is not None:
                wf.stages.append(stage)
        self.depth -= 1
        return wf

    def stage(self, file: str, path: Path, data: Any, wf: Workflow) -> Stage | None:
        if not isinstance(data, dict):
            return None
        src = self.src(file)
        name = data.get("name")
        stage = Stage(
            name=str(name) if name is not None else "",
            file=file,
            path=path,
            pos=src.pos((*path, "name")) if name is not None else src.pos(path),
            data=data,
            workflow=wf,
        )
        self.dependencies(stage, src, data.get("dependencies"))
        sfile, spath, sched = self.deref(file, (*path, "scheduler"), data.get("scheduler"))
        if not isinstance(sched, dict):
            return stage
        stage.scheduler_type = _str(sched.get("scheduler_type"))
        self.parameters(stage, *self.deref(sfile, (*spath, "parameters"), sched.get("parameters")))
        scatter = sched.get("scatter")
        if isinstance(scatter, dict) and isinstance(scatter.get("parameters"), list):
            stage.scatter = [p for p in scatter["parameters"] if isinstance(p, str)]
            stage.scatter_method = _str(scatter.get("method"))
        bodies: list[tuple[str, Path, Any]] = [(sfile, spath, sched)]
        cases = sched.get("cases")
        if isinstance(cases, list):
            bodies += [(sfile, (*spath, "cases", i), c) for i, c in enumerate(cases)]
        for bfile, bpath, body in bodies:
            if not isinstance(body, dict):
                continue
            if "step" in body:
                step = self.step(*self.deref(bfile, (*bpath, "step"), body["step"]))
                if step is not None:
                    stage.steps.append(step)
            if "workflow" in body:
                stage.subworkflows.append(
                    self.workflow(bfile, (*bpath, "workflow"), body["workflow"], stage)
                )
        return stage

    def dependencies(self, stage: Stage, src: SourceFile, deps: Any) -> None:
        path: Path = (*stage.path, "dependencies")
        if isinstance(deps, dict):
            deps, path = deps.get("expressions"), (*path, "expressions")
        if not isinstance(deps, list):
            return
        for i, expr in enumerate(deps):
            if isinstance(expr, str) and (m := _NAME.match(expr)):
                stage.dependencies.append(
                    Dependency(
                        intern(m.group(0)), expr, stage.file, (*path, i), pack(src.pos((*path, i)))
                    )
                )

    def parameters(self, stage: Stage, file: str, path: Path, params: Any) -> None:
        stage.parameters_file, stage.parameters_path = file, path
        if isinstance(params, list):  # the normalised [{key, value}] spelling
            items = [
                (p.get("key"), (*path, i, "value"), p.get("value"))
                for i, p in enumerate(params)
                if isinstance(p, dict)
            ]
        elif isinstance(params, dict):
            items = [(k, (*path, k), v) for k, v in params.items()]
        else:
            return
        src = self.src(file)
        for key, vpath, value in items:
            if not isinstance(key, str):
                continue
            stage.parameters[key] = value
            for sub, v in walk(value, vpath):
                if isinstance(v, dict) and (sel := _selector_expression(v)):
                    expr, old = sel
                    m = _NAME.match(expr)
                    stage.selectors.append(
                        Selector(
                            key=key,
                            stage=intern(m.group(0)) if m else expr,
                            expression=expr,
                            output=_str(v.get("output")),
                            old_style=old,
                            file=file,
                            path=sub,
                            at=pack(src.pos(sub)),
                        )
                    )

    def step(self, file: str, path: Path, data: Any) -> Step | None:
        if not isinstance(data, dict):
            return None
        if (file, path) in self.steps:
            return self.steps[(file, path)]
        step = Step(file, path, data)
        self.steps[(file, path)] = step
        src = self.src(file)
        process = data.get("process")
        if isinstance(process, dict):
            step.process_type = _str(process.get("process_type"))
            for key, text in step.commands:
                self.scan(step, src, (*path, "process", key), text, "process")
        publisher = data.get("publisher")
        if isinstance(publisher, dict):
            step.publisher_type = _str(publisher.get("publisher_type"))
            step.outputs = _outputs(publisher)
            step.scalar_outputs = _scalar_outputs(publisher)
            if step.publisher_type == "interpolated-pub":
                for sub, v in walk(publisher.get("publish"), (*path, "publisher", "publish")):
                    if isinstance(v, str):
                        self.scan(step, src, sub, v, "publisher")
        return step

    def scan(self, step: Step, src: SourceFile, path: Path, text: str, where: str) -> None:
        span = src.pos(path)
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
        except ValueError as exc:
            step.format_problems.append(FormatProblem(str(exc), src.path, path, pack(span)))
            return
        # Where each field is written, in one pass over the source text (a YAML block scalar
        # keeps the braces of its value; a quoted one may not, then the string's span is used).
        written: dict[str, list[int]] = {}
        if src.text is not None:
            start = src.offset(span.line, span.col)
            source = src.text[start : src.offset(span.end_line, span.end_col)]
            for offset, fld in format_fields(source):
                if fld is not None:
                    line, col = src.line_col(start + offset)
                    at = pack(Pos(line, col, line, col + len(fld) + 2))
                    written.setdefault(fld, []).append(at)
        seen: dict[str, int] = {}
        for fld in fields:
            # Interned: every stage of a large workflow names the same few parameters.
            name = intern(re.split(r"[.\[]", fld, maxsplit=1)[0])
            fld = intern(fld)
            nth = seen.get(fld, 0)
            seen[fld] = nth + 1
            places = written.get(fld, [])
            at = places[nth] if nth < len(places) else pack(span)
            step.placeholders.append(Placeholder(name, fld, src.path, path, at, where))


def format_fields(text: str) -> Iterator[tuple[int, str | None]]:
    """(offset of the `{`, field name) of each replacement field of a format string, the way
    `str.format` splits it; (offset of the offending brace, None) for a lone brace, then stop."""
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in "{}" and text.startswith(char, i + 1):
            i += 2
        elif char == "}":
            yield i, None
            return
        elif char == "{":
            depth, j = 1, i + 1  # the field's format spec may hold nested `{...}`
            while j < n and depth:
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                j += 1
            if depth:
                yield i, None
                return
            yield i, re.split(r"[!:]", text[i + 1 : j - 1], maxsplit=1)[0]
            i = j
        else:
            i += 1


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _selector_expression(value: dict[str, Any]) -> tuple[str, bool] | None:
    for key in SELECTOR_KEYS:
        if isinstance(value.get(key), str) and "output" in value:
            return value[key], key != "step"
    return None


def _outputs(publisher: dict[str, Any]) -> set[str] | None:
    kind = _str(publisher.get("publisher_type"))  # a list here must not crash (unhashable)
    if kind in _STATIC_PUBLISHERS:
        publish = publisher.get(_STATIC_PUBLISHERS[kind])
        return {str(k) for k in publish} if isinstance(publish, dict) else None
    if kind == "frompar-pub" and isinstance(publisher.get("outputmap"), dict):
        return {str(k) for k in publisher["outputmap"]}
    if kind == "fromglob-pub" and isinstance(publisher.get("outputkey"), str):
        return {publisher["outputkey"]}
    return None


def _scalar_outputs(publisher: dict[str, Any]) -> set[str]:
    """Outputs that are one value whatever the run does (packtivity `publisher_handlers.py`):
    an interpolated-pub string without `glob: true` stays a string; a constant-pub value is as
    written."""
    publish = publisher.get("publish")
    if not isinstance(publish, dict):
        return set()
    kind = _str(publisher.get("publisher_type"))
    if kind == "interpolated-pub" and publisher.get("glob") is not True:
        return {str(k) for k, v in publish.items() if isinstance(v, str)}
    if kind == "constant-pub":
        return {str(k) for k, v in publish.items() if not isinstance(v, (list, dict))}
    return set()


def build_workflow(top: SourceFile, resolver: RefResolver, mode: str) -> Workflow:
    """The stage graph of the top-level workflow file, `$ref`s resolved as `mode` does."""
    return _Builder(resolver, mode).workflow(top.path, (), top.data, None)
