"""A password, token or private key written in plain text in a checked file.

Applies to: every file checked, whatever the workflow type.

## What it does
Scans every checked text file (specs, recast.yml, reana.yaml, scripts, CI files, docs) for:

- a password piped or fed to `kinit`: `echo 'pw' | kinit user@CERN.CH`, `printf '%s' pw | kinit`,
  `kinit user <<< pw`, or a here-document;
- GitLab tokens, recognised by their prefixes (`glpat-` personal/project/group access tokens,
  `gldt-` deploy, `glrt-`/`glrtr-` runner, `GR1348941` runner registration, `glcbt-` CI/CD job,
  `glptt-` pipeline trigger, `glft-` feed, `glimt-` incoming mail, `gloas-` OAuth application,
  `glagent-` cluster agent, `glsoat-` SCIM, `glffct-` feature flags client);
- REANA access tokens: `REANA_ACCESS_TOKEN=...` or `: ...`, `access_token=...` in a URL (REANA
  puts the token in the query string), `reana-client ... --access-token ...`;
- private key blocks (`-----BEGIN ... PRIVATE KEY-----` followed by key data);
- in YAML files, keys ending in `password`, `passwd` or `passphrase` with a literal value, and in
  any file, shell assignments such as `CERN_PASSWORD=...`.

Placeholders are not secrets: `$VAR`, `${VAR}`, `${{ secrets.X }}`, `$(cmd)`, `{password}` (a
yadage parameter), `<your token>`, `xxxx`, `****`, `changeme`, and tokens that do not look random.
The message gives the position and the kind of secret, never the secret itself.

## Why is this bad?
Everyone who can read the repository, its forks, mirrors and CI logs can use the secret, and the
git history keeps it after you delete it. `recast auth write` puts your CERN password into
`getkrb.sh` exactly like the example below.

## Example
```yaml
auth:
  process:
    process_type: string-interpolated-cmd
    cmd: echo 'S3cr3t-pw' | kinit analyst@CERN.CH
```

## Use instead
```yaml
auth:
  environment:
    resources:
      - kerberos: true   # REANA makes the ticket from the CERN_USER/CERN_KEYTAB user secrets
```

## Fix
Remove the secret, then treat it as leaked: change the password, revoke the token (GitLab: the
token's settings page; REANA: regenerate your access token). Give it to REANA as a user secret
(`reana-client secrets-add`) and to CI as a masked variable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.positioned_yaml import Pos
from recast_reana.model.project import Project

ID = "RR501"
NAME = "plaintext-secret"
SEVERITY = Severity.ERROR

_YAML_SUFFIXES = (".yml", ".yaml")
# One shell word: '...' or "..." on one line, or a bare word (group names are numbered per use).
_WORD = r"""(?:'(?P<{0}sq>[^'\n]*)'|"(?P<{0}dq>[^"\n]*)"|(?P<{0}w>[^\s'"|;&<>()`]+))"""
_KINIT_PIPE = re.compile(
    r"\b(?:echo|printf)(?:[ \t]+-[neE]+)*(?:[ \t]+['\"]%s(?:\\n)?['\"])?[ \t]+"
    + _WORD.format("a")
    + r"[ \t]*\|[ \t]*(?:[\w./-]*/)?kinit\b"
)
_KINIT_HERESTRING = re.compile(r"\bkinit\b[^\n|;&<]*<<<[ \t]*" + _WORD.format("a"))
_KINIT_HEREDOC = re.compile(
    r"\bkinit\b[^\n|;&<]*<<-?[ \t]*['\"]?(?P<tag>\w+)['\"]?[^\n]*\n[ \t]*(?P<aw>[^\n]*)\n"
)
# GitLab token prefixes: GitLab docs, "Token prefixes" (security/tokens). An instance prefix
# (`XYZ-glpat-`) keeps the word boundary before `gl`.
_GITLAB = re.compile(
    r"\b(?P<prefix>glpat|gldt|glrtr|glrt|glcbt|glptt|glft|glimt|gloas|glagent|glsoat|glffct)-"
    r"(?P<aw>[0-9A-Za-z_][0-9A-Za-z_.\-]{19,})|\b(?P<reg>GR1348941)(?P<bw>[0-9A-Za-z_\-]{20,})"
)
# Starts with a literal, so the regex engine finds it fast (no `\b` in front).
_GITLAB_HINT = re.compile(r"gl(?:pat|dt|rtr?|cbt|ptt|ft|imt|oas|agent|soat|ffct)-")
_GITLAB_KINDS = {
    "glpat": "access token",
    "gldt": "deploy token",
    "glrt": "runner authentication token",
    "glrtr": "runner authentication token",
    "glcbt": "CI/CD job token",
    "glptt": "pipeline trigger token",
    "glft": "feed token",
    "glimt": "incoming mail token",
    "gloas": "OAuth application secret",
    "glagent": "cluster agent token",
    "glsoat": "SCIM token",
    "glffct": "feature flags client token",
    "GR1348941": "runner registration token",
}
_REANA_TOKEN = re.compile(
    r"\bREANA_ACCESS_TOKEN['\"\]]*[ \t]*[:=][ \t]*"
    + _WORD.format("a")
    + r"|[?&]access_token=(?P<bw>[^\s&#'\"]+)"
    + r"|\breana-client\b[^\n]*?(?:--access-token|[ \t]-t)(?:=|[ \t]+)"
    + _WORD.format("c")
)
_PRIVATE_KEY = re.compile(
    r"-----BEGIN (?P<label>(?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----"
)
_KEY_DATA = re.compile(r"[A-Za-z0-9+/=]{40,}")
_YAML_PASSWORD = re.compile(
    r"^[ \t]*(?:-[ \t]+)?(?P<q>['\"]?)(?P<key>[\w.-]*(?:password|passwd|passphrase))(?P=q)"
    r"[ \t]*:[ \t]+" + _WORD.format("a"),
    re.IGNORECASE | re.MULTILINE,
)
_SHELL_PASSWORD = re.compile(
    r"(?<![\w$])(?:export[ \t]+)?(?P<key>[A-Z][A-Z0-9_]*(?:PASSWORD|PASSWD|PASSPHRASE))="
    + _WORD.format("a")
)
# Parts and whole values that mark a stand-in (documentation, templates, CI variables).
_PLACEHOLDER_PARTS = (
    "xxx", "***", "...", "your", "example", "placeholder", "changeme", "change_me", "change-me",
    "redacted", "dummy", "<", ">", "{", "}", "$", "%(", "@@",
)  # fmt: skip
_PLACEHOLDER_VALUES = frozenset(
    {"password", "passwd", "pass", "pw", "pwd", "secret", "token", "mypassword", "none", "null"}
)
# A bare YAML value starting like this is not a literal string (block scalar, alias, tag, ...).
_YAML_NOT_LITERAL = ("|", ">", "*", "&", "!", "[", "{", "#")
_YAML_CONSTANTS = frozenset({"null", "~", "true", "false", "yes", "no", "on", "off"})
_KINIT = (
    "password given to kinit in plain text; use a keytab instead (REANA: `kerberos: true` with "
    "the CERN_USER and CERN_KEYTAB user secrets; CI: a masked variable) and change the password"
)
_GITLAB_TOKEN = (
    "GitLab {kind} ({prefix} prefix) in plain text; revoke it in GitLab and pass it as a masked "
    "CI/CD variable"
)
_REANA = (
    "REANA access token in plain text; regenerate it on the REANA server and read it from the "
    "REANA_ACCESS_TOKEN environment variable (a masked CI variable)"
)
_KEY = (
    "{label} block in plain text; remove it and replace the key (it is leaked), then give it to "
    "REANA or CI as a secret file"
)
_PASSWORD = (
    "'{key}' is given a literal password; read it from a secret instead (REANA user secrets, a "
    "masked CI variable) and change the password"
)

Finding = tuple[int, int, str]  # start and end offset of the secret in the text, message


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for path, text in sorted(project.texts.items()):
        seen: set[int] = set()
        for start, end, message in _scan(path, text):
            if start not in seen:  # e.g. a GitLab token assigned to a password key
                seen.add(start)
                yield at(ID, path, _span(text, start, end), message)


def _scan(path: str, text: str) -> Iterator[Finding]:
    # Each pattern runs only when its literal part occurs: the regexes have no literal prefix
    # for the regex engine to search for, and most files contain no secret at all.
    if "kinit" in text:
        yield from _kinit(text)
    if _GITLAB_HINT.search(text) or "GR1348941" in text:
        yield from _gitlab(text)
    if "ACCESS_TOKEN" in text or "access_token" in text or "reana-client" in text:
        for m in _REANA_TOKEN.finditer(text):
            found = _word(m, "a") or _word(m, "b") or _word(m, "c")
            if found and _random_looking(text[found[0] : found[1]]):
                yield (*found, _REANA)
    if "PRIVATE KEY" in text:
        for m in _PRIVATE_KEY.finditer(text):
            if _KEY_DATA.search(text, m.end(), m.end() + 400):  # not a "..." in documentation
                yield m.start(), m.end(), _KEY.format(label=m.group("label"))
    if path.endswith(_YAML_SUFFIXES) and ("passw" in (low := text.lower()) or "passphrase" in low):
        yield from _yaml_passwords(text)
    if "PASSWORD=" in text or "PASSWD=" in text or "PASSPHRASE=" in text:
        for m in _SHELL_PASSWORD.finditer(text):
            found = _word(m, "a")
            if found and not _placeholder(text[found[0] : found[1]]):
                yield (*found, _PASSWORD.format(key=m.group("key")))


def _kinit(text: str) -> Iterator[Finding]:
    for pattern in (_KINIT_PIPE, _KINIT_HERESTRING, _KINIT_HEREDOC):
        for m in pattern.finditer(text):
            found = _word(m, "a")
            value = text[found[0] : found[1]] if found else ""
            if found and not _placeholder(value) and value != m.groupdict().get("tag"):
                yield (*found, _KINIT)


def _gitlab(text: str) -> Iterator[Finding]:
    for m in _GITLAB.finditer(text):
        found = _word(m, "a") or _word(m, "b")
        if found and _random_looking(text[found[0] : found[1]].rstrip(".")):
            prefix = m.group("prefix") or m.group("reg")
            yield (
                m.start(),
                found[1],
                _GITLAB_TOKEN.format(kind=_GITLAB_KINDS[prefix], prefix=prefix),
            )


def _yaml_passwords(text: str) -> Iterator[Finding]:
    for m in _YAML_PASSWORD.finditer(text):
        found = _word(m, "a")
        if found is None:
            continue
        value = text[found[0] : found[1]]
        if m.group("aw") is not None and (
            value.startswith(_YAML_NOT_LITERAL) or value.lower() in _YAML_CONSTANTS
        ):
            continue
        if not _placeholder(value):
            yield (*found, _PASSWORD.format(key=m.group("key")))


def _word(m: re.Match[str], name: str) -> tuple[int, int] | None:
    """Span of the value a pattern captured in its `{name}sq`/`{name}dq`/`{name}w` groups."""
    groups = m.re.groupindex
    for group in (f"{name}sq", f"{name}dq", f"{name}w"):
        if group in groups and m.group(group) is not None:
            start, end = m.span(group)
            return (start, end) if end > start else None
    return None


def _placeholder(value: str) -> bool:
    """A value that stands for a secret instead of being one."""
    low = value.lower().strip()
    if len(low) < 2 or len(set(low)) == 1 or low in _PLACEHOLDER_VALUES:
        return True
    return any(part in low for part in _PLACEHOLDER_PARTS)


def _random_looking(value: str) -> bool:
    """Tokens are random: long, several character classes, many distinct characters."""
    if len(value) < 16 or _placeholder(value) or "token" in value.lower():
        return False
    classes = sum(any(test(c) for c in value) for test in (str.islower, str.isupper, str.isdigit))
    return classes >= 2 and len(set(value)) >= 8


def _span(text: str, start: int, end: int) -> Pos:
    line = text.count("\n", 0, start) + 1
    col = start - (text.rfind("\n", 0, start) + 1) + 1
    end_line = text.count("\n", start, end) + line
    end_col = end - (text.rfind("\n", 0, end) + 1) + 1
    return Pos(line, col, end_line, end_col)
