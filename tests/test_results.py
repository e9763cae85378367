"""results/: reading a result, comparing it with its reference, the references, the history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from recast_reana.errors import Error
from recast_reana.model import positioned_yaml
from recast_reana.model.config import load_config, parse_config
from recast_reana.redact import Redactor
from recast_reana.results.compare import Check, check
from recast_reana.results.expected import Expected, Reference, expected_results, key_path
from recast_reana.results.history import FORMAT, load_history, save_history, this_run
from recast_reana.results.report import junit_suite, markdown
from recast_reana.results.values import Unreadable, read_value

SENTINEL = "Sentinel-History-Token-19af3c"


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("limits.observed", ("limits", "observed")),
        ("fits[0].mu", ("fits", 0, "mu")),
        ("a[-1]", ("a", -1)),
        ("[2]", (2,)),
        ("", ()),
    ],
)
def test_key_paths(text: str, keys: tuple[Any, ...]) -> None:
    assert key_path(text) == keys


@pytest.mark.parametrize("text", ["a..b", "a[x]", "a[0", "a]"])
def test_malformed_key_paths(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not a key path: write keys with dots"):
        key_path(text)


@pytest.mark.parametrize(
    ("content", "keys", "value"),
    [
        ("1.52\n", (), 1.52),
        ("7", (), 7),
        ('{"limits": {"observed": 0.91, "bands": [0.5, 0.7]}}', ("limits", "bands", 1), 0.7),
        ("limits:\n  observed: 1.2e-3\n", ("limits", "observed"), 1.2e-3),
        ("- {mu: 1}\n- {mu: 2}\n", (-1, "mu"), 2),
        ("status: converged\n", ("status",), "converged"),
        ("200: {mu: 3}\n", (200, "mu"), 3),  # YAML keys are numbers here
        ("'200': {mu: 3}\n", (200, "mu"), 3),  # and text there
    ],
)
def test_read_value(tmp_path: Path, content: str, keys: tuple[Any, ...], value: Any) -> None:
    (tmp_path / "r.yaml").write_text(content)
    assert read_value(tmp_path / "r.yaml", "fit/r.yaml", keys) == value


@pytest.mark.parametrize(
    ("content", "keys", "message"),
    [
        (None, (), "fit/r.yaml: not produced (not in the downloaded outputs)"),
        (b"\x89PNG\r\n\x1a\n\xff", (), "fit/r.yaml: not a text file (YAML, JSON or a number)"),
        (b"a: [1\n", (), "fit/r.yaml:2: not YAML or JSON (expected ',' or ']', but got"),
        (b"a: {b: 1, c: 2}\n", ("a", "d"), "fit/r.yaml: no a.d (keys there: b, c; at a)"),
        (b"a: [1, 2]\n", ("a", 5), "fit/r.yaml: no a[5] (a list of 2 there; at a)"),
        (b"a: 1\n", ("a", "b"), "fit/r.yaml: no a.b (the number 1 there; at a)"),
        (b"a: {b: 1}\n", ("a",), "fit/r.yaml: a mapping at a, not one value: give `path:`"),
        (b"[1, 2]\n", (), "fit/r.yaml: a list, not one value"),
    ],
)
def test_unreadable(tmp_path: Path, content: bytes | None, keys: Any, message: str) -> None:
    if content is not None:
        (tmp_path / "r.yaml").write_bytes(content)
    with pytest.raises(Unreadable) as info:
        read_value(tmp_path / "r.yaml", "fit/r.yaml", keys)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def _check(tmp_path: Path, content: str, **reference: Any) -> Check:
    (tmp_path / "fit").mkdir(exist_ok=True)
    (tmp_path / "fit/r.yaml").write_text(content)
    ref = Reference(**reference)
    return check(Expected("limit", "fit/r.yaml", True, ref), None, tmp_path)


@pytest.mark.parametrize(
    ("content", "reference", "status", "message"),
    [
        ("1.55", {"value": 1.52, "rel_tol": 0.05}, "passed", "got 1.55, expected 1.52 ± 0.076"),
        ("1.6", {"value": 1.52, "rel_tol": 0.05}, "failed", "got 1.6, expected 1.52 ± 0.076 "
         "(rel_tol 0.05): off by +0.08 (+5.3%), outside the tolerance by 0.004"),
        ("0.02", {"value": 0, "abs_tol": 0.01}, "failed",
         "got 0.02, expected 0 ± 0.01 (abs_tol 0.01): off by +0.02, outside the tolerance by 0.01"),
        # The larger of the two tolerances counts, as in math.isclose.
        ("10.9", {"value": 10, "rel_tol": 0.01, "abs_tol": 1}, "passed",
         "got 10.9, expected 10 ± 1 (rel_tol 0.01, abs_tol 1)"),
        ("3", {"value": 3.0}, "passed", "got 3, expected 3 (exact: no rel_tol or abs_tol given)"),
        ("3.0000001", {"value": 3}, "failed", "got 3, expected 3 (exact: no rel_tol or abs_tol"),
        (".nan", {"value": 1, "rel_tol": 1}, "failed", "got nan, expected 1 ± 1 (rel_tol 1)"),
        ("converged", {"value": "converged"}, "passed", "got the text 'converged'"),
        ("failed", {"value": "converged"}, "failed",
         "expected the text 'converged', got the text 'failed' in fit/r.yaml"),
        ("true", {"value": True}, "passed", "got the boolean true"),
        ("1.5", {"value": "1.5"}, "failed",
         "expected the text '1.5', got the number 1.5 in fit/r.yaml"),
        ("high", {"value": 1.5, "rel_tol": 0.1}, "failed",
         "expected a number (1.5), got the text 'high' in fit/r.yaml"),
        ("a: {b: ~}", {"value": 1.5, "path": ("a", "b")}, "failed",
         "expected a number (1.5), got nothing (null) in fit/r.yaml at a.b"),
        ("4.2", {}, "passed", "got the number 4.2 (no reference value)"),
    ],
)  # fmt: skip
def test_compare(
    tmp_path: Path, content: str, reference: dict[str, Any], status: str, message: str
) -> None:
    result = _check(tmp_path, content, **reference)
    assert (result.status, result.message[: len(message)]) == (status, message)


def test_a_number_keeps_its_band(tmp_path: Path) -> None:
    result = _check(tmp_path, "1.7", value=1.5, rel_tol=0.1)
    assert (result.got, result.expected, result.low, result.high) == (
        1.7,
        1.5,
        pytest.approx(1.35),
        pytest.approx(1.65),
    )
    assert result.number == 1.7
    assert _check(tmp_path, ".inf", value=1.5).number is None


def test_a_file_result_without_reference_passes_when_it_exists(tmp_path: Path) -> None:
    (tmp_path / "fit").mkdir()
    png = Expected("plot", "fit/limit.png")
    assert check(png, None, tmp_path).status == "error"
    (tmp_path / "fit/limit.png").write_bytes(b"\x89PNG")
    assert (check(png, None, tmp_path).status, check(png, None, tmp_path).message) == (
        "passed",
        "fit/limit.png produced",
    )
    assert check(png, "m300", tmp_path / "m300").message == (
        "m300/fit/limit.png: not produced (not in the downloaded outputs)"
    )


def test_a_relpath_outside_the_workspace_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.yaml").write_text("1")
    result = check(Expected("x", "../secret.yaml", True, where="recast.yml:3:3"), None, tmp_path)
    assert (result.status, result.message) == (
        "error",
        "recast.yml:3:3: relpath '../secret.yaml' is not a workspace file",
    )


def test_a_point_reference_falls_back_to_the_result() -> None:
    base = Reference(value=1.0, rel_tol=0.1, path=("limit",), where="c:3:5")
    own = Reference(value=2.0, where="c:6:9 (point m400)")
    expected = Expected("x", "f.yaml", True, base, {"m400": own})
    assert expected.at(None) == base
    assert expected.at("m300") == base
    assert expected.at("m400") == Reference(2.0, 0.1, None, ("limit",), "c:6:9 (point m400)")
    tighter = Reference(value=2.0, abs_tol=0.01)
    point = Expected("x", "f", True, base, {"m5": tighter}).at("m5")
    assert point is not None and (point.rel_tol, point.abs_tol) == (None, 0.01)


RECAST = """\
name: analysis
results:
- name: limit
  relpath: fit/limits.yaml
  load_yaml: true
- name: plot
  relpath: fit/limit.png
"""


def _repo(tmp_path: Path, config: str, references: str | None = None) -> Path:
    (tmp_path / "recast.yml").write_text(RECAST)
    (tmp_path / ".recast-reana.yaml").write_text(config)
    if references is not None:
        (tmp_path / "refs.yaml").write_text(references)
    return tmp_path


def test_expected_results_join_recast_yml_and_the_references(tmp_path: Path) -> None:
    config = """\
validate:
  references: refs.yaml
  keep_runs: 5
  results:
    limit: {path: 'limits[0]', value: 1.5, rel_tol: 0.1, points: {m300: {value: 1}}}
    extra: {relpath: fit/extra.json, path: mu, value: 0.5}
"""
    refs = "results:\n  plot: {value: ok}\n  limit: {value: 99}\n"
    root = _repo(tmp_path, config, refs)
    found = expected_results(root, load_config(root))
    assert found.keep_runs == 5
    limit, plot, extra = found.results
    assert (limit.name, limit.relpath, limit.load_yaml, limit.where) == (
        "limit",
        "fit/limits.yaml",
        True,
        "recast.yml:3:3",
    )
    # The configuration's own entry wins over the reference file's.
    assert limit.reference == Reference(1.5, 0.1, None, ("limits", 0), ".recast-reana.yaml:5:5")
    assert limit.points["m300"].value == 1
    assert plot.reference == Reference("ok", where="refs.yaml:2:3")
    assert (extra.relpath, extra.load_yaml, extra.reference) == (
        "fit/extra.json",
        True,
        Reference(0.5, None, None, ("mu",), ".recast-reana.yaml:6:5"),
    )


@pytest.mark.parametrize(
    ("config", "references", "message"),
    [
        (
            "validate:\n  references: nothere.yaml\n",
            None,
            ".recast-reana.yaml:2:15: validate.references: cannot read nothere.yaml: No such "
            "file or directory",
        ),
        ("validate:\n  references: refs.yaml\n", "results: [1\n", "refs.yaml:2:1: "),
        (
            "validate:\n  references: refs.yaml\n",
            "limit: {value: 1}\n",
            "refs.yaml:1:1: write the references as `results:` mapping result names",
        ),
        (
            "validate:\n  results:\n    limt: {value: 1}\n",
            None,
            ".recast-reana.yaml:3:5: validate: no recast.yml result is named 'limt' (did you "
            "mean 'limit'?); give relpath: <stage>/<file> for a file recast.yml does not name",
        ),
    ],
)
def test_unusable_references_are_exit_2(
    tmp_path: Path, config: str, references: str | None, message: str
) -> None:
    root = _repo(tmp_path, config, references)
    with pytest.raises(Error) as info:
        expected_results(root, load_config(root))
    assert info.value.exit_code == 2
    assert str(info.value).startswith(message)


def test_a_bad_entry_of_the_reference_file_is_that_result_s_error(tmp_path: Path) -> None:
    refs = "results:\n  limit:\n    value: 1\n    rel_tol: -0.1\n  plot: {value: x}\n"
    root = _repo(tmp_path, "validate:\n  references: refs.yaml\n", refs)
    limit, plot = expected_results(root, load_config(root)).results
    assert limit.reference is not None and limit.reference.problem == (
        "refs.yaml:4:14: results.limit.rel_tol: -0.1 is less than the minimum of 0"
    )
    result = check(limit, None, tmp_path)
    assert (result.status, result.message) == ("error", limit.reference.problem)
    assert plot.reference is not None and not plot.reference.problem


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "validate:\n  results:\n    limit: {valeu: 1}\n",
            "3:13: unknown key 'valeu' in validate.results.limit (did you mean 'value'?); "
            "known: value, rel_tol, abs_tol, path, relpath, points",
        ),
        (
            "validate:\n  keep_run: 3\n",
            "2:3: unknown key 'keep_run' in validate (did you mean 'keep_runs'?); known: "
            "results, references, keep_runs, grid_parameter",
        ),
        (
            "validate:\n  results:\n    limit: {value: {a: 1}}\n",
            "3:20: validate.results.limit.value: {'a': 1} is not of type 'number', 'string', "
            "'boolean'",
        ),
        (
            "validate:\n  results:\n    limit: {points: {m3: {abs_tol: -1}}}\n",
            "3:36: validate.results.limit.points.m3.abs_tol: -1 is less than the minimum of 0",
        ),
        ("validate:\n  keep_runs: 0\n", "2:14: validate.keep_runs: 0 is less than the minimum"),
    ],
)
def test_validate_configuration(text: str, message: str) -> None:
    with pytest.raises(Error) as info:
        parse_config(positioned_yaml.load(text), ".recast-reana.yaml")
    assert str(info.value).startswith(f".recast-reana.yaml:{message}")


def _checks() -> list[Check]:
    return [
        Check("limit", None, "f", "passed", "got 1", 1.0, 1.0, 0.9, 1.1, "± 0.1"),
        Check("a|b", None, "f", "failed", "got 2", 2.0, 1.0, 0.9, 1.1, "± 0.1"),
        Check("text", None, "f", "error", "f: not produced"),
    ]


def test_history_keeps_the_last_runs_and_redacts(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    assert load_history(path).runs == [] and not load_history(path).problem
    runs = [this_run(f"2026-12-0{i}T02:00:00Z", [f"a.{i}"], _checks()) for i in range(1, 5)]
    runs[-1]["workflows"] = [f"a-{SENTINEL}"]
    kept = save_history(path, runs, 3, Redactor(SENTINEL))
    assert [r["time"][:10] for r in kept] == ["2026-12-02", "2026-12-03", "2026-12-04"]
    assert SENTINEL not in path.read_text()
    loaded = load_history(path)
    assert not loaded.problem
    assert [r["workflows"] for r in loaded.runs] == [["a.2"], ["a.3"], ["a-***"]]
    assert loaded.runs[0]["results"][1] == {
        "name": "a|b",
        "point": None,
        "status": "failed",
        "value": 2.0,
        "expected": 1.0,
        "low": 0.9,
        "high": 1.1,
    }
    assert json.loads(path.read_text())["format"] == FORMAT


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\xff\xfe", "corrupt, not JSON"),
        (b'{"format": "other", "version": 1}', "not a recast-reana results history"),
        (b'{"format": "recast-reana results history", "runs": []}',
         "written by an unknown recast-reana (version None, this one reads 1)"),
        (b'{"format": "recast-reana results history", "version": 1, "runs": '
         b'[{"time": "t", "results": [{"name": "x", "value": "1"}]}]}',
         "corrupt (runs are not as recast-reana writes them)"),
    ],
)  # fmt: skip
def test_unusable_history(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "h.json"
    path.write_bytes(content)
    loaded = load_history(path)
    assert (loaded.runs, loaded.problem) == ([], f"{path}: {problem}")


def test_report_rows_and_junit_counts() -> None:
    suite = junit_suite(_checks())
    assert [suite.get(k) for k in ("tests", "failures", "errors")] == ["3", "1", "1"]
    failure = suite.find("testcase[@name='a|b']/failure")
    assert failure is not None and failure.text == (
        "result: a|b\nfile: f\nexpected: 1 ± 0.1\ngot: 2\nallowed: [0.9, 1.1]\ngot 2"
    )
    text = markdown(_checks(), [], [])
    assert "## Results: 3 checked, 2 failed" in text
    assert "| a\\|b | 2 | 1 ± 0.1 | **failed**: got 2 |" in text
    assert "| text | - | - | **error**: f: not produced |" in text
