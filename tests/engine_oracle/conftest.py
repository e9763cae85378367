"""The session's oracle: see shared.py."""

from __future__ import annotations

import os

import pytest

from engine_oracle.shared import Oracle


@pytest.fixture(scope="session")
def oracle(tmp_path_factory: pytest.TempPathFactory) -> Oracle:
    base = tmp_path_factory.getbasetemp()
    # pytest-xdist workers each get a subdirectory of the session's base directory.
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return Oracle(shared / "engine-oracle")
