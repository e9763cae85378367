"""An absolute path on one machine (a home directory, `/afs`, `C:\\`) in inputs or test data.

Applies to: recast.yml and the parameters of the yadage reana file.

## What it does
Finds machine-specific absolute paths where a workflow's inputs are given:

* recast.yml `example_inputs.<name>.dataopts.initdir` and `tests[].data` directories that are
  absolute (shared `/eos/` and `/cvmfs/` paths are fine);
* init parameters (reana.yaml `inputs.parameters`, recast.yml `example_inputs.<name>.initdata`,
  `tests[].parameters`) under `/home/`, `/Users/`, `/afs/`, `/Volumes/`, `/media/`, `/mnt/c/`,
  `/tmp/`, `~`, or a Windows drive (`C:\\`). `/home/atlas/` is the home of the `atlas` user
  inside ATLAS images, not a laptop path, and is fine.

## Why is this bad?
The path exists only on the machine of whoever wrote it. REANA jobs run in a fresh workspace in
which neither home directories nor AFS are mounted, and a colleague rerunning the analysis, or CI,
has other paths: the run fails with `No such file or directory`.

## Example
```yaml
example_inputs:
  default:
    dataopts:
      initdir: /Users/analyst/recast/inputdata
    initdata:
      signal_daod: /home/analyst/DAOD_EXOT27.root
```

## Use instead
```yaml
example_inputs:
  default:
    dataopts:
      initdir: inputdata
    initdata:
      signal_daod: root://eosuser.cern.ch//eos/user/a/analyst/DAOD_EXOT27.root
```

## Fix
Use a path relative to the repository, a shared location (EOS), or a URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.positioned_yaml import Path, walk
from recast_reana.model.project import Project
from recast_reana.model.source_file import SourceFile
from recast_reana.type_names import Any

ID = "RR409"
NAME = "local-path"
SEVERITY = Severity.WARNING

_LAPTOP = re.compile(
    r"^(?:file://)?(?P<kind>/home/|/Users/|/afs/|/Volumes/|/media/|/mnt/[A-Za-z]/|/tmp/|/private/"
    r"|~|[A-Za-z]:[\\/]|\\\\)"
)
_INSIDE_IMAGE = ("/home/atlas/",)  # the ATLAS images' user home, inside the container
_SHARED = ("/eos/", "/cvmfs/")
_KIND = {
    "/afs/": "an AFS path, which REANA jobs do not mount",
    "/tmp/": "a temporary directory of one machine",
    "/private/": "a temporary directory of one machine",
}


def laptop_path(value: str) -> str | None:
    """Why `value` is a path on one machine, or None."""
    v = value.strip()
    m = _LAPTOP.match(v)
    if m is None or v.removeprefix("file://").startswith(_INSIDE_IMAGE):
        return None
    return _KIND.get(m.group("kind"), "a path on one machine")


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for pset in project.parameter_sets:
        src = project.source(pset.file)
        if src is not None:
            yield from _values(src, pset.path, pset.values, pset.label)
    recast = project.source(project.recast.file) if project.recast else None
    if recast is None or not isinstance(recast.data, dict):
        return
    examples = recast.data.get("example_inputs")
    if isinstance(examples, dict):
        for name, example in examples.items():
            dataopts = example.get("dataopts") if isinstance(example, dict) else None
            if isinstance(dataopts, dict):
                path: Path = ("example_inputs", name, "dataopts", "initdir")
                yield from _directory(recast, path, dataopts.get("initdir"), "dataopts.initdir")
    tests = recast.data.get("tests")
    for i, test in enumerate(tests if isinstance(tests, list) else []):
        if not isinstance(test, dict):
            continue
        label = f"test '{test.get('name', i)}'"
        params = test.get("parameters")
        if isinstance(params, dict):
            yield from _values(recast, ("tests", i, "parameters"), params, label)
        data = test.get("data")
        for j, directory in enumerate(data if isinstance(data, list) else []):
            yield from _directory(recast, ("tests", i, "data", j), directory, f"{label} data")


def _values(
    src: SourceFile, base: Path, values: Mapping[str, Any], where: str
) -> Iterator[Diagnostic]:
    for key, value in values.items():
        for path, item in walk(value, (*base, key)):
            why = laptop_path(item) if isinstance(item, str) else None
            if why:
                yield at(
                    ID,
                    src.path,
                    src.pos(path),
                    f"parameter '{key}' of {where} is '{item.strip()}', {why}; REANA jobs and "
                    "other people cannot read it: use EOS, a URL, or a file uploaded with the "
                    "workflow",
                )


def _directory(src: SourceFile, path: Path, value: Any, label: str) -> Iterator[Diagnostic]:
    if not isinstance(value, str):
        return
    v = value.strip()
    why = laptop_path(v)
    if why is None and v.startswith("/") and not v.startswith(_SHARED):
        why = "an absolute path on one machine"
    if why:
        yield at(
            ID,
            src.path,
            src.pos(path),
            f"{label} '{v}' is {why}; use a directory relative to the repository or a shared "
            "location (EOS)",
        )
