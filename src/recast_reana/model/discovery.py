"""Which files make up the workflow: recast.yml, every reana*.yaml, and the yadage workflow file.

REANA runs four kinds of workflow (`workflow.type`: yadage, serial, cwl, snakemake), and REANA's
own demo repositories ship several reana files side by side (`reana.yaml`, `reana-yadage.yaml`,
`reana-htcondorcern.yaml`, ...). Every one of them is checked; the RECAST workflow is the yadage
one, found in this order: the reana file the user named (when it is yadage), `reana.yaml` (or
`reana.yml`) when it is yadage or its type is unreadable, the shortest-named other yadage reana
file; and the workflow file from it or from recast.yml, else (a typo, nothing declared) the
repository's YAML file nearest to the name written, else the usual places of a yadage workflow.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable

from recast_reana.model.source_file import SourceFile
from recast_reana.type_names import Any

RECAST_NAMES = ("recast.yml", "recast.yaml")
REANA_DEFAULTS = ("reana.yaml", "reana.yml")  # what reana-client reads when given no file
REANA_PATTERN = re.compile(r"reana[\w.-]*\.ya?ml")
ENGINES = ("yadage", "serial", "cwl", "snakemake")
YAML_SUFFIXES = (".yml", ".yaml")
# Where yadage workflows usually live when nothing names one (RECAST and REANA demo layouts).
USUAL_WORKFLOWS = (
    "specs/workflow.yml",
    "specs/workflow.yaml",
    "workflow/yadage/workflow.yaml",
    "workflow/yadage/workflow.yml",
    "workflow.yml",
    "workflow.yaml",
)
_REMOTE_PREFIXES = ("github:", "gitlab-cern:", "http://", "https://", "from-github", "from-cap")


class RecastInfo:
    __slots__ = ("file", "toplevel", "toplevel_raw", "workflow_file", "workflow_file_exists")

    def __init__(
        self, file: str, toplevel: str | None, toplevel_raw: str, workflow_file: str | None
    ) -> None:
        self.file = file
        self.toplevel = toplevel  # repository-relative specs directory; None: remote or absolute
        self.toplevel_raw = toplevel_raw
        self.workflow_file = workflow_file
        self.workflow_file_exists = False  # whether `workflow_file` is a file of the repository


class ReanaInfo:
    __slots__ = (
        "directories",
        "file",
        "files",
        "workflow_file",
        "workflow_file_exists",
        "workflow_type",
    )

    def __init__(
        self,
        file: str,
        workflow_type: Any,
        workflow_file: str | None,
        directories: list[str],
        files: list[str],
    ) -> None:
        self.file = file
        self.workflow_type = workflow_type
        self.workflow_file = workflow_file
        self.directories = directories
        self.files = files
        self.workflow_file_exists = False  # whether `workflow_file` is a file of the repository

    @property
    def engine(self) -> str | None:
        """yadage, serial, cwl or snakemake; None when `workflow.type` is none of them."""
        return self.workflow_type if self.workflow_type in ENGINES else None

    @property
    def maybe_yadage(self) -> bool:
        """Yadage, or a type too broken to tell (RR102 reports it; the workflow is still linted)."""
        return self.engine in ("yadage", None)

    def uploads(self, path: str) -> bool:
        """Whether `inputs.files` or `inputs.directories` upload `path` to the workspace."""
        return path in self.files or any(
            d == "." or path.startswith(d + "/") for d in self.directories
        )


def is_reana_file(path: str) -> bool:
    return REANA_PATTERN.fullmatch(posixpath.basename(path)) is not None


def get(data: Any, *keys: str) -> Any:
    """`data[k1][k2]...`, None where a level is missing or not a mapping."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def norm(*parts: str) -> str:
    return posixpath.normpath(posixpath.join(*parts)).removeprefix("./")


def recast_info(src: SourceFile) -> RecastInfo:
    base = posixpath.dirname(src.path)
    raw_top = get(src.data, "spec", "toplevel")
    toplevel_raw = raw_top if isinstance(raw_top, str) else "specs"
    remote = toplevel_raw.startswith(_REMOTE_PREFIXES) or toplevel_raw.startswith("/")
    toplevel = None if remote else norm(base, toplevel_raw)
    wf = get(src.data, "spec", "workflow")
    workflow_file = norm(toplevel, wf) if toplevel is not None and isinstance(wf, str) else None
    return RecastInfo(src.path, toplevel, toplevel_raw, workflow_file)


def reana_info(src: SourceFile) -> ReanaInfo:
    wf = get(src.data, "workflow", "file")
    base = posixpath.dirname(src.path)
    return ReanaInfo(
        file=src.path,
        workflow_type=get(src.data, "workflow", "type"),
        workflow_file=norm(base, wf) if isinstance(wf, str) and wf else None,
        directories=[norm(base, d) for d in _strings(get(src.data, "inputs", "directories"))],
        files=[norm(base, f) for f in _strings(get(src.data, "inputs", "files"))],
    )


def yadage_reana(infos: Iterable[ReanaInfo], named: Iterable[str]) -> ReanaInfo | None:
    """The reana file of the yadage workflow (see the module docstring), or None."""
    infos = [i for i in infos if "/" not in i.file]  # REANA reads reana files at the root
    wanted = set(named)
    for info in infos:
        if info.file in wanted and info.maybe_yadage:
            return info
    for info in infos:
        if info.file in REANA_DEFAULTS and info.maybe_yadage:
            return info
    yadage = sorted((i for i in infos if i.engine == "yadage"), key=lambda i: (len(i.file), i.file))
    return yadage[0] if yadage else None


def workflow_file(
    written: list[str],
    exists: Callable[[str], bool],
    listing: Callable[[], list[str]],
) -> tuple[str | None, bool]:
    """The yadage workflow file to lint, and whether it was guessed.

    `written` are the names recast.yml and the reana file give, first the one that counts. A
    name that does not exist (a typo) gives way to the repository's YAML file nearest to it, so
    the workflow is still linted (RR204 reports the typo); with no name, the usual places.
    """
    for name in written:
        if exists(name):
            return name, False
    if written:
        import difflib  # only for a misspelt name: not on every check's start-up

        candidates = sorted(p for p in listing() if p.endswith(YAML_SUFFIXES))
        for name in written:
            close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.8)
            if close:
                return close[0], True
    for name in USUAL_WORKFLOWS:
        if exists(name):
            return name, True
    return None, False


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
