"""A Kerberos keytab, ticket cache, grid proxy, grid key or getkrb.sh among the checked files.

Applies to: every file checked, whatever the workflow type.

## What it does
Reports, at line 1 of the file, every checked file whose name marks it as a credential:

- Kerberos keytabs: `*.keytab`, `.keytab`, `keytab`;
- Kerberos credential caches (tickets): `krb5cc`, `krb5cc_*`;
- grid proxies: `x509up_u*` (what `voms-proxy-init` writes);
- grid certificate private keys: `userkey.pem`, and PKCS#12 bundles `*.p12`, `*.pfx` (certificate
  and private key in one file);
- `getkrb.sh`, which `recast auth write` creates with your CERN password in it.

Binary files count too: a keytab is binary and is checked by its name alone. A file with such a
name that is text without the credential in it is a placeholder and is not reported: an empty
`.keytab` or one holding a note (a real one is binary, or its base64 text), a `userkey.pem` or
proxy without a PEM block, a `getkrb.sh` that feeds kinit `$RECAST_AUTH_PASSWORD` or
`<password>` instead of a password. Other `*.pem` files are not reported by name, because most
of them are public certificates (CA bundles, `usercert.pem`); a private key written in any text
file is RR501's job. The source snippet of a text credential file is masked.

## Why is this bad?
Anyone who can read the repository (every GitLab member, every CI job, every fork and mirror) can
act as you: a keytab is as good as your password, forever. Deleting it in a later commit does not
help, the history keeps it. A committed getkrb.sh also breaks on REANA, which has no
`/recast_auth`.

## Example
```yaml
# files in the analysis repository
- recast.yml
- specs/workflow.yml
- getkrb.sh          # written by `recast auth write`
- analyst.keytab
```

## Use instead
```yaml
# reana.yaml: REANA makes the Kerberos ticket from your user secrets CERN_USER and CERN_KEYTAB
workflow:
  type: yadage
  file: specs/workflow.yml
  resources:
    kerberos: true
```

## Fix
`git rm --cached` the file, add its name to `.gitignore`, and treat the credential as leaked:
change the password (a new keytab) or revoke the proxy. Give it to REANA as user secrets
(`reana-client secrets-add`) and to CI as a masked (file) variable.
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.patterns import LazyPattern
from recast_reana.model.positioned_yaml import Pos
from recast_reana.model.project import Project
from recast_reana.type_names import Any

ID = "RR502"
NAME = "credential-file"
SEVERITY = Severity.ERROR

_GONE = "remove it from git and from the history"
_KEYTAB = (
    "{name} is a Kerberos keytab (as good as your password): " + _GONE + " and change the "
    "password; give REANA the CERN_USER and CERN_KEYTAB secrets (`reana-client secrets-add`), "
    "CI a masked file variable"
)
_CACHE = (
    "{name} is a Kerberos ticket cache: " + _GONE + "; REANA makes tickets from the CERN_USER and "
    "CERN_KEYTAB secrets (`kerberos: true`), CI from a masked keytab variable"
)
_GETKRB = (
    "{name} holds your CERN password (written by `recast auth write`): " + _GONE + " and change "
    "the password; on REANA use `kerberos: true` with the CERN_USER and CERN_KEYTAB secrets"
)
_PROXY = (
    "{name} is a grid proxy: " + _GONE + "; give REANA the VOMSPROXY_FILE and VONAME secrets "
    "(`voms_proxy: true`), CI a masked file variable"
)
_GRID_KEY = (
    "{name} holds a grid certificate private key: " + _GONE + " and renew the certificate; give "
    "REANA the userkey.pem, usercert.pem, VOMSPROXY_PASS and VONAME secrets, CI a masked file "
    "variable"
)

# What a credential file holds when it is text: keytabs and ticket caches are binary, starting
# with byte 0x05 (MIT krb5 file formats), so their base64 starts with "BQ"; PKCS#12 is DER (0x30,
# base64 "MI") or PEM; proxies and keys are PEM; getkrb.sh feeds kinit a literal password
# (`echo '<password>'|kinit <user>@CERN.CH`, recast-atlas `recast auth write`), not a variable
# or a placeholder.
_BASE64_KRB5 = LazyPattern(r"\A\s*BQ[A-Za-z0-9+/=\s]{20,}")
_BASE64_DER = LazyPattern(r"\A\s*MI[A-Za-z0-9+/=\s]{20,}")
_PEM = LazyPattern(r"-----BEGIN [A-Z0-9 ]+-----")
_KINIT_LITERAL = LazyPattern(
    r"""\b(?:echo|printf)[ \t]+(?:-[neE]+[ \t]+)*(?P<q>['"]?)(?![$<{\[#%*]|x+\b|(?P=q)\|)"""
    r"""[^\s'"|]{3,}(?P=q)[ \t]*\|[ \t]*(?:[\w./-]*/)?kinit\b"""
)

# (basename glob, lower-cased; message; what the file holds when it is text). Names: MIT
# Kerberos (krb5cc_<uid>, *.keytab), voms-proxy-init (/tmp/x509up_u<uid>), the grid's
# ~/.globus/userkey.pem, recast-atlas getkrb.sh.
KINDS: tuple[tuple[str, str, LazyPattern], ...] = (
    ("getkrb.sh", _GETKRB, _KINIT_LITERAL),
    ("*.keytab", _KEYTAB, _BASE64_KRB5),
    ("keytab", _KEYTAB, _BASE64_KRB5),
    ("krb5cc", _CACHE, _BASE64_KRB5),
    ("krb5cc_*", _CACHE, _BASE64_KRB5),
    ("x509up_u*", _PROXY, _PEM),
    ("userkey.pem", _GRID_KEY, _PEM),
    ("*.p12", _GRID_KEY, _BASE64_DER),
    ("*.pfx", _GRID_KEY, _BASE64_DER),
)


def message(path: str, text: str | None = None) -> str | None:
    """What is wrong with committing `path` when its name marks a credential file, else None.

    `text` is the file's content when it is text (None: binary, or not known); a text file
    without the credential in it is a placeholder, and fine.
    """
    name = posixpath.basename(path)
    for pattern, template, holds in KINDS:
        if fnmatch.fnmatchcase(name.lower(), pattern):
            if text is not None and _readable(text) and holds.search(text) is None:
                return None
            return template.format(name=name)
    return None


def _readable(text: str) -> bool:
    """Text a person wrote: no control characters, nothing undecodable (a binary file without
    NUL bytes reaches the model as text)."""
    return not any((c < " " and c not in "\t\n\r") or c == "\ufffd" for c in text)


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    # other_files holds binary files too (value None): a keytab is found by its name alone.
    texts = project.texts
    for path in sorted({*project.files, *project.other_files}):
        found = message(path, texts.get(path))
        if found is not None:
            # A mark past line 1 (end column 0): the masked snippet hides all of line 1, which
            # is the password in a getkrb.sh.
            yield at(ID, path, Pos(1, 1, 2, 1), found)
