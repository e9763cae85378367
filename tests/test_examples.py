"""The bundled examples: examples/vhbb is clean, examples/broken shows every defect it documents."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from recast_reana.cli import main
from recast_reana.lint.registry import RULES

EXAMPLES = Path(__file__).parents[1] / "examples"

# Every rule of the first issue, each either shown by examples/broken (in the file named here,
# where a comment marks the defect with the rule ID) or left out for the reason given.
EXPECTED = {
    "RR001": "specs/plotting.yml",  # an unfinished spec file that does not parse
    "RR002": "recast.yml",  # cross_section given twice
    "RR003": "specs/steps.yml",  # publisher `plot: {plot_file}` unquoted
    "RR101": "specs/steps.yml",  # numeric imagetag
    "RR201": "specs/workflow.yml",  # info: recast-style refs, rewritten by convert
    "RR202": "specs/workflow.yml",  # $ref to a step that does not exist
    "RR301": "specs/workflow.yml",  # dependency on the misspelled stage 'skiming'
    "RR302": "specs/workflow.yml",  # selector reading an output skimming does not publish
    "RR303": "specs/workflow.yml",  # scaling reads skimming without depending on it
    "RR304": "specs/workflow.yml",  # sum_of_weights not given in recast.yml
    "RR305": "recast.yml",  # k_factor given, never read
    "RR306": "specs/steps.yml",  # {lumi} in a script, not a stage parameter
    "RR307": "recast.yml",  # results relpath of a stage that does not exist
    "RR401": "specs/steps.yml",  # info: `. /recast_auth/getkrb.sh`
    "RR402": "specs/steps.yml",  # info: GRIDProxy
    "RR403": "specs/steps.yml",  # info: the kerberos secrets REANA needs
    "RR404": "specs/steps.yml",  # info: atlas/analysisbase:21.2.85 runs as UID 500
    "RR405": "specs/steps.yml",  # misspelled resource key
    "RR407": "specs/steps.yml",  # imagetag: latest
    "RR408": "recast.yml",  # initdata naming a file on the laptop
    "RR409": "recast.yml",  # dataopts.initdir: /Users/...
    "RR410": "specs/steps.yml",  # sudo in a script
    "RR501": "specs/steps.yml",  # echo '<password>' | kinit (also in authdir/getkrb.sh)
    "RR502": "authdir/getkrb.sh",  # a committed getkrb.sh
}
NOT_SHOWN = {
    "RR004": "a binary file or an alias bomb is not a realistic part of an analysis",
    "RR102": "REANA layout: examples/broken has no reana.yaml",
    "RR103": "recast-atlas would skip a recast.yml without metadata, hiding everything else",
    "RR203": "REANA layout: examples/broken has no reana.yaml",
    "RR204": "a workflow that cannot be found hides every stage defect",
    "RR308": "a dependency cycle would keep yadage from scheduling the stages shown here",
    "RR406": "every step here must run in docker to show the image rules",
}
ISSUE_RULES = {
    *(f"RR00{n}" for n in range(1, 5)),
    *(f"RR10{n}" for n in range(1, 4)),
    *(f"RR20{n}" for n in range(1, 5)),
    *(f"RR30{n}" for n in range(1, 9)),
    *(f"RR40{n}" for n in range(1, 10)),
    "RR410",
    "RR501",
    "RR502",
}


def _check(capsys: pytest.CaptureFixture[str], example: str) -> tuple[int, list[dict[str, Any]]]:
    code = main(["check", "--format", "json", str(EXAMPLES / example)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err, err
    report: list[dict[str, Any]] = json.loads(out)
    return code, report


def test_the_table_covers_every_rule_of_the_issue() -> None:
    assert set(EXPECTED).isdisjoint(NOT_SHOWN)
    assert set(EXPECTED) | set(NOT_SHOWN) == ISSUE_RULES


def test_vhbb_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = _check(capsys, "vhbb")
    errors = [d for d in report if d["severity"] != "info"]
    assert (code, errors) == (0, [])


def test_broken_fails(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = _check(capsys, "broken")
    assert code == 1


def test_broken_reports_exactly_the_documented_rules(capsys: pytest.CaptureFixture[str]) -> None:
    # Only rules that exist can be expected; the test below names the missing ones.
    _, report = _check(capsys, "broken")
    assert {d["rule"] for d in report} == set(EXPECTED) & set(RULES)


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_broken_shows(capsys: pytest.CaptureFixture[str], rule: str) -> None:
    assert rule in RULES, f"{rule} is not implemented yet"
    _, report = _check(capsys, "broken")
    assert EXPECTED[rule] in {d["path"] for d in report if d["rule"] == rule}


def test_broken_findings_are_complete(capsys: pytest.CaptureFixture[str]) -> None:
    _, report = _check(capsys, "broken")
    for d in report:
        assert d["rule"] in RULES and d["name"] == RULES[d["rule"]].NAME, d
        assert d["severity"] in ("error", "warning", "info"), d


def test_broken_marks_each_defect_with_its_rule() -> None:
    # The example is documentation: every rule it shows is named in a comment, and every rule
    # named in a comment is in the table.
    commented: set[str] = set()
    for path in (EXAMPLES / "broken").rglob("*"):
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if "#" in line:
                    commented |= set(re.findall(r"\bRR\d{3}\b", line.split("#", 1)[1]))
    assert commented == set(EXPECTED)
