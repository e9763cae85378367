from __future__ import annotations

from typing import Any

import pytest
from helpers import REANA_REPO, RECAST_REPO, lint_files, make_project, positions, replace_in

from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.lint.linter import lint
from recast_reana.lint.registry import RULES
from recast_reana.model.config import Config
from recast_reana.model.images import ImageFacts, image_reference, needed_uid, pulled_reference

RULE = "RR404"
IMAGE = "    image: gitlab-registry.cern.ch/analyst/selection\n    imagetag: v1.2.0\n"
SELECTION = "gitlab-registry.cern.ch/analyst/selection"


def image(base: dict[str, str], text: str) -> dict[str, str]:
    """`base` with the select step's image and tag lines (steps.yml lines 8-9) replaced."""
    return replace_in(base, "specs/steps.yml", IMAGE, text)


def analysisbase(tag: str, extra: str = "", base: dict[str, str] = REANA_REPO) -> dict[str, str]:
    return image(base, f"    image: atlas/analysisbase\n    imagetag: {tag}\n{extra}")


def config(images: dict[str, int]) -> Config:
    return Config(images=images)


PASS = [
    pytest.param(REANA_REPO, None, id="reana-layout"),
    pytest.param(RECAST_REPO, None, id="recast-layout"),
    pytest.param(analysisbase("21.2.88"), None, id="analysisbase-21.2.88-is-uid-1000"),
    pytest.param(analysisbase("'22.2.113'"), None, id="release-22"),
    pytest.param(analysisbase("latest"), None, id="not-a-version"),
    pytest.param(
        analysisbase("21.2.85-centos7", "    resources:\n      - kubernetes_uid: 500\n"),
        None,
        id="uid-given",
    ),
    pytest.param(
        analysisbase("21.2.85-centos7", "    resources: [{kerberos: true, kubernetes_uid: 500}]\n"),
        None,
        id="uid-in-a-multi-key-mapping",
    ),
    pytest.param(
        analysisbase("21.2.85", "    resources:\n      - kubernetes_uid: '500'\n"),
        None,
        id="wrong-type-is-RR405",
    ),
    pytest.param(REANA_REPO, config({"gitlab-registry.cern.ch/analyst/*": 1000}), id="map-1000"),
    pytest.param(
        image(
            REANA_REPO,
            f"    image: {SELECTION}\n    imagetag: v1.2.0\n    resources:\n"
            "      - kubernetes_uid: 500\n",
        ),
        config({SELECTION: 500}),
        id="map-uid-given",
    ),
    pytest.param(
        image(REANA_REPO, "    image: atlas/analysisbase@sha256:abc\n"), None, id="digest"
    ),
    pytest.param(
        replace_in(
            analysisbase("21.2.85"),
            "specs/steps.yml",
            "environment_type: docker-encapsulated",
            "environment_type: localproc-env",
        ),
        None,
        id="not-docker-is-RR406",
    ),
]

FAIL = [
    pytest.param(
        analysisbase("21.2.85-centos7"), None, ["specs/steps.yml:8:12"], id="tutorial-base-image"
    ),
    pytest.param(
        analysisbase("21.2.85-centos7", base=RECAST_REPO),
        None,
        ["specs/steps.yml:8:12"],
        id="recast-layout",
    ),
    pytest.param(
        image(REANA_REPO, "    image: atlas/analysisbase:21.2.4\n"),
        None,
        ["specs/steps.yml:8:12"],
        id="tag-in-image",
    ),
    pytest.param(
        image(REANA_REPO, "    image: docker.io/atlas/analysisbase\n    imagetag: '21.2.50'\n"),
        None,
        ["specs/steps.yml:8:12"],
        id="docker-io-prefix",
    ),
    pytest.param(
        analysisbase("21.2"), None, ["specs/steps.yml:8:12"], id="numeric-looking-float-tag"
    ),
    pytest.param(
        analysisbase("21.2.85-centos7", "    resources:\n      - kubernetes_uid: 1000\n"),
        None,
        ["specs/steps.yml:11:25"],
        id="wrong-uid",
    ),
    pytest.param(
        analysisbase("21.2.85-centos7", "    resources:\n      - kubernetes_uid: 50\n"),
        None,
        ["specs/steps.yml:11:25"],
        id="uid-below-100-is-ignored",
    ),
    pytest.param(
        analysisbase("21.2.100", "    resources:\n      - kubernetes_uid: 500\n"),
        None,
        ["specs/steps.yml:11:25"],
        id="uid-500-on-a-1000-image",
    ),
    pytest.param(
        analysisbase(
            "21.2.85",
            "    resources:\n      - kubernetes_uid: 500\n      - kubernetes_uid: 1000\n",
        ),
        None,
        ["specs/steps.yml:12:25"],
        id="last-uid-wins",
    ),
    pytest.param(REANA_REPO, config({SELECTION: 500}), ["specs/steps.yml:8:12"], id="map-repo"),
    pytest.param(
        REANA_REPO, config({f"{SELECTION}:v1.2.0": 500}), ["specs/steps.yml:8:12"], id="map-tag"
    ),
    pytest.param(
        REANA_REPO,
        config({"gitlab-registry.cern.ch/analyst/*": 500}),
        ["specs/steps.yml:8:12", "specs/steps.yml:21:12"],
        id="map-glob",
    ),
    pytest.param(
        REANA_REPO,
        config({f"{SELECTION}:v1.2.0": 500, SELECTION: 1000, "*": 1000}),
        ["specs/steps.yml:8:12"],
        id="map-tag-wins",
    ),
]


@pytest.mark.parametrize(("files", "cfg"), PASS)
def test_pass(files: dict[str, str], cfg: Config | None) -> None:
    assert lint_files(files, RULE, cfg) == []


@pytest.mark.parametrize(("files", "cfg", "expected"), FAIL)
def test_fail(files: dict[str, str], cfg: Config | None, expected: list[str]) -> None:
    found = lint_files(files, RULE, cfg)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "image-uid" for d in found)


def test_message_gives_the_line_to_add() -> None:
    (d,) = lint_files(analysisbase("21.2.85-centos7"), RULE)
    assert d.message == (
        "image 'atlas/analysisbase:21.2.85-centos7' runs as UID 500 (atlas/analysisbase before "
        "21.2.88) but REANA runs jobs as UID 1000; add `- kubernetes_uid: 500` to "
        "environment.resources"
    )
    assert d.severity is Severity.ERROR


def test_wrong_uid_message() -> None:
    files = analysisbase("21.2.85", "    resources:\n      - kubernetes_uid: 1000\n")
    (d,) = lint_files(files, RULE)
    assert "kubernetes_uid 1000 makes REANA run the job as UID 1000" in d.message
    assert d.message.endswith("use `- kubernetes_uid: 500`")


def test_configured_source_is_named() -> None:
    (d, _) = lint_files(REANA_REPO, RULE, config({"gitlab-registry.cern.ch/analyst/*": 500}))
    assert (
        "configured in .recast-reana.yaml images 'gitlab-registry.cern.ch/analyst/*'" in d.message
    )


def test_root_image_cannot_run() -> None:
    (d,) = lint_files(REANA_REPO, RULE, config({SELECTION: 0}))
    assert "which REANA cannot use" in d.message


def test_recast_layout_is_information() -> None:
    (d,) = lint_files(analysisbase("21.2.85", base=RECAST_REPO), RULE)
    assert d.severity is Severity.INFO


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"image": "atlas/analysisbase", "imagetag": "21.2.85-centos7"},
            ("atlas/analysisbase", "21.2.85-centos7", False),
        ),
        ({"image": "atlas/analysisbase", "imagetag": 21.2}, ("atlas/analysisbase", "21.2", False)),
        ({"image": "atlas/analysisbase", "imagetag": 22}, ("atlas/analysisbase", "22", False)),
        ({"image": "host:5000/a/b"}, ("host:5000/a/b", None, False)),
        ({"image": "host:5000/a/b:1.0"}, ("host:5000/a/b", "1.0", False)),
        ({"image": "a/b@sha256:00"}, ("a/b", None, True)),
        ({"image": "a/b", "imagetag": ""}, ("a/b", None, False)),
        ({"image": "a/b", "imagetag": True}, ("a/b", None, False)),
        ({"image": "a/b", "imagetag": {"x": 1}}, ("a/b", None, False)),
        ({"image": 5}, None),
        ({"image": "  "}, None),
        ({}, None),
    ],
)
def test_image_reference(env: dict[str, object], expected: object) -> None:
    assert image_reference(env) == expected


@pytest.mark.parametrize(
    ("repo", "tag", "uid"),
    [
        ("atlas/analysisbase", "21.2.87", 500),
        ("atlas/analysisbase", "21.2.88", 1000),
        ("atlas/analysisbase", "21.2.85-centos7", 500),
        ("atlas/analysisbase", "2.4.33", 500),
        ("atlas/analysisbase", "24.2.0", 1000),
        ("gitlab-registry.cern.ch/atlas/athena/analysisbase", "21.2.50", 500),
        ("gitlab-registry.cern.ch/atlas/analysisbase", "21.2.50", 500),
        ("gitlab-registry.cern.ch/other/analysisbase", "21.2.50", None),
        ("registry.hub.docker.com/library/atlas/analysisbase", "21.2.1", 500),
        ("atlas/analysisbase", "latest", None),
        ("atlas/analysisbase", None, None),
        ("atlas/athanalysis", "21.2.50", None),
    ],
)
def test_builtin_uids(repo: str, tag: str | None, uid: int | None) -> None:
    found = needed_uid(repo, tag, {})
    assert (found[0] if found else None) == uid


# --- with registry facts (tests/test_registry_cli.py gets them from a real registry) -----------


def lint_with_facts(
    files: dict[str, str], facts: dict[str, ImageFacts], cfg: Config | None = None
) -> list[Diagnostic]:
    project = make_project(files, cfg)
    project.image_facts = facts
    return lint(project, {RULE: RULES[RULE]})


def fact(uid: int | None, how: str = "user 'atlas' is UID 500 in its /etc/passwd") -> ImageFacts:
    key = f"{SELECTION}:v1.2.0"
    return ImageFacts(key, True, "sha256:" + "c" * 64, "atlas", uid, how if uid is not None else "")


def test_registry_fact_gives_the_uid() -> None:
    (d,) = lint_with_facts(REANA_REPO, {f"{SELECTION}:v1.2.0": fact(500)})
    assert positions([d]) == ["specs/steps.yml:8:12"]
    assert d.message == (
        f"image '{SELECTION}:v1.2.0' runs as UID 500 (user 'atlas' is UID 500 in its "
        "/etc/passwd, said its registry) but REANA runs jobs as UID 1000; add "
        "`- kubernetes_uid: 500` to environment.resources"
    )


def test_configured_uid_wins_over_the_registry() -> None:
    found = lint_with_facts(
        REANA_REPO, {f"{SELECTION}:v1.2.0": fact(500)}, config({SELECTION: 1000})
    )
    assert found == []


def test_registry_wins_over_the_analysisbase_rule() -> None:
    files = analysisbase("21.2.85-centos7")
    key = "docker.io/atlas/analysisbase:21.2.85-centos7"
    facts = {
        key: ImageFacts(key, True, "sha256:" + "d" * 64, "1000", 1000, "its config sets User 1000")
    }
    assert lint_with_facts(files, facts) == []


@pytest.mark.parametrize("uid", [0, None], ids=["root", "unknown"])
def test_root_or_unknown_uid_is_no_finding(uid: int | None) -> None:
    assert lint_with_facts(REANA_REPO, {f"{SELECTION}:v1.2.0": fact(uid, "no User")}) == []


def test_fix_adds_the_registry_uid() -> None:
    project = make_project(REANA_REPO)
    project.image_facts = {f"{SELECTION}:v1.2.0": fact(500)}
    (edit,) = list(RULES[RULE].fix(project, {}))  # type: ignore[attr-defined]
    assert edit.add == ("kubernetes_uid: 500",)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"image": "ubuntu", "imagetag": "22.04"}, "docker.io/library/ubuntu:22.04"),
        ({"image": "ubuntu"}, "docker.io/library/ubuntu:latest"),
        (
            {"image": "index.docker.io/atlas/analysisbase:21.2.4"},
            "docker.io/atlas/analysisbase:21.2.4",
        ),
        ({"image": "localhost:5000/a", "imagetag": "v1"}, "localhost:5000/a:v1"),
        (
            {"image": "h.io/a/b", "imagetag": "v1@sha256:" + "e" * 64},
            "h.io/a/b@sha256:" + "e" * 64,
        ),
        ({"image": "h.io/a/b@sha256:" + "e" * 64}, "h.io/a/b@sha256:" + "e" * 64),
        ({"image": "UPPER/case"}, None),
        ({"image": "a/b", "imagetag": "bad tag"}, None),
    ],
)
def test_pulled_reference(env: dict[str, Any], expected: str | None) -> None:
    ref = pulled_reference(env)
    assert (ref.key if ref else None) == expected


def test_pinned_imagetag_is_a_digest_for_rr407() -> None:
    env = {"image": "h.io/a/b", "imagetag": "master@sha256:" + "e" * 64}
    assert image_reference(env) == ("h.io/a/b", "master", True)
