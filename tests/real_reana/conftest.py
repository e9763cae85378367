"""Fixtures of the real-server tier: the real reana-server 0.9.4, one per pytest session.

Skipped, with one line saying why, where the REANA sources, root or the Debian packages are
missing; with CI=true a missing piece fails instead. See README.md beside this file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from real_reana import harness, install
from real_reana.client import Reana
from real_reana.harness import TESTS, Stack, StartError, missing_programs, shared_stack
from recast_reana.reana import workflows

SKIPPED = "real-REANA tier skipped: "


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """One summary line for the whole tier when it is skipped (pytest folds skips by location,
    and a fixture's skip is reported at each test's)."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    longrepr = report.longrepr
    if report.skipped and isinstance(longrepr, tuple) and SKIPPED in str(longrepr[2]):
        report.longrepr = (__file__, None, longrepr[2])


def _unavailable() -> str | None:
    if install.find_sources(TESTS.parent) is None:
        return (
            "the REANA 0.9.4 sources (reana-server-0.9.4.tar.gz, reana-workflow-controller-"
            f"0.9.4.tar.gz) are in no shared/reana-real/ beside the checkout; set "
            f"{install.SOURCES_VAR} to their directory"
        )
    if os.geteuid() != 0:
        return "it needs root (a private mount namespace, PostgreSQL run as `postgres`)"
    missing = missing_programs()
    if missing:
        return f"missing Debian packages: apt-get install {' '.join(missing)}"
    return None


def _installation() -> install.Installation:
    sources = install.find_sources(TESTS.parent)
    assert sources is not None
    return install.ensure(sources)[0]


def _rendezvous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.getbasetemp()
    # xdist workers share their base temporary directory's parent; a plain session its own.
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def start_early(tmp_path_factory: pytest.TempPathFactory) -> None:
    """At a session's first test (tests/conftest.py): the stack starts in the background."""
    if _unavailable() is None:
        harness.start_early(_rendezvous(tmp_path_factory), _installation)


@pytest.fixture(scope="session")
def real_reana_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    why = _unavailable()
    if why is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"real-REANA tier cannot run in CI: {why}", pytrace=False)
        pytest.skip(SKIPPED + why)
    try:
        installation = _installation()
    except install.InstallError as exc:
        pytest.fail(str(exc), pytrace=False)
    with ExitStack() as stack:
        try:
            running = stack.enter_context(shared_stack(_rendezvous(tmp_path_factory), installation))
        except StartError as exc:
            pytest.fail(str(exc), pytrace=False)
        yield running


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """`run --wait` polls every 0.5 s here, not after 5 s growing to 60 s: the tests wait for
    statuses the stack reaches in a second (the schedule itself is tests/test_run.py's)."""
    monkeypatch.setattr(workflows, "POLL_FIRST", 0.5)
    monkeypatch.setattr(workflows, "POLL_MAX", 0.5)


@pytest.fixture
def reana(real_reana_stack: Stack) -> Reana:
    """The REST API as the user `analyst` (never given secrets)."""
    return Reana(real_reana_stack.url, real_reana_stack.tokens["analyst"])


@pytest.fixture
def reana_as(real_reana_stack: Stack) -> object:
    """`reana_as("kerberos")`: the REST API as another of the stack's users."""

    def as_user(user: str) -> Reana:
        return Reana(real_reana_stack.url, real_reana_stack.tokens[user])

    return as_user
