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

Binary files count too: a keytab is binary and is checked by its name alone. Other `*.pem` files
are not reported by name, because most of them are public certificates (CA bundles,
`usercert.pem`); a private key written in any text file is RR501's job.

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
from typing import Any

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.positioned_yaml import Pos
from recast_reana.model.project import Project

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

# (basename glob, lower-cased; message). Names: MIT Kerberos (krb5cc_<uid>, *.keytab),
# voms-proxy-init (/tmp/x509up_u<uid>), the grid's ~/.globus/userkey.pem, recast-atlas getkrb.sh.
KINDS: tuple[tuple[str, str], ...] = (
    ("getkrb.sh", _GETKRB),
    ("*.keytab", _KEYTAB),
    ("keytab", _KEYTAB),
    ("krb5cc", _CACHE),
    ("krb5cc_*", _CACHE),
    ("x509up_u*", _PROXY),
    ("userkey.pem", _GRID_KEY),
    ("*.p12", _GRID_KEY),
    ("*.pfx", _GRID_KEY),
)


def message(path: str) -> str | None:
    """What is wrong with committing `path` when its name marks a credential file, else None."""
    name = posixpath.basename(path)
    for pattern, template in KINDS:
        if fnmatch.fnmatchcase(name.lower(), pattern):
            return template.format(name=name)
    return None


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    # other_files holds binary files too (value None): a keytab is found by its name alone.
    for path in sorted({*project.files, *project.other_files}):
        found = message(path)
        if found is not None:
            yield at(ID, path, Pos(1, 1, 1, 2), found)
