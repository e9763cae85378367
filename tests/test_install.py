"""recast-reana installs into the environment the tutorial has analysts make: reana-client
(0.9.6, and the 0.95 pre-release) with pre-commit. pip resolves the three together (a dry run:
nothing is installed); PyPI must be reachable, so the test is slow and skips without it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OFFLINE = ("Failed to establish a new connection", "Temporary failure in name resolution")


@pytest.mark.slow
@pytest.mark.parametrize("client", ["reana-client==0.9.6", "reana-client==0.95.0a6"])
def test_resolves_beside_reana_client_and_pre_commit(client: str, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    argv = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet"]
    argv += ["--report", str(report), client, "pre-commit", str(ROOT)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=1200, cwd=tmp_path)
    if proc.returncode != 0 and any(text in proc.stderr for text in OFFLINE):
        pytest.skip("PyPI is not reachable from here")
    errors = [line for line in proc.stderr.splitlines() if "is ignored" not in line]
    assert proc.returncode == 0, "\n".join(errors[-30:])
    chosen = {
        item["metadata"]["name"].lower().replace("_", "-"): item["metadata"]["version"]
        for item in json.loads(report.read_text())["install"]
    }
    assert chosen["reana-client"] == client.split("==")[1]
    assert "pre-commit" in chosen
    assert "recast-reana" in chosen
    if client.endswith("0.9.6"):
        assert chosen["jsonschema"].startswith("3."), chosen["jsonschema"]  # reana-commons' pin
