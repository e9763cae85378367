from __future__ import annotations

import pytest
from helpers import REANA_REPO, RECAST_REPO, lint_files, positions, replace_in, with_files

from recast_reana.lint.diagnostics import Severity
from recast_reana.lint.rules.local_input import looks_local
from recast_reana.model.config import Config

RULE = "RR408"
URL = "'root://eosuser.cern.ch//eos/user/a/analyst/data.root'"
DAOD = "inputdata/DAOD_EXOT27.20140688._000071.pool.root.1"


def dataset(value: str, base: dict[str, str] = REANA_REPO) -> dict[str, str]:
    """`base` with the `dataset` parameter (read by stage select) set to `value`."""
    path = "reana.yaml" if "reana.yaml" in base else "recast.yml"
    return replace_in(base, path, f"dataset: {URL}", f"dataset: {value}")


def uploading(files: dict[str, str], text: str) -> dict[str, str]:
    return replace_in(files, "reana.yaml", "  directories:\n    - specs\n", text)


DROP_SELECT = Config(convert={"drop_stages": ["select"]})

PASS = [
    pytest.param(REANA_REPO, None, id="reana-layout"),
    pytest.param(RECAST_REPO, None, id="recast-layout"),
    pytest.param(dataset("'9999.9'"), None, id="number"),
    pytest.param(dataset("h_mjj"), None, id="histogram-name"),
    pytest.param(dataset("SR/h_mjj"), None, id="histogram-path"),
    pytest.param(dataset("https://example.org/x.root"), None, id="https"),
    pytest.param(dataset("'mc16_13TeV:mc16_13TeV.361106.DAOD.root'"), None, id="rucio-did"),
    pytest.param(dataset("'{workdir}/x.root'"), None, id="placeholder"),
    pytest.param(dataset("/eos/user/a/x.root"), None, id="absolute-is-RR409"),
    pytest.param(dataset("'two words.root'"), None, id="spaces"),
    pytest.param(
        uploading(dataset(DAOD), f"  files:\n    - {DAOD}\n  directories:\n    - specs\n"),
        None,
        id="uploaded-file",
    ),
    pytest.param(
        uploading(dataset(f"./{DAOD}"), "  directories:\n    - specs\n    - inputdata/\n"),
        None,
        id="uploaded-directory",
    ),
    pytest.param(dataset(DAOD), DROP_SELECT, id="only-a-dropped-stage-reads-it"),
    pytest.param(dataset(DAOD, RECAST_REPO), DROP_SELECT, id="dropped-recast-layout"),
    pytest.param(
        replace_in(
            REANA_REPO, "reana.yaml", "    xsec: 44.8\n", "    xsec: 44.8\n    other: a.root\n"
        ),
        None,
        id="no-stage-reads-it",
    ),
    pytest.param(
        with_files(dataset(DAOD), specs__workflow_DOT_yml="stages: 3\n"),
        None,
        id="no-stages",
    ),
    pytest.param(
        with_files(REANA_REPO, recast_DOT_yml=dataset(DAOD, RECAST_REPO)["recast.yml"]),
        None,
        id="reana-branch-ignores-recast-examples",
    ),
]

FAIL = [
    pytest.param(dataset(DAOD), None, ["reana.yaml:5:14"], id="tutorial-signal-daod"),
    pytest.param(dataset(DAOD, RECAST_REPO), None, ["recast.yml:11:16"], id="recast-layout"),
    pytest.param(dataset("signal.root"), None, ["reana.yaml:5:14"], id="bare-root-file"),
    pytest.param(dataset("data/weights.JSON"), None, ["reana.yaml:5:14"], id="json"),
    pytest.param(
        dataset("[a.root, 'root://x//y.root', b/c.yaml]", RECAST_REPO),
        None,
        ["recast.yml:11:17", "recast.yml:11:45"],
        id="list-of-files",
    ),
    pytest.param(
        with_files(dataset("cards/run_card"), cards__run_card="x\n"),
        None,
        ["reana.yaml:5:14"],
        id="file-of-the-repository",
    ),
    pytest.param(
        uploading(
            dataset(DAOD), "  files:\n    - inputdata/other.root\n  directories:\n    - specs\n"
        ),
        None,
        ["reana.yaml:5:14"],
        id="another-file-uploaded",
    ),
    pytest.param(
        dataset(DAOD),
        Config(convert={"drop_stages": ["fit"]}),
        ["reana.yaml:5:14"],
        id="other-stage-dropped",
    ),
]


@pytest.mark.parametrize(("files", "cfg"), PASS)
def test_pass(files: dict[str, str], cfg: Config | None) -> None:
    assert lint_files(files, RULE, cfg) == []


@pytest.mark.parametrize(("files", "cfg", "expected"), FAIL)
def test_fail(files: dict[str, str], cfg: Config | None, expected: list[str]) -> None:
    found = lint_files(files, RULE, cfg)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "local-input" for d in found)


def test_reana_message() -> None:
    (d,) = lint_files(dataset(DAOD), RULE)
    assert d.message == (
        f"parameter 'dataset' is the local path '{DAOD}' (read by stage 'select') but reana.yaml "
        "does not upload it; add it to inputs.files or inputs.directories, or read it from a URL "
        "(root://eosuser.cern.ch//eos/...)"
    )
    assert d.severity is Severity.WARNING


def test_recast_message_suggests_dropping_stages() -> None:
    (d,) = lint_files(dataset(DAOD, RECAST_REPO), RULE)
    assert "in example 'default'; a REANA run does not have it" in d.message
    assert "`convert: {drop_stages: [...]}`" in d.message
    assert d.severity is Severity.WARNING


def test_a_single_drop_stages_name_counts_as_the_converter_reads_it() -> None:
    config = Config(convert={"drop_stages": "select"})
    assert positions(lint_files(dataset(DAOD), RULE, config)) == []


@pytest.mark.parametrize(
    ("value", "local"),
    [
        (DAOD, True),
        ("./x", True),
        ("out/", True),
        ("x.root.1", True),
        ("x.tar.gz", True),
        ("a/b.py", True),
        ("h_mjj", False),
        ("v1.2.0", False),
        ("1e-3", False),
        ("nan", False),
        ("", False),
        ("C:\\data\\x.root", False),
        ("~/x.root", False),
        ("davs://host/x.root", False),
        (
            "mc16_13TeV.361106.PowhegPythia8EvtGen_AZNLOCTEQ6L1_Zee.deriv.DAOD_EXOT27.e3601_s3126",
            False,
        ),
    ],
)
def test_looks_local(value: str, local: bool) -> None:
    assert looks_local(value) is local
