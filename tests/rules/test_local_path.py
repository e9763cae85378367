from __future__ import annotations

import pytest
from helpers import REANA_REPO, RECAST_REPO, lint_files, positions, replace_in

from recast_reana.lint.diagnostics import Severity
from recast_reana.lint.rules.local_path import laptop_path

RULE = "RR409"
URL = "'root://eosuser.cern.ch//eos/user/a/analyst/data.root'"


def dataset(value: str, base: dict[str, str] = REANA_REPO) -> dict[str, str]:
    path = "reana.yaml" if "reana.yaml" in base else "recast.yml"
    return replace_in(base, path, f"dataset: {URL}", f"dataset: {value}")


def recast(old: str, new: str) -> dict[str, str]:
    return replace_in(RECAST_REPO, "recast.yml", old, new)


def initdir(value: str) -> dict[str, str]:
    return recast("  default:\n", f"  default:\n    dataopts:\n      initdir: {value}\n")


TESTS = """\
tests:
- name: select-test
  spec: steps.yml#/select
  parameters:
    input_file: {input}
    output_file: out.root
  data:
  - {data}
"""


def with_tests(input_file: str = "in.root", data: str = "testdata") -> dict[str, str]:
    return recast("results:\n", TESTS.format(input=input_file, data=data) + "results:\n")


PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(dataset("/eos/user/a/analyst/x.root"), id="eos"),
    pytest.param(dataset("/cvmfs/atlas.cern.ch/repo/x"), id="cvmfs"),
    pytest.param(dataset("/home/atlas/release_setup.sh"), id="inside-the-atlas-image"),
    pytest.param(dataset("inputdata/x.root"), id="relative-is-RR408"),
    pytest.param(initdir("inputdata"), id="relative-initdir"),
    pytest.param(initdir("/eos/user/a/analyst/inputs"), id="initdir-on-eos"),
    pytest.param(with_tests(), id="relative-test-data"),
    pytest.param(
        replace_in(
            REANA_REPO, "specs/workflow.yml", "'{workdir}/selected.root'", "/home/me/selected.root"
        ),
        id="stage-parameters-are-not-checked",
    ),
    pytest.param(recast("example_inputs:\n", "example_inputs:\n  broken: 3\n"), id="malformed"),
]

FAIL = [
    pytest.param(dataset("/home/analyst/data.root"), ["reana.yaml:5:14"], id="home"),
    pytest.param(dataset("/Users/analyst/data.root", RECAST_REPO), ["recast.yml:11:16"], id="mac"),
    pytest.param(dataset("'C:\\Users\\analyst\\data.root'"), ["reana.yaml:5:14"], id="windows"),
    pytest.param(dataset("~/data.root"), ["reana.yaml:5:14"], id="tilde"),
    pytest.param(dataset("/afs/cern.ch/user/a/analyst/x.root"), ["reana.yaml:5:14"], id="afs"),
    pytest.param(dataset("file:///home/a/x.root"), ["reana.yaml:5:14"], id="file-url"),
    pytest.param(
        dataset("[/tmp/a.root, /home/atlas/b]", RECAST_REPO), ["recast.yml:11:17"], id="in-a-list"
    ),
    pytest.param(initdir("/Users/analyst/recast/inputdata"), ["recast.yml:10:16"], id="initdir"),
    pytest.param(initdir("/data/inputs"), ["recast.yml:10:16"], id="initdir-any-absolute"),
    pytest.param(
        with_tests("/home/me/in.root", "/Users/me/testdata"),
        ["recast.yml:16:17", "recast.yml:19:5"],
        id="test-parameters-and-data",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "local-path" for d in found)


def test_parameter_message() -> None:
    (d,) = lint_files(dataset("/afs/cern.ch/user/a/x.root"), RULE)
    assert d.message == (
        "parameter 'dataset' of reana.yaml is '/afs/cern.ch/user/a/x.root', an AFS path, which "
        "REANA jobs do not mount; REANA jobs and other people cannot read it: use EOS, a URL, or "
        "a file uploaded with the workflow"
    )
    assert d.severity is Severity.WARNING


def test_initdir_message() -> None:
    (d,) = lint_files(initdir("/Users/analyst/in"), RULE)
    assert d.message.startswith("dataopts.initdir '/Users/analyst/in' is a path on one machine; ")


def test_test_data_message() -> None:
    (d,) = lint_files(with_tests(data="/srv/data"), RULE)
    assert d.message.startswith(
        "test 'select-test' data '/srv/data' is an absolute path on one machine"
    )


@pytest.mark.parametrize(
    ("value", "laptop"),
    [
        ("/home/x", True),
        ("/Volumes/usb/x", True),
        ("/mnt/c/Users/x", True),
        ("/private/var/x", True),
        ("\\\\server\\share", True),
        ("d:/data", True),
        ("/home/atlas/x", False),
        ("/eos/x", False),
        ("/mnt/data", False),
        ("relative/x", False),
        ("root://host//home/x", False),
    ],
)
def test_laptop_path(value: str, laptop: bool) -> None:
    assert (laptop_path(value) is not None) is laptop
