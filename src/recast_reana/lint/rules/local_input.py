"""An init parameter naming a local file that a REANA run does not upload.

Applies to: yadage workflows (parameters from the yadage reana file or recast.yml).

## What it does
Finds init parameters (reana.yaml `inputs.parameters`; on a recast-atlas layout also the
recast.yml `example_inputs.*.initdata`) whose value is a relative local path, such as
`inputdata/DAOD_EXOT27.20140688._000071.pool.root.1`, that reana.yaml `inputs.files` /
`inputs.directories` do not upload. Only parameters read by a stage that stays in the REANA
workflow count: stages named in the `.recast-reana.yaml` option `convert: {drop_stages: [...]}`
are left out, as the conversion drops them.

A value counts as a local path when it is not a URL (`root://`, `https://`, a `scope:name`), not a
number, has no spaces or `{placeholders}`, and either names a file of the repository, contains a
`/` and ends in a file name with an extension (or with `/`, or starts with `./`), or ends in a
data-file extension (`.root`, `.root.1`, `.json`, `.yaml`, `.csv`, `.h5`, `.tar.gz`, ...).
Absolute paths are RR409's.

## Why is this bad?
recast-atlas runs on the machine that has the file. REANA runs in a fresh workspace holding only
what reana.yaml uploads, so the stage reading the file fails with `No such file or directory`,
often after the stages before it have run for hours.

A value naming a file of the repository is an error: the run fails for certain. Any other value
is a warning: whether a string is a path is then a guess (a histogram path `SR/h_mjj` looks like
one), and files can reach the workspace in other ways (`reana-client upload`). `--strict` makes
the warning block a commit too.

## Example
```yaml
inputs:
  parameters:
    signal_daod: inputdata/DAOD_EXOT27.20140688._000071.pool.root.1
  directories:
    - specs
```

## Use instead
```yaml
inputs:
  parameters:
    signal_daod: root://eosuser.cern.ch//eos/user/r/recasttu/DAOD_EXOT27.20140688._000071.pool.root.1
  directories:
    - specs
```

## Fix
Read the input from EOS or another URL, upload it with `inputs.files`, or (recast-atlas layout)
drop the stages that read local files with `convert: {drop_stages: [skimming_step]}`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.patterns import LazyPattern
from recast_reana.model.positioned_yaml import walk
from recast_reana.model.project import ParameterSet, Project
from recast_reana.type_names import Any

ID = "RR408"
NAME = "local-input"
SEVERITY = Severity.WARNING

_DATA_EXTENSION = LazyPattern(
    r"\.(root(\.\d+)*|json|ya?ml|csv|tsv|txt|dat|h5|hdf5|npz|npy|pkl|pickle|parquet|lhe|hepmc"
    r"|slha|xml|tar|tgz|gz|bz2|xz|zip)$",
    re.IGNORECASE,
)
_EXTENSION = LazyPattern(r"\.[A-Za-z][A-Za-z0-9]*(\.\d+)?$")


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    if project.workflow is None:
        return
    readers = _init_readers(project)
    if not readers:
        return
    uploads = (
        (project.reana.files, project.reana.directories) if project.reana is not None else ([], [])
    )
    repository = set(project.files) | set(project.other_files)
    for pset in project.parameter_sets:
        if project.mode == "reana" and (project.reana is None or pset.file != project.reana.file):
            continue  # on the REANA branch only reana.yaml's parameters reach a run
        src = project.source(pset.file)
        if src is None:
            continue
        for key, value in pset.values.items():
            if not isinstance(key, str) or key not in readers:
                continue
            for path, item in walk(value, (*pset.path, key)):
                if (
                    isinstance(item, str)
                    and looks_local(item, repository)
                    and not _uploaded(item, *uploads)
                ):
                    message = _message(project, pset, key, item, readers[key])
                    certain = _norm(item.strip()) in repository
                    severity = Severity.ERROR if certain else None
                    yield at(ID, src.path, src.pos(path), message, severity)


def _init_readers(project: Project) -> dict[str, list[str]]:
    """Init parameter -> names of the kept top-level stages that read it."""
    dropped = set(project.config.drop_stages)
    readers: dict[str, list[str]] = {}
    assert project.workflow is not None
    for stage in project.workflow.stages:  # nested workflows read their parent stage, not init
        if stage.name in dropped:
            continue
        for sel in stage.selectors:
            if sel.stage == "init" and sel.output and stage.name not in readers.get(sel.output, []):
                readers.setdefault(sel.output, []).append(stage.name)
    return readers


def looks_local(value: str, repository: AbstractSet[str] = frozenset()) -> bool:
    """Whether `value` reads as a relative path on this machine (see the rule's docs)."""
    v = value.strip()
    if not v or any(c.isspace() for c in v) or any(c in v for c in "{}$:*?"):
        return False
    if v.startswith(("/", "~", "\\")) or _is_number(v):
        return False
    norm = _norm(v)
    if norm in repository:
        return True
    if _DATA_EXTENSION.search(v):
        return True
    if "/" in v:
        return v.endswith("/") or v.startswith(("./", "../")) or bool(_EXTENSION.search(v))
    return False


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _norm(path: str) -> str:
    return posixpath.normpath(path).removeprefix("./")


def _uploaded(value: str, files: list[str], directories: list[str]) -> bool:
    path = _norm(value.strip())
    if path in files:
        return True
    return any(d in ("", ".") or path == d or path.startswith(d + "/") for d in directories)


def _message(project: Project, pset: ParameterSet, key: str, value: str, stages: list[str]) -> str:
    readers = ", ".join(f"'{s}'" for s in stages[:3]) + (" ..." if len(stages) > 3 else "")
    what = f"parameter '{key}' is the local path '{value}' (read by stage {readers})"
    if project.mode == "reana":
        name = project.reana.file if project.reana else "reana.yaml"
        return (
            f"{what} but {name} does not upload it; add it to inputs.files or "
            "inputs.directories, or read it from a URL (root://eosuser.cern.ch//eos/...)"
        )
    return (
        f"{what} in {pset.label}; a REANA run does not have it: read it from a URL, upload it "
        "with reana.yaml inputs.files, or drop the stages that read it with "
        "`convert: {drop_stages: [...]}` in .recast-reana.yaml"
    )
