"""Inputs built to hurt (benchmarks/hostile.py), run as a user would: each ends with a report, not
a traceback, a hang or a flood. The time and memory budgets are measured by the benchmark; here
the bounds are what must never come back: exit 3 ("internal error"), output that grows with the
input squared, a command that does not end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import hostile  # noqa: E402
from generate import write  # noqa: E402

pytestmark = pytest.mark.slow
HANG = 120  # seconds: 12x the budget; v0.1 took 170-277 s on the placeholder case


def _run(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "recast_reana", *map(str, args)], capture_output=True, timeout=HANG
    )


def _json(done: subprocess.CompletedProcess[bytes]) -> list[dict[str, object]]:
    assert done.returncode in (0, 1), done.stderr.decode()[-500:]
    assert b"Traceback" not in done.stderr and b"internal error" not in done.stderr
    found = json.loads(done.stdout)
    assert isinstance(found, list)
    return found


@pytest.mark.parametrize("depth", [450, 5000])
def test_deep_nesting_is_an_rr004_finding(tmp_path: Path, depth: int) -> None:
    root = write(tmp_path / "repo", hostile.nesting(depth))
    found = _json(_run("check", "--format", "json", root))
    # RR004 names our depth limit; past 1000 flow levels libyaml refuses first (RR001).
    refused = {d["path"] for d in found if d["rule"] in ("RR004", "RR001")}
    assert {"recast.yml", "specs/steps.yml"} <= refused


def test_ten_thousand_placeholders(tmp_path: Path) -> None:
    """Was 170-277 s (each placeholder recomputed every field); one finding per undefined one."""
    root = write(tmp_path / "repo", hostile.placeholders(10_000))
    found = _json(_run("check", "--format", "json", root))
    assert sum(d["rule"] == "RR306" for d in found) == 5_000


def test_ten_thousand_unknown_dependencies_print_no_flood(tmp_path: Path) -> None:
    """Was 1 GB of text with --show-source (each finding's snippet held the whole line)."""
    root = write(tmp_path / "repo", hostile.dependencies(10_000))
    done = _run("check", "--show-source", root)
    assert done.returncode == 1 and b"Traceback" not in done.stderr
    assert done.stdout.count(b"RR301") == 10_000
    assert len(done.stdout) < 12_000_000  # about 1 KB a finding: snippets are clipped


def test_a_big_anchored_string_with_many_aliases_converts_without_expanding(
    tmp_path: Path,
) -> None:
    """Was over 120 s and gigabytes: the reana.yaml writer expanded 15,000 aliases of 4 MiB."""
    root = write(tmp_path / "repo", hostile.alias_bytes(4, 15_000))
    out = tmp_path / "out"
    done = _run("convert", "--out", out, root)
    assert done.returncode in (0, 1, 2), done.stderr.decode()[-500:]
    assert b"Traceback" not in done.stderr and b"internal error" not in done.stderr
    written = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) if out.exists() else 0
    assert written < 50_000_000


def test_ten_thousand_stages_in_code_quality_format(tmp_path: Path) -> None:
    """What the CI template runs; was 75 s (snippets re-split the file per finding)."""
    root = write(tmp_path / "repo", hostile.stages(10_000))
    done = _run("check", "--format", "codequality", root)
    report = _json(done)
    assert len(report) >= 9_999
    assert len({d["fingerprint"] for d in report}) == len(report)
