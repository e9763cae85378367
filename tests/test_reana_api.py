"""The REANA REST client against the fake REANA server (real HTTP on 127.0.0.1)."""

from __future__ import annotations

import logging
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import certifi
import pytest
from fake_reana import FakeReana
from helpers import REANA_REPO
from workflow_simulation import FakeClock

from recast_reana.reana import client as api
from recast_reana.redact import Redactor

TOKEN = "Sentinel-Api-Token-93b1"


@pytest.fixture
def fake(serve_reana: Callable[..., FakeReana], clock: FakeClock) -> FakeReana:
    return serve_reana(token=TOKEN, clock=clock.monotonic)


@pytest.fixture
def client(fake: FakeReana, clock: FakeClock) -> Iterator[api.Client]:
    c = api.Client(fake.url, TOKEN, sleep=clock.sleep, timeout=5)
    yield c
    c.close()


SPEC = {
    "version": "0.9.0",
    "inputs": {"directories": ["specs"], "parameters": {"xsec": 44.8}},
    "workflow": {"type": "yadage", "file": "specs/workflow.yml"},
}


def _upload_specs(client: api.Client, wid: str, files: dict[str, str] = REANA_REPO) -> None:
    for path in ("specs/workflow.yml", "specs/steps.yml"):
        client.upload(wid, path, files[path].encode())


def test_create_upload_start_follow(client: api.Client, fake: FakeReana, clock: FakeClock) -> None:
    assert client.you()["username"] == "analyst"
    first = client.create("analysis", SPEC)
    second = client.create("analysis", SPEC)
    assert (first.name, second.name) == ("analysis.1", "analysis.2")
    _upload_specs(client, first.id)
    assert client.start(first.id, {"xsec": 50})["status"] == "queued"
    assert client.status(first.id)["status"] == "queued"
    clock.now += 200
    status = client.status(first.id)
    assert status["status"] == "finished"
    assert status["progress"]["finished"]["total"] == status["progress"]["total"]["total"] == 2
    logs = client.logs(first.id)
    assert sorted(j["job_name"] for j in logs["job_logs"].values()) == ["fit", "select"]
    names = [f["name"] for f in client.files(first.id)]
    assert "fit/limit.png" in names and "specs/workflow.yml" in names
    assert fake.workflows[first.id].parameters == {"xsec": 50}


def test_download(client: api.Client, clock: FakeClock, tmp_path: Path) -> None:
    wid = client.create("analysis", SPEC).id
    _upload_specs(client, wid)
    client.start(wid, {})
    clock.now += 200
    client.status(wid)
    size = client.download(wid, "fit/limit.png", tmp_path / "out" / "limit.png")
    assert (tmp_path / "out" / "limit.png").read_bytes().startswith(b"fit/limit.png made by")
    assert size == (tmp_path / "out" / "limit.png").stat().st_size
    with pytest.raises(api.ReanaError) as info:
        client.download(wid, "fit/nothing.png", tmp_path / "nothing.png")
    assert info.value.status == 404
    assert not (tmp_path / "nothing.png").exists()
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["limit.png"]  # no temporary left


def test_download_cut_in_the_middle_is_fetched_again(
    client: api.Client, fake: FakeReana, clock: FakeClock, tmp_path: Path
) -> None:
    wid = client.create("analysis", SPEC).id
    _upload_specs(client, wid)
    fake.inject("truncate", "download_file", times=2)
    client.start(wid, {})
    clock.now += 200
    client.download(wid, "specs/steps.yml", tmp_path / "steps.yml")
    assert (tmp_path / "steps.yml").read_text() == REANA_REPO["specs/steps.yml"]
    assert fake.count("download_file") == 3
    assert list(tmp_path.iterdir()) == [tmp_path / "steps.yml"]


def test_start_without_the_workflow_file_fails_as_reana_does(client: api.Client) -> None:
    wid = client.create("analysis", SPEC).id
    with pytest.raises(api.ReanaError) as info:
        client.start(wid, {})
    assert info.value.status == 500
    assert "Workflow file specs/workflow.yml does not exist" in str(info.value)


def test_start_with_a_bad_ref_fails_as_reana_does(client: api.Client) -> None:
    """A recast-atlas ref (relative to specs/) does not resolve from the workspace root."""
    files = dict(REANA_REPO)
    files["specs/workflow.yml"] = files["specs/workflow.yml"].replace(
        "specs/steps.yml#", "steps.yml#"
    )
    wid = client.create("analysis", SPEC).id
    _upload_specs(client, wid, files)
    with pytest.raises(api.ReanaError) as info:
        client.start(wid, {})
    assert info.value.status == 500
    assert "steps.yml" in str(info.value)


def test_name_with_a_dot_is_refused(client: api.Client) -> None:
    with pytest.raises(api.ReanaError) as info:
        client.create("my.analysis", SPEC)
    assert info.value.status == 403
    assert 'illegal character "."' in str(info.value)
    assert not isinstance(info.value, api.AuthError)


@pytest.mark.parametrize(
    ("token", "revoked", "message"),
    [
        ("wrong-token", False, "Token not valid."),
        (TOKEN, True, "User access token revoked."),
    ],
)
def test_token_refused(
    fake: FakeReana, clock: FakeClock, token: str, revoked: bool, message: str
) -> None:
    fake.revoked = revoked
    c = api.Client(fake.url, token, sleep=clock.sleep)
    with pytest.raises(api.AuthError) as info:
        c.you()
    assert message in str(info.value)
    assert fake.count() == 1  # never retried
    c.close()


def test_transient_errors_are_retried_for_reads(
    client: api.Client, fake: FakeReana, clock: FakeClock
) -> None:
    fake.inject("status", "get_you", status=503, times=2)
    fake.inject("drop", "get_you", times=1)
    assert client.you()["username"] == "analyst"
    assert fake.count("get_you") == 4
    assert clock.sleeps == [2.0, 4.0, 8.0]


def test_retries_give_up(client: api.Client, fake: FakeReana) -> None:
    fake.inject("status", "get_you", status=502, times=10)
    with pytest.raises(api.ReanaError) as info:
        client.you()
    assert info.value.transient and info.value.status == 502
    assert fake.count("get_you") == client.attempts


def test_create_is_not_repeated_when_it_may_have_happened(
    client: api.Client, fake: FakeReana
) -> None:
    fake.inject("status", "create_workflow", status=500, times=1)
    with pytest.raises(api.ReanaError):
        client.create("analysis", SPEC)
    fake.inject("drop", "create_workflow", times=1)
    with pytest.raises(api.ReanaError) as info:
        client.create("analysis", SPEC)
    assert "may have been done" in str(info.value)
    assert fake.count("create_workflow") == 2
    # A gateway's 503 never reached REANA: repeated.
    fake.inject("status", "create_workflow", status=503, times=1)
    assert client.create("analysis", SPEC).name == "analysis.1"
    assert fake.count("create_workflow") == 4


def test_slow_answer_times_out_and_is_retried(fake: FakeReana, clock: FakeClock) -> None:
    c = api.Client(fake.url, TOKEN, sleep=clock.sleep, timeout=0.2)
    fake.inject("slow", "get_you", delay=0.6, times=1)
    assert c.you()["username"] == "analyst"
    assert fake.count("get_you") == 2
    c.close()


def test_redirects_are_not_followed(client: api.Client, fake: FakeReana) -> None:
    fake.inject("status", "get_you", status=302, times=1)
    with pytest.raises(api.ReanaError) as info:
        client.you()
    assert "redirected" in str(info.value)
    assert fake.count() == 1


def test_not_json_is_a_clear_error(client: api.Client, fake: FakeReana) -> None:
    fake.inject("html", "get_you")
    with pytest.raises(api.ReanaError) as info:
        client.you()
    assert "text/html, not REANA's JSON" in str(info.value)
    assert TOKEN not in str(info.value)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_server_message_has_no_token(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="urllib3")
    c = api.Client(f"http://127.0.0.1:{_closed_port()}", TOKEN, sleep=clock.sleep)
    with pytest.raises(api.ReanaError) as info:
        c.you()
    c.close()
    text = str(info.value)
    assert text == (
        f"cannot reach REANA at {c.url}: connection refused "
        "(while trying to ask REANA which protocol it speaks)"
    )
    assert TOKEN not in text
    assert info.value.__context__ is None and info.value.__cause__ is None
    assert TOKEN not in caplog.text


def test_urllib3_debug_log_is_redacted(
    client: api.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="urllib3")
    client.you()
    assert "/api/you?access_token=***" in caplog.text
    assert TOKEN not in caplog.text


@pytest.mark.parametrize(
    "text",
    [
        f"https://reana.cern.ch/api/you?access_token={TOKEN}",
        f"GET /api/workflows?workflow_name=x&access_token={TOKEN}&y=1",
        "access_token=other-token-value",
        f"the token {TOKEN} itself",
    ],
)
def test_redactor(text: str) -> None:
    out = Redactor(TOKEN)(text)
    assert TOKEN not in out and "other-token-value" not in out
    assert "***" in out


def test_redactor_encoded_forms() -> None:
    token = "a+b/c=d"
    redact = Redactor(token)
    assert redact("x a%2Bb%2Fc%3Dd y") == "x *** y"
    assert redact("x a+b/c=d y") == "x *** y"


def test_fake_refuses_requests_the_spec_does_not_allow(fake: FakeReana) -> None:
    """The fake's own contract check: an undeclared parameter is a violation."""
    import requests

    answer = requests.get(f"{fake.url}/api/you", params={"access_token": TOKEN, "verbose": "1"})
    assert answer.status_code == 400
    assert fake.violations == ["GET /api/you: undeclared query parameter 'verbose'"]
    fake.violations.clear()
    answer = requests.post(
        f"{fake.url}/api/workflows/x/workspace",
        params={"access_token": TOKEN, "file_name": "a"},
        json={"not": "octet-stream"},
    )
    assert answer.status_code == 400
    assert "expected ['application/octet-stream']" in fake.violations[0]
    fake.violations.clear()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, as a test REANA instance would have."""
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    request = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    subject = ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    subprocess.run(
        [*request, "-keyout", str(key), "-out", str(cert), *subject],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_tls_is_verified_unless_insecure(
    openapi: Any,
    clock: FakeClock,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # CI images often set it; it must neither disable --insecure nor be ignored.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    with FakeReana(openapi, token=TOKEN, clock=clock.monotonic, tls=certificate) as server:
        assert server.url.startswith("https://")
        strict = api.Client(server.url, TOKEN, sleep=clock.sleep)
        with pytest.raises(api.ReanaError) as info:
            strict.you()
        strict.close()
        assert "TLS certificate not verified" in str(info.value)
        assert TOKEN not in str(info.value)
        assert server.count() == 0  # refused during the handshake, and not retried
        assert clock.sleeps == []
        insecure = api.Client(server.url, TOKEN, verify=False, sleep=clock.sleep)
        assert insecure.you()["username"] == "analyst"
        insecure.close()
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate[0]))  # a site's own CA
        trusted = api.Client(server.url, TOKEN, sleep=clock.sleep)
        assert trusted.you()["username"] == "analyst"
        trusted.close()
        assert server.violations == []


def test_a_missing_ca_bundle_is_one_clear_error(
    fake: FakeReana, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/ca.pem")
    c = api.Client(fake.url.replace("http://", "https://"), TOKEN, sleep=clock.sleep)
    with pytest.raises(api.ReanaError) as info:
        c.you()
    c.close()
    assert "/nonexistent/ca.pem" in str(info.value) and clock.sleeps == []
