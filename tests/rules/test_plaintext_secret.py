from __future__ import annotations

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


# Precision and recall: real-looking lines, each a secret (the string the marker must cover) or
# not (None). Lines written after public RECAST/REANA repositories, CI templates and docs, e.g.
# Nollde/recast_example_docker_x86 run_local_example.sh (`export RECAST_AUTH_PASSWORD=#SECRET`).
TABLE = [
    # -- secrets --
    pytest.param("run.sh", f"RECAST_PASS={PASSWORD}\n", PASSWORD, id="sh-recast-pass"),
    pytest.param(
        "run.sh", f'export RECAST_AUTH_PASSWORD="{PASSWORD}"\n', PASSWORD, id="sh-export-quoted"
    ),
    pytest.param("setup.sh", f"export CERN_PASSWORD='{PASSWORD}'\n", PASSWORD, id="sh-cern-pw"),
    pytest.param(".env", f"CERN_PASS={PASSWORD}\n", PASSWORD, id="dotenv-pass"),
    pytest.param("run.sh", f"AWS_SECRET_ACCESS_KEY={TOKEN}\n", TOKEN, id="sh-aws-secret-key"),
    pytest.param(
        "run.sh",
        f"RECAST_USER=analyst RECAST_PASS={PASSWORD} recast run x\n",
        PASSWORD,
        id="sh-command-prefix",
    ),
    pytest.param(
        ".gitlab-ci.yml", f"variables:\n  RECAST_PASS: {PASSWORD}\n", PASSWORD, id="ci-variable"
    ),
    pytest.param(
        ".gitlab-ci.yml", f'variables:\n  GITLAB_TOKEN: "{TOKEN}"\n', TOKEN, id="ci-gitlab-token"
    ),
    pytest.param(
        ".gitlab-ci.yml",
        "variables:\n  CERN_PASSWORD:\n    description: service account\n"
        f"    value: '{PASSWORD}'\n",
        PASSWORD,
        id="ci-variable-expanded",
    ),
    pytest.param(
        ".gitlab-ci.yml",
        f"run:\n  script:\n    - export RECAST_AUTH_PASSWORD={PASSWORD}\n    - recast run x\n",
        PASSWORD,
        id="ci-script-export",
    ),
    pytest.param(
        ".gitlab-ci.yml",
        f"clone:\n  script:\n    - git clone https://oauth2:{GLPAT}@gitlab.cern.ch/a/b.git\n",
        GLPAT,
        id="ci-glpat-in-url",
    ),
    pytest.param(
        ".gitlab-ci.yml", f"variables:\n  REANA_ACCESS_TOKEN: {TOKEN}\n", TOKEN, id="ci-reana"
    ),
    pytest.param("config.yml", f"db_password: {PASSWORD}\n", PASSWORD, id="yaml-db-password"),
    pytest.param("values.yaml", f"auth:\n  dbPassword: {PASSWORD}\n", PASSWORD, id="yaml-camel"),
    pytest.param(
        "docker-compose.yml",
        f"services:\n  db:\n    environment:\n      - DB_PASSWORD={PASSWORD}\n",
        PASSWORD,
        id="compose-list-assignment",
    ),
    pytest.param(
        "secrets.json", f'{{\n  "client_secret": "{TOKEN}",\n  "id": 3\n}}\n', TOKEN, id="json"
    ),
    pytest.param(
        "specs/auth.yml",
        f"auth:\n  process:\n    process_type: interpolated-script-cmd\n    script: |\n"
        f"      export RECAST_PASS={PASSWORD}\n",
        PASSWORD,
        id="yadage-script-export",
    ),
    pytest.param("Makefile", f"RECAST_PASS = {PASSWORD}\n", PASSWORD, id="make-recursive"),
    pytest.param("Makefile", f"export CERN_PASSWORD ?= {PASSWORD}\n", PASSWORD, id="make-export"),
    pytest.param("Makefile", f"GITLAB_TOKEN := {TOKEN}  # ci\n", TOKEN, id="make-simple"),
    pytest.param("setup.cfg", f"[db]\npassword = {PASSWORD}\n", PASSWORD, id="config-ini"),
    pytest.param("Dockerfile", f"ENV RECAST_AUTH_PASSWORD={PASSWORD}\n", PASSWORD, id="docker-env"),
    pytest.param("Dockerfile", f"ENV CERN_PASSWORD {PASSWORD}\n", PASSWORD, id="docker-env-legacy"),
    pytest.param("Dockerfile", f"ARG GITLAB_TOKEN={TOKEN}\n", TOKEN, id="docker-arg-default"),
    pytest.param(
        "README.md",
        f"Set up:\n\n```bash\nexport RECAST_PASS={PASSWORD}\n```\n",
        PASSWORD,
        id="readme-bash-block",
    ),
    pytest.param(
        "README.md",
        f"In CI:\n\n~~~yaml\nvariables:\n  RECAST_AUTH_PASSWORD: {PASSWORD}\n~~~\n",
        PASSWORD,
        id="readme-yaml-block",
    ),
    pytest.param(
        "authdir/getkrb.sh", f"echo '{PASSWORD}'|kinit analyst@CERN.CH", PASSWORD, id="getkrb"
    ),
    pytest.param(
        "auth.sh",
        f"printf '%s\\n' \"{PASSWORD}\" | kinit analyst@CERN.CH\n",
        PASSWORD,
        id="printf-kinit",
    ),
    pytest.param(
        "auth.sh", f'kinit analyst@CERN.CH <<< "{PASSWORD}"\n', PASSWORD, id="herestring-kinit"
    ),
    pytest.param(
        "auth.sh", f"kinit analyst@CERN.CH <<EOF\n{PASSWORD}\nEOF\n", PASSWORD, id="heredoc-kinit"
    ),
    pytest.param(
        "make_keytab.sh",
        "ktutil <<EOF\naddent -password -p analyst@CERN.CH -k 1 -e aes256-cts\n"
        f"{PASSWORD}\nwkt analyst.keytab\nEOF\n",
        PASSWORD,
        id="ktutil-heredoc",
    ),
    pytest.param(
        "make_keytab.sh",
        'echo -e "addent -password -p analyst@CERN.CH -k 1 -e aes256-cts\\n'
        f'{PASSWORD}\\nwkt analyst.keytab" | ktutil\n',
        PASSWORD,
        id="ktutil-echo",
    ),
    pytest.param(
        "recast.yml",
        f"example_inputs:\n  default:\n    initdata:\n      eosuser: analyst\n"
        f"      eospass: '{PASSWORD}'\n",
        PASSWORD,
        id="recast-tutorial-eospass",
    ),
    # -- not secrets --
    pytest.param(
        "run_local_example.sh",
        "# Set these variables to your personal secret values\n"
        "export RECAST_AUTH_USERNAME=#USERNAME\nexport RECAST_AUTH_PASSWORD=#SECRET\n"
        "export RECAST_AUTH_TOKEN=#SECRET\n",
        None,
        id="hash-placeholder",
    ),
    pytest.param(
        "README.md",
        "```bash\nexport RECAST_AUTH_PASSWORD=[your CERN password]\n"
        "export RECAST_TOKEN=[your Gitlab personal token]\n```\n",
        None,
        id="bracket-placeholder",
    ),
    pytest.param("run.sh", "export RECAST_PASS=<password>\n", None, id="angle-placeholder"),
    pytest.param("run.sh", "export GITLAB_TOKEN='<your token>'\n", None, id="angle-phrase"),
    pytest.param("config.yml", "    password: <...>\n", None, id="angle-ellipsis"),
    pytest.param(
        "run.sh",
        'RECAST_PASS="${RECAST_PASS}"\nRECAST_AUTH_PASSWORD=$RECAST_PASS\n',
        None,
        id="shell-variables",
    ),
    pytest.param("run.sh", "CERN_PASSWORD=$(cat ~/.cern_pw)\n", None, id="command-substitution"),
    pytest.param(
        ".github/workflows/ci.yml",
        "      - run: recast run x\n        env:\n"
        "          RECAST_PASS: ${{ secrets.RECAST_PASS }}\n",
        None,
        id="actions-secret",
    ),
    pytest.param(
        "specs/steps.yml",
        "fit:\n  process:\n    process_type: string-interpolated-cmd\n"
        "    cmd: 'echo \"{eospass}\" | kinit {eosuser}@CERN.CH'\n",
        None,
        id="yadage-parameter",
    ),
    pytest.param("docker-compose.yml", "      DB_PASSWORD: changeme\n", None, id="changeme"),
    pytest.param(
        "README.md", "```yaml\ntoken: xxxxxxxxxxxxxxxxxxxx\npassword: XXXX\n```\n", None, id="xxx"
    ),
    pytest.param("config.yml", "password: '***'\n", None, id="stars"),
    pytest.param("README.md", "Then `RECAST_PASS=...` and run.\n", None, id="ellipsis"),
    pytest.param("run.sh", "GITLAB_TOKEN=TODO\n", None, id="todo"),
    pytest.param("config.yml", "password: your_password\n", None, id="your-password"),
    pytest.param(
        "config.yml", 'password: ""\ntoken:\ndb_password: null\nsecret: true\n', None, id="empty"
    ),
    pytest.param("run.sh", "export CERN_PASSWORD=\n", None, id="empty-shell"),
    pytest.param("reana.yaml", "    password: CERN_PASSWORD\n", None, id="variable-name"),
    pytest.param("config.yml", "password: cern_password\n", None, id="naming-value"),
    pytest.param("run.sh", "PASSTHROUGH=enabled\nTOKENIZER=bert-base-uncased\n", None, id="words"),
    pytest.param("run.sh", "SECRETS_DIR=/run/secrets\n", None, id="secrets-dir"),
    pytest.param(
        "config.yml", "password_file: /eos/user/a/analyst/.pw\n", None, id="password-file"
    ),
    pytest.param(
        "config.yml",
        "token_url: https://auth.cern.ch/auth/realms/cern/protocol/openid-connect/token\n",
        None,
        id="token-url",
    ),
    pytest.param(
        "README.md",
        "```\nreana-client secrets-add --env CERN_USER=analyst --env CERN_KEYTAB=.keytab "
        "--file ~/.keytab\n```\n",
        None,
        id="keytab-secret-name",
    ),
    pytest.param(
        ".gitlab-ci.yml",
        '  script:\n    - echo "$CI_REGISTRY_PASSWORD" | docker login -u "$CI_REGISTRY_USER" '
        '--password-stdin "$CI_REGISTRY"\n',
        None,
        id="password-stdin",
    ),
    pytest.param(
        "auth.sh", "kinit -kt /secrets/analyst.keytab analyst@CERN.CH\n", None, id="kinit-keytab"
    ),
    pytest.param(
        "docs/keytab.md",
        "```shell\nktutil\naddent -password -p $USER@CERN.CH -k 1 -e rc4-hmac\n"
        "addent -password -p $USER@CERN.CH -k 1 -e aes256-cts\nwkt keytab\nquit\n```\n",
        None,
        id="ktutil-typed-at-prompt",
    ),
    pytest.param(
        "docs/keytab.md",
        "    - ktutil:  addent -password -p sys_a@EXAMPLE.COM -k 1 -e rc4-hmac\n"
        "    - Password for sys_a@EXAMPLE.COM: xxxxxx\n",
        None,
        id="ktutil-transcript",
    ),
    pytest.param(
        "make_keytab.sh",
        "printf 'addent -password -p %s -k 1 -e aes256-cts\\n%s\\nwkt krb5.keytab\\n' "
        '"$USER" "$(head -c 32 /dev/urandom | base64)" | ktutil\n',
        None,
        id="ktutil-printf-format",
    ),
    pytest.param(
        "auth.sh", "kinit gdrepo@CERN.CH <<EOF\n$1\nEOF\n", None, id="kinit-heredoc-argument"
    ),
    pytest.param("Makefile", "CERN_PASSWORD ?= $(shell cat .pw)\n", None, id="make-shell"),
    pytest.param("Makefile", "TOKEN_FILE := $(HOME)/.token\n", None, id="make-token-file"),
    pytest.param("Dockerfile", 'ARG GITLAB_TOKEN\nENV CERN_PASSWORD=""\n', None, id="docker-arg"),
    pytest.param(
        "README.md", "Password: ask the analysis contact.\n", None, id="markdown-prose-colon"
    ),
    pytest.param(
        "scripts/auth.py",
        "password = getpass.getpass()\nsubprocess.run(['kinit', user], input=password)\n",
        None,
        id="python-variable",
    ),
    pytest.param(
        "tokenizer_config.json",
        '{\n  "pad_token": "<pad>",\n  "unk_token": "[UNK]",\n  "eos_token": "</s>"\n}\n',
        None,
        id="ml-special-tokens",
    ),
    pytest.param("config.yml", "max_tokens: 4096\nsecretName: hepauth\n", None, id="count-name"),
    pytest.param("run.sh", "PASS_THRESHOLD=0.85\nPASS=0\n", None, id="physics-cut-counter"),
    pytest.param(
        ".gitlab-ci.yml", "variables:\n  REANA_ACCESS_TOKEN: $REANA_TOKEN\n", None, id="ci-ref"
    ),
    pytest.param(
        "README.md", "export REANA_ACCESS_TOKEN=xxxxxxxxxxxxxxxxxxxxxx\n", None, id="reana-xxx"
    ),
    pytest.param("docker-compose.yml", "      POSTGRES_PASSWORD: example\n", None, id="example"),
    pytest.param("site.yml", "db_password: !vault |\n  $ANSIBLE_VAULT;1.1\n", None, id="vault"),
    pytest.param("config.yml", "token: '{token}'\n", None, id="yadage-parameter-quoted"),
    pytest.param(
        "docs/voms-proxy.md",
        "```console\n$ reana-client secrets-add --file userkey.pem --file usercert.pem \\\n"
        "    --env VOMSPROXY_PASS=bXlncmlkcGFzc3BocmFzZQ== --env VONAME=cms\n```\n",
        None,
        id="base64-of-an-example",
    ),
    pytest.param(
        "_episodes/12-the-spy-game.md",
        "> ~~~\n> SERVICE_PASS=hunter42 CERN_USER=GoodWill printf $SERVICE_PASS | base64 -d"
        " | kinit $CERN_USER\n> ~~~\n",
        None,
        id="tutorial-example-password",
    ),
    pytest.param(
        "docs/users.md",
        "```console\n$ flask reana-admin token-grant --email a@example.org\n"
        "Token: c0fa47fa00ae4013a13fd7n\n```\n",
        None,
        id="console-output-not-yaml",
    ),
    pytest.param("run.sh", "BYPASS=true\nCOMPASS_DIR=/opt/compass\n", None, id="bypass"),
]


@pytest.mark.parametrize(("name", "text", "secret"), TABLE)
def test_table(name: str, text: str, secret: str | None) -> None:
    found = lint_files({**REANA_REPO, name: text}, RULE)
    if secret is None:
        assert found == []
        return
    assert len(found) == 1
    (d,) = found
    assert text.splitlines()[d.line - 1][d.col - 1 : d.end_col - 1] == secret


def test_precision_and_recall_on_the_table() -> None:
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    for row in TABLE:
        name, text, secret = row.values
        found = bool(lint_files({**REANA_REPO, name: text}, RULE))
        counts[("t" if found == (secret is not None) else "f") + ("p" if found else "n")] += 1
    precision = counts["tp"] / (counts["tp"] + counts["fp"])
    recall = counts["tp"] / (counts["tp"] + counts["fn"])
    print(f"{len(TABLE)} lines: {counts}, precision {precision:.0%}, recall {recall:.0%}")
    assert len(TABLE) >= 40
    assert (precision, recall) == (1.0, 1.0), counts


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
        for field, value in d._asdict().items():
            assert SENTINEL not in str(value), field
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
