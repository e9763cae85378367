"""recast-atlas specs -> REANA specs: the converted model, its edits and an exact source map.

`convert(project)` reads the model `check` built and never parses a source again:
1. refuse what cannot be converted (files that do not load, no workflow, a `$ref` nobody
   resolves, an unknown example);
2. delete the stages `convert.drop_stages` names (`drop_stages.py`);
3. the rules' fixes (`FIXABLE` in lint/registry.py), on the stages that stay; their `ListEdit`s
   merged per list (`list_edits.py`);
4. reana.yaml, which no rule fixes as a whole: generated from recast.yml, or completed when the
   user wrote one (`reana_yaml.py`; it also adds the uploads RR203 asks for);
5. every file's edits spliced in one pass; each changed file parsed once, the unchanged ones kept
   as they are, and the converted `Project` built from them with a `SourceMap` back to the sources.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from recast_reana.convert import list_edits
from recast_reana.convert.drop_stages import drop_stages
from recast_reana.convert.pin_digests import pin_edits
from recast_reana.convert.reana_yaml import Wanted, generate, merge, remove_keys, wanted
from recast_reana.convert.source_map import SourceMap
from recast_reana.lint.contract import at, default_options
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.lint.registry import RULES, fixable
from recast_reana.model.config import Config
from recast_reana.model.positioned_yaml import Pos
from recast_reana.model.project import Project, from_files
from recast_reana.model.source_file import SourceFile
from recast_reana.model.stage_graph import Stage
from recast_reana.model.text_edits import Edit, ListEdit, Origin, apply, ordered
from recast_reana.type_names import Any

DEFAULT_REANA = "reana.yaml"
FALLBACK_REANA = "reana-yadage.yaml"  # when reana.yaml is a workflow of another engine


class Converted(Mapping[str, bytes]):
    """Path -> bytes of the converted files, encoded from their parsed text when asked.

    The parsed file keeps the text (the converted model needs it); holding the bytes too was a
    second copy of each changed file (4.6 MB of a 5000-stage workflow) while the result is linted.
    """

    __slots__ = ("sources",)

    def __init__(self, sources: Mapping[str, SourceFile] | None = None) -> None:
        self.sources: dict[str, SourceFile] = dict(sources or {})

    def __getitem__(self, path: str) -> bytes:
        return self.sources[path].raw

    def __contains__(self, path: object) -> bool:  # without encoding the file
        return path in self.sources

    def __iter__(self) -> Iterator[str]:
        return iter(self.sources)

    def __len__(self) -> int:
        return len(self.sources)

    def __repr__(self) -> str:
        return f"Converted({sorted(self.sources)!r})"


class Tree(Mapping[str, bytes]):
    """The complete converted tree: the unchanged files' bytes and the converted ones'."""

    __slots__ = ("changed", "unchanged")

    def __init__(self, unchanged: dict[str, bytes], changed: Mapping[str, bytes]) -> None:
        self.unchanged = unchanged
        self.changed = changed

    def __getitem__(self, path: str) -> bytes:
        return self.changed[path] if path in self.changed else self.unchanged[path]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({*self.unchanged, *self.changed}))

    def __len__(self) -> int:
        return len({*self.unchanged, *self.changed})

    def __repr__(self) -> str:
        return f"Tree({list(self)!r})"


@dataclass
class Conversion:
    """The result of `convert`: a REANA project, or the problems that stopped it."""

    source: Project
    problems: list[Diagnostic] = field(default_factory=list)  # non-empty: nothing converted
    project: Project | None = None  # the converted tree, as REANA reads it
    changed: Converted = field(default_factory=Converted)  # files that differ or are new
    edits: dict[str, list[Edit]] = field(default_factory=dict)  # applied, per file
    dropped: list[str] = field(default_factory=list)  # stage names
    unpinned: list[str] = field(default_factory=list)  # --pin-digests: images left, and why
    source_map: SourceMap = field(default_factory=SourceMap)

    @property
    def files(self) -> Mapping[str, bytes]:
        """The complete converted tree, every file of the repository included; the converted
        files are encoded as each is read (a 5000-stage steps file is megabytes)."""
        unchanged: dict[str, bytes] = {}
        for path in self.source.listing():
            if path not in self.changed and (raw := self.source.read(path)) is not None:
                unchanged[path] = raw
        return Tree(unchanged, self.changed)


def convert(
    project: Project,
    example: str = "default",
    *,
    pin_digests: bool = False,
    release_source: bool = False,
) -> Conversion:
    """Convert the repository `project` models; `Conversion.problems` say why it could not.

    `pin_digests`: step images pinned to the digests in `project.image_facts` (`pin_digests.py`).
    `release_source`: once the edits are known, `project` keeps only its files' text and what
    it found (recast.yml, reana files, the listing): its workflow graph, `$ref`s and the
    positions of the files the conversion changes are freed before those are parsed again, so
    that the two models are not held at once (`convert`, which reads nothing else of them);
    the text of those files is then kept compressed (`SourceFile.shelve`).
    """
    conversion = Conversion(source=project)
    conversion.problems = _problems(project)
    params = _example(project, example, conversion.problems) if not conversion.problems else {}
    if conversion.problems:
        return conversion
    dropping = drop_stages(project)
    if dropping.problems:
        conversion.problems = _named(dropping.problems)
        return conversion
    conversion.dropped = [s.name for s in dropping.stages]
    reana_path = _reana_file(project, conversion.problems)
    if reana_path is None:
        return conversion
    kept = _without(project, dropping.stages)
    edits = list(dropping.edits) + _fixes(kept, deleted=dropping.edits)
    if pin_digests:
        pins, conversion.unpinned = pin_edits(kept)
        edits += pins
    by_file: dict[str, list[Edit]] = {}
    for e in edits:
        by_file.setdefault(e.file, []).append(e)
    # Parameters that only dropped stages read go; others the example gives stay (RR305 tells).
    dropped_reads = _init_reads(dropping.stages) - _init_reads(kept.stages)
    params = {k: v for k, v in params.items() if k not in dropped_reads}
    target = _reana_yaml(kept, reana_path, params, dropped_reads, conversion.dropped, by_file)
    if release_source:
        del kept, dropping, edits
        _release(project, by_file)
    _finish(conversion, by_file, target, reana_path)
    if release_source:
        for path in conversion.changed:
            if (src := project.files.get(path)) is not None:
                src.shelve()  # read again only by --diff and to show a line
    return conversion


def _release(project: Project, changing: Iterable[str]) -> None:
    if project.workflow is not None:
        project.workflow.unlink()
    project.workflow = None
    project.refs = []
    project.parameter_sets = []
    for path in changing:
        if (src := project.files.get(path)) is not None:
            src.doc = None


def convert_files(
    files: Mapping[str, bytes], config: Config, example: str = "default"
) -> Conversion:
    """Convert a repository given as {path: content} (a git commit, a test's tree)."""
    paths = sorted(files)
    return convert(from_files(files, config, yaml_paths=paths), example)


def _problems(project: Project) -> list[Diagnostic]:
    """Why `project` cannot be converted: converting would only move the breakage to REANA."""
    problems = [
        at(
            "RR001" if s.problem.kind == "syntax" else "RR004",
            s.path,
            _point(s.problem.line, s.problem.col),
            s.problem.message,
            Severity.ERROR,
        )
        for s in project.files.values()
        if s.problem is not None
    ]
    if problems:
        return _named(problems)
    where = project.recast.file if project.recast else project.reana.file if project.reana else ""
    infos = [project.recast, project.reana]
    if project.mode != "recast":
        infos.reverse()
    named = next((i for i in infos if i is not None and i.workflow_file), None)
    declared = named.workflow_file if named else None
    pos = _point(1, 1)
    if named is not None and (src := project.files.get(named.file)) is not None:
        pos = src.pos(("spec", "workflow") if named is project.recast else ("workflow", "file"))
        where = named.file
    if project.workflow is None or project.workflow_guessed:  # convert only what is declared
        if declared:
            why = f"the workflow file '{declared}' does not exist"
        elif project.recast and project.recast.toplevel is None:
            top = project.recast.toplevel_raw
            why = f"cannot convert: spec.toplevel '{top}' is not a directory of the repository"
        elif where:
            why = "cannot convert: it names no workflow file (recast.yml spec.workflow, "
            why += "reana.yaml workflow.file)"
        else:
            where, why = ".", "cannot convert: it has neither recast.yml nor reana.yaml"
        problems.append(at("RR204", where, pos, why, Severity.ERROR))
        return _named(problems)
    # A ref only REANA resolves is what the conversion wants, even where recast-atlas cannot.
    unresolved = RULES["RR202"].check(project, {"recast_layout_refs": False})
    problems += [d.with_(severity=Severity.ERROR) for d in unresolved]
    reana = project.files.get(project.reana.file) if project.reana else None
    if reana is not None and reana.data is not None and not isinstance(reana.data, dict):
        message = f"{reana.path} is not a mapping of reana.yaml keys"
        problems.append(at("RR102", reana.path, _point(1, 1), message, Severity.ERROR))
    return _named(problems)


def _named(problems: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(
        d.with_(name=RULES[d.rule].NAME) if d.rule in RULES and not d.name else d for d in problems
    )


def _point(line: int, col: int) -> Pos:
    return Pos(line, col, line, col + 1)


def _without(project: Project, dropped: list[Stage]) -> Project:
    """`project` as the fixes see it: the dropped stages (and their steps) gone."""
    if not dropped or project.workflow is None:
        return project
    workflow = copy.copy(project.workflow)
    workflow.stages = [s for s in project.stages if s not in dropped]
    without = copy.copy(project)
    without.workflow = workflow
    return without


def _fixes(project: Project, deleted: list[Edit]) -> list[Edit]:
    """The rules' fixes as text edits, less those inside text a dropped stage deletes."""
    edits: list[Edit] = []
    lists: list[ListEdit] = []
    options = project.config.options
    for rule in fixable():
        for e in rule.fix(project, default_options(rule) | dict(options.get(rule.ID, {}))):
            if isinstance(e, ListEdit):
                lists.append(e)
            else:
                edits.append(e)
    for e in list_edits.merge(lists):
        edits += list_edits.render(project.files[e.file], e)
    return [
        e
        for e in edits
        if not any(d.file == e.file and d.start <= e.start and e.end <= d.end for d in deleted)
    ]


def _reana_file(project: Project, problems: list[Diagnostic]) -> str | None:
    """The reana file the REANA yadage workflow goes to; None (and why) when there is none.

    The yadage reana file if there is one, else `convert.reana_file`, else reana.yaml, else
    reana-yadage.yaml (REANA's demos name theirs so): never a file of another engine.
    """
    configured = project.config.convert.get("reana_file")
    if project.reana is not None and (configured in (None, project.reana.file)):
        return project.reana.file
    others = {i.file: i.engine for i in project.reana_files if not i.maybe_yadage}
    names = [configured] if isinstance(configured, str) else [DEFAULT_REANA, FALLBACK_REANA]
    free = next((n for n in names if n not in others), None)
    if free is not None:
        return free
    taken = ", ".join(f"{n} ({others[n]})" for n in names)
    why = (
        f"cannot write the REANA yadage workflow: {taken} "
        f"{'is a workflow' if configured else 'are workflows'} of another engine; name a new file "
        "with `convert: {reana_file: reana-recast.yaml}` in .recast-reana.yaml"
    )
    where = project.config.path or ".recast-reana.yaml"
    pos = project.config.pos(("convert", "reana_file")) if configured else Pos(1, 1, 1, 1)
    problems.append(at("RR204", where if configured else names[0], pos, why, Severity.ERROR))
    problems[:] = _named(problems)
    return None


def _reana_yaml(
    project: Project,
    path: str,
    params: dict[str, tuple[Any, Origin]],
    dropped_reads: set[str],
    dropped: list[str],
    by_file: dict[str, list[Edit]],
) -> Wanted:
    """The edits making the reana file at `path` (added to `by_file`), and what it holds."""
    user = project.files.get(path)
    reana = user if user is not None and user.data is not None else None
    fixed = None
    if reana is not None and path in by_file:
        # A fix (RR003) edits the user's reana.yaml too: merge onto the fixed text, so that no
        # two edits overlap, and write the result as one edit.
        fixed = apply(reana.text or "", by_file.pop(path))
        reana = SourceFile.parse(path, fixed.encode("utf-8"))
    have = reana.data if reana is not None and isinstance(reana.data, dict) else {}
    target = wanted(project, have, params, _cvmfs_origin(project), dropped)
    if reana is None:  # none, or empty (comments only): written afresh
        end = len(user.text or "") if user is not None else 0
        by_file[path] = [Edit(path, 0, end, generate(target.data), "RR204", target.home)]
        return target
    # The user's file is the base: their parameter values win; add what stages read.
    given = _params_of(have)
    read = _init_reads(project.stages)
    inputs = target.data["inputs"]
    rest = {k: v for k, v in inputs.items() if k != "parameters"}
    add = {k: v for k, v in inputs.get("parameters", {}).items() if k not in given and k in read}
    target.data["inputs"] = {"parameters": add, **rest} if add else rest
    unused = [k for k in given if k in dropped_reads]
    edits = merge(reana, target.data) + remove_keys(
        reana, ("inputs", "parameters"), unused, refill=bool(add)
    )
    if fixed is not None:
        assert user is not None
        edits = [Edit(path, 0, len(user.text or ""), apply(fixed, edits), "RR204")]
    by_file.setdefault(path, []).extend(edits)
    return target


def _cvmfs_origin(project: Project) -> Origin | None:
    """The first step resource asking for /cvmfs (`CVMFS`), which reana.yaml must then mount."""
    for step in project.steps:
        for i, item in enumerate(step.resources):
            if item == "CVMFS":
                src = project.files[step.file]
                return src.path, src.pos((*step.environment_path, "resources", i))
    return None


def _finish(
    conversion: Conversion, by_file: dict[str, list[Edit]], target: Wanted, reana_path: str
) -> None:
    """Splice every file's edits, parse the changed files once, build the converted model."""
    source = conversion.source
    parsed: dict[str, SourceFile] = {}
    for path, file_edits in sorted(by_file.items()):
        before = source.files.get(path)
        edits = ordered(file_edits)
        text = apply((before.text or "") if before else "", edits)
        if before is not None and before.text is not None and text == before.text:
            continue
        bom = "\ufeff" if before is not None and before.bom else ""
        # One copy of the converted text while it is parsed: the parsed file decodes its own
        # (`Converted` encodes it again when the bytes are asked for).
        parsed[path] = SourceFile(path, (bom + text).encode("utf-8"))
        del text
        parsed[path].load()
        conversion.changed.sources[path] = parsed[path]
        conversion.edits[path] = edits
        origins = target.origins if path == reana_path else None
        conversion.source_map.add(
            parsed[path], before, edits, fallback=target.home, path_origins=origins
        )
    changed = conversion.changed
    unchanged = {p: s for p, s in source.files.items() if p not in changed}
    config = source.config._replace(layout="reana")
    paths = sorted({*source.files, *changed})
    conversion.project = from_files(
        lambda p: changed[p] if p in changed else source.read(p),
        config,
        yaml_paths=paths,
        listing=lambda: sorted({*source.listing(), *changed}),
        named=[reana_path],
        loaded={**unchanged, **parsed},
    )
    conversion.project.image_facts = source.image_facts  # the same images, the same registry


def _example(
    project: Project, example: str, problems: list[Diagnostic]
) -> dict[str, tuple[Any, Origin]]:
    """recast.yml `example_inputs.<example>.initdata` (the REANA run's parameters), each with
    where it is written; an unknown example is a problem."""
    src = project.files.get(project.recast.file) if project.recast else None
    examples = src.data.get("example_inputs") if src and isinstance(src.data, dict) else None
    if src is None or not isinstance(examples, dict) or not examples:
        return {}
    chosen = examples.get(example)
    if chosen is None:
        known = ", ".join(str(k) for k in examples)
        message = (
            f"recast.yml has no example_inputs '{example}' (use --example with one of: {known})"
        )
        pos = src.key_pos(("example_inputs",))
        problems.append(at("RR304", src.path, pos, message, Severity.ERROR))
        return {}
    initdata = chosen.get("initdata") if isinstance(chosen, dict) else None
    if not isinstance(initdata, dict):
        return {}
    at_path = ("example_inputs", example, "initdata")
    return {k: (v, (src.path, src.key_pos((*at_path, k)))) for k, v in initdata.items()}


def _params_of(data: Mapping[str, Any]) -> dict[str, Any]:
    inputs = data.get("inputs")
    params = inputs.get("parameters") if isinstance(inputs, dict) else None
    return params if isinstance(params, dict) else {}


def _init_reads(stages: Iterable[Stage]) -> set[str]:
    """Init parameters the stages read."""
    return {sel.output or "" for s in stages for sel in s.selectors if sel.stage == "init"}
