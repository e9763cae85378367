"""Reading a repository tree into memory and writing converted trees back, atomically."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path


def read_tree(root: Path, paths: Iterable[str]) -> dict[str, bytes]:
    files = {}
    for rel in paths:
        path = root / rel
        if path.is_file() and not path.is_symlink():
            files[rel] = path.read_bytes()
    return files


def atomic_write(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same directory and rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if path.exists():
            shutil.copymode(path, tmp)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_changed(root: Path, changed: Mapping[str, bytes]) -> None:
    for rel, data in sorted(changed.items()):
        atomic_write(root / rel, data)


def write_tree(out: Path, files: Mapping[str, bytes]) -> None:
    for rel, data in sorted(files.items()):
        atomic_write(out / rel, data)
