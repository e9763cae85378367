"""Which repository a command works on, from the paths on its command line."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from recast_reana.errors import Error

MARKERS = ("recast.yml", "recast.yaml", "reana.yaml", "reana.yml", ".recast-reana.yaml", ".git")


def find_root(paths: Sequence[str]) -> tuple[Path, list[str] | None]:
    """The repository root and the files (relative to it) the user named, None = the whole repo.

    A directory argument is the root. For files (as pre-commit passes them, relative to the
    repository root) the root is the nearest directory holding recast.yml, reana.yaml,
    .recast-reana.yaml or .git at or above the directory the files have in common (so files can
    be named from any working directory), else at or above the working directory.
    """
    if not paths:
        paths = ["."]
    dirs = [p for p in paths if Path(p).is_dir()]
    if dirs:
        if len(paths) > 1:
            raise Error("give either one repository directory or files inside it, not both")
        return Path(dirs[0]).resolve(), None
    # lexists: a dangling symlink is still a file name the credential rules can judge.
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        raise Error(f"{missing[0]}: no such file or directory")
    # Resolve the directories but not the last component: a symlink to a file outside the
    # repository is still a file of the repository.
    named = [Path(p).absolute().parent.resolve() / Path(p).name for p in paths]
    cwd = Path.cwd().resolve()
    root = _marked(Path(os.path.commonpath([p.parent for p in named]))) or _marked(cwd) or cwd
    files = []
    for p, full in zip(paths, named, strict=True):
        try:
            files.append(full.relative_to(root).as_posix())
        except ValueError:
            raise Error(f"{p}: is outside the repository at {root}") from None
    return root, files


def repository_dir(path: str | None, command: str) -> Path:
    """The repository directory a whole-repository command (convert, sync-branch, run) takes."""
    root, files = find_root([path] if path else [])
    if files is not None:
        raise Error(f"{command} takes the repository directory, not single files")
    return root


def _marked(start: Path) -> Path | None:
    """The nearest directory at or above `start` holding a repository marker."""
    return next(
        (d for d in (start, *start.parents) if any((d / m).exists() for m in MARKERS)), None
    )
