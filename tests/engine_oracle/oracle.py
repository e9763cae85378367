"""What the engine must show for each graph-rule finding, and for a workflow without findings.

A case is linted with every rule; each RR301-RR308 diagnostic then predicts what the real engine
does with the workflow (its rule's docstring, "Why is this bad?"), and `disagreements` lists every
prediction the engine's dry run does not bear out. A case without graph errors must resolve:
every stage scheduled, every step built and published, and every output file the rules accept
placed where the engine puts files. A workflow the engine cannot even load must have an error of
the rules that say so (RR0xx-RR2xx: YAML, schema, `$ref`s, files). Which diagnostic concerns
which stage, parameter or file is read from its position in the source, not from its wording.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from engine_oracle.cases import (
    GRAPH_RULES,
    Case,
    has_star_dependency,
    plain_dependencies,
    reversed_stages,
)
from engine_oracle.engine import Request, Run
from engine_oracle.layout import project_of, requests, write_repository
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.lint.linter import lint
from recast_reana.model.positioned_yaml import Pos
from recast_reana.model.project import Project
from recast_reana.model.stage_graph import Stage

AS_IS = "as-is"
PLAIN = "plain-deps"  # `S[*]` dependencies written `S` (cases.plain_dependencies)
REVERSED = "reversed"  # every stage list reversed (cases.reversed_stages)
WITHOUT = "without"  # a parameter set without one parameter: f"without {set} {key}"
# Rules whose errors mean the engine cannot load the workflow at all (YAML, schema, refs, files).
LOAD_RULES = ("RR0", "RR1", "RR2")
# Directories of a run's workspace that are not a step's (yadage's state, the init data).
WORKSPACE = ("init", "_yadage")


@dataclass
class Prepared:
    """A case on disk, linted, with the dry runs that will show what the engine does with it."""

    case: Case
    project: Project
    diagnostics: list[Diagnostic]
    base: str  # the variant the predictions are checked on: AS_IS, or PLAIN when it crashes
    requests: dict[str, list[Request]] = field(default_factory=dict)

    def graph(self, *severities: Severity) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.rule in GRAPH_RULES and d.severity in severities]

    def load_errors(self) -> list[Diagnostic]:
        return [
            d
            for d in self.diagnostics
            if d.rule.startswith(LOAD_RULES) and d.severity is Severity.ERROR
        ]


def prepare(case: Case, shared: Path) -> Prepared:
    """Write the case (and its variants) under `shared`, lint it and plan its dry runs."""
    home = shared / case.digest
    files = dict(case.files)
    star = has_star_dependency(files)
    variants = {AS_IS: files, **({PLAIN: plain_dependencies(files)} if star else {})}
    root = _written(home / AS_IS / "repo", files)
    project = project_of(root)
    prepared = Prepared(case, project, lint(project), PLAIN if star else AS_IS)
    for name, content in variants.items():
        repo = _written(home / name / "repo", content)
        prepared.requests[name] = requests(repo, home / name / "work", project_of(repo))
    base_files = variants[prepared.base]
    if prepared.graph(Severity.ERROR, Severity.WARNING, Severity.INFO):
        if any(d.rule == "RR303" for d in prepared.diagnostics):
            repo = _written(home / REVERSED / "repo", reversed_stages(base_files))
            prepared.requests[REVERSED] = requests(repo, home / REVERSED / "work", project_of(repo))
        for d in prepared.diagnostics:
            if d.rule == "RR305":
                _plan_without(prepared, d, home)
    return prepared


def _written(root: Path, files: Mapping[str, bytes]) -> Path:
    if not root.is_dir():
        write_repository(root, files)
    return root


def _plan_without(prepared: Prepared, d: Diagnostic, home: Path) -> None:
    found = _set_at(prepared, d)
    if found is not None:
        i, request, key = found
        values = {k: v for k, v in request.initdata.items() if k != key}
        work = home / f"without-{i}-{_slug(key)}" / "work" / "run0"
        prepared.requests[f"{WITHOUT} {i} {key}"] = [
            Request(request.label, work, request.toplevel, request.workflow, values, request.origin)
        ]


def _set_at(prepared: Prepared, d: Diagnostic) -> tuple[int, Request, str] | None:
    """The base request whose parameter set has the key `d` points at, and the key."""
    for i, request in enumerate(prepared.requests[prepared.base]):
        src = prepared.project.files.get(request.origin[0]) if request.origin else None
        if src is None or request.origin is None or request.origin[0] != d.path:
            continue
        for key in request.initdata:
            pos = src.key_pos((*request.origin[1], key))
            if (pos.line, pos.col) == (d.line, d.col):
                return i, request, str(key)
    return None


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:40]


# Reading a diagnostic's subject from its position.


def token_at(project: Project, d: Diagnostic) -> str:
    """The YAML scalar (or `{field}`) that starts where `d` points, unquoted."""
    src = project.files.get(d.path)
    lines = (src.text or "").splitlines() if src is not None else []
    text = lines[d.line - 1][d.col - 1 :] if 0 < d.line <= len(lines) else ""
    if text[:1] in "'\"":
        end = text.find(text[0], 1)
        return text[1:end] if end > 0 else text[1:]
    if text[:1] == "}":
        return "}"
    if text[:1] == "{":
        end = text.find("}")
        return text[: end + 1] if end > 0 else text
    return re.split(r"[,\]}#]|: |:$", text, maxsplit=1)[0].strip()


def scoped_name(stage: Stage) -> str:
    """`fit/fit_one` for stage fit_one of the sub-workflow of stage fit, as the runner names it."""
    names = [stage.name]
    parent = stage.workflow.parent
    while parent is not None:
        names.append(parent.name)
        parent = parent.workflow.parent
    return "/".join(reversed(names))


def _contains(pos: Pos, d: Diagnostic) -> bool:
    return (pos.line, pos.col) <= (d.line, d.col) < (pos.end_line, pos.end_col)


def stage_at(project: Project, d: Diagnostic) -> Stage | None:
    """The innermost stage whose mapping holds the diagnostic's position."""
    found: Stage | None = None
    for stage in project.stages:
        src = project.files.get(stage.file)
        if stage.file == d.path and src is not None and _contains(src.pos(stage.path), d):
            found = stage  # parents come first: the last match is the innermost
    return found


def parameter_at(project: Project, stage: Stage, d: Diagnostic) -> str | None:
    """The stage parameter whose value holds the position, or None (e.g. a dependency)."""
    src = project.files.get(stage.parameters_file)
    if src is None:
        return None
    for key in stage.parameters:
        if _contains(src.pos((*stage.parameters_path, key)), d):
            return str(key)
    return None


def stages_running_step_at(project: Project, d: Diagnostic) -> set[str]:
    out = set()
    for stage in project.stages:
        for step in stage.steps:
            src = project.files.get(step.file)
            if step.file == d.path and src is not None and _contains(src.pos(step.path), d):
                out.add(scoped_name(stage))
    return out


# What the engine did, in the terms of the predictions.


def failed_at(run: Run, stage: str, phase: str | None = None) -> bool:
    return bool(
        run.failed
        and run.failed["stage"] == stage
        and (phase is None or run.failed["phase"] == phase)
    )


def never_scheduled(run: Run, stage: str) -> bool:
    return stage not in run.scheduled and not any(s.stage == stage for s in run.steps)


def _empty(value: Any) -> bool:
    return value in ([], "", None, {})


def got_empty(run: Run, stage: str, key: str | None) -> bool:
    # A stage running a sub-workflow has no step of its own: its parameters are what the
    # sub-workflow's init step publishes.
    steps = [s for s in run.steps if s.stage == stage] or [
        s for s in run.steps if s.stage == f"{stage}/init"
    ]
    return bool(steps) and all(
        isinstance(s.parameters, dict) and _empty(s.parameters.get(key)) for s in steps
    )


def no_value(run: Run, stage: str, key: str | None) -> bool:
    """The stage never ran with a value for `key`: it failed, was never scheduled, or got none."""
    return failed_at(run, stage) or never_scheduled(run, stage) or got_empty(run, stage, key)


def engine_places(run: Run, entry: str) -> bool:
    """Whether a workspace path is where the engine puts a file: a published one, one inside a
    published directory or inside a step's work directory, or the workspace's own."""
    entry = posixpath.normpath(entry)
    if entry.split("/", 1)[0] in WORKSPACE:
        return True
    for pub in map(posixpath.normpath, run.published()):
        if fnmatch.fnmatchcase(pub, entry) or entry.startswith(pub + "/"):
            return True
    return any(_inside(entry, s.workdir) for s in run.steps if s.workdir)


def _inside(entry: str, workdir: str) -> bool:
    parts, dirs = entry.split("/"), workdir.split("/")
    return len(parts) > len(dirs) and all(
        fnmatch.fnmatchcase(d, p) for p, d in zip(parts, dirs, strict=False)
    )


def published(run: Run, entry: str) -> bool:
    entry = posixpath.normpath(entry)
    return any(
        fnmatch.fnmatchcase(pub, entry) or entry.startswith(pub + "/")
        for pub in map(posixpath.normpath, run.published())
    )


def dry_run_limit(ctx: Context, run: Run) -> bool:
    """The dry run stopped where only a real run goes on, and nowhere else: a `fromyaml-pub`
    publisher reads the file its step writes when it runs (packtivity
    `handlers/publisher_handlers.py`, fromyaml_pub_handler), and no step ran to write it."""
    step = run.failed_step()
    if step is None or step.workdir is None or (run.failed or {}).get("phase") != "step":
        return False
    if (run.failed or {}).get("stage") != step.stage:
        return False
    yamlfiles = {
        str(s.data["publisher"].get("yamlfile"))
        for stage in ctx.project.stages
        if scoped_name(stage) == step.stage
        for s in stage.steps
        if s.publisher_type == "fromyaml-pub"
    }
    error = run.error or ""
    return error.startswith("FileNotFoundError") and any(
        error.endswith(f"/{step.workdir}/{name}'") for name in yamlfiles
    )


# The predictions, one function per rule: None when the engine agrees, else what it did instead.


@dataclass
class Context:
    prepared: Prepared
    runs: Mapping[str, list[Run]]

    @property
    def project(self) -> Project:
        return self.prepared.project

    @property
    def base(self) -> list[Run]:
        return self.runs[self.prepared.base]


def _describe(runs: list[Run]) -> str:
    return "\n".join(r.explain() for r in runs)


def _rr301(ctx: Context, d: Diagnostic, stage: str | None, key: str | None) -> str | None:
    assert stage is not None  # IN_A_STAGE
    if key is None and "[" in token_at(ctx.project, d):
        # `S[*]`: the run as written stops in the stage's jsonpath_ready predicate once S is
        # scheduled (S itself never scheduled: the stage waits, as for a missing stage).
        for run in ctx.runs[AS_IS]:
            crashed = failed_at(run, stage, "ready") and run.error == "KeyError: 0"
            if not (crashed or never_scheduled(run, stage)):
                return f"stage '{stage}' did not stop yadage with KeyError: 0"
        return None
    for run in ctx.base:
        if key is None and not (never_scheduled(run, stage) or failed_at(run, stage, "ready")):
            return f"stage '{stage}' was scheduled although it depends on no stage of its scope"
        if key is not None and not no_value(run, stage, key):
            return f"stage '{stage}' ran with a value for '{key}' read from a missing stage"
    return None


def _index_fails(ctx: Context, stage: str, selection: str) -> str | None:
    """An index into one value (`x[0]`): the stage fails with jsonpath_rw's TypeError."""
    for run in ctx.base:
        failed = failed_at(run, stage) and (run.error or "").startswith("TypeError")
        if not failed and not never_scheduled(run, stage):
            return f"stage '{stage}' did not fail with TypeError selecting '{selection}'"
    return None


def _rr302(ctx: Context, d: Diagnostic, stage: str | None, key: str | None) -> str | None:
    assert stage is not None  # IN_A_STAGE
    output = token_at(ctx.project, d)
    if "[" in output:
        return _index_fails(ctx, stage, output)
    for run in ctx.base:
        failed = failed_at(run, stage, "schedule") and "no matches found" in (run.error or "")
        if not failed and not never_scheduled(run, stage):
            return f"stage '{stage}' did not fail selecting output '{output}'"
    return None


def _rr303(ctx: Context, d: Diagnostic, stage: str | None, key: str | None) -> str | None:
    assert stage is not None  # IN_A_STAGE
    # Only the order decides: the prediction holds when some order of the same graph fails.
    orders = [ctx.base, ctx.runs.get(REVERSED, [])]
    if any(all(no_value(run, stage, key) for run in runs) for runs in orders if runs):
        return None
    return f"stage '{stage}' got '{key}' in every order the stages were listed in"


def _rr304(ctx: Context, d: Diagnostic, stage: str | None, key: str | None) -> str | None:
    assert stage is not None  # IN_A_STAGE
    param = token_at(ctx.project, d)
    if "[" in param and d.severity is Severity.ERROR:
        return _index_fails(ctx, stage, param)
    lacking = [r for r in ctx.base if param not in r.request.initdata]
    if not lacking:
        return f"every parameter set gives '{param}'"
    for run in lacking:
        failed = failed_at(run, stage, "schedule") and f"selection {param} " in (run.error or "")
        if not failed and not never_scheduled(run, stage):
            return f"stage '{stage}' did not fail reading '{param}' ({run.request.label})"
    return None


def _rr305(ctx: Context, d: Diagnostic, stage: str | None, key: str | None) -> str | None:
    found = _set_at(ctx.prepared, d)
    if found is None:
        return "no parameter set has the parameter it names"
    i, _, param = found
    before, (after,) = ctx.base[i], ctx.runs[f"{WITHOUT} {i} {param}"]
    if (after.jobs(), after.failed, after.scheduled) != (
        before.jobs(),
        before.failed,
        before.scheduled,
    ):
        return f"without '{param}' the run differs:\n{after.explain()}"
    return None


def _rr306(ctx: Context, d: Diagnostic, stage: str | None, key: str | None) -> str | None:
    token = token_at(ctx.project, d)
    field_name: str | None = None
    if token.startswith("{") and token.endswith("}"):
        field_name = re.split(r"[!:.\[]", token[1:-1], maxsplit=1)[0]
    stages = stages_running_step_at(ctx.project, d)
    if field_name is None:
        expected = "ValueError"
    elif field_name == "" or field_name.isdigit():
        expected = "IndexError"
    else:
        expected = f"KeyError: '{field_name}'"
    for run in ctx.base:
        # packtivity formats a script when it builds the job, and an interpolated-pub publisher
        # also when yadage asks for the step's expected result while scheduling the stage.
        if (run.failed or {}).get("stage") in stages and (run.error or "").startswith(expected):
            continue
        if all(never_scheduled(run, s) for s in stages):
            continue
        return f"no step of {sorted(stages)} failed with {expected}"
    return None


def _rr307(ctx: Context, d: Diagnostic, stage: str | None, key: str | None) -> str | None:
    entry = token_at(ctx.project, d)
    for run in ctx.base:
        if d.severity is Severity.INFO:
            if not engine_places(run, entry) or published(run, entry):
                return f"'{entry}': the engine's step directories and outputs disagree"
        elif engine_places(run, entry):
            return f"'{entry}' is where the engine puts a file"
    return None


def _rr308(ctx: Context, d: Diagnostic, stage: str | None, key: str | None) -> str | None:
    assert stage is not None  # IN_A_STAGE
    for run in ctx.base:
        if not never_scheduled(run, stage):
            return f"stage '{stage}' of the cycle was scheduled"
        if run.error is not None:
            return "the run did not report success"
    return None


PREDICTIONS = {
    "RR301": _rr301,
    "RR302": _rr302,
    "RR303": _rr303,
    "RR304": _rr304,
    "RR305": _rr305,
    "RR306": _rr306,
    "RR307": _rr307,
    "RR308": _rr308,
}
# Rules whose diagnostics sit in a stage of the workflow (the others: steps, parameter sets,
# output lists).
IN_A_STAGE = {"RR301", "RR302", "RR303", "RR304", "RR308"}


def _outputs(project: Project) -> Iterator[str]:
    """Output files the run is expected to leave in its workspace (RR307 reads the same)."""
    if project.reana is not None:
        data = yaml.safe_load(project.read(project.reana.file) or b"") or {}
        files = (data.get("outputs") or {}).get("files") if isinstance(data, dict) else None
        uploaded = [*project.reana.files, *project.reana.directories]
        for entry in files if isinstance(files, list) else []:
            if not isinstance(entry, str) or "/" not in entry or entry.startswith("/"):
                continue  # a top-level or absolute file is not in a step's directory
            if not any(entry == u or entry.startswith(u + "/") for u in uploaded):
                yield entry
    if project.mode == "recast" and project.recast is not None:
        data = yaml.safe_load(project.read(project.recast.file) or b"") or {}
        results = data.get("results") if isinstance(data, dict) else None
        for result in results if isinstance(results, list) else []:
            if isinstance(result, dict) and isinstance(result.get("relpath"), str):
                yield result["relpath"]


def disagreements(ctx: Context) -> list[str]:
    """Every prediction of the case's graph findings (or of their absence) the engine refutes."""
    prepared, out = ctx.prepared, []
    for d in prepared.graph(Severity.ERROR, Severity.WARNING, Severity.INFO):
        stage_obj = stage_at(ctx.project, d) if d.rule in IN_A_STAGE else None
        if d.rule in IN_A_STAGE and stage_obj is None:
            out.append(f"{d.rule} at {d.line}:{d.col}: no stage there")
            continue
        stage = scoped_name(stage_obj) if stage_obj else None
        key = parameter_at(ctx.project, stage_obj, d) if stage_obj else None
        problem = PREDICTIONS[d.rule](ctx, d, stage, key)
        if problem:
            out.append(f"{d.path}:{d.line}:{d.col}: {d.rule} {d.message}\n  but: {problem}")
    for run in ctx.base:
        if run.error and run.failed is None and not run.scheduled and not prepared.load_errors():
            out.append(
                f"the engine could not load the workflow, but no rule reports why:\n{run.error}"
            )
    if not prepared.graph(Severity.ERROR) and not prepared.load_errors():
        flagged = {token_at(ctx.project, d) for d in prepared.diagnostics if d.rule == "RR307"}
        # RR304's warning for a run without parameters: the stages waiting for init are never
        # scheduled (checked above), nor anything after them, and the run reports success.
        skipped = {
            scoped_name(stage)
            for d in prepared.graph(Severity.WARNING)
            if d.rule == "RR304" and (stage := stage_at(ctx.project, d)) is not None
        }
        for run in ctx.base:
            silent_skip = run.error is None and all(never_scheduled(run, s) for s in skipped)
            if not run.resolved and not (skipped and silent_skip) and not dry_run_limit(ctx, run):
                out.append(f"no graph error, but the engine did not resolve it:\n{run.explain()}")
            for entry in _outputs(ctx.project) if run.resolved else ():
                if entry not in flagged and not engine_places(run, entry):
                    out.append(f"output '{entry}' is accepted, but the engine puts no file there")
    if out:
        out.append(_describe(ctx.base))
    return out
