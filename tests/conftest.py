"""Fixtures shared by the test modules, and the order the tests run in.

The long tests run first: the real-REANA tier (its server starts in 20 s or more, a run takes up
to 20 s), then those marked `slow` (they run the yadage engine, pre-commit, gitlab-ci-local,
pip), then the Hypothesis tests (hundreds of examples each), then the others in file order. So
they start at once, and what pytest-xdist's idle workers take from the busy ones' queues near the
end are short tests: no worker is left alone with a long one.
"""

from __future__ import annotations

import json
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_long_first)  # stable: file order within each group


def _long_first(item: pytest.Item) -> int:
    if item.get_closest_marker("real_reana") is not None:
        return 0
    if item.get_closest_marker("slow") is not None:
        return 1
    return 2 if getattr(getattr(item, "obj", None), "is_hypothesis_test", False) else 3


@pytest.fixture(scope="session")
def reana_commons(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reana-commons 0.9.11 archive (tests/reana_commons_dist.py)."""
    return archive(pytestconfig, tmp_path_factory)


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
