"""Contract: recast-reana's reana.yaml schema agrees with REANA's own (reana-commons 0.9.11 and
the REANA 0.95 pre-release, reana-commons 0.95.0a26: `TABLE_095`).

The REANA schema is read from the reana-commons 0.9.11 distribution that `pip download` fetches
(PyPI has only the sdist for 0.9.11; a wheel is read the same way if one appears). REANA's verdict
is computed as `reana_commons/validation/utils.py` (`validate_reana_yaml`) computes it:
`additionalProperties` errors are only warnings, any other error refuses the file.

Each row of `TABLE` says what REANA does ("valid", "warns", "invalid") and whether our schema
accepts the document. Ours never accepts what REANA refuses. Where it is deliberately stricter the
row names the reason and the exact errors ours reports, and nothing else may differ.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import jsonschema
import pytest
from jsonschema.validators import validator_for
from reana_commons_dist import PRERELEASE, archive, read_member

pytestmark = pytest.mark.slow

MEMBER = "reana_commons/validation/schemas/reana_analysis_schema.json"


@cache
def our_schema() -> Any:
    """Ours, read as the rule reads it (package data), without importing the rule registry."""
    schema = resources.files("recast_reana").joinpath("model/schemas/reana.json")
    return json.loads(schema.read_text())


@pytest.fixture(scope="session")
def reana_schema(reana_commons: Path) -> Any:
    loaded = json.loads(read_member(reana_commons, MEMBER))
    assert loaded["title"] == "REANA analysis specification"
    return loaded


@pytest.fixture(scope="session")
def reana_schema_095() -> Any:
    loaded = json.loads(read_member(archive(PRERELEASE), MEMBER))
    assert "files" in loaded["properties"]["workflow"]["properties"]  # the 0.95 schema indeed
    return loaded


def reana_verdict(reana: Any, doc: Any) -> tuple[str, set[tuple[str, str]]]:
    """What REANA 0.9 does with `doc`, and its errors as (path, keyword)."""
    validator = validator_for(reana)(reana)  # as reana_commons.validation.utils does
    errors = {(_dotted(e.absolute_path), str(e.validator)) for e in validator.iter_errors(doc)}
    if not errors:
        return "valid", errors
    warns = all(keyword == "additionalProperties" for _, keyword in errors)
    return ("warns" if warns else "invalid"), errors


def our_errors(doc: Any) -> set[tuple[str, str]]:
    validator = jsonschema.Draft7Validator(our_schema())
    return {(_dotted(e.absolute_path), str(e.validator)) for e in validator.iter_errors(doc)}


def _dotted(path: Any) -> str:
    return ".".join(map(str, path))


class Row(NamedTuple):
    doc: Any
    reana: str  # "valid" | "warns" (unknown keys: REANA ignores them) | "invalid"
    ours: bool  # does our schema accept it?
    stricter: str = ""  # why ours refuses what REANA accepts
    differs: frozenset[tuple[str, str]] = frozenset()  # exactly our extra errors (path, keyword)
    engine_reads: str = ""  # why ours accepts a key REANA's schema warns about


MINIMAL = {"workflow": {"type": "yadage", "file": "specs/workflow.yml"}}
BASE = {
    "version": "0.9.0",
    "inputs": {"directories": ["specs"], "parameters": {"xsec": 44.8, "dataset": "root://x//d"}},
    "workflow": {"type": "yadage", "file": "specs/workflow.yml"},
    "outputs": {"files": ["fit/limit.png"]},
}
SERIAL_STEP = {"name": "fit", "environment": "python:3.11", "commands": ["python fit.py"]}


def doc(**changes: Any) -> Any:
    """BASE with `section__key=value` set (`value=None` deletes)."""
    out = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = out
        for key in parents:
            node = node.setdefault(key, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return out


def stricter(name: str, document: Any, reason: str, *errors: tuple[str, str]) -> Any:
    """A row REANA's schema accepts and ours refuses, for `reason`, with exactly `errors`."""
    return pytest.param(Row(document, "valid", False, reason, frozenset(errors)), id=name)


TABLE = [
    # Both accept.
    pytest.param(Row(MINIMAL, "valid", True), id="minimal"),
    pytest.param(Row(BASE, "valid", True), id="tutorial-like"),
    pytest.param(
        Row(
            doc(
                inputs__files=["data/input.root"],
                inputs__options={"toplevel": "specs", "initdir": "inputs", "accept_metadir": True},
                workflow__resources={"cvmfs": ["atlas.cern.ch", "sft.cern.ch"], "kerberos": True},
                outputs__directories=["fit"],
                tests={"files": ["tests/outputs.feature"]},
                workspace={"retention_days": {"**/*.root": 7, "tmp": 0}, "root_path": "/var/reana"},
            ),
            "valid",
            True,
        ),
        id="every-section",
    ),
    pytest.param(
        Row({"workflow": {"type": "yadage", "specification": {"stages": []}}}, "valid", True),
        id="inline-specification",
    ),
    pytest.param(
        Row(
            doc(workflow={"type": "serial", "specification": {"steps": [SERIAL_STEP]}}),
            "valid",
            True,
        ),
        id="serial",
    ),
    pytest.param(
        Row(doc(workflow__type="cwl", inputs__options={"TARGET": "fit"}), "valid", True),
        id="cwl-with-target",
    ),
    pytest.param(Row(doc(inputs={}), "valid", True), id="empty-inputs"),
    # Both refuse.
    pytest.param(Row(None, "invalid", False), id="empty-file"),
    pytest.param(Row(["workflow"], "invalid", False), id="a-list"),
    pytest.param(Row(doc(workflow=None), "invalid", False), id="no-workflow"),
    pytest.param(Row(doc(workflow__type=None), "invalid", False), id="no-workflow-type"),
    pytest.param(Row(doc(workflow__type="Yadage"), "invalid", False), id="workflow-type-case"),
    pytest.param(Row(doc(workflow__file=None), "invalid", False), id="no-file-nor-specification"),
    pytest.param(Row(doc(workflow__file=3), "invalid", False), id="workflow-file-number"),
    pytest.param(Row(doc(version=0.9), "invalid", False), id="version-number"),
    pytest.param(Row(doc(inputs__files="data.root"), "invalid", False), id="files-not-a-list"),
    pytest.param(
        Row(doc(workflow__resources={"cvmfs": ["atlas cern"]}), "invalid", False),
        id="cvmfs-bad-name",
    ),
    pytest.param(
        Row(doc(workflow__resources={"cvmfs": ["atlas.cern.ch"] * 2}), "invalid", False),
        id="cvmfs-twice",
    ),
    pytest.param(
        Row(doc(workflow__resources={"kerberos": "yes"}), "invalid", False), id="kerberos-string"
    ),
    pytest.param(
        Row(doc(workspace={"retention_days": {}}), "invalid", False), id="retention-empty"
    ),
    pytest.param(
        Row(doc(workspace={"retention_days": {"x": -1}}), "invalid", False), id="retention-negative"
    ),
    pytest.param(
        Row(
            doc(workflow={"type": "serial", "specification": {"steps": [{"name": "x"}]}}),
            "invalid",
            False,
        ),
        id="serial-step-without-commands",
    ),
    # REANA only warns about unknown keys and ignores them; ours refuses them.
    pytest.param(Row(doc(input={"files": ["x"]}), "warns", False), id="unknown-top-level-key"),
    pytest.param(
        Row(doc(workflow__resources={"kerberos": True, "memory": "8Gi"}), "warns", False),
        id="unknown-resource",
    ),
    pytest.param(
        Row(
            doc(
                workflow={"type": "serial", "specification": {"steps": [{**SERIAL_STEP, "uid": 1}]}}
            ),
            "warns",
            False,
        ),
        id="unknown-serial-step-key",
    ),
    pytest.param(
        Row(
            doc(
                workflow={
                    "type": "serial",
                    "specification": {
                        "steps": [
                            {
                                **SERIAL_STEP,
                                "kubernetes_uid": 500,
                                "slurm_partition": "inf-short",
                                "slurm_time": "60",
                            }
                        ]
                    },
                }
            ),
            "warns",
            True,
            engine_reads="reana-workflow-engine-serial passes these step keys to the job "
            "(tasks.py `run_step`); reana-demo-atlas-recast's reana-debug.yaml sets kubernetes_uid",
        ),
        id="serial-step-keys-the-engine-reads",
    ),
    # REANA's schema accepts these; its code or the workspace refuses them later.
    stricter(
        "option-of-another-engine",
        doc(inputs__options={"CACHE": "off"}),
        "operational_options.py refuses CACHE for yadage",
        ("inputs.options", "enum"),
    ),
    stricter(
        "unknown-option",
        doc(inputs__options={"toplevl": "specs"}),
        "operational_options.py refuses unknown options",
        ("inputs.options", "enum"),
    ),
    stricter(
        "absolute-input",
        doc(inputs__files=["/eos/user/a/analyst/data.root"]),
        "reana-server validate_inputs refuses absolute input paths",
        ("inputs.files.0", "not"),
    ),
    stricter(
        "input-outside-workspace",
        doc(inputs__directories=["../data"]),
        "reana-server validate_inputs refuses '..'",
        ("inputs.directories.0", "not"),
    ),
    stricter(
        "empty-input-path",
        doc(inputs__files=["./"]),
        "reana-server validate_inputs refuses empty paths",
        ("inputs.files.0", "not"),
    ),
    stricter(
        "absolute-workflow-file",
        doc(workflow__file="/home/analyst/specs/workflow.yml"),
        "the workflow file must be in the workspace",
        ("workflow.file", "not"),
    ),
    stricter(
        "absolute-output",
        doc(outputs__files=["/eos/user/a/limit.png"]),
        "outputs are downloaded from the workspace",
        ("outputs.files.0", "not"),
    ),
    stricter(
        "absolute-retention-rule",
        doc(workspace={"retention_days": {"/tmp/*": 1}}),
        "reana-server validate_retention_rule refuses absolute rules",
        ("workspace.retention_days", "not"),
    ),
    stricter(
        "relative-root-path",
        doc(workspace={"root_path": "reana"}),
        "reana-server compares root_path with absolute workspace paths",
        ("workspace.root_path", "pattern"),
    ),
]


# REANA 0.95's additions, each also in a file whose `version` is older.
DASK = {"image": "ghcr.io/dask/dask:2024.1.0", "number_of_workers": 2}
SERIAL_095 = {**SERIAL_STEP, "htcondor_request_memory": "4 GB", "htcondor_requirements": "x"}
ADDITIONS = {
    "workflow-files": {"workflow__files": ["specs/steps.yml"]},
    "workflow-directories": {"workflow__directories": ["specs"]},
    "parameters-file": {"workflow__type": "cwl", "workflow__parameters": {"file": "job.yml"}},
    "dask": {"workflow__resources": {"dask": DASK}},
    "rucio-voms": {"workflow__resources": {"rucio": True, "voms_proxy": False}},
    "step-resources": {
        "workflow": {"type": "serial", "specification": {"steps": [SERIAL_095]}},
    },
}
GATED = {  # (path, keyword) of ours for each addition in a file of version 0.9.0
    "workflow-files": ("workflow", "additionalProperties"),
    "workflow-directories": ("workflow", "additionalProperties"),
    "parameters-file": ("workflow", "additionalProperties"),
    "dask": ("workflow.resources", "additionalProperties"),
    "rucio-voms": ("workflow.resources", "additionalProperties"),
    "step-resources": ("workflow.specification.steps.0", "additionalProperties"),
}
OLDER = "the file's version is 0.9: REANA 0.9 ignores the key, so ours names the version it needs"

TABLE += [
    *(
        pytest.param(
            Row(doc(version="0.95.0", **changes), "warns", True, engine_reads="REANA 0.95"),
            id=f"0.95-{name}-with-version-0.95",
        )
        for name, changes in ADDITIONS.items()
    ),
    *(
        pytest.param(Row(doc(**changes), "warns", False), id=f"0.95-{name}-with-version-0.9")
        for name, changes in ADDITIONS.items()
    ),
]

TABLE_095 = [
    *(
        pytest.param(Row(doc(version="0.95.0", **changes), "valid", True), id=name)
        for name, changes in ADDITIONS.items()
    ),
    *(
        stricter(f"{name}-with-version-0.9", doc(**changes), OLDER, GATED[name])
        for name, changes in ADDITIONS.items()
    ),
    pytest.param(Row(BASE, "valid", True), id="tutorial-like"),
    pytest.param(
        Row(
            doc(version="1.0", workflow__resources={"dask": {"number_of_workers": 2}}),
            "invalid",
            False,
        ),
        id="dask-without-image",
    ),
    pytest.param(
        Row(
            doc(
                version="0.95",
                workflow__resources={"dask": {**DASK, "single_worker_memory": "2GB"}},
            ),
            "invalid",
            False,
        ),
        id="dask-memory-unit",
    ),
    stricter(
        "parameters-file-of-yadage",
        doc(version="0.95.0", workflow__parameters={"file": "params.yml"}),
        "reana-commons 0.95 workflow_parameter_file refuses it for yadage and serial in code",
        ("workflow.parameters", "not"),
    ),
    pytest.param(
        Row(doc(version="0.95.0", workflow__type="cwl", workflow__parameters={}), "invalid", False),
        id="parameters-without-file",
    ),
    pytest.param(
        Row(doc(version="0.95.0", workflow__files="specs/steps.yml"), "invalid", False),
        id="workflow-files-not-a-list",
    ),
]


def test_table_is_large_enough() -> None:
    assert len(TABLE) >= 20
    reasons = [
        p.values[0].stricter for p in TABLE if p.values[0].reana == "valid" and not p.values[0].ours
    ]
    assert reasons and all(reasons)


def test_both_schemas_are_draft7(reana_schema: Any) -> None:
    assert validator_for(reana_schema) is jsonschema.Draft7Validator
    jsonschema.Draft7Validator.check_schema(reana_schema)
    jsonschema.Draft7Validator.check_schema(our_schema())


@pytest.mark.parametrize("row", TABLE)
def test_schemas_agree(reana_schema: Any, row: Row) -> None:
    agree(reana_schema, row)


@pytest.mark.parametrize("row", TABLE_095)
def test_schemas_agree_with_095(reana_schema_095: Any, row: Row) -> None:
    agree(reana_schema_095, row)


def agree(reana_schema: Any, row: Row) -> None:
    verdict, reana_errors = reana_verdict(reana_schema, row.doc)
    mine = our_errors(row.doc)
    assert verdict == row.reana, reana_errors
    assert (not mine) == row.ours, mine
    if verdict == "invalid":
        assert mine, "ours must refuse everything REANA refuses"
    elif verdict == "warns" and row.engine_reads:
        assert not mine
    elif verdict == "warns":
        # REANA's schema has the same errors (unknown keys); REANA merely downgrades them.
        assert mine == reana_errors
    elif row.ours:
        assert not row.stricter and not row.differs
    else:
        assert row.stricter, "a deliberate difference needs a reason in the table"
        assert mine == row.differs
