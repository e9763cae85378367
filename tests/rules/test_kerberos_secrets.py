from __future__ import annotations

import pytest
from helpers import REANA_REPO, RECAST_REPO, lint_files, positions, replace_in

from recast_reana.lint.diagnostics import Severity
from rules.test_serial_parameter import SERIAL

RULE = "RR403"
TAG = "    imagetag: v1.2.0\n"  # first occurrence: the select step (steps.yml line 9)


def resources(base: dict[str, str], text: str) -> dict[str, str]:
    return replace_in(base, "specs/steps.yml", TAG, TAG + text)


def both_steps(base: dict[str, str], text: str) -> dict[str, str]:
    files = dict(base)
    files["specs/steps.yml"] = base["specs/steps.yml"].replace(TAG, TAG + text)
    return files


def workflow_kerberos(base: dict[str, str]) -> dict[str, str]:
    return replace_in(
        base,
        "reana.yaml",
        "  file: specs/workflow.yml\n",
        "  file: specs/workflow.yml\n  resources:\n    kerberos: true\n",
    )


PASS = [
    pytest.param(SERIAL, id="serial-step-without-credentials"),
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(resources(REANA_REPO, "    resources: [CVMFS]\n"), id="cvmfs-needs-no-secret"),
    pytest.param(
        resources(REANA_REPO, "    resources:\n      - kerberos: false\n      - rucio: 'yes'\n"),
        id="false-or-wrong-type",
    ),
    pytest.param(
        resources(REANA_REPO, "    resources:\n      - kubernetes_uid: 500\n"), id="other-keys"
    ),
]

FAIL = [
    pytest.param(
        replace_in(
            SERIAL, "reana.yaml", "        commands:", "        kerberos: true\n        commands:"
        ),
        ["reana.yaml:13:9"],
        id="serial-step-kerberos",
    ),
    pytest.param(
        resources(REANA_REPO, "    resources:\n      - kerberos: true\n"),
        ["specs/steps.yml:11:9"],
        id="kerberos",
    ),
    pytest.param(
        resources(RECAST_REPO, "    resources: [GRIDProxy]\n"),
        ["specs/steps.yml:10:17"],
        id="gridproxy-becomes-kerberos-recast-layout",
    ),
    pytest.param(
        resources(REANA_REPO, "    resources:\n      - KRB5Auth\n      - CVMFS\n"),
        ["specs/steps.yml:11:9"],
        id="krb5auth",
    ),
    pytest.param(
        resources(
            REANA_REPO,
            "    resources:\n      - kubernetes_uid: 500\n      - voms_proxy: true\n"
            "      - kerberos: true\n",
        ),
        ["specs/steps.yml:12:9"],
        id="once-per-step-at-first-credential",
    ),
    pytest.param(
        both_steps(REANA_REPO, "    resources: [{kerberos: true}]\n"),
        ["specs/steps.yml:10:17", "specs/steps.yml:24:17"],
        id="each-step",
    ),
    pytest.param(
        resources(REANA_REPO, "    resources:\n      - rucio: true\n"),
        ["specs/steps.yml:11:9", "specs/steps.yml:11:9"],
        id="rucio-without-voms-proxy",
    ),
    pytest.param(
        workflow_kerberos(resources(REANA_REPO, "    resources:\n      - kerberos: true\n")),
        ["reana.yaml:12:15"],
        id="workflow-level-kerberos-reported-once",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "kerberos-secrets" for d in found)


def test_kerberos_message_lists_secrets_and_command() -> None:
    (d,) = lint_files(resources(REANA_REPO, "    resources:\n      - kerberos: true\n"), RULE)
    assert d.severity is Severity.INFO
    assert d.message.startswith("step 'select' uses kerberos on REANA: ")
    assert "CERN_USER, CERN_KEYTAB must exist" in d.message
    assert d.message.endswith(
        "`reana-client secrets-add --env CERN_USER=<user> --env CERN_KEYTAB=<user>.keytab "
        "--file ~/<user>.keytab` (CERN_KEYTAB is the keytab's file name: REANA stores a file "
        "secret under its base name)"
    )


def test_voms_message() -> None:
    files = resources(REANA_REPO, "    resources:\n      - voms_proxy: true\n")
    (d,) = lint_files(files, RULE)
    assert "VONAME, VOMSPROXY_FILE" in d.message
    assert "VOMSPROXY_PASS with userkey.pem and usercert.pem" in d.message
    assert "CERN_USER" not in d.message


def test_rucio_message_includes_voms_secrets_and_warns_about_missing_voms_proxy() -> None:
    files = resources(REANA_REPO, "    resources:\n      - rucio: true\n")
    info, warning = sorted(lint_files(files, RULE), key=lambda d: d.severity or "")
    assert info.severity is Severity.INFO
    assert "VONAME, VOMSPROXY_FILE" in info.message and "RUCIO_USERNAME" in info.message
    assert "--env VOMSPROXY_FILE=x509up_u1000" in info.message
    assert warning.severity is Severity.WARNING
    assert "add `- voms_proxy: true`" in warning.message


def test_workflow_level_kerberos_message() -> None:
    (d,) = lint_files(workflow_kerberos(REANA_REPO), RULE)
    assert d.message.startswith("every step of the workflow uses kerberos on REANA")


def test_rucio_with_voms_proxy_gives_only_the_information() -> None:
    files = resources(REANA_REPO, "    resources:\n      - voms_proxy: true\n      - rucio: true\n")
    (d,) = lint_files(files, RULE)
    assert d.severity is Severity.INFO
    assert "uses voms_proxy, rucio on REANA" in d.message
