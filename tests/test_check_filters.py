"""Findings of the in-memory conversion obey --select/--ignore like the rules' own findings."""

from __future__ import annotations

from helpers import RECAST_REPO, make_project

from recast_reana.convert.check import check
from recast_reana.model.config import Config

BROKEN = {**RECAST_REPO, "specs/workflow.yml": RECAST_REPO["specs/workflow.yml"] + "  bad: [\n"}
DROPPING = {"drop_stages": ["select"]}  # `fit` still reads `select`: the conversion refuses


def test_a_broken_file_is_reported_once() -> None:
    assert [d.rule for d in check(make_project(BROKEN))] == ["RR001"]


def test_credential_only_selection_hides_conversion_refusals() -> None:
    assert check(make_project(BROKEN, Config(select=("RR501", "RR502")))) == []
    assert check(make_project(RECAST_REPO, Config(convert=DROPPING, select=("RR5",)))) == []


def test_refusals_are_named_errors_and_can_be_ignored() -> None:
    found = [
        d for d in check(make_project(RECAST_REPO, Config(convert=DROPPING))) if d.rule == "RR301"
    ]
    assert found and all(d.name == "unknown-stage" and d.severity == "error" for d in found)
    ignoring = Config(convert=DROPPING, ignore=("RR301",))
    assert [d for d in check(make_project(RECAST_REPO, ignoring)) if d.rule == "RR301"] == []
