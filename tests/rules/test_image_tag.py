from __future__ import annotations

import pytest
from helpers import REANA_REPO, RECAST_REPO, lint_files, positions, replace_in

from recast_reana.lint.diagnostics import Severity
from recast_reana.model.config import Config
from rules.test_serial_parameter import SERIAL

RULE = "RR407"
IMAGE = "    image: gitlab-registry.cern.ch/analyst/selection\n    imagetag: v1.2.0\n"


def image(text: str, base: dict[str, str] = REANA_REPO) -> dict[str, str]:
    """`base` with the select step's image and tag lines (steps.yml lines 8-9) replaced."""
    return replace_in(base, "specs/steps.yml", IMAGE, text)


def tag(value: str, base: dict[str, str] = REANA_REPO) -> dict[str, str]:
    return image(
        f"    image: gitlab-registry.cern.ch/analyst/selection\n    imagetag: {value}\n", base
    )


PASS = [
    pytest.param(SERIAL, id="serial-step-with-a-version"),
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(image("    image: atlas/analysisbase:21.2.85-centos7\n"), id="tag-in-image"),
    pytest.param(tag("21.2"), id="numeric-looking-tag-is-RR101"),
    pytest.param(tag("21.2.85-centos7"), id="version-with-suffix"),
    pytest.param(tag("a1b2c3d4"), id="commit-tag"),
    pytest.param(tag("mastering-1.0"), id="branch-name-inside-a-longer-tag"),
    pytest.param(image("    image: atlas/analysisbase@sha256:0123abcd\n"), id="digest"),
    pytest.param(image("    image: registry.example.org:5000/a/b:v1\n"), id="registry-port"),
    pytest.param(
        replace_in(
            tag("latest"),
            "specs/steps.yml",
            "environment_type: docker-encapsulated",
            "environment_type: localproc-env",
        ),
        id="not-docker-is-RR406",
    ),
]

FAIL = [
    pytest.param(
        replace_in(SERIAL, "reana.yaml", "python:3.11-slim", "python"),
        ["reana.yaml:12:22"],
        id="serial-step-without-a-tag",
    ),
    pytest.param(
        replace_in(SERIAL, "reana.yaml", "python:3.11-slim", "python:latest"),
        ["reana.yaml:12:22"],
        id="serial-step-moving-tag",
    ),
    pytest.param(
        image("    image: gitlab-registry.cern.ch/analyst/selection\n"),
        ["specs/steps.yml:8:12"],
        id="no-imagetag",
    ),
    pytest.param(
        image("    image: registry.example.org:5000/a/b\n", RECAST_REPO),
        ["specs/steps.yml:8:12"],
        id="registry-port-no-tag-recast-layout",
    ),
    pytest.param(tag("latest"), ["specs/steps.yml:9:15"], id="latest"),
    pytest.param(tag("master"), ["specs/steps.yml:9:15"], id="master"),
    pytest.param(tag("'Main'"), ["specs/steps.yml:9:15"], id="main-any-case"),
    pytest.param(tag("dev", RECAST_REPO), ["specs/steps.yml:9:15"], id="dev-recast-layout"),
    pytest.param(
        image("    image: atlas/analysisbase:latest\n"),
        ["specs/steps.yml:8:12"],
        id="latest-in-image",
    ),
    pytest.param(tag("''"), ["specs/steps.yml:8:12"], id="empty-tag-means-latest"),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "image-tag" for d in found)


def test_missing_tag_message() -> None:
    (d,) = lint_files(image("    image: gitlab-registry.cern.ch/analyst/selection\n"), RULE)
    assert d.message == (
        "image 'gitlab-registry.cern.ch/analyst/selection' of step 'select' has no imagetag, so "
        "'latest' is pulled and changes under you; pin a version with `imagetag:`"
    )
    assert d.severity is Severity.WARNING


def test_moving_tag_message() -> None:
    (d,) = lint_files(tag("master"), RULE)
    assert "uses the moving tag 'master'" in d.message
    assert d.end_col - d.col == len("master")


def test_moving_tags_option() -> None:
    config = Config(options={RULE: {"moving_tags": ["final"]}})
    assert positions(lint_files(tag("final"), RULE, config)) == ["specs/steps.yml:9:15"]
    assert lint_files(tag("master"), RULE, config) == []


def test_stays_a_warning_on_recast_layout() -> None:
    (d,) = lint_files(tag("latest", RECAST_REPO), RULE)
    assert d.severity is Severity.WARNING
