"""Test helpers: build projects in memory and lint them with one rule or all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from recast_reana.lint.diagnostics import Diagnostic
from recast_reana.lint.linter import lint
from recast_reana.lint.registry import RULES
from recast_reana.model.config import Config
from recast_reana.model.project import Project, from_files

# A minimal REANA-layout repository on which no rule reports anything.
REANA_REPO: dict[str, str] = {
    "reana.yaml": """\
version: 0.9.0
inputs:
  parameters:
    xsec: 44.8
    dataset: 'root://eosuser.cern.ch//eos/user/a/analyst/data.root'
  directories:
    - specs
workflow:
  type: yadage
  file: specs/workflow.yml
outputs:
  files:
    - fit/limit.png
""",
    "specs/workflow.yml": """\
stages:
- name: select
  dependencies: [init]
  scheduler:
    scheduler_type: singlestep-stage
    parameters:
      input_file: {step: init, output: dataset}
      output_file: '{workdir}/selected.root'
    step: {$ref: specs/steps.yml#/select}
- name: fit
  dependencies: [init, select]
  scheduler:
    scheduler_type: singlestep-stage
    parameters:
      signal: {step: select, output: selected}
      xsec: {step: init, output: xsec}
      limit_file: '{workdir}/limit.png'
    step: {$ref: specs/steps.yml#/fit}
""",
    "specs/steps.yml": """\
select:
  process:
    process_type: interpolated-script-cmd
    script: |
      select {input_file} {output_file}
  environment:
    environment_type: docker-encapsulated
    image: gitlab-registry.cern.ch/analyst/selection
    imagetag: v1.2.0
  publisher:
    publisher_type: interpolated-pub
    publish:
      selected: '{output_file}'
fit:
  process:
    process_type: interpolated-script-cmd
    script: |
      fit --signal {signal} --xsec {xsec} --out {limit_file}
  environment:
    environment_type: docker-encapsulated
    image: gitlab-registry.cern.ch/analyst/fitting
    imagetag: v1.2.0
  publisher:
    publisher_type: interpolated-pub
    publish:
      limit: '{limit_file}'
""",
}

# The same analysis in recast-atlas layout (refs relative to specs/, no reana.yaml).
RECAST_REPO: dict[str, str] = {
    "recast.yml": """\
name: examples/minimal
metadata:
  author: analyst
  short_description: minimal analysis
spec:
  workflow: workflow.yml
example_inputs:
  default:
    initdata:
      xsec: 44.8
      dataset: 'root://eosuser.cern.ch//eos/user/a/analyst/data.root'
results:
- name: limit plot
  relpath: fit/limit.png
""",
    "specs/workflow.yml": REANA_REPO["specs/workflow.yml"].replace(
        "specs/steps.yml#", "steps.yml#"
    ),
    "specs/steps.yml": REANA_REPO["specs/steps.yml"],
}

# A richer stage graph, clean for every rule: a multistep (scatter) stage read with the old
# `{stages: S, output: X, unwrap: true}` selector, a stage running a nested sub-workflow (its own
# `init` = the parent stage's parameters, and a multistep stage inside), and a stage reading a
# stage it depends on only transitively.
GRAPH_REANA_REPO: dict[str, str] = {
    "reana.yaml": """\
version: 0.9.0
inputs:
  parameters:
    masses: [300, 400, 500]
    dataset: 'root://eosuser.cern.ch//eos/user/a/analyst/data.root'
    lumi: 140.1
  directories:
    - specs
workflow:
  type: yadage
  file: specs/workflow.yml
outputs:
  files:
    - scan_0/hist.root
    - summary/summary.png
""",
    "specs/workflow.yml": """\
stages:
- name: scan
  dependencies: [init]
  scheduler:
    scheduler_type: multistep-stage
    parameters:
      mass: {stages: init, output: masses, unwrap: true}
      dataset: {step: init, output: dataset}
      histfile: '{workdir}/hist.root'
    scatter:
      method: zip
      parameters: [mass]
    step: {$ref: specs/steps.yml#/histogram}
- name: fit
  dependencies: [scan]
  scheduler:
    scheduler_type: singlestep-stage
    parameters:
      hists: {stages: scan, output: hist, flatten: true}
      lumi: {step: init, output: lumi}
    workflow:
      stages:
      - name: fit_one
        dependencies: [init]
        scheduler:
          scheduler_type: multistep-stage
          parameters:
            hist: {stages: init, output: hists, unwrap: true}
            lumi: {step: init, output: lumi}
            limitfile: '{workdir}/limit.json'
          scatter: {method: zip, parameters: [hist]}
          step: {$ref: specs/steps.yml#/fit}
      - name: merge
        dependencies: [fit_one]
        scheduler:
          scheduler_type: singlestep-stage
          parameters:
            limits: {stages: fit_one, output: limit, flatten: true}
            outfile: '{workdir}/limits.json'
          step: {$ref: specs/steps.yml#/merge}
- name: summary
  dependencies: [fit]
  scheduler:
    scheduler_type: singlestep-stage
    parameters:
      hists: {stages: scan, output: hist, flatten: true}
      outdir: '{workdir}'
    step: {$ref: specs/steps.yml#/summary}
""",
    "specs/steps.yml": """\
histogram:
  process:
    process_type: interpolated-script-cmd
    script: |
      # fills {histfile} for mass {mass}
      histogram --mass {mass} --in {dataset} --out {histfile}
  environment:
    environment_type: docker-encapsulated
    image: gitlab-registry.cern.ch/analyst/histogram
    imagetag: v1.0.0
  publisher:
    publisher_type: interpolated-pub
    publish:
      hist: '{histfile}'
fit:
  process:
    process_type: interpolated-script-cmd
    script: fit --hist {hist} --lumi {lumi} --out {limitfile}
  environment:
    environment_type: docker-encapsulated
    image: gitlab-registry.cern.ch/analyst/fitting
    imagetag: v1.0.0
  publisher:
    publisher_type: interpolated-pub
    publish:
      limit: '{limitfile}'
merge:
  process:
    process_type: string-interpolated-cmd
    cmd: merge --out {outfile} {limits}
  environment:
    environment_type: docker-encapsulated
    image: gitlab-registry.cern.ch/analyst/fitting
    imagetag: v1.0.0
  publisher:
    publisher_type: interpolated-pub
    publish:
      merged: '{outfile}'
summary:
  process:
    process_type: interpolated-script-cmd
    script: |
      summarize --outdir {outdir} {hists}
  environment:
    environment_type: docker-encapsulated
    image: gitlab-registry.cern.ch/analyst/fitting
    imagetag: v1.0.0
  publisher:
    publisher_type: interpolated-pub
    publish:
      plot: '{workdir}/summary.png'
""",
}

# The same graph in recast-atlas layout.
GRAPH_RECAST_REPO: dict[str, str] = {
    "recast.yml": """\
name: examples/graph
metadata:
  author: analyst
  short_description: mass scan with a nested fit
spec:
  workflow: workflow.yml
example_inputs:
  default:
    initdata:
      masses: [300, 400, 500]
      dataset: 'root://eosuser.cern.ch//eos/user/a/analyst/data.root'
      lumi: 140.1
results:
- name: summary plot
  relpath: summary/summary.png
""",
    "specs/workflow.yml": GRAPH_REANA_REPO["specs/workflow.yml"].replace(
        "specs/steps.yml#", "steps.yml#"
    ),
    "specs/steps.yml": GRAPH_REANA_REPO["specs/steps.yml"],
}


def with_files(base: Mapping[str, str], **changes: str | None) -> dict[str, str]:
    """`base` with files replaced (keyword = path with `__` for `/` and `_DOT_` for `.`)."""
    files = dict(base)
    for key, text in changes.items():
        path = key.replace("__", "/").replace("_DOT_", ".")
        if text is None:
            files.pop(path, None)
        else:
            files[path] = text
    return files


def replace_in(base: Mapping[str, str], path: str, old: str, new: str) -> dict[str, str]:
    """`base` with one exact substring of one file replaced (fails loudly if absent)."""
    assert old in base[path], f"{old!r} not in {path}"
    files = dict(base)
    files[path] = base[path].replace(old, new, 1)
    return files


def make_project(
    files: Mapping[str, str | bytes], config: Config | None = None, named: Sequence[str] = ()
) -> Project:
    raw = {p: t.encode("utf-8") if isinstance(t, str) else t for p, t in files.items()}
    return from_files(
        raw, config or Config(), yaml_paths=list(raw), other_paths=list(raw), named=named
    )


def lint_files(
    files: Mapping[str, str | bytes], rule: str | None = None, config: Config | None = None
) -> list[Diagnostic]:
    """Diagnostics for an in-memory repository, from one rule (by ID) or all rules."""
    project = make_project(files, config)
    return lint(project, {rule: RULES[rule]} if rule else None)


def positions(diagnostics: list[Diagnostic]) -> list[str]:
    """`path:line:col` of each diagnostic, the form FAIL tables expect."""
    return [f"{d.path}:{d.line}:{d.col}" for d in diagnostics]
