"""The real yadage engine agrees with the graph rules (RR301-RR308): see README.md here."""

from __future__ import annotations

import pytest

from engine_oracle.cases import Case, has_star_dependency, star_targets
from engine_oracle.oracle import AS_IS, PLAIN, disagreements, dry_run_limit, token_at
from engine_oracle.shared import CASES, Oracle
from recast_reana.lint.diagnostics import Severity

pytestmark = [pytest.mark.engine, pytest.mark.slow]

# Where the engine and a test case or a rule disagree (README.md, "Disagreements"). Strict: a fix
# makes the test pass, and then its line here must go. None is left today.
KNOWN: dict[str, str] = {}


def _params() -> list[object]:
    return [
        pytest.param(
            case,
            id=case.id,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN[case.id])]
            if case.id in KNOWN
            else [],
        )
        for case in CASES
    ]


@pytest.mark.parametrize("case", _params())
def test_engine_agrees_with_the_graph_rules(case: Case, oracle: Oracle) -> None:
    problems = disagreements(oracle.context(case))
    assert not problems, "\n".join(problems)


STAR = [c for c in CASES if has_star_dependency(c.files)]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in STAR])
def test_yadage_crashes_on_a_dependency_written_with_star(case: Case, oracle: Oracle) -> None:
    """Disagreement 1: a dependency `S[*]` (the GRAPH_* repositories of tests/helpers.py) stops
    yadage as soon as stage S is scheduled, in predicate_handlers.jsonpath_ready
    (`depmatches[0].value[0]` on a step entry: KeyError: 0). The other tests run these cases with
    `S` instead; here the cases as they are written."""
    context = oracle.context(case)
    targets = star_targets(case.files)
    for before, after in zip(context.runs[AS_IS], context.runs[PLAIN], strict=True):
        reached = any(stage.split("/")[-1] in targets for stage in after.scheduled)
        crashed = before.error == "KeyError: 0" and (before.failed or {}).get("phase") == "ready"
        # ... unless the run failed at the same place before any dependency was checked.
        earlier = before.error is not None and (before.error, before.failed) == (
            after.error,
            after.failed,
        )
        assert crashed == reached or earlier, f"{before.explain()}\nwritten S:\n{after.explain()}"


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in STAR])
def test_a_graph_rule_reports_a_dependency_written_with_star(case: Case, oracle: Oracle) -> None:
    """Disagreement 1, fixed: RR301 reports every `S[*]` dependency as an error."""
    context = oracle.context(case)
    reported = {
        token_at(context.project, d)
        for d in context.prepared.graph(Severity.ERROR)
        if d.rule == "RR301"
    }
    assert {f"{s}[*]" for s in star_targets(case.files)} <= reported


# Cases whose dry run cannot go all the way (README.md, "Limits of a dry run").
DRY_RUN_LIMITED = (
    "RR302-PASS-publisher-known-only-at-run-time",
    "RR307-PASS-publisher-unknown-before-the-run",
)


@pytest.mark.parametrize("case_id", DRY_RUN_LIMITED)
def test_a_dry_run_stops_only_where_a_real_run_writes_the_published_file(
    case_id: str, oracle: Oracle
) -> None:
    """The exemption `dry_run_limit` grants is used, and only for what it says: each run stops
    at a fromyaml-pub publisher whose file no step wrote, every stage before it resolved."""
    context = oracle.context(next(c for c in CASES if c.id == case_id))
    for run in context.base:
        assert dry_run_limit(context, run), run.explain()
        stopped = run.failed_step()
        assert stopped is not None
        assert [s.name for s in run.steps if s.error is not None] == [stopped.name]


def test_every_known_disagreement_names_a_case() -> None:
    """A renamed or removed table row must not leave a stale entry behind."""
    assert set(KNOWN) <= {c.id for c in CASES}
