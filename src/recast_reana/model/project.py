"""The project model: which files make up the workflow, as recast-atlas and REANA each see them.

Built once by `load_project` (from disk) or `from_files` (from memory, e.g. a conversion), then read
by every rule. Rules never read files themselves.
"""

from __future__ import annotations

import functools
import os
import posixpath
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path as FsPath

from recast_reana.model.config import Config
from recast_reana.model.discovery import (
    RECAST_NAMES,
    YAML_SUFFIXES,
    ReanaInfo,
    RecastInfo,
    get,
    is_reana_file,
    reana_info,
    recast_info,
    workflow_file,
    yadage_reana,
)
from recast_reana.model.images import ImageFacts
from recast_reana.model.positioned_yaml import Path
from recast_reana.model.refs import REANA, Ref, RefResolver
from recast_reana.model.serial import SerialStep, serial_steps
from recast_reana.model.source_file import LARGE_FILE, SourceFile, mmap_large_blocks
from recast_reana.model.stage_graph import Stage, Step, Workflow, build_workflow
from recast_reana.named_tuple import NamedTuple
from recast_reana.type_names import Any

# Files above this size are not scanned for secrets (RR501); spec files have their own limit.
MAX_SCAN_BYTES = 1024 * 1024


class ParameterSet(NamedTuple):
    """Init parameters a run gets: reana.yaml `inputs.parameters` or a recast.yml example."""

    label: str  # a reana file's name (its inputs.parameters) or "example 'default'"
    file: str
    path: Path  # of the mapping holding the parameters
    values: Mapping[str, Any]

    @property
    def name(self) -> str:
        """How messages name it: "reana.yaml" or "recast.yml example 'default'"."""
        return self.file if self.label == self.file else f"{self.file} {self.label}"


class Project:
    """The model of one repository: its files, what they declare, the workflow and its steps.

    A plain class (not a dataclass, whose import and class creation cost start-up; issue 12).
    """

    __slots__ = (
        "config",
        "files",
        "image_facts",
        "listing",
        "mode",
        "other_files",
        "parameter_sets",
        "read",
        "reana",
        "reana_files",
        "recast",
        "refs",
        "refused",
        "serial_steps",
        "workflow",
        "workflow_file",
        "workflow_guessed",
    )

    def __init__(
        self,
        files: dict[str, SourceFile],
        config: Config,
        read: Callable[[str], bytes | None] = lambda _: None,
        listing: Callable[[], list[str]] = list,
    ) -> None:
        self.files = files  # every YAML file the model loaded
        self.config = config
        self.recast: RecastInfo | None = None
        self.reana: ReanaInfo | None = None  # the reana file of the yadage workflow
        self.reana_files: list[ReanaInfo] = []  # every one, `reana` included
        self.serial_steps: list[SerialStep] = []  # of the serial reana files
        self.mode = "reana"  # whose view is primary: "recast" (main branch) or "reana"
        self.workflow_file: str | None = None
        # Not what a file names: the nearest match, or a usual place.
        self.workflow_guessed = False
        self.workflow: Workflow | None = None
        self.refs: list[Ref] = []
        self.parameter_sets: list[ParameterSet] = []
        # Other files (for credential checks): path -> decoded text, or None when binary or too big.
        self.other_files: dict[str, str | None] = {}
        # Any file of the repository by its path (None: no such file), and the paths of them all.
        self.read = read
        self.listing = listing
        # Files the reader would not or could not read: path -> why (a link out of the
        # repository, a directory named like recast.yml, a permission). Filled while it loads.
        self.refused: dict[str, str] = {}
        # What container registries say about the step images (`ImageRef.key` -> facts): given by
        # the command line (`check --online`, or its cache offline), empty otherwise. Rules never
        # fetch.
        self.image_facts: dict[str, ImageFacts] = {}

    def __repr__(self) -> str:
        return f"Project(files={sorted(self.files)!r}, workflow_file={self.workflow_file!r})"

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
    def subject(self) -> str | None:
        """What was found to check, for the summary line; None when nothing was recognised."""
        if self.workflow_file and self.mode == "recast" and self.recast:
            return f"recast-atlas workflow {self.workflow_file}"
        if self.workflow_file and self.reana:
            return f"REANA yadage workflow {self.workflow_file}"
        if self.workflow_file:
            return f"yadage workflow {self.workflow_file}"
        if self.reana_files:
            first = self.reana_files[0]
            return f"REANA {first.engine or 'workflow'} file {first.file}"
        if self.recast:
            return self.recast.file
        return None

    @property
    def checked(self) -> int:
        """How many files were checked: loaded YAML files and scanned text files."""
        scanned = sum(1 for p, t in self.other_files.items() if t is not None)
        return len(self.files) + scanned

    @property
    def texts(self) -> dict[str, str]:
        texts = {p: t for p, t in self.other_files.items() if t is not None}
        texts.update({p: f.text for p, f in self.files.items() if f.text is not None})
        return texts


def from_files(
    read: Mapping[str, bytes] | Any,
    config: Config,
    *,
    yaml_paths: Iterable[str] = (),
    other_paths: Iterable[str] = (),
    scan_reader: Callable[[str], bytes | None] | None = None,
    listing: Callable[[], list[str]] | None = None,
    top_names: Iterable[str] | None = None,
    named: Iterable[str] = (),
    loaded: Mapping[str, SourceFile] | None = None,
    refused: dict[str, str] | None = None,
) -> Project:
    """Build the model from a reader: a mapping or a callable path -> bytes | None.

    `scan_reader` reads the other files for the credential rules; it may stop after
    MAX_SCAN_BYTES + 1 bytes, since larger files are not scanned. `listing` gives every path of
    the repository and `top_names` the names at its root (from a mapping's keys by default).
    `named` are the files the user named (a reana file among them is the one to lint). `loaded`
    are files parsed already (a conversion's unchanged sources): they are not parsed again.
    """
    reader = read.get if isinstance(read, Mapping) else read
    yaml_paths, other_paths, named = list(yaml_paths), list(other_paths), list(named)
    files: dict[str, SourceFile] = {}
    known = loaded or {}

    absent: set[str] = set()  # asked for and not there: a $ref per stage asks again
    present: dict[str, bytes] = {}  # read by exists() (the workflow file), for load() to parse

    def load(path: str) -> SourceFile | None:
        if path not in files:
            if path in known:
                files[path] = known[path]
                return files[path]
            if path in absent:
                return None
            if path in present:
                raw: bytes | None = present.pop(path)
            else:
                raw = reader(path) if not path.startswith("../") else None
            if raw is None:
                absent.add(path)
                return None
            if len(raw) >= LARGE_FILE:
                mmap_large_blocks()
            files[path] = SourceFile.parse(path, raw)
        return files[path]

    def exists(path: str) -> bool:
        if path in files or path in known or path in present:
            return True
        raw = None if path in absent or path.startswith("../") else reader(path)
        if raw is None:
            absent.add(path)
            return False
        present[path] = raw
        return True

    if listing is None:
        names = sorted(read) if isinstance(read, Mapping) else sorted({*yaml_paths, *other_paths})
        listing = lambda: names  # noqa: E731
    if top_names is None:
        top_names = [p for p in listing() if "/" not in p]
    project = Project(files=files, config=config, read=reader, listing=listing)
    project.refused = refused if refused is not None else {}
    recast_src = next((s for n in RECAST_NAMES if (s := load(n))), None)
    if recast_src is not None:
        project.recast = recast_info(recast_src)
        project.parameter_sets += _recast_parameters(recast_src)
    reana_names = sorted({n for n in [*top_names, *named] if is_reana_file(n)})
    project.reana_files = [reana_info(s) for n in reana_names if (s := load(n)) is not None]
    for reana in project.reana_files:
        project.serial_steps += serial_steps(reana, files[reana.file])
    preferred = config.convert.get("reana_file")
    project.reana = yadage_reana(project.reana_files, [*named, *([preferred] if preferred else [])])
    if project.reana is not None:
        src = files[project.reana.file]
        params = get(src.data, "inputs", "parameters")
        if isinstance(params, dict):
            pset = ParameterSet(src.path, src.path, ("inputs", "parameters"), params)
            project.parameter_sets.insert(0, pset)

    resolver = RefResolver(load, recast_base=project.recast.toplevel if project.recast else None)
    project.mode = _mode(project, resolver, config.layout)
    if project.mode == "reana" and project.reana is not None:
        # A REANA run takes its parameters from reana.yaml alone; recast.yml examples left on a
        # converted branch do not apply to it.
        project.parameter_sets = [p for p in project.parameter_sets if p.file == project.reana.file]
    written = [
        info.workflow_file
        for info in (project.reana, project.recast)
        if info is not None and info.workflow_file
    ]
    if project.mode == "recast":
        written.reverse()
    for info in (project.recast, *project.reana_files):  # RR204: existence, even when not loaded
        if info is not None and info.workflow_file:
            info.workflow_file_exists = exists(info.workflow_file)
    project.workflow_file, project.workflow_guessed = workflow_file(written, exists, listing)
    if project.workflow_file and project.recast is None and project.reana is None:
        # A bare yadage workflow (`yadage-run -t <its directory>`): refs resolve from its folder.
        resolver.bases[REANA] = posixpath.dirname(project.workflow_file)
    if project.workflow_file and (top := load(project.workflow_file)) and top.doc:
        resolver.scan(top.path, toplevel=True)
        project.workflow = build_workflow(top, resolver, project.mode)
    if project.recast and project.recast.toplevel:  # orphan spec files still get RR001/RR002
        for path in yaml_paths:
            if path.startswith(project.recast.toplevel + "/") and path.endswith(YAML_SUFFIXES):
                load(path)
    resolver.find_cycles(project.mode)
    project.refs = resolver.refs
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


def _recast_parameters(src: SourceFile) -> list[ParameterSet]:
    examples = get(src.data, "example_inputs")
    if not isinstance(examples, dict):
        return []
    out = []
    for name, example in examples.items():
        initdata = get(example, "initdata")
        if isinstance(initdata, dict):
            path = ("example_inputs", name, "initdata")
            out.append(ParameterSet(f"example '{name}'", src.path, path, initdata))
    return out


def repository_files(root: FsPath) -> list[str]:
    """Tracked and untracked-but-not-ignored files of a git work tree, else every file."""
    out = _git_ls_files(root)
    if out is not None:
        return sorted({p for p in out.decode("utf-8", "replace").split("\0") if p})
    paths = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in (".git", ".venv", "__pycache__")]
        rel = FsPath(dirpath).relative_to(root).as_posix()
        paths += [f if rel == "." else f"{rel}/{f}" for f in filenames]
    return sorted(paths)


def _git_ls_files(root: FsPath) -> bytes | None:
    """The output of `git ls-files` in `root`, None when git fails or is not there.

    os.posix_spawnp and a pipe rather than subprocess: importing subprocess (with selectors and
    threading) cost a commit hook more than running git (benchmarks/bench_speed.py).
    """
    argv = ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    if not hasattr(os, "posix_spawnp"):  # not a POSIX system
        import subprocess

        try:
            return subprocess.run(argv, capture_output=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return None
    read_end, write_end = os.pipe()
    try:
        with open(os.devnull, "rb") as null_in, open(os.devnull, "wb") as null_err:
            actions = [
                (os.POSIX_SPAWN_DUP2, null_in.fileno(), 0),
                (os.POSIX_SPAWN_DUP2, write_end, 1),
                (os.POSIX_SPAWN_DUP2, null_err.fileno(), 2),
                (os.POSIX_SPAWN_CLOSE, read_end),
            ]
            pid = os.posix_spawnp("git", argv, os.environ, file_actions=actions)
    except OSError:  # no git
        os.close(read_end)
        os.close(write_end)
        return None
    os.close(write_end)
    chunks = []
    with open(read_end, "rb") as pipe:
        while chunk := pipe.read(1 << 16):
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    return b"".join(chunks) if os.waitstatus_to_exitcode(status) == 0 else None


def load_project(
    root: FsPath, config: Config, paths: Iterable[str] | None = None, *, scan: bool = True
) -> Project:
    """The model of the repository at `root`.

    `paths` are the files to scan for credentials (pre-commit passes the staged ones); by default
    every file of the repository, none when `scan` is False (convert has no use for them).
    """
    root = root.resolve()
    refused: dict[str, str] = {}

    def read(rel: str, limit: int | None = None, *, note: bool = True) -> bytes | None:
        """A file of the repository; None when it is not one (and why, in `refused`, for a
        file the workflow reads: a data file linked from elsewhere is only not scanned)."""
        why = _refusal(root, rel)
        if why is not None:
            if note and why:
                refused[rel] = why
            return None
        try:
            with (root / rel).open("rb") as fh:  # a big data file is not read whole to scan it
                return fh.read(limit) if limit is not None else fh.read()
        except OSError as exc:
            if note:
                refused[rel] = f"unreadable ({exc.strerror or exc})"
            return None

    def scan_read(rel: str) -> bytes | None:
        return read(rel, MAX_SCAN_BYTES + 1, note=False)

    every = functools.cache(lambda: repository_files(root))
    listed = every() if paths is None else list(paths)
    try:
        top = [e.name for e in os.scandir(root) if e.is_file()]
    except OSError:
        top = []
    return from_files(
        read,
        config,
        yaml_paths=listed,
        other_paths=listed if scan else (),
        scan_reader=scan_read,
        listing=every,
        top_names=top,
        named=paths or (),
        refused=refused,
    )


def _refusal(root: FsPath, rel: str) -> str | None:
    """Why `rel` is not a file of the repository to read ("" when it just is not there)."""
    if rel.startswith("/") or rel == ".." or rel.startswith("../"):
        return ""  # never a file of the repository: whoever names it reports it
    try:
        real = (root / rel).resolve()
        if not real.is_relative_to(root):
            # A link out of the repository: its content is nobody's business here.
            return f"a symbolic link to {real}, outside the repository"
        if real.is_file():
            return None
        if real.is_dir() and (rel in RECAST_NAMES or is_reana_file(rel)):
            return "a directory, not a file"
        return ""
    except (OSError, RuntimeError) as exc:  # a symbolic link loop, an unreadable directory
        return f"unreadable ({getattr(exc, 'strerror', None) or exc})"
