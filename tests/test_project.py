"""The project model: layout, $ref resolution per tool, and the stage graph."""

from __future__ import annotations

from pathlib import Path

from helpers import REANA_REPO, RECAST_REPO, make_project, replace_in

from recast_reana.model.config import Config
from recast_reana.model.project import load_project

ROOT = Path(__file__).resolve().parents[1]


def test_recast_layout() -> None:
    p = make_project(RECAST_REPO)
    assert p.mode == "recast"
    assert p.recast is not None and p.recast.toplevel == "specs"
    assert p.workflow_file == "specs/workflow.yml"
    assert [s.name for s in p.stages] == ["select", "fit"]
    assert [ps.label for ps in p.parameter_sets] == ["example 'default'"]


def test_reana_layout() -> None:
    p = make_project(REANA_REPO)
    assert p.mode == "reana"
    assert p.reana is not None and p.reana.directories == ["specs"]
    assert [ps.label for ps in p.parameter_sets] == ["reana.yaml"]


def test_both_files_with_recast_refs_is_the_main_branch() -> None:
    files = {**RECAST_REPO, "reana.yaml": REANA_REPO["reana.yaml"]}
    assert make_project(files).mode == "recast"
    converted = {**REANA_REPO, "recast.yml": RECAST_REPO["recast.yml"]}
    assert make_project(converted).mode == "reana"
    assert make_project(files, Config(layout="reana")).mode == "reana"


def test_toplevel_refs_resolve_per_tool() -> None:
    p = make_project(RECAST_REPO)
    ref = p.refs[0]
    assert ref.toplevel and ref.value == "steps.yml#/select"
    assert ref.targets["recast"].file == "specs/steps.yml"
    assert "reana" not in ref.targets
    assert ref.errors["reana"] == "file 'steps.yml' does not exist"
    q = make_project(REANA_REPO)
    assert set(q.refs[0].targets) == {"recast", "reana"} or set(q.refs[0].targets) == {"reana"}


def test_pointer_spellings_and_nested_self_relative_refs() -> None:
    files = {
        **RECAST_REPO,
        "specs/workflow.yml": RECAST_REPO["specs/workflow.yml"]
        .replace("steps.yml#/select", "steps.yml#select")
        .replace("steps.yml#/fit", "sub/fit.yml#/"),
        "specs/sub/fit.yml": "$ref: ../steps.yml#/fit\n",
    }
    p = make_project(files)
    assert [r.value for r in p.refs] == ["steps.yml#select", "sub/fit.yml#/", "../steps.yml#/fit"]
    nested = p.refs[2]
    assert not nested.toplevel
    assert nested.targets["recast"].file == "specs/steps.yml"
    fit = p.workflow.stage("fit") if p.workflow else None
    assert fit is not None and fit.steps[0].path == ("fit",)


def test_refs_outside_the_repository_and_remote_refs_do_not_resolve() -> None:
    files = replace_in(REANA_REPO, "specs/workflow.yml", "specs/steps.yml#/fit", "../x.yml#/fit")
    files = replace_in(files, "specs/workflow.yml", "specs/steps.yml#/select", "https://x/y.yml#/a")
    p = make_project(files)
    outside = next(r for r in p.refs if r.value.startswith(".."))
    assert outside.targets == {} and "outside the repository" in outside.errors["reana"]
    remote = next(r for r in p.refs if r.remote)
    assert remote.targets == {} and remote.errors == {}


def test_graph_selectors_placeholders_and_outputs() -> None:
    p = make_project(REANA_REPO)
    fit = p.stages[1]
    assert [d.name for d in fit.dependencies] == ["init", "select"]
    assert [(s.key, s.stage, s.output, s.old_style) for s in fit.selectors] == [
        ("signal", "select", "selected", False),
        ("xsec", "init", "xsec", False),
    ]
    step = fit.steps[0]
    assert step.outputs == {"limit"}
    signal = next(ph for ph in step.placeholders if ph.name == "signal")
    assert (signal.file, signal.pos.line, signal.pos.col) == ("specs/steps.yml", 18, 20)


def test_old_selector_multistep_subworkflow_and_cases() -> None:
    workflow = """\
stages:
- name: gen
  dependencies: [init]
  scheduler:
    scheduler_type: multistep-stage
    parameters:
      seed: {stages: init, output: seeds, unwrap: true}
    scatter: {method: zip, parameters: [seed]}
    step: {$ref: specs/steps.yml#/select}
- name: nested
  dependencies: ['gen[*]']
  scheduler:
    scheduler_type: singlestep-stage
    parameters:
      inputs: {stages: 'gen[*]', output: selected}
    workflow:
      stages:
      - name: inner
        dependencies: [init]
        scheduler:
          scheduler_type: singlestep-stage
          parameters:
            signal: {step: init, output: inputs}
          cases:
          - if: 'true'
            step: {$ref: specs/steps.yml#/fit}
"""
    p = make_project({**REANA_REPO, "specs/workflow.yml": workflow})
    gen, nested, inner = p.stages
    assert gen.scatter == ["seed"] and gen.selectors[0].old_style
    assert nested.dependencies[0].name == "gen" and nested.selectors[0].stage == "gen"
    assert inner.workflow.parent is nested
    assert inner.workflow.init_parameters == {"inputs"}
    assert [s.path for s in inner.steps] == [("fit",)]


def test_malformed_graph_does_not_crash() -> None:
    for text in ["stages: 3\n", "stages: [1, null, {name: x, scheduler: 5}]\n", "[]\n", "x\n"]:
        p = make_project({**REANA_REPO, "specs/workflow.yml": text})
        assert all(s.name == "x" for s in p.stages)


def test_crlf_placeholder_positions() -> None:
    files = {k: v.replace("\n", "\r\n") for k, v in REANA_REPO.items()}
    step = make_project(files).stages[1].steps[0]
    signal = next(ph for ph in step.placeholders if ph.name == "signal")
    assert (signal.pos.line, signal.pos.col) == (18, 20)


def test_load_project_from_disk_scans_other_files(tmp_path: Path) -> None:
    for name, text in RECAST_REPO.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "notes.txt").write_text("hello\n")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01")
    p = load_project(tmp_path, Config())
    assert p.other_files == {"notes.txt": "hello\n", "blob.bin": None}
    assert set(p.files) == {"recast.yml", "specs/workflow.yml", "specs/steps.yml"}


def test_bundled_example_model() -> None:
    p = load_project(ROOT / "examples" / "vhbb", Config())
    assert p.mode == "recast"
    assert [s.name for s in p.stages] == [
        "skimming_step",
        "skimming_step_eos",
        "scaling_step",
        "fitting_step",
    ]
