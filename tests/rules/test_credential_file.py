from __future__ import annotations

import base64

import pytest
from helpers import REANA_REPO, RECAST_REPO, lint_files, make_project, positions

from recast_reana.lint.diagnostics import format_codequality, format_text

RULE = "RR502"
# A keytab is binary (MIT Kerberos keytab format starts with 0x05 0x02); it is found by name.
KEYTAB = b"\x05\x02\x00\x00\x00\x3c\x00\x01\x00\x08CERN.CH\x00\x07analyst"
# What `recast auth write` writes; the password is assembled at run time and must never be shown.
SENTINEL = "Sentinel"
GETKRB = "echo 'Pw" + SENTINEL + "7x!'|kinit analyst@CERN.CH"
PEM_KEY = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHzBJBgkqhkiG9w0BBQ0wPDAbBgkqhkiG9w0B\n"


def plus(base: dict[str, str], **files: str | bytes) -> dict[str, str | bytes]:
    return {**base, **{k.replace("__", "/").replace("_DOT_", "."): v for k, v in files.items()}}


PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(
        plus(
            REANA_REPO,
            certs__usercert_DOT_pem="-----BEGIN CERTIFICATE-----\n",
            certs__ca_DOT_pem="-----BEGIN CERTIFICATE-----\n",
            docs__keytab_DOT_md="# How to make a keytab\n",
            scripts__getkrb_DOT_sh_DOT_example="echo '$PASSWORD' | kinit $USER@CERN.CH\n",
            krb5_DOT_conf="[libdefaults]\n",
        ),
        id="public-certificates-docs-and-config",
    ),
    # Placeholders: text where the name promises a credential, without one in it.
    pytest.param(plus(REANA_REPO, _DOT_keytab=""), id="empty-keytab-placeholder"),
    pytest.param(
        plus(REANA_REPO, auth__analyst_DOT_keytab="# put your keytab here (not committed)\n"),
        id="keytab-note",
    ),
    pytest.param(
        plus(
            RECAST_REPO,
            authdir__getkrb_DOT_sh='echo "$RECAST_AUTH_PASSWORD" | kinit "$RECAST_AUTH_USERNAME"\n',
        ),
        id="getkrb-reads-a-variable",
    ),
    pytest.param(
        plus(RECAST_REPO, getkrb_DOT_sh="echo '<password>'|kinit <user>@CERN.CH\n"),
        id="getkrb-template",
    ),
    pytest.param(plus(RECAST_REPO, getkrb_DOT_sh="#!/bin/sh\n"), id="getkrb-without-password"),
    pytest.param(plus(REANA_REPO, _DOT_globus__userkey_DOT_pem=""), id="empty-userkey"),
]

FAIL = [
    pytest.param(
        plus(RECAST_REPO, auth__analyst_DOT_keytab=KEYTAB), ["auth/analyst.keytab:1:1"], id="keytab"
    ),
    pytest.param(plus(REANA_REPO, _DOT_keytab=KEYTAB), [".keytab:1:1"], id="dot-keytab"),
    pytest.param(
        plus(REANA_REPO, Analyst_DOT_KEYTAB=KEYTAB), ["Analyst.KEYTAB:1:1"], id="keytab-upper-case"
    ),
    pytest.param(
        plus(REANA_REPO, krb5cc_1000=b"\x05\x04\x00\x0c"),
        ["krb5cc_1000:1:1"],
        id="credential-cache",
    ),
    pytest.param(
        plus(REANA_REPO, tmp__x509up_u1000="-----BEGIN CERTIFICATE-----\n"),
        ["tmp/x509up_u1000:1:1"],
        id="grid-proxy",
    ),
    pytest.param(plus(RECAST_REPO, getkrb_DOT_sh=GETKRB), ["getkrb.sh:1:1"], id="getkrb"),
    pytest.param(
        plus(REANA_REPO, _DOT_globus__userkey_DOT_pem=PEM_KEY),
        [".globus/userkey.pem:1:1"],
        id="grid-key",
    ),
    pytest.param(
        plus(REANA_REPO, ci__keytab=base64.encodebytes(KEYTAB).decode()),
        ["ci/keytab:1:1"],
        id="base64-keytab",
    ),
    pytest.param(
        plus(REANA_REPO, myCertificate_DOT_p12=b"\x30\x82\x0a\x00"),
        ["myCertificate.p12:1:1"],
        id="pkcs12",
    ),
    pytest.param(
        plus(REANA_REPO, a_DOT_keytab=KEYTAB, b__getkrb_DOT_sh=GETKRB),
        ["a.keytab:1:1", "b/getkrb.sh:1:1"],
        id="several",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str | bytes]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str | bytes], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "credential-file" for d in found)


def test_binary_keytab_is_in_the_model_without_text() -> None:
    project = make_project(plus(REANA_REPO, auth__analyst_DOT_keytab=KEYTAB))
    assert "auth/analyst.keytab" in project.other_files
    assert project.other_files["auth/analyst.keytab"] is None


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("analyst.keytab", KEYTAB, "analyst.keytab is a Kerberos keytab"),
        (
            "getkrb.sh",
            GETKRB,
            "getkrb.sh holds your CERN password (written by `recast auth write`)",
        ),
        ("krb5cc_1000", b"\x05\x04", "krb5cc_1000 is a Kerberos ticket cache"),
        ("x509up_u1000", PEM_KEY, "x509up_u1000 is a grid proxy"),
        ("userkey.pem", PEM_KEY, "userkey.pem holds a grid certificate private key"),
    ],
)
def test_message_says_remove_and_where_it_belongs(
    name: str, content: str | bytes, expected: str
) -> None:
    (d,) = lint_files({**REANA_REPO, f"sub/{name}": content}, RULE)
    assert d.message.startswith(expected)
    assert "remove it from git" in d.message
    assert "REANA" in d.message
    assert d.path == f"sub/{name}" and (d.line, d.col) == (1, 1)


def test_getkrb_password_never_shown() -> None:
    # The snippet of a credential file is its line 1: in a getkrb.sh, the password.
    files = plus(RECAST_REPO, getkrb_DOT_sh=GETKRB)
    found = lint_files(files, RULE)
    assert positions(found) == ["getkrb.sh:1:1"]
    sources = make_project(files).texts
    shown = format_text(found, sources, show_source=True) + format_codequality(found, sources)
    assert "getkrb.sh:1:1: RR502" in shown
    assert SENTINEL not in shown
