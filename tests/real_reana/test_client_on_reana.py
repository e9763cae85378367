"""recast-reana's REST client (`recast_reana.reana.client`) on the real reana-server's answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from helpers import REANA_REPO

from real_reana.client import Reana
from real_reana.harness import Stack
from recast_reana import __version__
from recast_reana.reana import client as api

pytestmark = pytest.mark.real_reana


@pytest.fixture
def client(real_reana_stack: Stack) -> Iterator[api.Client]:
    c = api.Client(real_reana_stack.url, real_reana_stack.tokens["runner"])
    yield c
    c.close()


@pytest.fixture
def runner(real_reana_stack: Stack) -> Reana:
    return Reana(real_reana_stack.url, real_reana_stack.tokens["runner"])


def saturate_rate_limit(url: str) -> None:
    """Requests from recast-reana's address and user agent until REANA answers 429."""
    with requests.Session() as session:
        session.headers["User-Agent"] = f"recast-reana/{__version__}"
        for _ in range(200):
            if session.get(f"{url}/api/ping", timeout=10).status_code == 429:
                return
    pytest.fail("reana-server never answered 429")


def test_rate_limit_on_create_is_waited_out(client: api.Client, real_reana_stack: Stack) -> None:
    """REANA refuses the 21st request of a second with 429 before doing anything, so even a
    create (never repeated after a 500) is repeated, and the workflow is created once."""
    saturate_rate_limit(real_reana_stack.url)
    created = client.create("client-rate-limited", {"workflow": {"type": "serial"}})
    assert created.name == "client-rate-limited.1"


def test_workspace_round_trip(client: api.Client, runner: Reana, tmp_path: Path) -> None:
    submission = runner.submit("client-round-trip", REANA_REPO)
    assert submission.accepted, submission
    size = client.download(submission.id, "specs/steps.yml", tmp_path / "steps.yml")
    assert (tmp_path / "steps.yml").read_text() == REANA_REPO["specs/steps.yml"]
    assert size == len(REANA_REPO["specs/steps.yml"])
    with pytest.raises(api.ReanaError) as missing:
        client.download(submission.id, "fit/limit.png", tmp_path / "limit.png")
    assert missing.value.status == 404
    assert str(missing.value) == (
        "cannot download fit/limit.png: REANA answered HTTP 404: fit/limit.png does not exist."
    )


def test_refusals_are_one_line(client: api.Client, runner: Reana) -> None:
    submission = runner.submit("client-refusals", REANA_REPO)
    assert submission.status == "pending"
    with pytest.raises(api.ReanaError) as again:
        client.start(submission.id, {})
    assert (again.value.status, str(again.value)) == (
        403,
        "cannot start the workflow: REANA answered HTTP 403: Workflow client-refusals.1 is "
        "already pending and cannot be started again.",
    )
    with pytest.raises(api.ReanaError) as unknown:
        client.status("no-such-workflow")
    assert unknown.value.status == 404
    assert str(unknown.value).startswith(
        "cannot read the workflow status: REANA answered HTTP 404: REANA_WORKON is set to "
        "no-such-workflow, but that workflow does not exist."
    )


def test_unknown_token(real_reana_stack: Stack) -> None:
    token = "Sentinel-Not-A-Token-91b2"
    c = api.Client(real_reana_stack.url, token)
    with pytest.raises(api.AuthError) as refused:
        c.you()
    c.close()
    assert (refused.value.status, str(refused.value)) == (
        403,
        "REANA refused the access token (REANA_ACCESS_TOKEN): Token not valid.",
    )


def test_the_real_094_server_speaks_the_09_protocol(real_reana_stack: Stack) -> None:
    """GET /api/ping (no token) tells 0.9 from 0.95: 0.9.4 lists no `api_capabilities`, so the
    token goes as `access_token` and there is no server-side validation to ask."""
    token = real_reana_stack.tokens["runner"]
    c = api.Client(real_reana_stack.url, token)
    try:
        assert not c.protocol().bundles and c.protocol().capabilities == ()
        assert c.validate({"workflow": {"type": "serial"}}, {}) is None
        assert c.you()["email"]
    finally:
        c.close()


def test_refusals_past_the_handshake_never_show_the_token(real_reana_stack: Stack) -> None:
    """The real server's refusals of requests that carried the token (as `access_token`, 0.9),
    and an address where no REANA API answers: one line each, the token nowhere, nothing
    chained."""
    token = real_reana_stack.tokens["runner"]
    # The repeated calls (REANA answers listing an unknown workflow's files with a 500) are
    # made, but not waited for.
    c = api.Client(real_reana_stack.url, token, sleep=lambda _: None)
    nowhere = api.Client(real_reana_stack.url + "/no-api-here", token, sleep=lambda _: None)
    errors = []
    for call in (
        lambda: c.status("no-such-workflow"),
        lambda: c.create("a.b", {"workflow": {"type": "serial"}}),
        lambda: c.files("no-such-workflow"),
        nowhere.you,
    ):
        with pytest.raises(api.ReanaError) as info:
            call()
        errors.append(info.value)
    c.close()
    nowhere.close()
    for error in errors:
        text = str(error)
        assert "\n" not in text and token not in text, text
        assert error.__cause__ is None and error.__context__ is None
    assert str(errors[1]).startswith("cannot create workflow a.b: REANA answered HTTP 403: ")
    assert str(errors[3]).startswith("cannot ask REANA which protocol it speaks: ")
