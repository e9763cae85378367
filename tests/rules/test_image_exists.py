"""RR411 image-exists, on registry facts made up here (tests/test_registry*.py get real ones).

`lint_files` gives every project the facts a registry holding `KNOWN` would answer: any other
image is missing. The golden files (tests/rules/test_golden.py) use the same helper.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from helpers import REANA_REPO, RECAST_REPO, make_project, positions, replace_in

from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.lint.linter import lint
from recast_reana.lint.registry import RULES
from recast_reana.model.config import Config
from recast_reana.model.images import ImageFacts, references

RULE = "RR411"
OLD = "sha256:" + "a" * 64
NEW = "sha256:" + "b" * 64
KNOWN = {
    "gitlab-registry.cern.ch/analyst/selection:v1.2.0": ImageFacts("", True, NEW, "", 0, "root"),
    "gitlab-registry.cern.ch/analyst/fitting:v1.2.0": ImageFacts("", True, NEW, "", 0, "root"),
    "gitlab-registry.cern.ch/analyst/fitting@" + NEW: ImageFacts("", True, NEW, "", 0, "root"),
    "gitlab-registry.cern.ch/analyst/moved:v2": ImageFacts(
        "", True, NEW, "", 0, "root", moved_from=OLD
    ),
    "docker.io/library/python:3.12": ImageFacts("", True, NEW, "", 0, "root"),
}
MISSING = "the registry has no such tag or digest (MANIFEST_UNKNOWN)"
IMAGE = "    image: gitlab-registry.cern.ch/analyst/selection\n    imagetag: v1.2.0\n"
SERIAL = """\
version: 0.9.0
workflow:
  type: serial
  specification:
    steps:
      - name: hello
        environment: 'python:3.12'
        commands: [python -c 'print(1)']
      - name: typo
        environment: 'pyhton:3.12'
        commands: [python -c 'print(1)']
"""


def facts_for(files: Mapping[str, str | bytes], config: Config | None) -> dict[str, ImageFacts]:
    project = make_project(files, config)
    refs = references(project.steps, project.serial_steps)
    return {
        key: ImageFacts(key, False, unknown=MISSING)
        if key not in KNOWN
        else KNOWN[key]._replace(reference=key)
        for key in refs
    }


def lint_files(
    files: Mapping[str, str | bytes], rule: str | None = None, config: Config | None = None
) -> list[Diagnostic]:
    project = make_project(files, config)
    project.image_facts = facts_for(files, config)
    return lint(project, {rule: RULES[rule]} if rule else None)


def image(base: dict[str, str], text: str) -> dict[str, str]:
    return replace_in(base, "specs/steps.yml", IMAGE, text)


PASS = [
    pytest.param(REANA_REPO, id="both-images-exist"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(
        image(REANA_REPO, f"    image: gitlab-registry.cern.ch/analyst/fitting@{NEW}\n"),
        id="pinned-digest-exists",
    ),
    pytest.param({"reana.yaml": SERIAL.replace("pyhton", "python")}, id="serial"),
]

FAIL = [
    pytest.param(
        image(
            REANA_REPO,
            "    image: gitlab-registry.cern.ch/analyst/selection\n    imagetag: v1.2.O\n",
        ),
        ["specs/steps.yml:9:15"],
        id="tag-never-pushed",
    ),
    pytest.param(
        image(
            RECAST_REPO,
            "    image: gitlab-registry.cern.ch/analyst/selectoin\n    imagetag: v1.2.0\n",
        ),
        ["specs/steps.yml:9:15"],
        id="misspelt-repository-recast-layout",
    ),
    pytest.param(
        image(REANA_REPO, "    image: gitlab-registry.cern.ch/analyst/selection:v9\n"),
        ["specs/steps.yml:8:12"],
        id="tag-in-image",
    ),
    pytest.param(
        image(REANA_REPO, "    image: gitlab-registry.cern.ch/analyst/moved\n    imagetag: v2\n"),
        ["specs/steps.yml:9:15"],
        id="tag-moved",
    ),
    pytest.param({"reana.yaml": SERIAL}, ["reana.yaml:10:22"], id="serial-step-image"),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "image-exists" for d in found)


def test_no_facts_no_finding() -> None:
    """Offline with an empty cache: nothing is known, so nothing is said."""
    files = image(REANA_REPO, "    image: nowhere/none\n    imagetag: v0\n")
    assert [d for d in lint(make_project(files), {RULE: RULES[RULE]})] == []


def test_missing_is_an_error_on_main_too() -> None:
    """recast-atlas cannot pull it either: not a REANA-only problem the conversion fixes."""
    files = image(RECAST_REPO, "    image: gitlab-registry.cern.ch/analyst/x\n    imagetag: v1\n")
    (d,) = lint_files(files, RULE)
    assert d.severity is Severity.ERROR
    assert d.message == (
        "image 'gitlab-registry.cern.ch/analyst/x:v1' of step 'select' cannot be pulled: "
        f"{MISSING}; the REANA job (and recast-atlas) would fail at this step"
    )


def test_moved_tag_is_information_with_both_digests() -> None:
    files = image(
        REANA_REPO, "    image: gitlab-registry.cern.ch/analyst/moved\n    imagetag: v2\n"
    )
    (d,) = lint_files(files, RULE)
    assert d.severity is Severity.INFO
    assert OLD in d.message and NEW in d.message and "--pin-digests" in d.message
