"""Which files make up the workflow: every reana file of every engine, the yadage one among them,
and the workflow file even when the name written is wrong (model/discovery.py)."""

from __future__ import annotations

from helpers import REANA_REPO, RECAST_REPO, lint_files, make_project, replace_in
from rules.test_workflow_file import DEMO, SERIAL

SPECS = {p: t for p, t in REANA_REPO.items() if p.startswith("specs/")}


def test_every_reana_file_is_read_and_the_yadage_one_is_the_workflow() -> None:
    files = {**DEMO, **SPECS, "reana-yadage.yaml": REANA_REPO["reana.yaml"]}
    project = make_project(files)
    assert [(i.file, i.engine) for i in project.reana_files] == [
        ("reana-cwl.yaml", "cwl"),
        ("reana-snakemake.yaml", "snakemake"),
        ("reana-yadage.yaml", "yadage"),
        ("reana.yaml", "serial"),
    ]
    assert project.reana is not None and project.reana.file == "reana-yadage.yaml"
    assert project.workflow_file == "specs/workflow.yml" and not project.workflow_guessed
    assert "workflow/snakemake/Snakefile" not in project.files  # not YAML: never parsed
    assert [p.name for p in project.parameter_sets] == ["reana-yadage.yaml"]
    assert lint_files(files) == []


def test_a_named_yadage_reana_file_wins() -> None:
    files = {
        **SPECS,
        "reana.yaml": REANA_REPO["reana.yaml"],
        "reana-b.yaml": REANA_REPO["reana.yaml"],
    }
    assert make_project(files).reana.file == "reana.yaml"  # type: ignore[union-attr]
    project = make_project(files, named=["reana-b.yaml"])
    assert project.reana is not None and project.reana.file == "reana-b.yaml"


def test_recast_yml_beside_a_serial_reana_yaml() -> None:
    project = make_project({**RECAST_REPO, "reana.yaml": SERIAL})
    assert project.reana is None and project.mode == "recast"
    assert [p.name for p in project.parameter_sets] == ["recast.yml example 'default'"]
    assert [i.engine for i in project.reana_files] == ["serial"]


def test_a_typo_in_the_workflow_file_still_lints_the_workflow() -> None:
    files = replace_in(
        REANA_REPO, "reana.yaml", "file: specs/workflow.yml", "file: specs/workflw.yml"
    )
    files = replace_in(
        files, "specs/workflow.yml", "dependencies: [init, select]", "dependencies: [init, slect]"
    )
    project = make_project(files)
    assert project.workflow_file == "specs/workflow.yml" and project.workflow_guessed
    assert sorted(d.rule for d in lint_files(files)) == ["RR204", "RR301", "RR303"]


def test_without_recast_or_reana_files_the_usual_places_are_tried() -> None:
    project = make_project({"workflow/yadage/workflow.yaml": REANA_REPO["specs/workflow.yml"]})
    assert project.workflow_file == "workflow/yadage/workflow.yaml" and project.workflow_guessed
    assert make_project({"README.md": "# nothing here\n"}).workflow_file is None
