"""Files of the reana-commons 0.9.11 distribution, as `pip download --no-deps` fetches it.

PyPI has only the sdist for 0.9.11 (a wheel is read the same way if one appears). The archive is
cached in the pytest cache directory, so the index is needed once. Without it the tests fail with
the pip error: they do not skip. One process downloads it (under a lock) into a temporary
directory and moves it into place, so no one reads half an archive.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pytest
from caches import locked, pytest_cache

REQUIREMENT = "reana-commons==0.9.11"
OPENAPI = "reana_commons/openapi_specifications/reana_server.json"


def _archive(directory: Path) -> Path | None:
    found = sorted(directory.glob("reana_commons-0.9.11*.whl")) + sorted(
        directory.glob("reana_commons-0.9.11.tar.gz")
    )
    return found[0] if found else None


def read_member(archive: Path, member: str) -> bytes:
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as whl:
            return whl.read(member)
    with tarfile.open(archive) as sdist:  # sdist: reana_commons-0.9.11/<member>
        name = next(n for n in sdist.getnames() if n.endswith("/" + member))
        extracted = sdist.extractfile(name)
        assert extracted is not None
        return extracted.read()


def archive(config: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The downloaded archive (from the pytest cache when an earlier session fetched it)."""
    directory = pytest_cache(config, tmp_path_factory, "reana-commons-0.9.11")
    with locked(directory):
        found = _archive(directory)
        if found is None:
            found = _download(directory)
    return found


def _download(directory: Path) -> Path:
    with tempfile.TemporaryDirectory(dir=directory) as staging:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check"]
        proc = subprocess.run(
            [*cmd, REQUIREMENT, "-d", staging], capture_output=True, text=True, timeout=600
        )
        found = _archive(Path(staging))
        if proc.returncode != 0 or found is None:
            tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
            pytest.fail(
                f"`pip download --no-deps {REQUIREMENT}` failed (exit {proc.returncode}): {tail}. "
                "These tests need the package index (PyPI) once; they do not skip.",
                pytrace=False,
            )
        return found.replace(directory / found.name)
