"""The two REANA component environments, installed once into a cache directory keyed by their pins.

reana-server and reana-workflow-controller 0.9.4 are not on PyPI: their upstream sources come as
two `git archive` tarballs (`shared/reana-real/`, or the directory named by
RECAST_REANA_REAL_SOURCES). Each component gets a virtual environment of its own, installed as
`shared/reana-real/README.md` describes: the component's own `requirements.txt` pins without
`backports-zoneinfo` (Python < 3.9 only), with reana-commons 0.9.11 in place of the pinned 0.9.9,
plus `setuptools<70`; then the component itself with `--no-deps -e`. uWSGI stays although the
tests serve with Flask: Invenio loads reana-server's entry points with pkg_resources, which
refuses to when a requirement of the distribution is missing (`DistributionNotFound: uWSGI`); it
is compiled from its sdist (gcc and the Python headers, about a minute). A `sitecustomize.py` in
each environment gives back the `collections` aliases of the ABCs that Python 3.10 removed and
marshmallow 2.20.1 still uses (without it reana-server answers 500 on start, ls and logs).

Everything lands under `~/.cache/recast-reana-tests/real-reana-<hash>/` (or `$XDG_CACHE_HOME`),
where the hash covers the tarballs, every pin and the Python version: a change makes a new
directory beside the old one. A file lock serialises installers (pytest-xdist workers, other
checkouts); a marker written last says the installation is complete, so an interrupted one is
redone. From an empty pip cache this takes a few minutes (PyPI); afterwards nothing is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import time
import venv
from dataclasses import dataclass
from pathlib import Path

from caches import cache_root, locked

VERSION = "0.9.4"
COMMONS = "reana-commons{extras}==0.9.11"
SOURCES_VAR = "RECAST_REANA_REAL_SOURCES"
# (component, distribution tarball stem, reana-commons extras, venv directory)
COMPONENTS = (
    ("server", f"reana-server-{VERSION}", "[kubernetes,yadage]"),
    ("controller", f"reana-workflow-controller-{VERSION}", "[kubernetes]"),
)
DROPPED = ("backports-zoneinfo", "reana-commons")  # requirement names left out
EXTRA = ("setuptools<70",)
INSTALL_TIMEOUT = 1800
SHIM = '''\
"""recast-reana tests: REANA 0.9 pins (marshmallow 2.20.1, ...) still import the ABCs from
`collections`, where Python 3.10 removed them."""
import collections
import collections.abc

for _name in collections.abc.__all__:
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))
'''


class InstallError(Exception):
    """The environments could not be installed (the message says why, with pip's last lines)."""


def find_sources(start: Path) -> Path | None:
    """RECAST_REANA_REAL_SOURCES, else the first `shared/reana-real` beside an ancestor of
    `start` (a checkout in /work/main or /work/wt/x finds /work/shared; CI's clone its copy)."""
    named = os.environ.get(SOURCES_VAR)
    candidates = [Path(named)] if named else [p / "shared" / "reana-real" for p in start.parents]
    for directory in candidates:
        if all((directory / f"{stem}.tar.gz").is_file() for _, stem, _ in COMPONENTS):
            return directory
    return None


@dataclass(frozen=True)
class Installation:
    home: Path

    def python(self, component: str) -> Path:
        return self.home / component / "bin" / "python"

    def bin(self, component: str, program: str) -> Path:
        return self.home / component / "bin" / program

    def source(self, component: str) -> Path:
        stem = next(s for c, s, _ in COMPONENTS if c == component)
        return self.home / "src" / stem


def _requirements(text: str, extras: str) -> list[str]:
    keep = []
    for line in text.splitlines():
        pin = line.split("#", 1)[0].strip()
        name = pin.split("==", 1)[0].split("[", 1)[0].strip().lower()
        if pin and name not in DROPPED:
            keep.append(pin)
    return [*keep, COMMONS.format(extras=extras), *EXTRA]


def _member(tarball: Path, name: str) -> str:
    with tarfile.open(tarball) as archive:
        extracted = archive.extractfile(name)
        if extracted is None:
            raise InstallError(f"{tarball} has no {name}")
        return extracted.read().decode()


def plan(sources: Path) -> tuple[Path, dict[str, list[str]]]:
    """The cache directory for these sources and pins, and each component's requirements."""
    digest = hashlib.sha256()
    requirements: dict[str, list[str]] = {}
    for component, stem, extras in COMPONENTS:
        tarball = sources / f"{stem}.tar.gz"
        digest.update(hashlib.sha256(tarball.read_bytes()).digest())
        requirements[component] = _requirements(
            _member(tarball, f"{stem}/requirements.txt"), extras
        )
        digest.update("\n".join(requirements[component]).encode())
    digest.update(SHIM.encode())
    digest.update(f"python{sys.version_info[0]}.{sys.version_info[1]}".encode())
    return cache_root() / f"real-reana-{digest.hexdigest()[:12]}", requirements


def ensure(sources: Path) -> tuple[Installation, float]:
    """The installation (installing it first when incomplete) and the seconds spent installing."""
    home, requirements = plan(sources)
    marker = home / ".installed"
    if marker.is_file():
        return Installation(home), 0.0
    with locked(home):
        if marker.is_file():  # another worker installed it while this one waited
            return Installation(home), 0.0
        began = time.monotonic()
        _install(home, sources, requirements)
        marker.write_text(f"installed in {time.monotonic() - began:.0f} s\n")
        return Installation(home), time.monotonic() - began


def _install(home: Path, sources: Path, requirements: dict[str, list[str]]) -> None:
    shutil.rmtree(home, ignore_errors=True)
    (home / "src").mkdir(parents=True)
    jobs = []
    for component, stem, _ in COMPONENTS:
        with tarfile.open(sources / f"{stem}.tar.gz") as archive:
            archive.extractall(home / "src", filter="data")
        venv.EnvBuilder(with_pip=True, clear=True).create(home / component)
        site = next((home / component / "lib").glob("python3*/site-packages"))
        (site / "sitecustomize.py").write_text(SHIM)
        pins = home / f"{component}-requirements.txt"
        pins.write_text("".join(f"{r}\n" for r in requirements[component]))
        python = str(home / component / "bin" / "python")
        pip = f"{python} -m pip install --disable-pip-version-check --no-input"
        script = (
            f"{pip} -r {pins} && {pip} --no-deps -e {home / 'src' / stem} && "
            f"{python} -c 'import {stem.rsplit('-', 1)[0].replace('-', '_')}'"
        )
        log = (home / f"install-{component}.log").open("w")
        jobs.append((component, log, subprocess.Popen(script, shell=True, stdout=log, stderr=log)))
    failed = []
    for component, log, process in jobs:
        try:
            code = process.wait(timeout=INSTALL_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
        log.close()
        if code != 0:
            lines = (home / f"install-{component}.log").read_text(errors="replace").splitlines()
            tail = " | ".join(line for line in lines if "WARNING: Location" not in line)[-600:]
            failed.append(f"{component} (exit {code}): {tail}")
    if failed:
        for component, _, _ in COMPONENTS:  # keep the logs where the message says they are
            shutil.rmtree(home / component, ignore_errors=True)
        raise InstallError(
            f"installing REANA {VERSION} into {home} failed: {'; '.join(failed)}. "
            "The real-server tests need PyPI once."
        )
