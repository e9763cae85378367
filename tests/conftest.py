"""Fixtures shared by the test modules, and the order the tests run in.

The long tests run first: pip's resolutions beside reana-client (10-20 s each), the others
marked `slow` (they run the yadage engine, pre-commit, gitlab-ci-local), the real-REANA tier (its
server, started in the background at each worker's first test, is ready in 8 s or more; a run
takes up to 10 s), then the Hypothesis tests (hundreds of examples each), then the others in file
order; dealt round-robin so that each pytest-xdist worker starts with its share of the long ones.
What idle workers take from the busy ones' queues near the end are short tests: no worker is
left alone with a long one.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from fake_gitlab import FakeGitLab
from fake_reana import FakeReana
from reana_commons_dist import OPENAPI, archive, read_member
from workflow_simulation import FakeClock


def pytest_configure(config: pytest.Config) -> None:
    """A shell starts background jobs (a CI script's `cmd &`) with SIGINT ignored, and Python
    then installs no KeyboardInterrupt handler: the tests that interrupt a command with SIGINT
    get the handler a terminal user's process has (in each xdist worker too)."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: two workers per CPU. Half of the suite's time is waiting (for REANA's
    scheduler, gitlab-ci-local's jobs, pip, git and server subprocesses), not computing."""
    return 2 * (os.cpu_count() or 1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Longest first (stable: file order within each group), dealt round-robin into one run of
    tests per xdist worker: `--dist worksteal` gives each worker one contiguous share of the
    list, so every worker starts with its share of the long tests, and the short ones left at
    the end are what idle workers steal."""
    items.sort(key=_long_first)
    workers = getattr(config, "workerinput", {}).get("workercount", 1)
    items[:] = [item for share in range(workers) for item in items[share::workers]]


def _long_first(item: pytest.Item) -> int:
    if item.get_closest_marker("slow") is not None:
        # pip's resolutions beside reana-client take 10-20 s each: they go first of all.
        return 0 if item.path.name == "test_install.py" else 1
    if item.get_closest_marker("real_reana") is not None:
        return 2  # its server started at the session's first test (real_reana_early)
    return 3 if getattr(getattr(item, "obj", None), "is_hypothesis_test", False) else 4


@pytest.fixture(scope="session", autouse=True)
def real_reana_early(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The real REANA (tests/real_reana) takes 8 s or more to come up: when the session has its
    tests, it starts in the background at each worker's first test (the first one starts it)."""
    if any(item.get_closest_marker("real_reana") for item in request.session.items):
        from real_reana.conftest import start_early

        start_early(tmp_path_factory)


@pytest.fixture(scope="session")
def reana_commons() -> Path:
    """The reana-commons 0.9.11 archive (tests/reana_commons_dist.py)."""
    return archive()


@pytest.fixture(scope="session")
def openapi(reana_commons: Path) -> Any:
    """REANA's Swagger 2.0 document, which the fake REANA checks every request against."""
    return json.loads(read_member(reana_commons, OPENAPI))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def serve_reana(openapi: Any) -> Iterator[Callable[..., FakeReana]]:
    """Starts fake REANA servers: `serve_reana(token=..., clock=..., tls=...)`.

    Each serves until the test ends, and must then have seen nothing the OpenAPI spec forbids.
    """
    with ExitStack() as stack:
        servers: list[FakeReana] = []

        def start(**options: Any) -> FakeReana:
            servers.append(stack.enter_context(FakeReana(openapi, **options)))
            return servers[-1]

        yield start
        for server in servers:
            assert server.violations == []


@pytest.fixture
def gitlab(tmp_path: Path) -> Iterator[FakeGitLab]:
    """A fake GitLab serving one project, backed by a bare repository in `tmp_path`."""
    with FakeGitLab(tmp_path) as server:
        yield server
