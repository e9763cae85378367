"""Where the tests keep what they download or build once, and a lock to fill it safely.

The machine's cache (`$XDG_CACHE_HOME` or `~/.cache`, then `recast-reana-tests/`), which a fresh
clone of the repository reuses: gitlab-ci-local and Node, the real REANA's and the yadage engine's
environments, the reana-commons archive, the hook repository snapshots and pre-commit's
environments. Each entry's name says what it holds (versions, or a digest of the content), so a
changed checkout never reads a stale one. Several processes may fill an entry at once: pytest-xdist
workers, and other checkouts' test runs on the same machine. Whoever fills an entry holds
`locked(entry)`; the others wait, then find it filled.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "recast-reana-tests"


@contextmanager
def locked(entry: Path) -> Iterator[None]:
    """An exclusive lock on `<entry>.lock`, held for the block (waits for another holder)."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    with open(entry.with_name(entry.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
