"""The inputs of the benchmarks are what they claim to be (correctness only, nothing is timed).

* tests/data/reana_layout, the tutorial analysis after the REANA conversion, is clean: no error or
  warning, only the RR403 notes on the secrets its two kerberos steps need.
* benchmarks/generate.py makes clean workflows of any size, 500 stages included, that
  yadage-schemas (what REANA loads the workflow with) accepts.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from helpers import make_project

from recast_reana.cli import main
from recast_reana.convert.check import check

ROOT = Path(__file__).resolve().parent.parent
REANA_LAYOUT = ROOT / "tests" / "data" / "reana_layout"
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate, write  # noqa: E402


def test_reana_layout_copy_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--strict", str(REANA_LAYOUT)]) == 0
    *findings, summary = capsys.readouterr().out.splitlines()
    assert (
        summary
        == "REANA yadage workflow specs/workflow.yml + 2 files: 0 errors, 0 warnings, 2 infos"
    )
    out = "\n".join(findings)
    assert [line.split(": ", 1)[0] for line in out.splitlines()] == [
        "specs/steps.yml:15:8",  # skimming_eos: kerberos: true
        "specs/steps.yml:49:8",  # fitting: kerberos: true
    ]
    assert all(" RR403 info: " in line and "CERN_KEYTAB" in line for line in out.splitlines())


def test_reana_layout_copy_is_the_converted_tutorial() -> None:
    """What the seed page's conversion changes, and nothing of the page's mistakes."""
    reana = (REANA_LAYOUT / "reana.yaml").read_text()
    workflow = (REANA_LAYOUT / "specs" / "workflow.yml").read_text()
    steps = (REANA_LAYOUT / "specs" / "steps.yml").read_text()
    assert reana.count("cross_section:") == 1 and "signal_daod:" not in reana
    assert "skimming_step\n" not in workflow and workflow.count("$ref: specs/steps.yml#/") == 3
    assert "getkrb" not in steps and "GRIDProxy" not in steps
    assert steps.count("- kerberos: true") == 2 and steps.count("- kubernetes_uid: 500") == 2


@pytest.mark.parametrize("shared_steps", [False, True], ids=["step-per-stage", "shared-steps"])
@pytest.mark.parametrize("n", [1, 2, 3, 8, 9, 16, 17, 60])
def test_generated_workflows_are_clean(n: int, shared_steps: bool) -> None:
    files = generate(n, shared_steps=shared_steps)
    assert files["specs/workflow.yml"].count("- name: stage_") == n
    assert check(make_project(files)) == []


def test_generated_500_stages_are_clean() -> None:
    files = generate(500)
    assert files["specs/workflow.yml"].count("- name: stage_") == 500
    assert files["specs/workflow.yml"].count("multistep-stage") == 62
    assert files["specs/workflow.yml"].count("unwrap: true") > 50
    assert check(make_project(files)) == []


def test_generated_is_deterministic() -> None:
    assert generate(50) == generate(50)
    assert generate(50, seed=1) != generate(50)


def test_generated_workflow_loads_with_yadage_schemas(tmp_path: Path) -> None:
    """REANA loads and validates the workflow with yadage-schemas from the workspace root."""
    yadageschemas = pytest.importorskip("yadageschemas")
    write(tmp_path, generate(40))
    opts = {"schema_name": "yadage/workflow-schema", "schemadir": yadageschemas.schemadir}
    spec = yadageschemas.load(
        "specs/workflow.yml",
        specopts={"toplevel": str(tmp_path), "load_as_ref": False, **opts},
        validate=True,
        validopts=opts,
    )
    assert len(spec["stages"]) == 40
    assert {s["scheduler"]["scheduler_type"] for s in spec["stages"]} == {
        "singlestep-stage",
        "multistep-stage",
    }
