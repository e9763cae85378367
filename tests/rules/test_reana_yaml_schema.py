from __future__ import annotations

import json

import pytest
from helpers import REANA_REPO, RECAST_REPO, lint_files, positions, replace_in, with_files

from recast_reana.lint.rules.reana_yaml_schema import schema

RULE = "RR102"
REANA_YAML = REANA_REPO["reana.yaml"]


def reana(old: str, new: str) -> dict[str, str]:
    return replace_in(REANA_REPO, "reana.yaml", old, new)


# REANA 0.95's additions (reana-commons 0.95.0a26 reana_analysis_schema.json)
ADDITIONS_095 = (
    "  file: specs/workflow.yml\n"
    "  files: [specs/steps.yml]\n"
    "  directories: [specs]\n"
    "  resources:\n"
    "    voms_proxy: true\n"
    "    dask: {image: 'ghcr.io/dask/dask:2024.1.0', number_of_workers: 2}\n"
)
REANA_095 = replace_in(
    reana("  file: specs/workflow.yml\n", ADDITIONS_095), "reana.yaml", "0.9.0", "0.95.0"
)
SERIAL_095 = with_files(
    REANA_REPO,
    reana_DOT_yaml="version: 0.9.0\nworkflow:\n  type: serial\n  specification:\n    steps:\n"
    "      - environment: python:3.11\n        commands: [python fit.py]\n"
    "        htcondor_request_memory: 4 GB\n",
)


RECAST_WITH_REANA = with_files(
    RECAST_REPO,
    reana_DOT_yaml=REANA_YAML.replace(
        "specs/workflow.yml",
        "specs/workflow.yml\n  resources:\n    cvmfs: [atlas.cern.ch]\n    kerberos: true",
    ),
)

PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout-without-reana-yaml"),
    pytest.param(RECAST_WITH_REANA, id="recast-layout-with-reana-yaml"),
    pytest.param(
        reana("  directories:\n", "  options:\n    toplevel: specs\n  directories:\n"),
        id="yadage-option",
    ),
    pytest.param(
        reana("outputs:", "workspace:\n  retention_days:\n    '**/*.root': 7\noutputs:"),
        id="retention-rule",
    ),
    pytest.param(
        reana("    - specs\n", "    - specs\n  files:\n    - inputs/data.root\n    - specsextra\n"),
        id="input-files-beside-directory",
    ),
    pytest.param(
        with_files(REANA_REPO, reana_DOT_yaml="version: [\n"), id="syntax-error-is-RR001s-job"
    ),
    pytest.param(REANA_095, id="reana-0.95-additions-with-version-0.95"),
    pytest.param(
        replace_in(SERIAL_095, "reana.yaml", "0.9.0", "0.96.1"), id="step-resource-of-0.95"
    ),
]

FAIL = [
    pytest.param(reana("type: yadage", "type: Yadage"), ["reana.yaml:9:9"], id="type-case"),
    pytest.param(reana("inputs:", "input:"), ["reana.yaml:2:1"], id="unknown-top-level-key"),
    pytest.param(reana("version: 0.9.0", "version: 0.9"), ["reana.yaml:1:10"], id="version-number"),
    pytest.param(reana("  type: yadage\n", ""), ["reana.yaml:8:1"], id="no-type"),
    pytest.param(reana("  file: specs/workflow.yml\n", ""), ["reana.yaml:8:1"], id="no-file"),
    pytest.param(
        reana("file: specs/workflow.yml", "file: /home/analyst/specs/workflow.yml"),
        ["reana.yaml:10:9"],
        id="absolute-workflow-file",
    ),
    pytest.param(
        reana("  directories:\n", "  options:\n    CACHE: 'off'\n  directories:\n"),
        ["reana.yaml:7:5"],
        id="option-of-serial-workflows",
    ),
    pytest.param(
        reana("    - specs\n", "    - specs\n  files:\n    - specs/workflow.yml\n"),
        ["reana.yaml:9:7"],
        id="file-inside-input-directory",
    ),
    pytest.param(
        reana("    - specs\n", "    - specs\n    - ./specs/\n"),
        ["reana.yaml:8:7"],
        id="listed-twice",
    ),
    pytest.param(
        reana("    - fit/limit.png", "    - ../limit.png\n    - ''"),
        ["reana.yaml:13:7", "reana.yaml:14:7"],
        id="output-paths",
    ),
    pytest.param(with_files(REANA_REPO, reana_DOT_yaml=""), ["reana.yaml:1:1"], id="empty-file"),
    pytest.param(
        with_files(REANA_REPO, reana_DOT_yaml="# REANA\n- workflow\n"),
        ["reana.yaml:2:1"],
        id="list",
    ),
    pytest.param(
        with_files(REANA_REPO, reana_DOT_yaml=None, reana_DOT_yml=REANA_YAML + "1: x\n"),
        ["reana.yml:14:1"],
        id="reana-yml-non-string-key",
    ),
    pytest.param(
        replace_in(RECAST_WITH_REANA, "reana.yaml", "[atlas.cern.ch]", "[atlas.cern.ch, 'x y']"),
        ["reana.yaml:12:28"],
        id="recast-layout-cvmfs-name",
    ),
    pytest.param(
        reana("outputs:", "workspace:\n  retention_days: {/tmp: 1, 'x': -1}\noutputs:"),
        ["reana.yaml:12:20", "reana.yaml:12:34"],
        id="retention-rules",
    ),
    pytest.param(
        replace_in(REANA_095, "reana.yaml", "0.95.0", "0.9.0"),
        ["reana.yaml:11:3", "reana.yaml:12:3", "reana.yaml:14:5", "reana.yaml:15:5"],
        id="reana-0.95-additions-with-version-0.9",
    ),
    pytest.param(SERIAL_095, ["reana.yaml:8:9"], id="step-resource-of-0.95-with-version-0.9"),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "reana-yaml-schema" for d in found)


def messages(files: dict[str, str]) -> list[str]:
    return [d.message for d in lint_files(files, RULE)]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (reana("inputs:", "input:"), "unknown key 'input' in reana.yaml; did you mean 'inputs'?"),
        (
            reana("type: yadage", "type: Yadage"),
            "workflow.type must be one of cwl, serial, snakemake, yadage, not 'Yadage'",
        ),
        (reana("version: 0.9.0", "version: 0.9"), "version must be a string, not the number 0.9"),
        (reana("  type: yadage\n", ""), "workflow has no `type`; add `type: yadage`"),
        (reana("  file: specs/workflow.yml\n", ""), "workflow needs `file`"),
        (
            reana("  directories:\n", "  options:\n    CACHE: 'off'\n  directories:\n"),
            "operational option 'CACHE' in inputs.options is not supported for yadage workflows",
        ),
        (
            reana("    - specs\n", "    - specs\n  files:\n    - specs/workflow.yml\n"),
            "inputs.files[0] 'specs/workflow.yml' is inside inputs.directories[0] 'specs'",
        ),
        (
            reana("    - specs\n", "    - specs\n    - ./specs/\n"),
            "inputs.directories[1] 'specs' is already listed as inputs.directories[0]",
        ),
        (with_files(REANA_REPO, reana_DOT_yaml=""), "reana.yaml must be a mapping"),
        (
            reana("file: specs/workflow.yml", "file: /w.yml"),
            "workflow.file '/w.yml' is absolute; write it relative to the directory of reana.yaml",
        ),
        (
            reana("outputs:", "workspace: {root_path: reana}\noutputs:"),
            "workspace.root_path must be an absolute path",
        ),
        (
            reana("  directories:\n", "  directories: specs\n  x:\n"),
            "inputs.directories must be a list",
        ),
        (
            replace_in(REANA_095, "reana.yaml", "version: 0.95.0\n", ""),
            "workflow.files needs `version: 0.95.0` or later: only REANA 0.95 reads it (0.9 "
            "ignores it); raise the file's `version` or remove the key",
        ),
        (
            replace_in(REANA_095, "reana.yaml", "0.95.0", "0.9.0"),
            "workflow.resources.dask needs `version: 0.95.0` or later",
        ),
        (
            replace_in(
                REANA_095, "reana.yaml", "  directories: [specs]\n", "  parameters: {file: p.yml}\n"
            ),
            "workflow.parameters is read only for cwl and snakemake workflows; REANA 0.95 refuses",
        ),
        (
            replace_in(REANA_095, "reana.yaml", "number_of_workers: 2", "number_of_workers: x"),
            "workflow.resources.dask.number_of_workers must be a whole number",
        ),
    ],
)
def test_messages(files: dict[str, str], expected: str) -> None:
    found = messages(files)
    assert any(m.startswith(expected) for m in found), found
    assert all("\n" not in m for m in found)


def test_every_unknown_key_is_reported_at_its_key() -> None:
    files = reana("outputs:", "worfklow_type: yadage\ncomment: x\noutputs:")
    found = lint_files(files, RULE)
    assert positions(found) == ["reana.yaml:11:1", "reana.yaml:12:1"]
    assert "did you mean 'workflow'?" in found[0].message
    assert "expected one of version, inputs, workflow" in found[1].message
    assert found[0].end_col == found[0].col + len("worfklow_type")


def test_several_errors_sorted_by_position() -> None:
    files = reana("type: yadage", "type: Yadage").copy()
    files["reana.yaml"] = files["reana.yaml"].replace("version: 0.9.0", "version: 1")
    assert positions(lint_files(files, RULE)) == ["reana.yaml:1:10", "reana.yaml:9:9"]


@pytest.mark.parametrize(
    "text",
    [
        "workflow: [1, 2]\n",
        "workflow: {type: [yadage], file: {a: b}, resources: [cvmfs]}\n",
        "? [a, b]\n: c\n",
        "inputs: {files: [{a: 1}, null, 3, '/x', '..'], directories: 7, parameters: [1]}\n",
        "workspace: {retention_days: {1: 2, null: x, true: [1]}}\n",
        "inputs: {options: {1: 2}}\nworkflow: {type: yadage, file: w.yml}\n",
        "x: &a [*a]\n",
        "!!binary aGVsbG8=\n",
        "2024-01-01\n",
        "workflow: {type: serial, specification: {steps: [{commands: [], environment: 1}, 3]}}\n",
    ],
)
def test_never_crashes(text: str) -> None:
    for d in lint_files(with_files(REANA_REPO, reana_DOT_yaml=text), RULE):
        assert d.line >= 1 and d.col >= 1 and d.message


def test_schema_is_package_data_and_draft7() -> None:
    loaded = schema()
    assert loaded["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert set(loaded["properties"]) == {
        "version",
        "inputs",
        "workflow",
        "outputs",
        "tests",
        "workspace",
    }
    assert json.loads(json.dumps(loaded)) == loaded
