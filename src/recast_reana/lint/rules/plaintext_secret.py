"""A password, token or private key written in plain text in a checked file.

Applies to: every file checked, whatever the workflow type.

## What it does
Scans every checked text file (specs, recast.yml, reana.yaml, scripts, CI files, docs) for:

- a literal value given to a password-like name: a name whose last word is `PASS`, `PASSWD`,
  `PASSWORD`, `PASSPHRASE`, `SECRET` or `TOKEN` in any case and spelling (`RECAST_PASS`,
  `CERN_PASSWORD`, `RECAST_AUTH_PASSWORD`, `GITLAB_TOKEN`, `db_password`, `clientSecret`,
  `AWS_SECRET_ACCESS_KEY`), in shell (`X=...`, `export X=...`, `X="..."`, also in YAML scripts and
  Dockerfile `ENV`/`ARG`), YAML and JSON (`key: value`, GitLab CI `variables:` in both forms),
  Makefiles and config files (`X = ...`, `X := ...`, `export X ?= ...`), and Markdown (shell
  anywhere, the other forms in code blocks of their language or none). Names that only contain
  the words are not secrets: `PASSTHROUGH`, `TOKENIZER`, `SECRETS_DIR`, `password_file`,
  `token_url`, `CERN_KEYTAB`. A token or secret given to a name is one word of 8 characters or
  more. Program sources (Python, C++, ...) and their code blocks are left out here, where
  `password = x` names a variable;
- a password piped or fed to `kinit`: `echo 'pw' | kinit user@CERN.CH`, `printf '%s' pw | kinit`,
  `kinit user <<< pw`, or a here-document; and a password fed to `ktutil` after
  `addent -password` (a here-document, or `echo -e "addent -password ...\\npw\\nwkt ..." | ktutil`);
- GitLab tokens, recognised by their prefixes (`glpat-` personal/project/group access tokens,
  `gldt-` deploy, `glrt-`/`glrtr-` runner, `GR1348941` runner registration, `glcbt-` CI/CD job,
  `glptt-` pipeline trigger, `glft-` feed, `glimt-` incoming mail, `gloas-` OAuth application,
  `glagent-` cluster agent, `glsoat-` SCIM, `glffct-` feature flags client);
- REANA access tokens: `REANA_ACCESS_TOKEN=...` or `: ...`, `access_token=...` in a URL (REANA
  puts the token in the query string), `reana-client ... --access-token ...`;
- private key blocks (`-----BEGIN ... PRIVATE KEY-----` followed by key data).

Placeholders are not secrets: empty values, `#SECRET`, `<password>`, `<your token>`, `<...>`,
`[your CERN password]`, `$VAR`, `${VAR}`, `$(cmd)`, `${{ secrets.X }}`, `{param}` (a yadage
parameter), `%s`, `changeme`, `xxx`, `***`, `...`, `TODO`, `your_password`, `mypassword`,
`true`/`null`, a variable's name (`CERN_PASSWORD`) or a file's (`/run/secrets/pw`, `.keytab`),
the tutorials' `hunter2`, and the base64 of any of these. GitLab and REANA tokens must look
random. The message gives the position and the kind of secret, never the secret itself, and
source snippets mask it.

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

```yaml
# .gitlab-ci.yml
variables:
  RECAST_PASS: S3cr3t-pw
```

## Use instead
```yaml
auth:
  environment:
    resources:
      - kerberos: true   # REANA makes the ticket from the CERN_USER/CERN_KEYTAB user secrets
```

```yaml
# .gitlab-ci.yml: RECAST_PASS is a masked variable of the project (Settings > CI/CD > Variables)
variables:
  RECAST_AUTH_PASSWORD: $RECAST_PASS
```

## Fix
Remove the secret, then treat it as leaked: change the password, revoke the token (GitLab: the
token's settings page; REANA: regenerate your access token). Give it to REANA as a user secret
(`reana-client secrets-add`) and to CI as a masked variable. In documentation, write a placeholder
such as `<your password>` or `$RECAST_PASS`.
"""

from __future__ import annotations

import base64
import itertools
import posixpath
import re
from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.patterns import LazyPattern
from recast_reana.model.positioned_yaml import Pos
from recast_reana.model.project import Project
from recast_reana.type_names import Any

ID = "RR501"
NAME = "plaintext-secret"
SEVERITY = Severity.ERROR

# One shell word: '...' or "..." on one line, or a bare word (group names are numbered per use).
_WORD = r"""(?:'(?P<{0}sq>[^'\n]*)'|"(?P<{0}dq>[^"\n]*)"|(?P<{0}w>[^\s'"|;&<>()`]+))"""
_KINIT_PIPE = LazyPattern(
    r"\b(?:echo|printf)(?:[ \t]+-[neE]+)*(?:[ \t]+['\"]%s(?:\\n)?['\"])?[ \t]+"
    + _WORD.format("a")
    + r"[ \t]*\|[ \t]*(?:[\w./-]*/)?kinit\b"
)
_KINIT_HERESTRING = LazyPattern(r"\bkinit\b[^\n|;&<]*<<<[ \t]*" + _WORD.format("a"))
_KINIT_HEREDOC = LazyPattern(
    r"\bkinit\b[^\n|;&<]*<<-?[ \t]*['\"]?(?P<tag>\w+)['\"]?[^\n]*\n[ \t]*(?P<aw>[^\n]*)\n"
)
# ktutil reads the password on the line after `addent -password ...` (MIT krb5 ktutil(1)).
_KTUTIL_ADD = LazyPattern(r"\b(?:addent|add_entry)\b[^\n]*?[ \t]-password\b[^\n]*")
_KTUTIL_NOT_PASSWORD = frozenset((
    "addent", "add_entry", "wkt", "write_kt", "rkt", "read_kt", "rst", "read_st", "wst",
    "write_st", "l", "list", "lr", "list_requests", "delent", "delete_entry", "clear",
    "clear_list", "q", "quit", "exit", "ktutil", "ktutil:", "send", "expect", "spawn",
))  # fmt: skip
# GitLab token prefixes: GitLab docs, "Token prefixes" (security/tokens). An instance prefix
# (`XYZ-glpat-`) keeps the word boundary before `gl`.
_GITLAB = LazyPattern(
    r"\b(?P<prefix>glpat|gldt|glrtr|glrt|glcbt|glptt|glft|glimt|gloas|glagent|glsoat|glffct)-"
    r"(?P<aw>[0-9A-Za-z_][0-9A-Za-z_.\-]{19,})|\b(?P<reg>GR1348941)(?P<bw>[0-9A-Za-z_\-]{20,})"
)
# Starts with a literal, so the regex engine finds it fast (no `\b` in front).
_GITLAB_HINT = LazyPattern(r"gl(?:pat|dt|rtr?|cbt|ptt|ft|imt|oas|agent|soat|ffct)-")
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
_REANA_TOKEN = LazyPattern(
    r"\bREANA_ACCESS_TOKEN['\"\]]*[ \t]*[:=][ \t]*"
    + _WORD.format("a")
    + r"|[?&]access_token=(?P<bw>[^\s&#'\"]+)"
    + r"|\breana-client\b[^\n]*?(?:--access-token|[ \t]-t)(?:=|[ \t]+)"
    + _WORD.format("c")
)
_PRIVATE_KEY = LazyPattern(
    r"-----BEGIN (?P<label>(?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----"
)
_KEY_DATA = LazyPattern(r"[A-Za-z0-9+/=]{40,}")

# Assignments to a name; the name is judged by _secret_kind, the value by _stand_in.
_SHELL_ASSIGN = LazyPattern(r"(?<![^\s;&|])(?P<key>[A-Za-z_]\w*)=(?!=)")
_YAML_KEY = LazyPattern(
    r"^[ \t]*(?:-[ \t]+)?(?P<q>['\"]?)(?P<key>[A-Za-z_][\w.-]*)(?P=q)[ \t]*:"
    r"(?=[ \t]|$)",
    re.MULTILINE,
)
_MAKE_ASSIGN = LazyPattern(
    r"^[ \t]*(?:(?:export|override|private)[ \t]+)*(?P<key>[A-Za-z_][\w.-]*)[ \t]*"
    r"(?::{1,3}=|[?+]?=)(?!=)[ \t]*",
    re.MULTILINE,
)
# The lines below `KEY:`: indented keys, `value:` among them.
_NESTED = LazyPattern(r"\n(?P<indent>[ \t]*)(?:(?P<value>value)[ \t]*:(?=[ \t])|[^\n]*)")
_DOCKER_LEGACY = LazyPattern(r"^[ \t]*(?:ENV|ARG)[ \t]+(?P<key>[A-Za-z_]\w*)[ \t]+", re.MULTILINE)
_FENCE = LazyPattern(r"^[ \t>]*(?P<fence>`{3,}|~{3,})[ \t]*\{?\.?(?P<lang>[\w+#-]*)", re.MULTILINE)
_NAME_PART = LazyPattern(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_SECRET_WORDS = {
    **dict.fromkeys(("pass", "passwd", "password", "passphrase"), "password"),
    "secret": "secret",
    "token": "token",
}
# One-word names: `dbpassword`, `eospass` (the RECAST tutorial's parameter), not `bypass`.
_PASSWORD_ENDINGS = ("password", "passwd", "passphrase", "pass")
_PASS_WORDS = frozenset((
    "bypass", "compass", "encompass", "surpass", "trespass", "overpass", "underpass",
))  # fmt: skip
# Words that may follow the secret word in a name of the secret itself (AWS_SECRET_ACCESS_KEY).
_SECRET_TAIL = frozenset((
    "key", "access", "value", "val", "plain", "plaintext", "raw", "str", "string", "b64", "base64",
))  # fmt: skip
_CODE_SUFFIXES = (
    *(".py", ".pyi", ".ipynb", ".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".hxx", ".java"),
    *(".js", ".mjs", ".ts", ".go", ".rs", ".jl", ".r", ".scala", ".kt", ".rb", ".php", ".lua"),
)
_CODE_LANGS = frozenset((
    "python", "py", "python3", "pycon", "ipython", "c", "cpp", "c++", "cxx", "java", "js",
    "javascript", "ts", "typescript", "go", "rust", "r", "julia", "scala", "kotlin", "ruby", "php",
    "lua",
))  # fmt: skip
_BLOCK_LANGS = {
    "yaml": ("yaml", "yml", "json"),
    "make": ("make", "makefile", "mk", "ini", "toml", "cfg", "properties"),
    "docker": ("dockerfile", "docker", "containerfile"),
}
_YAML_SUFFIXES = (".yml", ".yaml", ".json")
_CONFIG_SUFFIXES = (".cfg", ".ini", ".conf", ".toml", ".properties")
_MAKEFILES = ("makefile", "gnumakefile")
_MARKDOWN_SUFFIXES = (".md", ".markdown")

# What makes a value a reference or a stand-in, not a secret: shell, CI and Make variables
# ($X, ${X}, $(cmd), ${{ secrets.X }}, `cmd`), templates ({param}, {{ x }}, <your token>, %s,
# %(x)s, %VAR%, @VAR@), elisions and masks.
_STAND_IN_PART = LazyPattern(r"\$[\w{(]|`|[{}<>]|%[sd(]|%\w+%|@\w+@|\.\.\.|…|\*\*\*|xxx", re.I)
_STAND_IN_WORD = LazyPattern(r"your|changeme|placeholder|example|redacted|dummy|replaceme|fixme")
_STAND_IN_VALUES = frozenset((
    "true", "false", "yes", "no", "on", "off", "null", "none", "nil", "undefined", "unset",
    "notset", "empty", "todo", "tbd", "hidden", "masked", "secret", "token", "pass", "passwd",
    "password", "passphrase", "pw", "pwd",
))  # fmt: skip
# A value made of these words only names a secret (`cern_password`, `my-token`, `mypassword`).
_NAMING_WORDS = frozenset((
    "my", "the", "a", "your", "cern", "gitlab", "reana", "recast", "user", "db", "database",
    "service", "account", "personal", "access", "api", "auth", "private", "here", "new", "real",
    "actual", "krb", "kerberos",
))  # fmt: skip
_VARIABLE_NAME = LazyPattern(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
_FILE_NAME = LazyPattern(
    r"[\w.-]*\.(?:txt|key|pem|keytab|json|ya?ml|cfg|conf|ini|env|secrets?|pw|pass|asc|gpg|crt|p12)"
)
_BASE64 = LazyPattern(r"(?:[A-Za-z0-9+/]{4}){2,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
# Passwords every tutorial uses as the example (hunter2: bash.org #244321).
_EXAMPLE_PASSWORD = LazyPattern(r"hunter\d*|letmein|qwerty|1234567?8?9?|abc123|p[a@]ssw0rd")
_MASK_CHARS = frozenset("x*.-_ ")

_KINIT = (
    "password given to kinit in plain text; use a keytab instead (REANA: `kerberos: true` with "
    "the CERN_USER and CERN_KEYTAB user secrets; CI: a masked variable) and change the password"
)
_KTUTIL = (
    "password fed to ktutil in plain text; type it at ktutil's prompt or read it from a masked "
    "CI variable, and change the password"
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
_ASSIGNED = (
    "'{key}' is given a literal {kind}; read it from a secret instead (REANA user secrets, a "
    "masked CI variable) and {then}"
)
_THEN = {"password": "change the password", "token": "revoke the token", "secret": "replace it"}

Finding = tuple[int, int, str]  # start and end offset of the secret in the text, message
Value = tuple[int, int, str]  # start and end offset of a value in the text, the value unquoted


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for path, text in sorted(project.texts.items()):
        seen: set[int] = set()
        for start, end, message in _scan(path, text):
            if start not in seen:  # e.g. a GitLab token assigned to a password key
                seen.add(start)
                yield at(ID, path, _span(text, start, end), message)


def _scan(path: str, text: str) -> Iterator[Finding]:
    # Each pattern runs only when its literal part occurs: most files contain no secret at all.
    if "kinit" in text:
        yield from _kinit(text)
    if "-password" in text:
        yield from _ktutil(text)
    if _GITLAB_HINT.search(text) or "GR1348941" in text:
        yield from _gitlab(text)
    if "ACCESS_TOKEN" in text or "access_token" in text or "reana-client" in text:
        for m in _REANA_TOKEN.finditer(text):
            found = _word(m, "a") or _word(m, "b") or _word(m, "c")
            if found and _random_looking(text[found[0] : found[1]]):
                yield (*found, _REANA)
    if "PRIVATE KEY" in text:
        yield from _private_keys(text)
    low = text.lower()
    if "pass" in low or "secret" in low or "token" in low:
        yield from _assignments(path, text)


def _kinit(text: str) -> Iterator[Finding]:
    for pattern in (_KINIT_PIPE, _KINIT_HERESTRING, _KINIT_HEREDOC):
        for m in pattern.finditer(text):
            found = _word(m, "a")
            value = text[found[0] : found[1]] if found else ""
            if found and not _stand_in(value) and value != m.groupdict().get("tag"):
                yield (*found, _KINIT)


def _ktutil(text: str) -> Iterator[Finding]:
    for m in _KTUTIL_ADD.finditer(text):
        escaped = text.find("\\n", m.start(), m.end())
        if escaped >= 0:  # one string: "addent -password ...\npw\nwkt ..."
            start = end = escaped + 2
            while end < m.end() and text[end] not in "'\"\\":
                end += 1
        else:  # the next line of a here-document or a typed session
            start = min(m.end() + 1, len(text))
            end = _line_end(text, start)
        value = text[start:end].strip()
        start = text.find(value, start) if value else start
        if _typed_password(value):
            yield start, start + len(value), _KTUTIL


def _typed_password(line: str) -> bool:
    """A line after `addent -password` that is the password, not a command or a prompt."""
    words = line.split()
    return not (
        not words
        or words[0].lower() in _KTUTIL_NOT_PASSWORD
        or ": " in line
        or line.endswith(":")
        or re.fullmatch(r"[A-Z_]+", line) is not None  # the here-document's end (EOF)
        or _stand_in(line)
    )


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


def _private_keys(text: str) -> Iterator[Finding]:
    for m in _PRIVATE_KEY.finditer(text):
        line_end = _line_end(text, m.end())
        if _KEY_DATA.search(text, m.end(), m.end() + 400):  # not a "..." in documentation
            # Key data on the same line (escaped `\n` in JSON): mark all of it, so that the
            # masked snippet shows none of the key.
            same_line = _KEY_DATA.search(text, m.end(), line_end) is not None
            yield m.start(), line_end if same_line else m.end(), _KEY.format(label=m.group("label"))


def _assignments(path: str, text: str) -> Iterator[Finding]:
    """Literal values given to password-like names, in the dialects the file is written in."""
    name = posixpath.basename(path).lower()
    if name.endswith(_CODE_SUFFIXES):
        return
    markdown = name.endswith(_MARKDOWN_SUFFIXES)
    dialects = {
        "yaml": markdown or name.endswith(_YAML_SUFFIXES + _CONFIG_SUFFIXES),
        "make": markdown
        or name in _MAKEFILES
        or name.endswith((".mk", ".make", *_CONFIG_SUFFIXES)),
        "docker": markdown
        or name.startswith(("dockerfile", "containerfile"))
        or name.endswith(".dockerfile"),
    }
    blocks = _code_blocks(text) if markdown else []

    def wanted(pos: int, dialect: str) -> bool:
        """In Markdown: shell anywhere, the other dialects in their code blocks or untagged ones."""
        if not markdown:
            return True
        lang = next((lang for start, end, lang in blocks if start <= pos < end), None)
        if lang is None:
            return dialect == "shell"
        if lang in _CODE_LANGS:
            return False
        return dialect == "shell" or lang in ("", *_BLOCK_LANGS[dialect])

    values: list[tuple[str, str, Value | None]] = []
    for m in _SHELL_ASSIGN.finditer(text):
        kind = _secret_kind(m["key"])
        if kind and wanted(m.start(), "shell"):
            values.append((m["key"], kind, _shell_value(text, m.end())))
    for dialect, pattern, read in (
        ("yaml", _YAML_KEY, _yaml_value),
        ("make", _MAKE_ASSIGN, _line_value),
        ("docker", _DOCKER_LEGACY, _line_value),
    ):
        for m in pattern.finditer(text) if dialects[dialect] else ():
            kind = _secret_kind(m["key"])
            if kind and wanted(m.start(), dialect):
                values.append((m["key"], kind, read(text, m.end())))
    for key, kind, value in values:
        if value is None or _stand_in(value[2]):
            continue
        # A token or secret is one long word; a password may be short, or a phrase.
        if kind == "password" or (len(value[2]) >= 8 and not re.search(r"\s", value[2])):
            yield value[0], value[1], _ASSIGNED.format(key=key, kind=kind, then=_THEN[kind])


def _secret_kind(name: str) -> str | None:
    """password, token or secret when `name` names one, else None (`PASSWORD_FILE`, `TOKENIZER`)."""
    parts = [p.lower() for p in _NAME_PART.findall(name)]
    for i in range(len(parts) - 1, -1, -1):
        part = parts[i]
        kind = _SECRET_WORDS.get(part) or (
            "password" if part.endswith(_PASSWORD_ENDINGS) and part not in _PASS_WORDS else None
        )
        if kind is not None:
            tail = parts[i + 1 :]
            if (part == "pass" and tail) or not set(tail) <= _SECRET_TAIL:
                return None  # names something else: PASS_THRESHOLD, token_url, password_file
            return kind
    return None


def _shell_value(text: str, i: int) -> Value | None:
    """The shell word starting at `i`, with its quotes removed; None when empty or not shell."""
    start, parts = i, []
    while i < len(text):
        c = text[i]
        if c in "'\"":
            close = text.find(c, i + 1)
            while c == '"' and close > 0 and text[close - 1] == "\\":
                close = text.find(c, close + 1)
            if close < 0 or "\n" in text[i:close]:
                return None
            parts.append(text[i + 1 : close])
            i = close + 1
        elif c.isspace() or c in ";&|()":
            break
        else:
            j = i
            while j < len(text) and not (text[j].isspace() or text[j] in "'\";&|()"):
                j += 2 if text[j] == "\\" else 1
            parts.append(text[i:j])
            i = j
    if i == start or (i < len(text) and text[i] == "("):  # empty, or a call: f(password=x)
        return None
    if len(parts) == 1 and text[start] in "'\"":
        return start + 1, i - 1, parts[0]
    return start, i, "".join(parts)


def _yaml_value(text: str, i: int) -> Value | None:
    """The scalar after `key:` at `i`; for a mapping, its `value:` (GitLab CI variables)."""
    end = _line_end(text, i)
    rest = text[i:end]
    start = i + len(rest) - len(rest.lstrip())
    if start == end or text[start] == "#":  # `KEY:` with `value: ...` on a line below
        line = text[text.rfind("\n", 0, i) + 1 : i]
        indent = len(line) - len(line.lstrip())
        for m in itertools.islice(_NESTED.finditer(text, end), 20):
            if len(m["indent"]) <= indent:
                return None
            if m["value"] is not None:
                return _yaml_value(text, m.end())
        return None
    c = text[start]
    if c in "'\"":
        close = text.find(c, start + 1, end)
        return (start + 1, close, text[start + 1 : close]) if close > start else None
    if c in "|>*&![{%@`,":  # block scalar, alias, anchor, tag, flow collection, reserved
        return None
    comment = rest.find(" #")
    value = text[start : i + comment if comment >= 0 else end].rstrip()
    return start, start + len(value), value


def _line_value(text: str, i: int) -> Value | None:
    """The rest of the line at `i` (a Makefile, config or Dockerfile value), quotes removed."""
    value = text[i : _line_end(text, i)].split(" #")[0].rstrip().rstrip("\\").rstrip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return i + 1, i + len(value) - 1, value[1:-1]
    return (i, i + len(value), value) if value else None


def _code_blocks(text: str) -> list[tuple[int, int, str]]:
    """Fenced code blocks of a Markdown text: start, end, language (lower case, maybe empty)."""
    blocks: list[tuple[int, int, str]] = []
    opened: re.Match[str] | None = None
    for m in _FENCE.finditer(text):
        if opened is None:
            opened = m
        elif m["fence"][0] == opened["fence"][0] and len(m["fence"]) >= len(opened["fence"]):
            blocks.append((opened.end(), m.start(), opened["lang"].lower()))
            opened = None
    if opened is not None:
        blocks.append((opened.end(), len(text), opened["lang"].lower()))
    return blocks


def _line_end(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end


def _word(m: re.Match[str], name: str) -> tuple[int, int] | None:
    """Span of the value a pattern captured in its `{name}sq`/`{name}dq`/`{name}w` groups."""
    groups = m.re.groupindex
    for group in (f"{name}sq", f"{name}dq", f"{name}w"):
        if group in groups and m.group(group) is not None:
            start, end = m.span(group)
            return (start, end) if end > start else None
    return None


def _stand_in(value: str) -> bool:
    """A value that stands for a secret or refers to one, instead of being one."""
    value = value.strip()
    decoded = _decoded(value) if _BASE64.fullmatch(value) else ""
    if decoded and _stand_in(decoded):
        return True  # REANA wants VOMSPROXY_PASS base64-encoded, and its docs encode an example
    low = value.lower()
    words = [w.lower() for w in _NAME_PART.findall(value)]
    return (
        len(value) < 3
        or value.startswith(("#", "[", "/", "./", "../", "~/"))
        or set(low) <= _MASK_CHARS
        or low in _STAND_IN_VALUES
        or _EXAMPLE_PASSWORD.fullmatch(low) is not None
        or (value.isdigit() and len(value) < 6)
        or _STAND_IN_PART.search(value) is not None
        or _STAND_IN_WORD.search(low.replace("_", "").replace("-", "")) is not None
        or _VARIABLE_NAME.fullmatch(value) is not None
        or _FILE_NAME.fullmatch(low) is not None
        or (
            any(_secret_kind(w) for w in words)
            and all(w in _NAMING_WORDS or _secret_kind(w) for w in words)
        )
    )


def _decoded(value: str) -> str:
    """The printable ASCII text `value` encodes in base64, else an empty string."""
    try:
        text = base64.b64decode(value, validate=True).decode("ascii")
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
        return ""
    return text if text.isprintable() else ""


def _random_looking(value: str) -> bool:
    """Tokens are random: long, several character classes, many distinct characters."""
    if len(value) < 16 or _stand_in(value) or "token" in value.lower():
        return False
    classes = sum(any(test(c) for c in value) for test in (str.islower, str.isupper, str.isdigit))
    return classes >= 2 and len(set(value)) >= 8


def _span(text: str, start: int, end: int) -> Pos:
    line = text.count("\n", 0, start) + 1
    col = start - (text.rfind("\n", 0, start) + 1) + 1
    end_line = text.count("\n", start, end) + line
    end_col = end - (text.rfind("\n", 0, end) + 1) + 1
    return Pos(line, col, end_line, end_col)
