"""Where the tests keep what they download or build once, and a lock to fill it safely.

Two places: the machine's cache (`$XDG_CACHE_HOME` or `~/.cache`, then `recast-reana-tests/`),
which a fresh clone of the repository reuses (gitlab-ci-local and Node), and the pytest cache of
the checkout (`.pytest_cache/d/`), for what belongs to one checkout (the reana-commons archive,
the hook repository snapshot and pre-commit's environments). Several processes may fill either at
once: pytest-xdist workers, and other checkouts' test runs on the same machine. Whoever fills an
entry holds `locked(entry)`; the others wait, then find it filled.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "recast-reana-tests"


def pytest_cache(
    config: pytest.Config, tmp_path_factory: pytest.TempPathFactory, name: str
) -> Path:
    """`.pytest_cache/d/<name>`, or a temporary directory with `-p no:cacheprovider`."""
    cache = getattr(config, "cache", None)
    return Path(cache.mkdir(name)) if cache is not None else tmp_path_factory.mktemp(name)


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
