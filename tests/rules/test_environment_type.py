from __future__ import annotations

import pytest
from helpers import REANA_REPO, RECAST_REPO, lint_files, positions, replace_in

RULE = "RR406"
DOCKER = "    environment_type: docker-encapsulated\n"  # first: the select step, line 7


def env_type(text: str, base: dict[str, str] = REANA_REPO) -> dict[str, str]:
    return replace_in(base, "specs/steps.yml", DOCKER, f"    environment_type: {text}\n")


PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(env_type("'docker-encapsulated'"), id="quoted"),
    pytest.param(replace_in(REANA_REPO, "specs/steps.yml", DOCKER, ""), id="missing-is-RR101"),
    pytest.param(env_type("[docker-encapsulated]"), id="wrong-type-is-RR101"),
]

FAIL = [
    pytest.param(env_type("localproc-env"), ["specs/steps.yml:7:23"], id="localproc"),
    pytest.param(
        env_type("noop-env", RECAST_REPO), ["specs/steps.yml:7:23"], id="noop-recast-layout"
    ),
    pytest.param(env_type("manual-instructions-env"), ["specs/steps.yml:7:23"], id="manual"),
    pytest.param(env_type("docker-encapsulate"), ["specs/steps.yml:7:23"], id="typo"),
    pytest.param(
        {
            **REANA_REPO,
            "specs/steps.yml": REANA_REPO["specs/steps.yml"].replace(
                DOCKER, "    environment_type: localproc-env\n"
            ),
        },
        ["specs/steps.yml:7:23", "specs/steps.yml:20:23"],
        id="both-steps",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "environment-type" for d in found)


def test_known_type_message() -> None:
    (d,) = lint_files(env_type("localproc-env"), RULE)
    assert d.message == (
        "step 'select' uses environment_type 'localproc-env', which runs commands on the host; "
        "REANA runs only 'docker-encapsulated' steps (a container image): package the step in an "
        "image"
    )


def test_typo_message_suggests() -> None:
    (d,) = lint_files(env_type("docker-encapsulate"), RULE)
    assert d.message.endswith("did you mean 'docker-encapsulated'?")
    (d,) = lint_files(env_type("singularity"), RULE)
    assert "did you mean" not in d.message
