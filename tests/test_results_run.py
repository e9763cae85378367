"""`recast-reana run --wait --download` checks the results: the bundled example against the fake
REANA, one result inside and one outside its tolerance; a grid with a reference per point; the
history across nights; bad input of every kind, never a traceback, never the token."""

from __future__ import annotations

import json
import os
import shutil
import struct
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import reana_operations
from fake_reana import FakeReana
from workflow_simulation import FakeClock, Workflow

from recast_reana.cli import main
from recast_reana.reana import run as rr
from recast_reana.results import plots

SENTINEL = "Sentinel-Results-Token-7c41d9"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "vhbb"
KERBEROS = {"CERN_USER": "env", "CERN_KEYTAB": "env", ".keytab": "file"}
LIMITS = "fitting_step/limits.yaml"
# The two numeric results the fitting step of the example writes (run_fit.py's --outputfile,
# here as YAML), with the two PNGs recast.yml already names.
RESULTS = f"""\
- name: CLs upper limit on mu
  relpath: {LIMITS}
  load_yaml: true
- name: Fitted signal strength
  relpath: {LIMITS}
  load_yaml: true
"""
CONFIG = """\
validate:
  results:
    CLs upper limit on mu: {path: limits.observed, value: 1.52, rel_tol: 0.05}
    Fitted signal strength: {path: 'fit.mu_hat', value: 0.8, abs_tol: 0.1}
"""
LIMITS_YAML = "limits: {observed: 1.55, expected: 1.31}\nfit: {mu_hat: 1.1}\n"


@pytest.fixture
def fake(
    serve_reana: Callable[..., FakeReana],
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> FakeReana:
    monkeypatch.setattr(rr, "SystemClock", lambda: clock)
    for name in ("CI", "GITLAB_CI", "CI_PROJECT_NAME", "CI_COMMIT_REF_SLUG", "CI_COMMIT_REF_NAME"):
        monkeypatch.delenv(name, raising=False)
    for name in [k for k in os.environ if k.startswith("REANA_PARAM_")]:
        monkeypatch.delenv(name)
    server = serve_reana(token=SENTINEL, clock=clock.monotonic)
    server.secrets = dict(KERBEROS)
    monkeypatch.setenv("REANA_SERVER_URL", server.url)
    monkeypatch.setenv("REANA_ACCESS_TOKEN", SENTINEL)
    return server


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Callable[[Workflow], str]]]:
    """Files a finished stage writes beside its published outputs: path -> content per workflow.

    The simulation writes what a publisher names; run_fit.py writes its numbers too.
    """
    extra: dict[str, Callable[[Workflow], str]] = {}
    advance = reana_operations.advance

    def advancing(wf: Workflow, now: float) -> Workflow:
        wf = advance(wf, now)
        done = {job.stage for job in wf.jobs if job.written}
        for path, content in extra.items():
            target = wf.workspace / path
            if path.split("/")[0] in done and not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(content(wf))
        return wf

    monkeypatch.setattr(reana_operations, "advance", advancing)
    yield extra


def example(tmp_path: Path, config: str = CONFIG, results: str = RESULTS) -> Path:
    """examples/vhbb with two numeric results and a `validate:` configuration."""
    repo = tmp_path / "vhbb"
    shutil.copytree(EXAMPLE, repo)
    recast = repo / "recast.yml"
    recast.write_text(recast.read_text() + results)
    (repo / ".recast-reana.yaml").write_text(config)
    return repo


def run(repo: Path, tmp_path: Path, *extra: str) -> int:
    out, reports = tmp_path / "out", tmp_path / "reports"
    argv = ["run", str(repo), "--wait", "--download", str(out), "--report-dir", str(reports)]
    return main([*argv, *extra])


def results_suite(reports: Path) -> ET.Element:
    root = ET.parse(reports / "junit.xml").getroot()
    suite = next(s for s in root.findall("testsuite") if s.get("name") == "results")
    return suite


def cases(suite: ET.Element) -> dict[str, tuple[str, str]]:
    """test case name -> (outcome, message)."""
    found = {}
    for case in suite.findall("testcase"):
        node = next((n for n in case if n.tag in ("failure", "error", "skipped")), None)
        found[str(case.get("name"))] = (
            node.tag if node is not None else "passed",
            node.get("message", "") if node is not None else "",
        )
    return found


def is_png(path: Path) -> tuple[int, int]:
    """The width and height of a valid PNG (signature, IHDR and every chunk's CRC); else fail."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    at, kinds = 8, []
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"{path}: bad CRC in {kind!r}"
        kinds.append(kind)
        at += 12 + length
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_nightly_example_one_result_in_one_out_of_tolerance(
    fake: FakeReana,
    written: dict[str, Callable[[Workflow], str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    written[LIMITS] = lambda wf: LIMITS_YAML
    repo = example(tmp_path)
    history = tmp_path / "history" / "results-history.json"
    code = run(repo, tmp_path, "--history", str(history))
    stdout, stderr = capsys.readouterr()
    assert code == 1, stderr
    reports = tmp_path / "reports"
    suite = results_suite(reports)
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "1", "0")
    assert cases(suite) == {
        "95% CL upper limit on the signal strength": ("passed", ""),
        "Fitted mjj spectrum": ("passed", ""),
        "CLs upper limit on mu": ("passed", ""),
        "Fitted signal strength": (
            "failure",
            "got 1.1, expected 0.8 ± 0.1 (abs_tol 0.1): off by +0.3 (+37.5%), "
            "outside the tolerance by 0.2",
        ),
    }
    failure = suite.find("testcase[@name='Fitted signal strength']/failure")
    assert failure is not None and failure.text is not None
    assert "expected: 0.8 ± 0.1 (abs_tol 0.1)\ngot: 1.1\nallowed: [0.7, 0.9]" in failure.text
    assert (
        "recast-reana: error: result Fitted signal strength failed: got 1.1, expected 0.8" in stderr
    )
    assert "results: 4 checked: 3 passed, 1 failed" in stdout
    # The workflow itself finished: its own suite passes.
    workflow_suite = ET.parse(reports / "junit.xml").getroot().find("testsuite")
    assert workflow_suite is not None and workflow_suite.get("failures") == "0"

    md = (reports / "summary.md").read_text()
    assert "## Results: 4 checked, 1 failed" in md
    assert "| CLs upper limit on mu | 1.55 | 1.52 ± 0.076 (rel_tol 0.05) | passed |" in md
    assert "| Fitted signal strength | 1.1 | 0.8 ± 0.1 (abs_tol 0.1) | **failed**: got 1.1" in md
    summary = json.loads((reports / "summary.json").read_text())
    assert summary["results"]["status"] == "failed"
    by_name = {c["name"]: c for c in summary["results"]["checks"]}
    assert by_name["CLs upper limit on mu"]["got"] == 1.55
    mu = by_name["Fitted signal strength"]
    assert (mu["low"], mu["high"]) == (pytest.approx(0.7), pytest.approx(0.9))

    files = [p["file"] for p in summary["results"]["plots"]]
    assert files == [
        "plots/cls-upper-limit-on-mu-history.png",
        "plots/fitted-signal-strength-history.png",
    ]
    for file in files:
        assert is_png(reports / file) == (750, 420)
        assert f"({file})" in md  # linked from summary.md
    saved = json.loads(history.read_text())
    assert (saved["format"], saved["version"], len(saved["runs"])) == (
        "recast-reana results history",
        1,
        1,
    )
    assert saved["runs"][0]["workflows"] == ["vhbb.1"]
    everything = "".join(p.read_text(errors="replace") for p in reports.rglob("*") if p.is_file())
    assert SENTINEL not in everything + history.read_text() + stdout + stderr


def test_all_within_tolerance_is_exit_0(
    fake: FakeReana, written: dict[str, Callable[[Workflow], str]], tmp_path: Path
) -> None:
    written[LIMITS] = lambda wf: "limits: {observed: 1.49}\nfit: {mu_hat: 0.85}\n"
    assert run(example(tmp_path), tmp_path) == 0
    assert results_suite(tmp_path / "reports").get("failures") == "0"


def test_history_across_nights_keeps_the_last_runs(
    fake: FakeReana,
    written: dict[str, Callable[[Workflow], str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Four nights with keep_runs 3: the history holds the last three, the plot shows them."""
    mu = iter([0.8, 0.82, 0.95, 0.79])
    written[LIMITS] = lambda wf: f"limits: {{observed: 1.5}}\nfit: {{mu_hat: {next(mu)}}}\n"
    repo = example(tmp_path, CONFIG + "  keep_runs: 3\n")
    history = tmp_path / "history.json"
    codes = []
    for _ in range(4):
        codes.append(run(repo, tmp_path, "--history", str(history)))
    capsys.readouterr()
    assert codes == [0, 0, 1, 0]
    runs = json.loads(history.read_text())["runs"]
    assert [r["workflows"] for r in runs] == [["vhbb.2"], ["vhbb.3"], ["vhbb.4"]]
    mus = [next(e for e in r["results"] if e["name"] == "Fitted signal strength") for r in runs]
    assert [(e["value"], e["status"]) for e in mus] == [
        (0.82, "passed"),
        (0.95, "failed"),
        (0.79, "passed"),
    ]
    assert is_png(tmp_path / "reports/plots/fitted-signal-strength-history.png")


GRID = """\
- {point: m300, mass: 300, cross_section: 1.5}
- {point: m400, mass: 400, cross_section: 2.5}
- {point: m500, mass: 500, cross_section: 3.5}
"""
GRID_CONFIG = """\
validate:
  grid_parameter: mass
  results:
    CLs upper limit on mu:
      path: limits.observed
      rel_tol: 0.1
      points:
        m300: {value: 0.6}
        m400: {value: 1.0}
        m500: {value: 1.4}
"""


def test_grid_checks_each_point_against_its_own_reference(
    fake: FakeReana,
    written: dict[str, Callable[[Workflow], str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    limit = {1.5: 0.62, 2.5: 1.3, 3.5: 1.35}  # m400 is 30% off its reference
    written[LIMITS] = lambda wf: f"limits: {{observed: {limit[wf.parameters['cross_section']]}}}\n"
    results = RESULTS.split("- name: Fitted")[0]
    repo = example(tmp_path, GRID_CONFIG, results)
    (tmp_path / "grid.yaml").write_text(GRID)
    code = run(repo, tmp_path, "--grid", str(tmp_path / "grid.yaml"))
    stdout, stderr = capsys.readouterr()
    assert code == 1, stderr
    reports = tmp_path / "reports"
    found = cases(results_suite(reports))
    cls = {k: v for k, v in found.items() if k.startswith("CLs")}
    assert cls == {
        "CLs upper limit on mu [m300]": ("passed", ""),
        "CLs upper limit on mu [m400]": (
            "failure",
            "got 1.3, expected 1 ± 0.1 (rel_tol 0.1): off by +0.3 (+30.0%), "
            "outside the tolerance by 0.2",
        ),
        "CLs upper limit on mu [m500]": ("passed", ""),
    }
    md = (reports / "summary.md").read_text()
    assert "| CLs upper limit on mu | m400 | 1.3 | 1 ± 0.1 (rel_tol 0.1) | **failed**" in md
    assert "[CLs upper limit on mu against mass](plots/cls-upper-limit-on-mu-grid.png)" in md
    assert is_png(reports / "plots/cls-upper-limit-on-mu-grid.png")
    assert "1 of 3 points failed" not in stderr  # the workflows all finished
    assert "results: 9 checked: 8 passed, 1 failed" in stdout  # 3 results, 3 points


def test_a_failed_point_is_skipped_not_checked(
    fake: FakeReana,
    written: dict[str, Callable[[Workflow], str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    written[LIMITS] = lambda wf: "limits: {observed: 1.0}\n"
    fake.fail = lambda wf, stage: stage == "fitting_step" and wf.parameters["cross_section"] == 2.5
    results = RESULTS.split("- name: Fitted")[0]
    repo = example(tmp_path, GRID_CONFIG, results)
    (tmp_path / "grid.yaml").write_text(GRID)
    grid = GRID.replace("m500, mass: 500", "m550, mass: 550")  # m500's reference: unused
    (tmp_path / "grid.yaml").write_text(grid)
    assert run(repo, tmp_path, "--grid", str(tmp_path / "grid.yaml")) == 1
    stdout, stderr = capsys.readouterr()
    found = cases(results_suite(tmp_path / "reports"))
    assert found["CLs upper limit on mu [m400]"] == (
        "skipped",
        "not checked: workflow vhbb-m400.1 failed",
    )
    assert "results: 9 checked: 5 passed, 1 failed, 3 skipped" in stdout
    assert (
        "recast-reana: warning: .recast-reana.yaml:10:9: no grid point 'm500' to "
        "check against this reference (points: m300, m400, m550)\n"
    ) in stderr


BAD_CONFIG = """\
convert:
  outputs: [fitting_step/broken.yaml]  # a file recast.yml does not name is downloaded if listed
validate:
  references: references.yaml
  results:
    CLs upper limit on mu: {path: limits.observed, value: 1.52, rel_tol: 0.05}
    Fitted signal strength: {path: 'fit.mu_hat', value: 0.8, abs_tol: 0.1}
    Missing file: {relpath: fitting_step/nothing.yaml, value: 1}
    Not YAML: {relpath: fitting_step/broken.yaml, value: 1}
    No key: {relpath: fitting_step/limits.yaml, path: limits.median, value: 1}
    Wrong type: {relpath: fitting_step/limits.yaml, path: limits.observed, value: 'high'}
"""
REFERENCES = """\
results:
  Bad reference:
    relpath: fitting_step/limits.yaml
    value: [1, 2]
"""


def test_bad_input_gives_one_line_per_result_and_the_rest_is_checked(
    fake: FakeReana,
    written: dict[str, Callable[[Workflow], str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    written[LIMITS] = lambda wf: LIMITS_YAML
    written["fitting_step/broken.yaml"] = lambda wf: "limits: [1, 2\n"
    repo = example(tmp_path, BAD_CONFIG)
    (repo / "references.yaml").write_text(REFERENCES)
    history = tmp_path / "history.json"
    history.write_text('{"format": "recast-reana results history", "version": 0, "runs": []}')
    code = run(repo, tmp_path, "--history", str(history))
    stdout, stderr = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in stdout + stderr
    found = cases(results_suite(tmp_path / "reports"))
    assert found["CLs upper limit on mu"] == ("passed", "")
    assert found["Fitted signal strength"][0] == "failure"
    assert found["Missing file"] == (
        "error",
        "fitting_step/nothing.yaml: not produced (not in the downloaded outputs)",
    )
    assert found["Not YAML"] == (
        "error",
        "fitting_step/broken.yaml:2: not YAML or JSON "
        "(expected ',' or ']', but got '<stream end>')",
    )
    assert found["No key"] == (
        "error",
        "fitting_step/limits.yaml: no limits.median (keys there: observed, expected; at limits)",
    )
    assert found["Wrong type"] == (
        "failure",
        "expected the text 'high', got the number 1.55 in fitting_step/limits.yaml at "
        "limits.observed",
    )
    assert found["Bad reference"] == (
        "error",
        "references.yaml:4:12: results.Bad reference.value: [1, 2] is not of type "
        "'number', 'string', 'boolean'",
    )
    history_case = found["results history"]
    assert history_case[0] == "error"
    assert history_case[1] == (
        f"{history}: written by an older recast-reana (version 0, this one reads 1); "
        "it is replaced by a new history from this run"
    )
    assert json.loads(history.read_text())["version"] == 1
    lines = [line for line in stderr.splitlines() if line.startswith("recast-reana: error:")]
    assert len(lines) == 7  # one per bad result, one for the history
    assert SENTINEL not in stdout + stderr


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "corrupt, not JSON (line 1)"),
        (
            '{"format": "recast-reana results history", "version": 1, "runs": [{"time": 3}]}',
            "corrupt (runs are not as recast-reana writes them)",
        ),
        ("[1, 2]", "not a recast-reana results history"),
        (
            '{"format": "recast-reana results history", "version": 7, "runs": []}',
            "written by a newer recast-reana (version 7, this one reads 1)",
        ),
    ],
)
def test_unusable_history_is_one_error_case(
    fake: FakeReana,
    written: dict[str, Callable[[Workflow], str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str,
    problem: str,
) -> None:
    written[LIMITS] = lambda wf: "limits: {observed: 1.5}\nfit: {mu_hat: 0.8}\n"
    history = tmp_path / "history.json"
    history.write_text(content)
    assert run(example(tmp_path), tmp_path, "--history", str(history)) == 1
    stderr = capsys.readouterr().err
    assert stderr.count("recast-reana: error:") == 1
    assert f"{history}: {problem}; it is replaced by a new history from this run" in stderr
    found = cases(results_suite(tmp_path / "reports"))
    assert [k for k, v in found.items() if v[0] != "passed"] == ["results history"]
    assert len(json.loads(history.read_text())["runs"]) == 1


def test_without_matplotlib_plots_are_skipped_in_one_line(
    fake: FakeReana,
    written: dict[str, Callable[[Workflow], str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(plots, "available", lambda: False)
    written[LIMITS] = lambda wf: "limits: {observed: 1.5}\nfit: {mu_hat: 0.8}\n"
    assert run(example(tmp_path), tmp_path) == 0
    stdout = capsys.readouterr().out
    assert stdout.count("plots skipped: pip install 'recast-reana[plots]'") == 1
    assert not (tmp_path / "reports/plots").exists()
    md = (tmp_path / "reports/summary.md").read_text()
    assert md.endswith("\nplots skipped: pip install 'recast-reana[plots]'\n")


def test_unknown_result_name_in_the_configuration_stops_before_reana(
    fake: FakeReana, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = "validate:\n  results:\n    CLs upper limit on muu: {value: 1}\n"
    assert run(example(tmp_path, config), tmp_path) == 2
    err = capsys.readouterr().err
    assert err == (
        "recast-reana: error: .recast-reana.yaml:3:5: validate: no recast.yml result is named "
        "'CLs upper limit on muu' (did you mean 'CLs upper limit on mu'?); give relpath: "
        "<stage>/<file> for a file recast.yml does not name\n"
    )
    assert fake.count() == 0


def test_history_needs_download(fake: FakeReana, tmp_path: Path, capsys: Any) -> None:
    assert main(["run", str(example(tmp_path)), "--history", "h.json"]) == 2
    assert "--history needs --wait --download" in capsys.readouterr().err


def test_a_result_of_a_dropped_stage_is_skipped(
    fake: FakeReana,
    written: dict[str, Callable[[Workflow], str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    written[LIMITS] = lambda wf: "limits: {observed: 1.5}\nfit: {mu_hat: 0.8}\n"
    results = RESULTS + "- name: Skimmed events\n  relpath: skimming_step/selected.root\n"
    config = "convert: {drop_stages: [skimming_step]}\n" + CONFIG
    assert run(example(tmp_path, config, results), tmp_path) == 0, capsys.readouterr().err
    found = cases(results_suite(tmp_path / "reports"))
    assert found["Skimmed events"] == (
        "skipped",
        "not checked: convert.drop_stages drops skimming_step",
    )
