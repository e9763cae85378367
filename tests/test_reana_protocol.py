"""REANA 0.95's protocol, the bad answers of a server that speaks neither, and the token's host.

Against the fake REANA in 0.9 mode (tests/fake_reana.py, reana-commons 0.9.11's document) and in
0.95 mode (tests/fake_reana95.py, reana-commons 0.95.0a26's document), over real HTTP.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import fake_reana95
import pytest
from fake_reana import FakeReana
from fake_reana95 import BUNDLES, FakeReana95
from gitrepo import write
from helpers import REANA_REPO
from workflow_simulation import FakeClock

from recast_reana.cli import main
from recast_reana.reana import client as api
from recast_reana.reana import protocol as proto
from recast_reana.reana import run as rr

openapi_095 = fake_reana95.openapi_095  # the fixtures of the 0.95 fake
serve_reana_095 = fake_reana95.serve_reana_095

TOKEN = "Sentinel-Protocol-Token-7c21d9"
SPEC = {
    "version": "0.9.0",
    "inputs": {"directories": ["specs"], "files": ["data/input.txt"], "parameters": {"x": 1}},
    "workflow": {"type": "yadage", "file": "specs/workflow.yml"},
}
FILES = {
    "specs/workflow.yml": REANA_REPO["specs/workflow.yml"].encode(),
    "specs/steps.yml": REANA_REPO["specs/steps.yml"].encode(),
    "data/input.txt": b"42\n",
}


@pytest.fixture
def fake95(serve_reana_095: Callable[..., FakeReana95], clock: FakeClock) -> FakeReana95:
    return serve_reana_095(token=TOKEN, clock=clock.monotonic)


@pytest.fixture
def fake09(serve_reana: Callable[..., FakeReana], clock: FakeClock) -> FakeReana:
    return serve_reana(token=TOKEN, clock=clock.monotonic)


def connect(server: FakeReana, clock: FakeClock, timeout: float = 5) -> Iterator[api.Client]:
    c = api.Client(server.url, TOKEN, sleep=clock.sleep, timeout=timeout)
    yield c
    c.close()


@pytest.fixture
def client95(fake95: FakeReana95, clock: FakeClock) -> Iterator[api.Client]:
    yield from connect(fake95, clock)


@pytest.fixture
def client09(fake09: FakeReana, clock: FakeClock) -> Iterator[api.Client]:
    yield from connect(fake09, clock)


# --- the two protocols ----------------------------------------------------------------------


def test_a_095_server_gets_the_bundle(
    client95: api.Client, fake95: FakeReana95, clock: FakeClock
) -> None:
    assert client95.protocol() == proto.Protocol("0.95.0a7", (BUNDLES,))
    created = client95.create("analysis", SPEC, FILES)
    assert created.name == "analysis.1"
    # inputs.files/directories are the bundle's scope when the workflow declares no files
    # of its own (reana-commons 0.95 `uses_legacy_validation_scope`).
    assert created.bundled == frozenset(FILES)
    [bundle] = fake95.bundles
    assert sorted(bundle) == ["data/input.txt", "reana.yaml", *sorted(FILES)[1:]]
    assert json.loads(bundle["reana.yaml"]) == SPEC
    assert bundle["specs/steps.yml"] == FILES["specs/steps.yml"]
    assert client95.start(created.id, {"x": 2})["status"] == "queued"
    clock.now += 200
    assert client95.status(created.id)["status"] == "finished"
    assert fake95.operations() == [
        "create_workflow",
        "start_workflow",
        "get_workflow_status",
    ]
    assert fake95.count("ping") == 1  # asked once, before anything else
    assert fake95.seen[0].operation == "ping"


def test_the_bundle_holds_what_the_workflow_declares(
    client95: api.Client, fake95: FakeReana95
) -> None:
    spec = {
        "version": "0.95.0",
        "inputs": {"files": ["data/input.txt"]},
        "workflow": {
            "type": "yadage",
            "file": "specs/workflow.yml",
            "files": ["specs/steps.yml"],
        },
    }
    created = client95.create("analysis", spec, FILES)
    assert created.bundled == {"specs/workflow.yml", "specs/steps.yml"}
    client95.upload(created.id, "data/input.txt", FILES["data/input.txt"])
    zipped = proto.build_bundle(b"{}", {"b": b"2", "a": b"1"})
    with zipfile.ZipFile(io.BytesIO(zipped)) as z:
        assert [i.filename for i in z.infolist()] == ["a", "b", "reana.yaml"]
        assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_STORED}
    assert zipped == proto.build_bundle(b"{}", {"a": b"1", "b": b"2"})  # deterministic


def test_a_09_server_gets_the_09_sequence(
    client09: api.Client, fake09: FakeReana, clock: FakeClock
) -> None:
    assert not client09.protocol().bundles
    created = client09.create("analysis", SPEC, FILES)
    assert created.bundled == frozenset()
    assert json.loads(fake09.seen[-1].body) == SPEC  # reana.yaml as JSON, 0.9's create
    assert client09.validate(SPEC, FILES) is None  # 0.9 has no server-side validation
    assert fake09.operations() == ["create_workflow"]


def test_validate_reports_the_servers_findings(client95: api.Client, fake95: FakeReana95) -> None:
    report = client95.validate(SPEC, FILES, environments=True)
    assert report is not None and report["valid"] is True
    assert {"image", "runtime_uid", "runtime_gid"} <= set(report["environments"][0])
    assert fake95.seen[-1].query == {"environments": ["true"]}
    broken = {**SPEC, "inputs": {}}  # the workflow file is in no bundle
    report = client95.validate(broken, FILES)
    assert report is not None and report["valid"] is False
    assert report["errors"][0]["path"] == "workflow.file"


# --- bad servers: one line, exit 3, no token ---------------------------------------------


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("html", "answered HTTP 200 with text/html, not REANA's JSON"),
        ("garbage", "answered GET /api/ping with a string, not REANA's mapping: it speaks neither"),
    ],
)
def test_a_server_that_speaks_neither_protocol(
    fake09: FakeReana, clock: FakeClock, kind: str, expected: str
) -> None:
    fake09.inject(kind, "ping")
    for c in connect(fake09, clock):
        with pytest.raises(api.ProtocolError) as info:
            c.you()
        text = str(info.value)
        assert expected in text and "\n" not in text and TOKEN not in text
    assert fake09.count() == 0  # nothing else asked, and the token never sent


def test_an_unknown_capability_is_refused(fake95: FakeReana95, client95: api.Client) -> None:
    fake95.capabilities = ["workflow-specification-bundles-v2", "sharing"]
    with pytest.raises(api.ProtocolError) as info:
        client95.create("analysis", SPEC, FILES)
    assert str(info.value) == (
        f"{fake95.url} answered GET /api/ping with capabilities "
        "[workflow-specification-bundles-v2, sharing], none this recast-reana knows "
        f"({BUNDLES}): it speaks neither REANA 0.9's nor 0.95's protocol (is "
        "REANA_SERVER_URL a REANA server? a newer REANA needs a newer recast-reana)"
    )
    assert fake95.count() == 0


def test_a_bundle_cut_in_the_middle(fake95: FakeReana95, client95: api.Client) -> None:
    fake95.inject("cut", "create_workflow")
    with pytest.raises(api.ReanaError) as info:
        client95.create("analysis", SPEC, {**FILES, "data/input.txt": b"x" * 2_000_000})
    text = str(info.value)
    assert text.startswith(f"cannot reach REANA at {fake95.url}: connection ")
    assert text.endswith(
        "(while trying to create workflow analysis) (it may have been done: check REANA)"
    )
    assert TOKEN not in text and info.value.__context__ is None
    assert fake95.count("create_workflow") == 1  # not repeated: it may have arrived
    assert fake95.workflows == {}


@pytest.mark.parametrize(
    ("operation", "body", "expected"),
    [
        (
            "get_workflow_status",
            {"id": "x", "progress": {}},
            "REANA answered GET /api/workflows/ID/status with no `status` where REANA sends "
            "a string",
        ),
        (
            "get_workflow_status",
            {"status": "running", "progress": []},
            "REANA answered GET /api/workflows/ID/status with a list `progress` where REANA "
            "sends a mapping",
        ),
        (
            "get_secrets",
            {"name": "x"},
            "REANA answered GET /api/secrets with a mapping, not a list",
        ),
        (
            "get_secrets",
            [{"type": "env"}],
            "REANA answered GET /api/secrets with no `name` where REANA sends a string",
        ),
        ("get_you", [], "REANA answered GET /api/you with a list, not a mapping"),
        (
            "get_files",
            {"items": [{"size": 1}]},
            "REANA answered GET /api/workflows/ID/workspace with no `name` where REANA sends "
            "a string",
        ),
        (
            "get_workflow_logs",
            {"logs": 7},
            "REANA answered GET /api/workflows/ID/logs with a number `logs` where REANA sends "
            "a string",
        ),
    ],
)
def test_every_field_read_is_checked(
    client09: api.Client, fake09: FakeReana, operation: str, body: object, expected: str
) -> None:
    fake09.inject("body", operation, status=200, body=body)
    call = {
        "get_workflow_status": lambda: client09.status("wid"),
        "get_secrets": client09.secrets,
        "get_you": client09.you,
        "get_files": lambda: client09.files("wid"),
        "get_workflow_logs": lambda: client09.logs("wid"),
    }[operation]
    with pytest.raises(api.ProtocolError) as info:
        call()
    assert str(info.value) == expected


def test_create_without_a_workflow_id(client95: api.Client, fake95: FakeReana95) -> None:
    fake95.inject("body", "create_workflow", status=201, body={"workflow_name": "a.1"})
    with pytest.raises(api.ProtocolError) as info:
        client95.create("analysis", SPEC, FILES)
    assert str(info.value) == (
        "REANA answered POST /api/workflows with no `workflow_id` where REANA sends a string"
    )


# --- busy servers and refusals -----------------------------------------------------------


def test_retry_after_seconds_is_waited_for(
    client95: api.Client, fake95: FakeReana95, clock: FakeClock
) -> None:
    fake95.inject(
        "status",
        "create_workflow",
        status=429,
        retry_after="2",
        times=2,
        message="Request rate limit exceeded.",
    )
    assert client95.create("analysis", SPEC, FILES).name == "analysis.1"
    assert clock.sleeps == [2.0, 2.0]  # as asked, and not counted as failed attempts
    assert fake95.count("create_workflow") == 3


def test_retry_after_as_a_date(client09: api.Client, fake09: FakeReana, clock: FakeClock) -> None:
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=4), usegmt=True)
    fake09.inject("status", "get_you", status=503, retry_after=when)
    assert client09.you()["username"] == "analyst"
    [slept] = clock.sleeps
    assert 2.0 <= slept <= 4.0


def test_retry_after_beyond_the_timeout_gives_up(
    client95: api.Client, fake95: FakeReana95, clock: FakeClock
) -> None:
    fake95.inject(
        "status",
        "get_you",
        status=429,
        retry_after="2",
        times=10,
        message="Request rate limit exceeded.",
    )
    with pytest.raises(api.ReanaError) as info:
        client95.you()
    assert clock.sleeps == [2.0, 2.0]  # 4 s of the 5 s timeout; a third wait would pass it
    assert info.value.transient and info.value.status == 429
    assert str(info.value) == (
        "cannot check the access token: REANA answered HTTP 429: Request rate limit exceeded.; "
        "REANA asks to wait 2 s more, beyond the 5 s timeout (RECAST_REANA_HTTP_TIMEOUT): try "
        "again later"
    )


@pytest.mark.parametrize(
    ("status", "operation", "message", "advice"),
    [
        (
            409,
            "create_workflow",
            "Another workflow-family mutation is in progress.",
            "another change to this workflow or its workspace is in progress on REANA",
        ),
        (
            413,
            "create_workflow",
            "The uploaded request exceeds the bounded bundle limit.",
            "the request is larger than REANA accepts (the bundle limit is 100 MiB by default)",
        ),
        (
            411,
            "upload_file",
            "A Content-Length header is required for streaming uploads.",
            "a proxy between here and REANA removed it",
        ),
    ],
)
def test_conflicts_and_limits_are_one_clear_line(
    client95: api.Client,
    fake95: FakeReana95,
    status: int,
    operation: str,
    message: str,
    advice: str,
) -> None:
    fake95.inject("status", operation, status=status, message=message)
    with pytest.raises(api.FatalError) as info:
        created = client95.create("analysis", SPEC, FILES)
        client95.upload(created.id, "data/extra.txt", b"1")
    text = str(info.value)
    assert f"REANA answered HTTP {status} ({message}): " in text and advice in text
    assert "\n" not in text and TOKEN not in text
    assert fake95.count(operation) == 1


# --- the token stays with its host --------------------------------------------------------


def test_a_redirect_to_another_host_is_refused(client95: api.Client, fake95: FakeReana95) -> None:
    fake95.inject(
        "redirect",
        "get_you",
        status=307,
        location=f"https://elsewhere.example:8443/api/you?access_token={TOKEN}",
    )
    with pytest.raises(api.FatalError) as info:
        client95.you()
    assert str(info.value) == (
        f"cannot check the access token: REANA at {fake95.url} redirects to another host "
        "(https://elsewhere.example:8443); recast-reana sends the access token to no other "
        "host: if that is your REANA server, set REANA_SERVER_URL to it"
    )
    assert fake95.count() == 1


def test_a_redirect_on_the_same_host_is_not_followed(
    client09: api.Client, fake09: FakeReana
) -> None:
    fake09.inject("redirect", "get_you", status=301, location="/reana/api/you")
    with pytest.raises(api.FatalError) as info:
        client09.you()
    assert str(info.value) == (
        f"cannot check the access token: {fake09.url} answered HTTP 301, redirected to "
        "/reana/api/you: set REANA_SERVER_URL to the address REANA answers at"
    )


def test_the_token_is_a_bearer_header_on_095(fake95: FakeReana95, client95: api.Client) -> None:
    client95.you()
    # The 0.95 document declares no `access_token`: the fake would have recorded a violation
    # (checked when the fixture ends) had it been in a URL.
    assert all("access_token" not in s.query for s in fake95.seen)


def test_a_slow_server_reads_timed_out(fake09: FakeReana, clock: FakeClock) -> None:
    fake09.inject("slow", "get_you", delay=0.6, times=10)
    for c in connect(fake09, clock, timeout=0.2):
        c.attempts = 1
        with pytest.raises(api.ReanaError) as info:
            c.you()
        assert str(info.value) == (
            f"cannot reach REANA at {fake09.url}: timed out (no answer within 0.2 s) "
            "(while trying to check the access token)"
        )


# --- `recast-reana run` against 0.95 -----------------------------------------------------


@pytest.fixture
def run_env(clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rr, "SystemClock", lambda: clock)
    for name in ("CI", "GITLAB_CI", "CI_PROJECT_NAME", "CI_COMMIT_REF_SLUG", "CI_COMMIT_REF_NAME"):
        monkeypatch.delenv(name, raising=False)
    for name in [k for k in os.environ if k.startswith("REANA_PARAM_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("REANA_ACCESS_TOKEN", TOKEN)


@pytest.mark.usefixtures("run_env")
def test_run_on_095(
    fake95: FakeReana95,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("REANA_SERVER_URL", fake95.url)
    repo = write(tmp_path / "analysis", REANA_REPO)
    code = main(["run", str(repo), "--wait", "--online"])
    out, err = capsys.readouterr()
    assert code == 0, err
    ops = fake95.operations()
    assert ops[:4] == [
        "get_you",
        "validate_workflow_specification",
        "create_workflow",
        "start_workflow",
    ]
    assert "upload_file" not in ops  # everything was in the bundle
    assert "  sent 2 files in the bundle" in out
    assert "REANA runs " in out and " as uid 1000, gid 0" in out
    assert TOKEN not in out + err


@pytest.mark.usefixtures("run_env")
def test_run_stops_when_reana_validation_refuses(
    fake95: FakeReana95,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("REANA_SERVER_URL", fake95.url)
    # What REANA finds and recast-reana's own check does not (here: the server says so).
    report = {
        "valid": False,
        "errors": [
            {"path": "workflow.resources", "code": "quota", "message": f"No CPU left {TOKEN}\nx"}
        ],
        "warnings": [{"path": "inputs", "code": "unused", "message": "inputs.files unused"}],
    }
    fake95.inject("body", "validate_workflow_specification", status=200, body=report)
    repo = write(tmp_path / "analysis", REANA_REPO)
    code = main(["run", str(repo)])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert "REANA's validation refused the specification, nothing was created:" in err
    assert err.splitlines()[-2:] == [
        "recast-reana: error: REANA's validation refused the specification, nothing was created:",
        "  reana.yaml: REANA: workflow.resources: No CPU left *** [quota]",
    ]
    assert "recast-reana: warning: reana.yaml: REANA: inputs: inputs.files unused [unused]" in err
    assert "create_workflow" not in fake95.operations()
    assert TOKEN not in out + err


@pytest.mark.usefixtures("run_env")
@pytest.mark.parametrize("kind", ["html", "garbage"])
def test_run_against_a_server_that_speaks_neither(
    fake09: FakeReana,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("REANA_SERVER_URL", fake09.url)
    fake09.inject(kind, "ping")
    repo = write(tmp_path / "analysis", REANA_REPO)
    code = main(["run", str(repo)])
    out, err = capsys.readouterr()
    assert code == 3
    [line] = err.strip().splitlines()
    assert line.startswith("recast-reana: error: ") and "Traceback" not in err
    assert TOKEN not in out + err


# --- the contract: both documents --------------------------------------------------------

# What the client asks, as (method, path, operationId); validate exists from 0.95 on.
USED = [
    ("GET", "/api/ping", "ping"),
    ("GET", "/api/you", "get_you"),
    ("GET", "/api/secrets", "get_secrets"),
    ("POST", "/api/workflows", "create_workflow"),
    ("POST", "/api/workflows/w/workspace", "upload_file"),
    ("POST", "/api/workflows/w/start", "start_workflow"),
    ("GET", "/api/workflows/w/status", "get_workflow_status"),
    ("GET", "/api/workflows/w/logs", "get_workflow_logs"),
    ("GET", "/api/workflows/w/workspace", "get_files"),
    ("GET", "/api/workflows/w/workspace/fit/limit.png", "download_file"),
]


def test_what_the_client_asks_is_in_both_documents(openapi: object, openapi_095: object) -> None:
    from openapi_check import OpenApi

    old, new = OpenApi(openapi), OpenApi(openapi_095)  # type: ignore[arg-type]
    for method, path, operation in USED:
        for api_doc in (old, new):
            found = api_doc.match(method, path)
            assert found is not None and found[0]["operationId"] == operation, (path, api_doc)
    found = new.match("POST", "/api/workflows/validate")
    assert found is not None and found[0]["operationId"] == "validate_workflow_specification"
    assert old.match("POST", "/api/workflows/validate") is None
    create = new.match("POST", "/api/workflows")
    assert create is not None
    # The answers this client turns into one line each are the ones 0.95 documents.
    assert {"409", "413", "429", "503"} <= set(create[0]["responses"])
    assert new.security(create[0]) == [{"BearerAuth": []}]
    ping = new.match("GET", "/api/ping")
    assert ping is not None and new.security(ping[0]) == []  # asked before any token is sent


def test_the_095_fake_refuses_what_the_095_document_forbids(fake95: FakeReana95) -> None:
    import requests

    bearer = {"Authorization": f"Bearer {TOKEN}"}
    answer = requests.get(f"{fake95.url}/api/you", params={"access_token": TOKEN})
    assert answer.status_code == 400
    assert fake95.violations == ["GET /api/you: undeclared query parameter 'access_token'"]
    fake95.violations.clear()
    answer = requests.post(
        f"{fake95.url}/api/workflows", params={"workflow_name": "a"}, json=SPEC, headers=bearer
    )
    assert answer.status_code == 400
    assert "expected ['multipart/form-data'] fields" in fake95.violations[0]
    fake95.violations.clear()
    answer = requests.post(
        f"{fake95.url}/api/workflows",
        params={"workflow_name": "a"},
        files={"spec": ("reana.yaml", b"{}")},
        headers=bearer,
    )
    assert answer.status_code == 400
    assert fake95.violations == [
        "POST /api/workflows: undeclared form field 'spec'; missing required form field 'bundle'"
    ]
    fake95.violations.clear()
    assert requests.get(f"{fake95.url}/api/you").status_code == 401  # no token: 401
    answer = requests.get(f"{fake95.url}/api/you", headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 403


@pytest.mark.usefixtures("run_env")
def test_a_proxys_404_page_is_not_a_deleted_workflow(
    fake09: FakeReana,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """REANA's 404s are JSON; an HTML 404 is the ingress's (a REANA restart): the poll is
    skipped, and the run followed to its end."""
    monkeypatch.setenv("REANA_SERVER_URL", fake09.url)
    fake09.inject("page", "get_workflow_status", status=404)
    repo = write(tmp_path / "analysis", REANA_REPO)
    code = main(["run", str(repo), "--wait"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert (
        f"recast-reana: warning: cannot read the workflow status: {fake09.url} answered HTTP 404 "
        "with text/html, not REANA's JSON (a proxy in front of REANA, e.g. while REANA "
        "restarts?); trying again at the next poll"
    ) in err
    assert "analysis.1 finished" in out


def test_a_name_that_does_not_resolve(clock: FakeClock) -> None:
    """`.invalid` never resolves (RFC 6761), with or without a network."""
    c = api.Client("https://reana.invalid", TOKEN, sleep=clock.sleep, attempts=1)
    with pytest.raises(api.ReanaError) as info:
        c.you()
    c.close()
    assert str(info.value) == (
        "cannot reach REANA at https://reana.invalid: name not resolved "
        "(while trying to ask REANA which protocol it speaks)"
    )


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        (" 12 ", 12.0),
        ("", None),
        ("soon", None),
        ("-3", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
    ],  # a date in the past: now
)
def test_retry_after_values(header: str, seconds: float | None) -> None:
    assert proto.retry_after(header) == seconds


def test_a_retry_after_that_says_nothing_falls_back_to_backing_off(
    client09: api.Client, fake09: FakeReana, clock: FakeClock
) -> None:
    fake09.inject("status", "get_you", status=503, retry_after="soon", times=2)
    assert client09.you()["username"] == "analyst"
    assert clock.sleeps == [2.0, 4.0]
