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

from recast_reana.lint.diagnostics import Severity

RULE = "RR103"
RY = "recast.yml"
METADATA = "metadata:\n  author: analyst\n  short_description: minimal analysis\n"

PASS = [
    pytest.param(REANA_REPO, id="reana-layout-has-no-recast-yml"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(GRAPH_REANA_REPO, id="graph-reana-layout"),
    pytest.param(GRAPH_RECAST_REPO, id="graph-recast-layout"),
    pytest.param(
        replace_in(
            RECAST_REPO,
            RY,
            "spec:\n  workflow: workflow.yml\n",
            "spec:\n  workflow: workflow.yml\n  toplevel: specs\n"
            "tests:\n- name: select\n  spec: steps.yml#/select\n  parameters: {}\n",
        ),
        id="toplevel-and-tests",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO,
            RY,
            "  relpath: fit/limit.png\n",
            "  relpath: fit/limit.png\n  load_yaml: true\n",
        ),
        id="results-load-yaml",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO,
            RY,
            "    initdata:\n",
            "    dataopts:\n      initdir: /home/analyst/data\n    initdata:\n",
        ),
        id="example-dataopts",
    ),
    pytest.param(
        replace_in(RECAST_REPO, RY, "results:\n", "description: not read\nresults:\n"),
        id="unknown-key-not-like-a-known-one",
    ),
]

FAIL = [
    pytest.param(replace_in(RECAST_REPO, RY, METADATA, ""), ["recast.yml:1:1"], id="no-metadata"),
    pytest.param(
        replace_in(RECAST_REPO, RY, "name: examples/minimal\n", ""),
        ["recast.yml:1:1"],
        id="no-name",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO, RY, "spec:\n  workflow: workflow.yml\n", "spec:\n  toplevel: specs\n"
        ),
        ["recast.yml:5:1"],
        id="no-spec-workflow",
    ),
    pytest.param(
        replace_in(RECAST_REPO, RY, "metadata:\n  author: analyst\n", "metadata: analyst\nmeta:\n"),
        ["recast.yml:2:11"],
        id="metadata-not-a-mapping",
    ),
    pytest.param(
        replace_in(RECAST_REPO, RY, "  workflow: workflow.yml", "  workflow: [workflow.yml]"),
        ["recast.yml:6:13"],
        id="spec-workflow-not-a-string",
    ),
    pytest.param(
        replace_in(RECAST_REPO, RY, "    initdata:\n", "    init_data:\n"),
        ["recast.yml:8:3"],
        id="example-without-initdata",
    ),
    pytest.param(
        replace_in(RECAST_REPO, RY, "- name: limit plot\n  relpath", "- relpath"),
        ["recast.yml:13:3"],
        id="result-without-name",
    ),
    pytest.param(
        replace_in(RECAST_REPO, RY, "  relpath: fit/limit.png\n", "  path: fit/limit.png\n"),
        ["recast.yml:13:3"],
        id="result-without-relpath",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO, RY, "- name: limit plot\n  relpath: fit/limit.png\n", "  fit/limit.png\n"
        ),
        ["recast.yml:13:3"],
        id="results-not-a-list",
    ),
    pytest.param(
        replace_in(RECAST_REPO, RY, "results:\n", "result:\n"),
        ["recast.yml:12:1"],
        id="typo-in-top-level-key",
    ),
    pytest.param(
        with_files(RECAST_REPO, recast_DOT_yml=None, recast_DOT_yaml=RECAST_REPO[RY]),
        ["recast.yaml:1:1"],
        id="yaml-suffix-is-not-read",
    ),
    pytest.param(with_files(RECAST_REPO, recast_DOT_yml="- a\n"), ["recast.yml:1:1"], id="a-list"),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "recast-yml-schema" for d in found)


def _messages(files: dict[str, str]) -> list[str]:
    return [d.message for d in lint_files(files, RULE)]


def test_missing_required_keys_say_the_file_is_skipped() -> None:
    files = replace_in(RECAST_REPO, RY, METADATA, "")
    assert _messages(files) == [
        "recast.yml has no 'metadata'; recast-atlas silently skips a file without name, "
        "metadata and spec"
    ]
    files = with_files(RECAST_REPO, recast_DOT_yml="name: x\n")
    assert _messages(files) == [
        "recast.yml has no 'metadata', 'spec'; recast-atlas silently skips a file without name, "
        "metadata and spec"
    ]


def test_yaml_suffix_message() -> None:
    files = with_files(RECAST_REPO, recast_DOT_yml=None, recast_DOT_yaml=RECAST_REPO[RY])
    assert _messages(files) == [
        "recast-atlas reads only *.yml catalogue files and skips recast.yaml: rename it to "
        "recast.yml"
    ]


def test_entry_messages() -> None:
    files = replace_in(RECAST_REPO, RY, "- name: limit plot\n  relpath", "- relpath")
    assert _messages(files) == [
        "results[0] has no 'name': collecting the results fails with a KeyError"
    ]
    files = replace_in(RECAST_REPO, RY, "    initdata:\n", "    init_data:\n")
    assert _messages(files) == [
        "example_inputs.default has no 'initdata': `recast run --example default` fails with a "
        "KeyError"
    ]


def test_types() -> None:
    files = replace_in(RECAST_REPO, RY, "name: examples/minimal", "name: 42")
    assert _messages(files) == ["name must be a string, not int 42"]
    files = replace_in(
        RECAST_REPO,
        RY,
        "  relpath: fit/limit.png\n",
        "  relpath: fit/limit.png\n  load_yaml: 'yes'\n",
    )
    assert _messages(files) == ["results[0].load_yaml must be true or false, not str 'yes'"]
    files = replace_in(
        RECAST_REPO, RY, "    initdata:\n", "    dataopts: {initdir: }\n    initdata:\n"
    )
    assert _messages(files) == [
        "example_inputs.default.dataopts.initdir must be a string, not empty"
    ]


def test_warnings() -> None:
    files = replace_in(RECAST_REPO, RY, "  short_description: minimal analysis\n", "")
    found = lint_files(files, RULE)
    assert [(d.severity, d.message) for d in found] == [
        (
            Severity.WARNING,
            "metadata has no 'short_description': `recast catalogue ls` fails with a KeyError",
        )
    ]
    files = replace_in(RECAST_REPO, RY, "example_inputs:", "example_input:")
    (d,) = lint_files(files, RULE)
    assert d.severity is Severity.WARNING
    assert d.message == (
        "unknown key 'example_input' (recast-atlas ignores it); did you mean 'example_inputs'?"
    )


def test_malformed_data_never_raises() -> None:
    for text in (
        "",
        "null",
        "5",
        "name: [x]\nmetadata: 1\nspec: []\nresults: {a: 1}\ntests: [1]\n",
    ):
        lint_files(with_files(RECAST_REPO, recast_DOT_yml=text), RULE)
    text = "name: x\nmetadata: {}\nspec: {}\nexample_inputs: {a: 1, b: {initdata: 2}}\n"
    assert len(lint_files(with_files(RECAST_REPO, recast_DOT_yml=text), RULE)) == 4
