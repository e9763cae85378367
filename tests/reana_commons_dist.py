"""Files of the reana-commons 0.9.11 distribution, as `pip download --no-deps` fetches it.

Also the REANA 0.95 pre-release (`archive(PRERELEASE)`), the document of 0.95's bundle protocol.
PyPI has only sdists for both (a wheel is read the same way if one appears). The archive is kept
in the machine's test cache (tests/caches.py), so the index is needed once. Without it the tests
fail with the pip error: they do not skip. One process downloads it (under a lock) into a
temporary directory and moves it into place, so no one reads half an archive.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pytest
from caches import cache_root, locked

VERSION = "0.9.11"
PRERELEASE = "0.95.0a26"  # REANA 0.95 (alpha): reana-client 0.95.0a6 pins reana-commons 0.95.0a26
REQUIREMENT = f"reana-commons=={VERSION}"
OPENAPI = "reana_commons/openapi_specifications/reana_server.json"


def _archive(directory: Path, version: str) -> Path | None:
    found = sorted(directory.glob(f"reana_commons-{version}-*.whl")) + sorted(
        directory.glob(f"reana_commons-{version}.tar.gz")
    )
    return found[0] if found else None


def read_member(archive: Path, member: str) -> bytes:
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as whl:
            return whl.read(member)
    with tarfile.open(archive) as sdist:  # sdist: reana_commons-<version>/<member>
        name = next(n for n in sdist.getnames() if n.endswith("/" + member))
        extracted = sdist.extractfile(name)
        assert extracted is not None
        return extracted.read()


def archive(version: str = VERSION) -> Path:
    """The downloaded archive (from the cache when an earlier session fetched it)."""
    directory = cache_root() / f"reana-commons-{version}"
    with locked(directory):
        directory.mkdir(exist_ok=True)
        found = _archive(directory, version)
        if found is None:
            found = _download(directory, version)
    return found


def _download(directory: Path, version: str) -> Path:
    requirement = f"reana-commons=={version}"
    with tempfile.TemporaryDirectory(dir=directory) as staging:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check"]
        proc = subprocess.run(
            [*cmd, requirement, "-d", staging], capture_output=True, text=True, timeout=600
        )
        found = _archive(Path(staging), version)
        if proc.returncode != 0 or found is None:
            tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
            pytest.fail(
                f"`pip download --no-deps {requirement}` failed (exit {proc.returncode}): {tail}. "
                "These tests need the package index (PyPI) once; they do not skip.",
                pytrace=False,
            )
        return found.replace(directory / found.name)
