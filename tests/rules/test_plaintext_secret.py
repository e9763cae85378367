from __future__ import annotations

import dataclasses

import pytest
from helpers import REANA_REPO, RECAST_REPO, lint_files, positions, replace_in

from recast_reana.lint.diagnostics import format_codequality, format_json

RULE = "RR501"

# Secrets are assembled at run time so that this repository never holds one that a scanner
# (this rule, GitLab push protection) would flag. Each contains SENTINEL, which no output may show.
SENTINEL = "Sentinel"
PASSWORD = "Pw" + SENTINEL + "7x!"
TOKEN = "Zq9" + SENTINEL + "Kp2Lm4NbXyz"  # 22 characters, like secrets.token_urlsafe(16)
GLPAT = "gl" + "pat-" + TOKEN[:20]
KEY_BLOCK = (
    "-----BEGIN " + "RSA PRIVATE KEY-----\n"
    "MIIEpAIBAAKCAQEA" + SENTINEL + "q3Xr9Lm2Kp8Vb4Nc7Tz1Wy5Hd6Jf0Gs\n"
    "-----END RSA PRIVATE KEY-----\n"
)
SCRIPT = "      select {input_file} {output_file}\n"


def in_script(line: str, base: dict[str, str] = REANA_REPO) -> dict[str, str]:
    """`line` added to the select step's script (line 5 of specs/steps.yml, indented 6)."""
    return replace_in(base, "specs/steps.yml", SCRIPT, f"      {line}\n{SCRIPT}")


def plus(base: dict[str, str] = REANA_REPO, **files: str) -> dict[str, str]:
    return {**base, **{k.replace("__", "/").replace("_DOT_", "."): v for k, v in files.items()}}


PASS = [
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(in_script('echo "$CERN_PASSWORD" | kinit "$CERN_USER@CERN.CH"'), id="kinit-env"),
    pytest.param(in_script("echo {password} | kinit analyst@CERN.CH"), id="kinit-yadage-param"),
    pytest.param(in_script("kinit -kt /secrets/analyst.keytab analyst@CERN.CH"), id="kinit-keytab"),
    pytest.param(in_script("echo xxxxxxxx | kinit analyst@CERN.CH"), id="kinit-xxxx"),
    pytest.param(
        plus(
            **{
                ".gitlab-ci.yml": (
                    "variables:\n"
                    "  REANA_ACCESS_TOKEN: $REANA_TOKEN\n"
                    "  CERN_PASSWORD: ${{ secrets.CERN_PASSWORD }}\n"
                    "  password: '<your password>'\n"
                    "  db_password: ${DB_PASSWORD}\n"
                    "  password_file: /run/secrets/pw\n"
                    "  password: null\n"
                    "  password: |\n"
                    "    not scanned as a literal\n"
                )
            }
        ),
        id="ci-variables-placeholders",
    ),
    pytest.param(
        plus(
            README_DOT_md=(
                "export REANA_ACCESS_TOKEN=<your-token>\n"
                "export REANA_ACCESS_TOKEN=xxxxxxxxxxxxxxxxxxxxxx\n"
                "token: glpat-xxxxxxxxxxxxxxxxxxxx or glpat-XXXXXXXXXXXXXXXXXXXX\n"
                "curl https://reana.cern.ch/api/you?access_token=$REANA_ACCESS_TOKEN\n"
                "reana-client ping -t $REANA_ACCESS_TOKEN\n"
                "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n"
                "CERN_PASSWORD=$(cat ~/.pw)\n"
            )
        ),
        id="documentation-placeholders",
    ),
    pytest.param(plus(notes_DOT_txt="password: hunter2 (not YAML)\n"), id="yaml-keys-only-in-yaml"),
]

FAIL = [
    pytest.param(
        in_script(f"echo '{PASSWORD}' | kinit analyst@CERN.CH"),
        ["specs/steps.yml:5:13"],
        id="echo-pipe-kinit-in-step",
    ),
    pytest.param(
        in_script(f"printf '%s\\n' \"{PASSWORD}\" | /usr/bin/kinit analyst", RECAST_REPO),
        ["specs/steps.yml:5:22"],
        id="printf-pipe-kinit-recast-layout",
    ),
    pytest.param(
        in_script(f"kinit analyst@CERN.CH <<< {PASSWORD}"),
        ["specs/steps.yml:5:33"],
        id="herestring",
    ),
    pytest.param(
        plus(auth_DOT_sh=f"kinit analyst@CERN.CH <<EOF\n  {PASSWORD}\nEOF\n"),
        ["auth.sh:2:3"],
        id="heredoc",
    ),
    pytest.param(
        plus(getkrb_DOT_sh=f"#!/bin/sh\necho '{PASSWORD}' | kinit analyst@CERN.CH\n"),
        ["getkrb.sh:2:7"],
        id="recast-auth-write-output",
    ),
    pytest.param(
        plus(**{".gitlab-ci.yml": f"variables:\n  GITLAB_TOKEN: {GLPAT}\n"}),
        [".gitlab-ci.yml:2:17"],
        id="gitlab-token-in-ci",
    ),
    pytest.param(
        plus(sync_DOT_py=f'URL = "https://oauth2:{"XYZ-" + GLPAT}@gitlab.cern.ch/a/b.git"\n'),
        ["sync.py:1:27"],
        id="gitlab-token-with-instance-prefix-in-url",
    ),
    pytest.param(
        replace_in(
            REANA_REPO, "reana.yaml", "    xsec: 44.8\n", f"    xsec: 44.8\n    token: {GLPAT}\n"
        ),
        ["reana.yaml:5:12"],
        id="gitlab-token-in-reana-yaml",
    ),
    pytest.param(
        plus(run_DOT_sh=f"export REANA_ACCESS_TOKEN={TOKEN}\n"),
        ["run.sh:1:27"],
        id="reana-token-export",
    ),
    pytest.param(
        plus(**{".gitlab-ci.yml": f"variables:\n  REANA_ACCESS_TOKEN: '{TOKEN}'\n"}),
        [".gitlab-ci.yml:2:24"],
        id="reana-token-ci-variable",
    ),
    pytest.param(
        plus(notes_DOT_md=f"curl 'https://reana.cern.ch/api/workflows?access_token={TOKEN}'\n"),
        ["notes.md:1:56"],
        id="reana-token-in-url",
    ),
    pytest.param(
        plus(Makefile=f"ping:\n\treana-client ping --access-token {TOKEN}\n"),
        ["Makefile:2:35"],
        id="reana-client-option",
    ),
    pytest.param(plus(deploy__id_rsa=KEY_BLOCK), ["deploy/id_rsa:1:1"], id="private-key"),
    pytest.param(
        plus(config_DOT_json='{"key": "' + KEY_BLOCK.replace("\n", "\\n") + '"}'),
        ["config.json:1:10"],
        id="private-key-escaped-in-json",
    ),
    pytest.param(
        replace_in(
            RECAST_REPO,
            "recast.yml",
            "      xsec: 44.8\n",
            f"      xsec: 44.8\n      cern_password: '{PASSWORD}'\n",
        ),
        ["recast.yml:11:23"],
        id="password-key-in-recast-yml",
    ),
    pytest.param(
        plus(secrets_DOT_yaml=f"- 'Password': {PASSWORD} # mine\n"),
        ["secrets.yaml:1:15"],
        id="password-key-quoted-in-list",
    ),
    pytest.param(
        in_script(f"export CERN_PASSWORD={PASSWORD}"), ["specs/steps.yml:5:28"], id="shell-password"
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "plaintext-secret" for d in found)


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_secret_never_in_output(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert found
    for d in found:
        for field in dataclasses.fields(d):
            assert SENTINEL not in str(getattr(d, field.name)), field.name
    assert SENTINEL not in format_json(found)
    assert SENTINEL not in format_codequality(found, {})


def test_marker_covers_the_secret() -> None:
    files = plus(run_DOT_sh=f"export REANA_ACCESS_TOKEN={TOKEN}\n")
    (d,) = lint_files(files, RULE)
    line = files["run.sh"].splitlines()[d.line - 1]
    assert line[d.col - 1 : d.end_col - 1] == TOKEN


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            in_script(f"echo '{PASSWORD}' | kinit a@CERN.CH"),
            "password given to kinit in plain text",
        ),
        (plus(a_DOT_yml=f"t: {GLPAT}\n"), "GitLab access token (glpat prefix) in plain text"),
        (plus(a_DOT_sh=f"REANA_ACCESS_TOKEN={TOKEN}\n"), "REANA access token in plain text"),
        (plus(k=KEY_BLOCK), "RSA PRIVATE KEY block in plain text"),
        (
            plus(a_DOT_yml=f"cern_password: {PASSWORD}\n"),
            "'cern_password' is given a literal password",
        ),
    ],
)
def test_messages(files: dict[str, str], expected: str) -> None:
    (d,) = lint_files(files, RULE)
    assert d.message.startswith(expected)
    assert "secret" in d.message or "revoke" in d.message or "regenerate" in d.message


def test_one_finding_per_secret() -> None:
    # A GitLab token given to a password key is one secret, reported once.
    files = plus(a_DOT_yml=f"password: {GLPAT}\n")
    assert positions(lint_files(files, RULE)) == ["a.yml:1:11"]


def test_binary_and_large_files_are_skipped() -> None:
    files: dict[str, str | bytes] = {
        **REANA_REPO,
        "blob.bin": b"\x00\x01" + f"echo '{PASSWORD}' | kinit a".encode(),
    }
    assert lint_files(files, RULE) == []
