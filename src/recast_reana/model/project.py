"""The project model: which files make up the workflow, as recast-atlas and REANA each see them.

Built once by `load_project` (from disk) or `from_files` (from memory, e.g. a conversion), then read
by every rule. Rules never read files themselves.
"""

from __future__ import annotations

import functools
import os
import posixpath
import subprocess
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

from recast_reana.model.config import Config
from recast_reana.model.positioned_yaml import Path
from recast_reana.model.refs import Ref, RefResolver
from recast_reana.model.source_file import SourceFile
from recast_reana.model.stage_graph import Stage, Step, Workflow, build_workflow

RECAST_NAMES = ("recast.yml", "recast.yaml")
REANA_NAMES = ("reana.yaml", "reana.yml")
YAML_SUFFIXES = (".yml", ".yaml")
# Files above this size are not scanned for secrets (RR501); spec files have their own limit.
MAX_SCAN_BYTES = 1024 * 1024
_REMOTE_PREFIXES = ("github:", "gitlab-cern:", "http://", "https://", "from-github", "from-cap")


@dataclass(frozen=True)
class ParameterSet:
    """Init parameters a run gets: reana.yaml `inputs.parameters` or a recast.yml example."""

    label: str  # "reana.yaml" or "example 'default'"
    file: str
    path: Path  # of the mapping holding the parameters
    values: Mapping[str, Any]

    @property
    def name(self) -> str:
        """How messages name it: "reana.yaml" or "recast.yml example 'default'"."""
        return self.file if self.label == "reana.yaml" else f"{self.file} {self.label}"


@dataclass
class RecastInfo:
    file: str
    toplevel: str | None  # repository-relative specs directory; None when remote or absolute
    toplevel_raw: str
    workflow_file: str | None
    workflow_file_exists: bool = False  # whether `workflow_file` is a file of the repository


@dataclass
class ReanaInfo:
    file: str
    workflow_type: Any
    workflow_file: str | None
    directories: list[str]
    files: list[str]
    workflow_file_exists: bool = False  # whether `workflow_file` is a file of the repository


@dataclass
class Project:
    files: dict[str, SourceFile]  # every YAML file the model loaded
    config: Config
    recast: RecastInfo | None = None
    reana: ReanaInfo | None = None
    mode: str = "reana"  # whose view is primary: "recast" (main branch) or "reana"
    workflow_file: str | None = None
    workflow: Workflow | None = None
    refs: list[Ref] = field(default_factory=list)
    parameter_sets: list[ParameterSet] = field(default_factory=list)
    # Other files (for credential checks): path -> decoded text, or None when binary or too big.
    other_files: dict[str, str | None] = field(default_factory=dict)
    # Any file of the repository by its path (None: no such file), and the paths of them all.
    read: Callable[[str], bytes | None] = field(default=lambda _: None, repr=False)
    listing: Callable[[], list[str]] = field(default=list, repr=False)

    @property
    def stages(self) -> list[Stage]:
        """Every stage, nested sub-workflows included, parents first."""
        return list(self.workflow.all_stages()) if self.workflow else []

    @property
    def steps(self) -> list[Step]:
        """Every distinct step definition, in stage order."""
        seen: dict[tuple[str, Path], Step] = {}
        for stage in self.stages:
            for step in stage.steps:
                seen.setdefault((step.file, step.path), step)
        return list(seen.values())

    def source(self, path: str) -> SourceFile | None:
        return self.files.get(path)

    @property
    def texts(self) -> dict[str, str]:
        texts = {p: t for p, t in self.other_files.items() if t is not None}
        texts.update({p: f.text for p, f in self.files.items() if f.text is not None})
        return texts


def _is_remote(toplevel: str) -> bool:
    return toplevel.startswith(_REMOTE_PREFIXES) or toplevel.startswith("/")


def _norm(*parts: str) -> str:
    return posixpath.normpath(posixpath.join(*parts)).removeprefix("./")


def from_files(
    read: Mapping[str, bytes] | Any,
    config: Config,
    *,
    yaml_paths: Iterable[str] = (),
    other_paths: Iterable[str] = (),
    scan_reader: Callable[[str], bytes | None] | None = None,
    listing: Callable[[], list[str]] | None = None,
    loaded: Mapping[str, SourceFile] | None = None,
) -> Project:
    """Build the model from a reader: a mapping or a callable path -> bytes | None.

    `scan_reader` reads the other files for the credential rules; it may stop after
    MAX_SCAN_BYTES + 1 bytes, since larger files are not scanned. `listing` gives every path of
    the repository (a mapping's keys by default). `loaded` are files parsed already (a
    conversion's unchanged sources): they are used as they are, not parsed again.
    """
    reader = read.get if isinstance(read, Mapping) else read
    yaml_paths, other_paths = list(yaml_paths), list(other_paths)
    files: dict[str, SourceFile] = {}
    known = loaded or {}

    def load(path: str) -> SourceFile | None:
        if path not in files:
            if path in known:
                files[path] = known[path]
                return files[path]
            raw = reader(path) if not path.startswith("../") else None
            if raw is None:
                return None
            files[path] = SourceFile.parse(path, raw)
        return files[path]

    if listing is None:
        names = sorted(read) if isinstance(read, Mapping) else sorted({*yaml_paths, *other_paths})
        listing = lambda: names  # noqa: E731
    project = Project(files=files, config=config, read=reader, listing=listing)
    recast_src = next((s for n in RECAST_NAMES if (s := load(n))), None)
    reana_src = next((s for n in REANA_NAMES if (s := load(n))), None)
    if recast_src is not None:
        project.recast = _recast_info(recast_src)
        project.parameter_sets += _recast_parameters(recast_src)
    if reana_src is not None:
        project.reana = _reana_info(reana_src)
        params = _get(reana_src.data, "inputs", "parameters")
        if isinstance(params, dict):
            project.parameter_sets.insert(
                0, ParameterSet("reana.yaml", reana_src.path, ("inputs", "parameters"), params)
            )

    resolver = RefResolver(load, recast_base=project.recast.toplevel if project.recast else None)
    candidates = [
        project.reana.workflow_file if project.reana else None,
        project.recast.workflow_file if project.recast else None,
    ]
    project.mode = _mode(project, resolver, config.layout)
    if project.mode == "reana" and project.reana is not None:
        # A REANA run takes its parameters from reana.yaml alone; recast.yml examples left on a
        # converted branch do not apply to it.
        project.parameter_sets = [p for p in project.parameter_sets if p.file == project.reana.file]
    if project.mode == "recast":
        candidates.reverse()
    project.workflow_file = next((c for c in candidates if c), None)
    if project.workflow_file and (top := load(project.workflow_file)) and top.doc:
        resolver.scan(top.path, toplevel=True)
        project.workflow = build_workflow(top, resolver, project.mode)
    if project.recast and project.recast.toplevel:  # orphan spec files still get RR001/RR002
        for path in yaml_paths:
            if path.startswith(project.recast.toplevel + "/") and path.endswith(YAML_SUFFIXES):
                load(path)
    project.refs = resolver.refs
    for info in (project.recast, project.reana):  # RR204: existence, even when not loaded
        if info is not None and info.workflow_file:
            wf = info.workflow_file
            info.workflow_file_exists = wf in files or (
                not wf.startswith("../") and reader(wf) is not None
            )
    scan = scan_reader or reader
    for path in other_paths:
        if path not in files:
            raw = scan(path)
            if raw is not None:
                project.other_files[path] = _text_or_none(raw)
    return project


def _text_or_none(raw: bytes) -> str | None:
    if len(raw) > MAX_SCAN_BYTES or b"\x00" in raw[:8192]:
        return None
    return raw.decode("utf-8", errors="replace")


def _mode(project: Project, resolver: RefResolver, forced: str) -> str:
    if forced in ("recast", "reana"):
        return forced
    if project.reana is None:
        return "recast" if project.recast else "reana"
    if project.recast is None or not project.recast.workflow_file:
        return "reana"
    # Both files: main with a hand-written reana.yaml still has recast-style refs; a converted
    # (reana) branch has refs that resolve from the repository root.
    return "recast" if resolver.has_recast_only_refs(project.recast.workflow_file) else "reana"


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _recast_info(src: SourceFile) -> RecastInfo:
    base = posixpath.dirname(src.path)
    raw_top = _get(src.data, "spec", "toplevel")
    toplevel_raw = raw_top if isinstance(raw_top, str) else "specs"
    toplevel = None if _is_remote(toplevel_raw) else _norm(base, toplevel_raw)
    wf = _get(src.data, "spec", "workflow")
    workflow_file = _norm(toplevel, wf) if toplevel is not None and isinstance(wf, str) else None
    return RecastInfo(src.path, toplevel, toplevel_raw, workflow_file)


def _recast_parameters(src: SourceFile) -> list[ParameterSet]:
    examples = _get(src.data, "example_inputs")
    if not isinstance(examples, dict):
        return []
    out = []
    for name, example in examples.items():
        initdata = _get(example, "initdata")
        if isinstance(initdata, dict):
            out.append(
                ParameterSet(
                    f"example '{name}'", src.path, ("example_inputs", name, "initdata"), initdata
                )
            )
    return out


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _reana_info(src: SourceFile) -> ReanaInfo:
    wf = _get(src.data, "workflow", "file")
    return ReanaInfo(
        file=src.path,
        workflow_type=_get(src.data, "workflow", "type"),
        workflow_file=_norm(wf) if isinstance(wf, str) and wf else None,
        directories=[_norm(d) for d in _strings(_get(src.data, "inputs", "directories"))],
        files=[_norm(f) for f in _strings(_get(src.data, "inputs", "files"))],
    )


def repository_files(root: FsPath) -> list[str]:
    """Tracked and untracked-but-not-ignored files of a git work tree, else every file."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout
        return sorted({p for p in out.decode("utf-8", "replace").split("\0") if p})
    except (OSError, subprocess.CalledProcessError):
        paths = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in (".git", ".venv", "__pycache__")]
            rel = FsPath(dirpath).relative_to(root).as_posix()
            paths += [f if rel == "." else f"{rel}/{f}" for f in filenames]
        return sorted(paths)


def load_project(
    root: FsPath, config: Config, paths: Iterable[str] | None = None, *, scan: bool = True
) -> Project:
    """The model of the repository at `root`.

    `paths` are the files to scan for credentials (pre-commit passes the staged ones); by default
    every file of the repository, none when `scan` is False (convert has no use for them).
    """
    root = root.resolve()

    def read(rel: str, limit: int | None = None) -> bytes | None:
        path = root / rel
        try:
            if not path.is_file():
                return None
            with path.open("rb") as fh:  # a big data file is not read whole to scan it
                return fh.read(limit) if limit is not None else fh.read()
        except OSError:
            return None

    def scan_read(rel: str) -> bytes | None:
        return read(rel, MAX_SCAN_BYTES + 1)

    every = functools.cache(lambda: repository_files(root))
    listed = every() if paths is None else list(paths)
    return from_files(
        read,
        config,
        yaml_paths=listed,
        other_paths=listed if scan else (),
        scan_reader=scan_read,
        listing=every,
    )
