from __future__ import annotations

import pytest
from helpers import (
    GRAPH_REANA_REPO,
    GRAPH_RECAST_REPO,
    REANA_REPO,
    RECAST_REPO,
    lint_files,
    positions,
    replace_in,
    with_files,
)

RULE = "RR202"
WF = "specs/workflow.yml"
ENVS = "docker:\n  environment_type: docker-encapsulated\n  image: x\n  imagetag: v1\n"
ENV_BLOCK = (
    "  environment:\n    environment_type: docker-encapsulated\n"
    "    image: gitlab-registry.cern.ch/analyst/selection\n    imagetag: v1.2.0\n"
)


def _nested(base: dict[str, str], ref: str) -> dict[str, str]:
    """`base` whose select step takes its environment from specs/envs.yml through `ref`."""
    steps = base["specs/steps.yml"].replace(ENV_BLOCK, f"  environment: {{$ref: '{ref}'}}\n", 1)
    return with_files(base, specs__steps_DOT_yml=steps, specs__envs_DOT_yml=ENVS)


PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(GRAPH_REANA_REPO, id="graph-reana-layout"),
    pytest.param(GRAPH_RECAST_REPO, id="graph-recast-layout"),
    pytest.param(
        replace_in(RECAST_REPO, WF, "steps.yml#/select", "steps.yml#select"),
        id="pointer-without-slash",
    ),
    pytest.param(_nested(RECAST_REPO, "envs.yml#/docker"), id="nested-ref-recast"),
    pytest.param(_nested(REANA_REPO, "envs.yml#/docker"), id="nested-ref-reana"),
    pytest.param(
        with_files(RECAST_REPO, reana_DOT_yaml=REANA_REPO["reana.yaml"]),
        id="recast-refs-with-reana-yaml-is-RR201s",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO,
            WF,
            "steps.yml#/select",
            "https://gitlab.cern.ch/analyst/specs/raw/main/steps.yml#/select",
        ),
        id="remote-ref",
    ),
]


def _looping(step: str, extra: str) -> dict[str, str]:
    """REANA_REPO with the fit stage's step replaced by `step` and `extra` added to steps.yml."""
    files = replace_in(REANA_REPO, WF, "{$ref: specs/steps.yml#/fit}", step)
    files["specs/steps.yml"] += extra
    return files


FAIL = [
    pytest.param(
        with_files(
            replace_in(RECAST_REPO, WF, "steps.yml#/select", "specs/steps.yml#/select"),
            reana_DOT_yaml=REANA_REPO["reana.yaml"],
        ),
        [f"{WF}:9:18"],
        id="half-converted-main",
    ),
    pytest.param(
        replace_in(RECAST_REPO, WF, "steps.yml#/select", "specs/steps.yml#/select"),
        [f"{WF}:9:18"],
        id="root-relative-ref-on-recast-layout",
    ),
    pytest.param(
        _looping("{$ref: specs/steps.yml#/loop}", "loop: {$ref: '#/loop'}\n"),
        ["specs/steps.yml:27:14", "specs/workflow.yml:18:18"],
        id="ref-to-itself",
    ),
    pytest.param(
        _looping("{$ref: specs/steps.yml#/a}", "a: {$ref: '#/b'}\nb: {$ref: '#/a'}\n"),
        ["specs/steps.yml:27:11", "specs/steps.yml:28:11", "specs/workflow.yml:18:18"],
        id="two-ref-cycle",
    ),
    pytest.param(
        _looping("{$ref: specs/steps.yml#/all}", "all: {$ref: '#'}\n"),
        ["specs/steps.yml:27:13", "specs/workflow.yml:18:18"],
        id="ref-to-the-whole-file",
    ),
    pytest.param(
        _looping("{$ref: specs/steps.yml#/x}", "x: {$ref: 'other.yml#/y'}\n")
        | {"specs/other.yml": "y: {$ref: 'steps.yml#/x'}\n"},
        ["specs/other.yml:1:11", "specs/steps.yml:27:11", "specs/workflow.yml:18:18"],
        id="cross-file-cycle",
    ),
    pytest.param(
        replace_in(RECAST_REPO, WF, "steps.yml#/select", "steps.yml#/selection"),
        ["specs/workflow.yml:9:18"],
        id="unknown-key-recast",
    ),
    pytest.param(
        replace_in(REANA_REPO, WF, "specs/steps.yml#/fit", "specs/step.yml#/fit"),
        ["specs/workflow.yml:18:18"],
        id="unknown-file-reana",
    ),
    pytest.param(
        replace_in(REANA_REPO, WF, "specs/steps.yml#/fit", "steps.yml#/fit"),
        ["specs/workflow.yml:18:18"],
        id="recast-spelling-in-reana-layout",
    ),
    pytest.param(
        _nested(RECAST_REPO, "specs/envs.yml#/docker"),
        ["specs/steps.yml:6:23"],
        id="nested-ref-written-from-the-root",
    ),
    pytest.param(
        _nested(REANA_REPO, "envs.yml#/docker/image/x"),
        ["specs/steps.yml:6:23"],
        id="pointer-into-a-string",
    ),
    pytest.param(
        replace_in(RECAST_REPO, WF, "steps.yml#/select", "../../steps.yml#/select"),
        ["specs/workflow.yml:9:18"],
        id="outside-the-repository",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "ref-unresolved" for d in found)


def _message(files: dict[str, str]) -> str:
    (d,) = lint_files(files, RULE)
    return d.message


def test_suggests_the_closest_key() -> None:
    files = replace_in(RECAST_REPO, WF, "steps.yml#/select", "steps.yml#/selction")
    assert _message(files) == (
        "$ref 'steps.yml#/selction' does not resolve: 'specs/steps.yml' has no '#/selction'; "
        "did you mean 'steps.yml#/select'?"
    )


def test_suggests_a_deeper_key_keeping_the_spelling() -> None:
    files = replace_in(RECAST_REPO, WF, "steps.yml#/select", "steps.yml#select/enviroment")
    assert _message(files).endswith("did you mean 'steps.yml#select/environment'?")


def test_suggests_the_closest_file() -> None:
    files = replace_in(REANA_REPO, WF, "specs/steps.yml#/fit", "specs/step.yml#/fit")
    assert _message(files) == (
        "$ref 'specs/step.yml#/fit' does not resolve: file 'specs/step.yml' does not exist; "
        "did you mean 'specs/steps.yml#/fit'?"
    )


def test_suggests_the_file_relative_to_the_base() -> None:
    # REANA resolves from the root: the recast spelling gets the REANA one suggested.
    files = replace_in(REANA_REPO, WF, "specs/steps.yml#/fit", "steps.yml#/fit")
    assert _message(files).endswith("did you mean 'specs/steps.yml#/fit'?")
    # A nested ref is relative to its own file.
    files = _nested(RECAST_REPO, "specs/envs.yml#/docker")
    assert _message(files).endswith("did you mean 'envs.yml#/docker'?")


def test_no_suggestion_when_nothing_is_close() -> None:
    files = replace_in(RECAST_REPO, WF, "steps.yml#/select", "steps.yml#/zzz")
    assert _message(files) == (
        "$ref 'steps.yml#/zzz' does not resolve: 'specs/steps.yml' has no '#/zzz'"
    )


def test_file_that_does_not_load() -> None:
    files = with_files(_nested(RECAST_REPO, "envs.yml#/docker"), specs__envs_DOT_yml="a: [")
    assert _message(files) == (
        "$ref 'envs.yml#/docker' does not resolve: file 'specs/envs.yml' does not load"
    )


def test_a_cycle_is_spelled_out() -> None:
    files = _looping("{$ref: specs/steps.yml#/a}", "a: {$ref: '#/b'}\nb: {$ref: '#/a'}\n")
    messages = [d.message for d in lint_files(files, RULE)]
    assert messages[-1] == (
        "$ref 'specs/steps.yml#/a' never ends: specs/workflow.yml#/stages/1/scheduler/step -> "
        "specs/steps.yml#/a -> specs/steps.yml#/b -> specs/steps.yml#/a; yadage-schemas recurses "
        "for ever and REANA refuses the run at start (Reference refers directly to itself)"
    )


def test_half_converted_main_says_how_recast_atlas_reads_it() -> None:
    files = with_files(
        replace_in(RECAST_REPO, WF, "steps.yml#/select", "specs/steps.yml#/select"),
        reana_DOT_yaml=REANA_REPO["reana.yaml"],
    )
    (d,) = lint_files(files, RULE)
    assert d.message == (
        "$ref 'specs/steps.yml#/select' is written from the repository root, but recast-atlas "
        "resolves the top-level workflow's $refs from 'specs/': file 'specs/specs/steps.yml' "
        "does not exist; write 'steps.yml#/select' (`recast-reana convert` writes REANA's "
        "spelling on the reana branch)"
    )


def test_converted_branch_takes_root_relative_refs() -> None:
    # Every ref written from the root: a converted branch, where REANA runs the workflow.
    files = with_files(REANA_REPO, recast_DOT_yml=RECAST_REPO["recast.yml"])
    assert lint_files(files, RULE) == []


def test_recast_layout_refs_can_be_turned_off() -> None:
    from recast_reana.model.config import Config

    files = replace_in(RECAST_REPO, WF, "steps.yml#/select", "specs/steps.yml#/select")
    off = Config(options={"RR202": {"recast_layout_refs": False}})
    assert lint_files(files, RULE, off) == []
