"""Writing files and trees so that no reader ever sees half of them.

A file is written beside itself and renamed into place; a tree (`convert --out`) is written
whole into a folder beside the target and renamed into place at the end, so an interrupt or a
full disk leaves the target as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path


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


def replace_tree(out: Path, files: Mapping[str, bytes]) -> None:
    """Make `out` hold exactly `files`: all or nothing, no file of an earlier `out` left over."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".new", dir=out.parent))
    old: Path | None = None
    try:
        for rel in sorted(files):  # one file's bytes at a time: a lazy mapping encodes on access
            data = files[rel]
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            os.chmod(path, 0o644)
        os.chmod(staging, 0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            os.replace(out, old / out.name)
        os.replace(staging, out)
    except BaseException:
        if old is not None and not out.exists():
            os.replace(old / out.name, out)  # put the earlier tree back
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
