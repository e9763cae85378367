"""Image facts from a real registry: Debian's docker-registry (distribution 2.8) on 127.0.0.1,
images built here as OCI layouts and pushed with skopeo (tests/oci_registry.py); faults the
real one cannot make (HTML, redirect loops, a 401 without challenge, a layer that is not a tar,
a registry that does not answer) from a small fake on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from oci_registry import PASSWD, Image, Registry, oci_image, tar_bytes

from recast_reana.errors import EXIT_FATAL, Error
from recast_reana.model.images import ImageFacts, ImageRef, parse_reference
from recast_reana.registry import layers
from recast_reana.registry.cache import FactsCache, cached_facts
from recast_reana.registry.client import Client
from recast_reana.registry.facts import TAG_TTL, fetch_facts

SENTINEL = "Sentinel-Registry-Pw-5e1f"
USER = "analyst"
BIG = os.urandom(2 * 1024 * 1024)  # incompressible: a 2 MiB layer is 2 MiB fetched


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """An open registry with the test images (anonymous pulls)."""
    tmp = tmp_path_factory.mktemp("registry")
    server = Registry(tmp / "server")
    try:
        images = {
            # The tutorial's case: User atlas, /etc/passwd in the base layer, the app above.
            "analysis/selection:final": [Image()],
            # /etc/passwd in the top layer, above a big layer that must not be fetched.
            "analysis/top:1.0": [Image(layers=[{"data/big": BIG}, {"etc/passwd": PASSWD}])],
            # /etc/passwd below a big layer: it is streamed through up to the cap.
            "analysis/deep:1.0": [Image(layers=[{"etc/passwd": PASSWD}, {"data/big": BIG}])],
            "analysis/numeric:1.0": [Image(user="500:0", layers=[{"data/big": BIG}])],
            "analysis/root:1.0": [Image(user=None)],
            "analysis/deleted:1.0": [
                Image(layers=[{"etc/passwd": PASSWD}, {"etc/.wh.passwd": b""}])
            ],
            "analysis/stranger:1.0": [Image(user="nobody2")],
            "analysis/multi:1.0": [Image(arch="arm64", user="1000"), Image()],
            "analysis/armonly:1.0": [Image(arch="arm64"), Image(arch="ppc64le")],
        }
        for n, (name, platforms) in enumerate(images.items()):
            server.push(oci_image(tmp / f"layout{n}", *platforms), name, all_platforms=True)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def private(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """A registry with htpasswd Basic auth: every repository private."""
    tmp = tmp_path_factory.mktemp("private")
    server = Registry(tmp / "server", users={USER: SENTINEL})
    try:
        server.push(oci_image(tmp / "layout"), "private/selection:1.0")
        yield server
    finally:
        server.stop()


def refs(*names: str) -> dict[str, ImageRef]:
    found = {}
    for name in names:
        ref = parse_reference(name)
        assert ref is not None, name
        found[ref.key] = ref
    return found


def fetch(
    registry: Registry, *names: str, cache: Path, **kwargs: Any
) -> tuple[dict[str, ImageFacts], list[str], Client]:
    client = kwargs.pop("client", None) or Client([registry.host], env={})
    facts, problems = fetch_facts(
        refs(*(f"{registry.host}/{n}" for n in names)),
        client=client,
        cache=FactsCache(cache),
        **kwargs,
    )
    return facts, problems, client


def one(registry: Registry, name: str, tmp_path: Path) -> tuple[ImageFacts, list[str], Client]:
    facts, problems, client = fetch(registry, name, cache=tmp_path)
    return facts[f"{registry.host}/{name}"], problems, client


# --- facts ---------------------------------------------------------------------------------


def test_uid_from_the_images_own_passwd_and_the_registrys_digest(
    registry: Registry, tmp_path: Path
) -> None:
    fact, problems, _ = one(registry, "analysis/selection:final", tmp_path)
    assert problems == []
    assert (fact.exists, fact.user, fact.uid) == (True, "atlas", 500)
    assert fact.uid_source == "user 'atlas' is UID 500 in its /etc/passwd"
    assert fact.digest == registry.digest("analysis/selection:final")


def test_top_layer_passwd_fetches_the_manifest_the_config_and_that_layer_only(
    registry: Registry, tmp_path: Path
) -> None:
    before = len(registry.requests())
    fact, _, client = one(registry, "analysis/top:1.0", tmp_path)
    assert fact.uid == 500
    asked = registry.requests()[before:]
    assert [r.split()[0] for r in asked] == ["GET", "GET", "GET"]  # manifest, config, top layer
    assert sum(int(r.split()[-1]) for r in asked) == client.bytes_read < 4096
    assert client.requests == 3


def test_passwd_below_a_big_layer_is_read_through_it_and_unknown_beyond_the_cap(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fact, _, client = one(registry, "analysis/deep:1.0", tmp_path / "a")
    assert fact.uid == 500 and len(BIG) < client.bytes_read < len(BIG) + 8192
    monkeypatch.setattr(layers, "FETCH_CAP", 1024 * 1024)
    fact, problems, client = one(registry, "analysis/deep:1.0", tmp_path / "b")
    assert (fact.exists, fact.uid) == (True, None)
    assert problems == [
        f"{registry.host}/analysis/deep:1.0: UID unknown: /etc/passwd is not in the first "
        "1 MiB of its layers (the cap)"
    ]
    assert client.bytes_read <= 1024 * 1024 + 4096  # the cap, the manifest and the config


@pytest.mark.parametrize(
    ("name", "uid", "how"),
    [
        ("analysis/numeric:1.0", 500, "its config sets User 500:0"),
        ("analysis/root:1.0", 0, "no User in its config, so root"),
        ("analysis/multi:1.0", 500, "user 'atlas' is UID 500 in its /etc/passwd"),
    ],
)
def test_numeric_user_root_and_an_index_for_linux_amd64(
    registry: Registry, tmp_path: Path, name: str, uid: int, how: str
) -> None:
    fact, problems, client = one(registry, name, tmp_path)
    assert (fact.uid, fact.uid_source, problems) == (uid, how, [])
    if name == "analysis/numeric:1.0":  # no layer needed: the 2 MiB layer is not fetched
        assert client.bytes_read < 4096


@pytest.mark.parametrize(
    ("name", "why"),
    [
        (
            "analysis/armonly:1.0",
            "its image index has no linux/amd64 image (platforms: "
            "linux/arm64, linux/ppc64le), which REANA needs; UID unknown",
        ),
        (
            "analysis/deleted:1.0",
            "UID unknown: its config sets User atlas, and the image has no /etc/passwd",
        ),
        (
            "analysis/stranger:1.0",
            "UID unknown: its config sets User nobody2, whom its /etc/passwd does not list",
        ),
    ],
)
def test_uid_unknown_rather_than_a_wrong_number(
    registry: Registry, tmp_path: Path, name: str, why: str
) -> None:
    facts, problems, _ = fetch(registry, name, cache=tmp_path)
    assert problems == [f"{registry.host}/{name}: {why}"]
    fact = facts.get(f"{registry.host}/{name}")
    assert fact is None or fact.uid is None


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("analysis/selection:v9", "the registry has no such tag or digest (MANIFEST_UNKNOWN)"),
        # distribution 2.8 says MANIFEST_UNKNOWN for a repository it has never seen too
        ("analysis/nothing:1.0", "the registry has no such tag or digest (MANIFEST_UNKNOWN)"),
    ],
)
def test_missing_image(registry: Registry, tmp_path: Path, name: str, why: str) -> None:
    fact, problems, _ = one(registry, name, tmp_path)
    assert (fact.exists, fact.unknown, problems) == (False, why, [])


def test_second_fetch_asks_nothing_and_the_offline_cache_has_the_same_facts(
    registry: Registry, tmp_path: Path
) -> None:
    names = ("analysis/selection:final", "analysis/multi:1.0", "analysis/numeric:1.0")
    first, _, _ = fetch(registry, *names, cache=tmp_path)
    before = len(registry.requests())
    again, _, client = fetch(registry, *names, cache=tmp_path)
    assert client.requests == 0 and len(registry.requests()) == before
    assert again == first
    offline = cached_facts(refs(*(f"{registry.host}/{n}" for n in names)), FactsCache(tmp_path))
    assert offline == first


def test_a_moved_tag_is_noticed_once_its_digest_is_stale(
    registry: Registry, tmp_path: Path
) -> None:
    name = f"analysis/moving-{time.monotonic_ns()}:1.0"
    registry.push(oci_image(tmp_path / "v1"), name)
    old = registry.digest(name)
    fetch(registry, name, cache=tmp_path / "cache")
    registry.push(oci_image(tmp_path / "v2", Image(user="1000")), name)
    new = registry.digest(name)
    fresh, _, _ = fetch(registry, name, cache=tmp_path / "cache")  # within TAG_TTL: cached
    assert fresh[f"{registry.host}/{name}"].digest == old
    later = time.time() + TAG_TTL + 1
    facts, _, client = fetch(registry, name, cache=tmp_path / "cache", now=lambda: later)
    fact = facts[f"{registry.host}/{name}"]
    assert (fact.digest, fact.moved_from, fact.uid) == (new, old, 1000)
    # Tag stale again, same digest: one HEAD, the facts from the cache, the move remembered.
    latest = later + TAG_TTL + 1
    facts, _, client = fetch(registry, name, cache=tmp_path / "cache", now=lambda: latest)
    assert client.requests == 1 and facts[f"{registry.host}/{name}"].moved_from == old


# --- authentication and transport -------------------------------------------------------------


def docker_config(tmp_path: Path, registry: Registry, password: str = SENTINEL) -> dict[str, str]:
    folder = tmp_path / "docker"
    folder.mkdir(exist_ok=True)
    import base64

    auth = base64.b64encode(f"{USER}:{password}".encode()).decode()
    (folder / "config.json").write_text(json.dumps({"auths": {registry.host: {"auth": auth}}}))
    return {"DOCKER_CONFIG": str(folder)}


@pytest.mark.parametrize("source", ["docker-config", "gitlab-ci"])
def test_private_repository_with_credentials(
    private: Registry, tmp_path: Path, source: str
) -> None:
    env = (
        docker_config(tmp_path, private)
        if source == "docker-config"
        else {
            "CI_REGISTRY": private.host,
            "CI_REGISTRY_USER": USER,
            "CI_REGISTRY_PASSWORD": SENTINEL,
        }
    )
    client = Client([private.host], env=env)
    fact, problems, _ = one_with(private, "private/selection:1.0", tmp_path, client)
    assert (fact.uid, problems) == (500, [])


def one_with(
    registry: Registry, name: str, tmp_path: Path, client: Client
) -> tuple[ImageFacts, list[str], Client]:
    facts, problems, client = fetch(registry, name, cache=tmp_path / "cache", client=client)
    return facts[f"{registry.host}/{name}"], problems, client


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            "wrong",
            "refused the credentials of 'analyst' (~/.docker/config.json)",
        ),
        ("none", "asks for credentials and none are set"),
    ],
)
def test_wrong_or_no_password_is_one_fatal_line_without_the_secret(
    private: Registry, tmp_path: Path, env: str, message: str
) -> None:
    given = docker_config(tmp_path, private, SENTINEL + "-wrong") if env == "wrong" else {}
    if given:  # the file named as a user reads it
        given = {"HOME": str(tmp_path), **given}
        (tmp_path / ".docker").mkdir()
        os.replace(tmp_path / "docker" / "config.json", tmp_path / ".docker" / "config.json")
        given.pop("DOCKER_CONFIG")
    client = Client([private.host], env=given)
    with pytest.raises(Error) as raised, pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(tmp_path))
        fetch(private, "private/selection:1.0", cache=tmp_path / "cache", client=client)
    assert raised.value.exit_code == EXIT_FATAL
    assert message in raised.value.message and "\n" not in raised.value.message
    assert SENTINEL not in raised.value.message


def test_plain_http_only_when_listed(registry: Registry, tmp_path: Path) -> None:
    client = Client([], env={})  # not listed: TLS, which this registry does not speak
    with pytest.raises(Error) as raised:
        fetch(registry, "analysis/root:1.0", cache=tmp_path, client=client)
    assert raised.value.exit_code == EXIT_FATAL
    assert raised.value.message.startswith(f"{registry.host}: TLS failed (")
    assert "registries: insecure" in raised.value.message


# --- faults a real registry does not make: a fake on 127.0.0.1 ---------------------------------


def manifest_for(config: bytes, layer: bytes) -> bytes:
    def desc(data: bytes, media: str) -> dict[str, Any]:
        return {"mediaType": media, "digest": digest(data), "size": len(data)}

    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": desc(config, "application/vnd.oci.image.config.v1+json"),
            "layers": [desc(layer, "application/vnd.oci.image.layer.v1.tar+gzip")],
        }
    ).encode()


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


CONFIG = json.dumps({"config": {"User": "atlas"}}).encode()
NOT_TAR = b"\x1f\x8b" + os.urandom(3000)  # says gzip, is not
NOT_TAR_PLAIN = b"no tar here " * 100


PASSWD_LAYER = __import__("gzip").compress(tar_bytes({"etc/passwd": PASSWD}), mtime=0)
TOKEN = "Sentinel-Bearer-Token-9a2c"


class Fake(BaseHTTPRequestHandler):
    cdn = ""  # host:port of the Cdn server
    """/v2/<case>/...: each repository name is one fault."""

    def log_message(self, *args: Any) -> None:
        pass

    def send(self, code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:
        case = [*self.path.split("/"), "", ""][2]
        blobs = {
            digest(CONFIG): CONFIG,
            digest(NOT_TAR): NOT_TAR,
            digest(NOT_TAR_PLAIN): NOT_TAR_PLAIN,
        }
        if self.path.startswith("/token?"):  # the Docker token protocol: a token for the scope
            scopes = ("scope=repository%3Abearer%3Apull", "scope=repository%3Acdn%3Apull")
            ok = any(s in self.path for s in scopes) and "service=fake" in self.path
            self.send(200 if ok else 400, json.dumps({"token": TOKEN}).encode())
            return
        if case == "cdn" and "/blobs/" in self.path:  # blobs live on another host (S3, a CDN)
            self.send(307, headers={"Location": f"http://{Fake.cdn}{self.path}"})
            return
        if case in ("bearer", "cdn"):
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                host = self.headers["Host"]
                challenge = f'Bearer realm="http://{host}/token",service="fake"'
                self.send(401, b"{}", {"WWW-Authenticate": challenge})
            elif "/manifests/" in self.path:
                media = "application/vnd.oci.image.manifest.v1+json"
                self.send(200, manifest_for(CONFIG, PASSWD_LAYER), {"Content-Type": media})
            else:
                self.send(
                    200, {digest(CONFIG): CONFIG}.get(self.path.rsplit("/", 1)[1], PASSWD_LAYER)
                )
            return
        if case == "html":
            self.send(200, b"<html><body>Sign in</body></html>", {"Content-Type": "text/html"})
        elif case == "loop":
            self.send(302, headers={"Location": self.path})
        elif case == "nochallenge":
            self.send(401, b'{"errors": []}')
        elif case == "malformed":
            media = "application/vnd.oci.image.manifest.v1+json"
            self.send(200, b'{"schemaVersion": 2, "config": ', {"Content-Type": media})
        elif case == "slow":
            time.sleep(3)
            with contextlib.suppress(OSError):  # the client gave up long ago
                self.send(200, b"{}")
        elif case in ("notar", "notarplain") and "/manifests/" in self.path:
            layer = NOT_TAR if case == "notar" else NOT_TAR_PLAIN
            media = "application/vnd.oci.image.manifest.v1+json"
            self.send(200, manifest_for(CONFIG, layer), {"Content-Type": media})
        elif "/blobs/" in self.path and self.path.rsplit("/", 1)[1] in blobs:
            self.send(200, blobs[self.path.rsplit("/", 1)[1]])
        else:
            self.send(404, b'{"errors": [{"code": "NAME_UNKNOWN"}]}')

    do_HEAD = do_GET


class Cdn(Fake):
    """The other host a registry redirects blob downloads to: serves them to anyone, and keeps
    the Authorization headers it was sent."""

    authorizations: ClassVar[list[str | None]] = []

    def do_GET(self) -> None:
        Cdn.authorizations.append(self.headers.get("Authorization"))
        blob = {digest(CONFIG): CONFIG}.get(self.path.rsplit("/", 1)[1], PASSWD_LAYER)
        self.send(200, blob)


@pytest.fixture
def fake() -> Iterator[str]:
    cdn = ThreadingHTTPServer(("localhost", 0), Cdn)
    threading.Thread(target=cdn.serve_forever, daemon=True).start()
    Fake.cdn = f"localhost:{cdn.server_address[1]}"
    Cdn.authorizations = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Fake)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        cdn.shutdown()
        cdn.server_close()


@pytest.mark.parametrize(
    ("case", "line"),
    [
        (
            "html",
            "the registry answered an HTML page, not a manifest (a login page or a proxy "
            "in the way?); UID unknown",
        ),
        ("loop", "a redirect loop while fetching manifest 1"),
        ("nochallenge", "answered 401 without a WWW-Authenticate challenge for "),
        ("malformed", "its manifest is not a JSON object; UID unknown"),
        ("notar", "UID unknown: layer sha256:"),
        ("notarplain", "is not a tar archive"),
    ],
)
def test_bad_answers_are_one_line_and_uid_unknown(
    fake: str, tmp_path: Path, case: str, line: str
) -> None:
    ref = refs(f"{fake}/{case}:1")
    facts, problems = fetch_facts(ref, client=Client([fake], env={}), cache=FactsCache(tmp_path))
    (problem,) = problems
    assert line in problem and "\n" not in problem and problem.startswith(f"{fake}")
    assert all(f.uid is None for f in facts.values())
    assert FactsCache(tmp_path).tag(f"{fake}/{case}:1") is None or case.startswith("notar")


def test_slow_registry_times_out_with_exit_3(fake: str, tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(Error) as raised:
        fetch_facts(
            refs(f"{fake}/slow:1"),
            client=Client([fake], timeout=0.5, env={}),
            cache=FactsCache(tmp_path),
        )
    assert time.monotonic() - started < 2.5
    assert raised.value.exit_code == EXIT_FATAL
    assert raised.value.message == (
        f"{fake}: no answer within 0.5 s while fetching manifest 1 "
        "(RECAST_REANA_REGISTRY_TIMEOUT sets the limit)"
    )


def test_unreachable_registry_is_exit_3(tmp_path: Path) -> None:
    from oci_registry import free_port

    host = f"127.0.0.1:{free_port()}"
    with pytest.raises(Error) as raised:
        fetch_facts(refs(f"{host}/a:1"), client=Client([host], env={}), cache=FactsCache(tmp_path))
    assert raised.value.message == f"{host}: cannot connect (connection refused)"


# --- the command line: check and convert --online, the offline cache, the hook -----------------


def analysis(tmp_path: Path, registry: Registry, select: str, fit: str, config: str = "") -> Path:
    """REANA_REPO with its two images in `registry` (`name:tag` each), listed as insecure."""
    from helpers import REANA_REPO

    repo = tmp_path / "analysis"
    files = dict(REANA_REPO)
    steps = files["specs/steps.yml"]
    for old, new in (("analyst/selection", select), ("analyst/fitting", fit)):
        name, tag = new.split(":")
        steps = steps.replace(
            f"image: gitlab-registry.cern.ch/{old}\n    imagetag: v1.2.0",
            f"image: {registry.host}/{name}\n    imagetag: '{tag}'",
        )
    files["specs/steps.yml"] = steps
    files[".recast-reana.yaml"] = f"registries:\n  insecure: ['{registry.host}']\n{config}"
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    return repo


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from recast_reana.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "no-docker-config"))
    for name in ("CI_REGISTRY", "CI_JOB_TOKEN", "RECAST_REANA_REGISTRY_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    return home


def test_check_online_then_again_with_no_request_then_offline_from_the_cache(
    registry: Registry, tmp_path: Path, cache_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = analysis(tmp_path, registry, "analysis/selection:final", "analysis/numeric:1.0")
    code, out, err = cli(capsys, "check", str(repo), "--online")
    assert (code, err) == (1, "")
    uid = [line for line in out.splitlines() if " RR404 " in line]
    assert uid == [
        f"specs/steps.yml:8:12: RR404 image '{registry.host}/analysis/selection:final' runs as "
        "UID 500 (user 'atlas' is UID 500 in its /etc/passwd, said its registry) but REANA runs "
        "jobs as UID 1000; add `- kubernetes_uid: 500` to environment.resources [image-uid]",
        f"specs/steps.yml:21:12: RR404 image '{registry.host}/analysis/numeric:1.0' runs as UID "
        "500 (its config sets User 500:0, said its registry) but REANA runs jobs as UID 1000; "
        "add `- kubernetes_uid: 500` to environment.resources [image-uid]",
    ]
    before = len(registry.requests())
    assert cli(capsys, "check", str(repo), "--online")[:2] == (code, out)
    assert len(registry.requests()) == before  # the second online check asks nothing
    # The hook: offline, the cache only, the same findings; with no cache, no registry finding.
    assert cli(capsys, "check", str(repo))[:2] == (code, out)
    assert len(registry.requests()) == before
    os.environ["XDG_CACHE_HOME"] = str(tmp_path / "empty")
    code, out, _ = cli(capsys, "check", str(repo))
    assert (code, " RR404 " in out) == (0, False)


def test_online_true_in_the_configuration_and_no_online_for_the_hook(
    registry: Registry, tmp_path: Path, cache_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = analysis(
        tmp_path, registry, "analysis/selection:final", "analysis/missing:v1", "online: true\n"
    )
    code, out, err = cli(capsys, "check", str(repo))
    assert code == 1 and err == ""
    assert (
        f"specs/steps.yml:22:15: RR411 image '{registry.host}/analysis/missing:v1' of step 'fit' "
        "cannot be pulled: the registry has no such tag or digest (MANIFEST_UNKNOWN); the REANA "
        "job (and recast-atlas) would fail at this step [image-exists]"
    ) in out.splitlines()
    before = len(registry.requests())
    code, out, _ = cli(capsys, "check", str(repo), "--no-online")
    assert len(registry.requests()) == before and " RR411 " not in out  # missing: never cached


def test_convert_online_adds_kubernetes_uid_and_pins_digests(
    registry: Registry, tmp_path: Path, cache_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = analysis(tmp_path, registry, "analysis/selection:final", "analysis/root:1.0")
    code, out, err = cli(capsys, "convert", str(repo), "--online", "--diff")
    assert code == 1 and err == ""
    assert (
        "+    - kubernetes_uid: 500\n" in out
        or "+    resources:\n+      - kubernetes_uid: 500" in out
    )
    assert out.count("kubernetes_uid") == 1  # the root image needs none
    selection = registry.digest("analysis/selection:final")
    root = registry.digest("analysis/root:1.0")
    code, out, err = cli(capsys, "convert", str(repo), "--pin-digests", "--diff")
    assert code == 1 and err == ""
    assert f"+    imagetag: 'final@{selection}'\n" in out
    assert f"+    imagetag: '1.0@{root}'\n" in out
    out_dir = tmp_path / "out"
    assert cli(capsys, "convert", str(repo), "--pin-digests", "--out", str(out_dir))[0] == 0
    # The pinned tree checks clean of RR404/RR411: its digest references have the same facts.
    code, out, _ = cli(capsys, "check", str(out_dir))
    assert " RR404 " not in out and " RR411 " not in out


def test_cli_wrong_password_is_one_line_exit_3_without_the_secret(
    private: Registry,
    tmp_path: Path,
    cache_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = analysis(tmp_path, private, "private/selection:1.0", "private/selection:1.0")
    monkeypatch.setenv("CI_REGISTRY", private.host)
    monkeypatch.setenv("CI_REGISTRY_USER", USER)
    monkeypatch.setenv("CI_REGISTRY_PASSWORD", SENTINEL + "x")
    code, out, err = cli(capsys, "--debug", "check", str(repo), "--online")
    assert code == EXIT_FATAL and out == ""
    assert err == (
        f"recast-reana: error: {private.host}: refused the credentials of 'analyst' "
        "(CI_REGISTRY_USER/CI_REGISTRY_PASSWORD)\n"
    )
    monkeypatch.setenv("CI_REGISTRY_PASSWORD", SENTINEL)
    code, out, err = cli(capsys, "check", str(repo), "--online")
    assert code == 1 and SENTINEL not in out + err and " RR404 " in out


def test_cli_slow_registry_and_bad_answers(
    fake: str,
    tmp_path: Path,
    cache_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Host:
        host = fake

    repo = analysis(tmp_path, Host(), "slow:1", "html:1")  # type: ignore[arg-type]
    monkeypatch.setenv("RECAST_REANA_REGISTRY_TIMEOUT", "0.5")
    code, out, err = cli(capsys, "check", str(repo), "--online")
    assert (code, out) == (EXIT_FATAL, "")
    assert (
        err.startswith(f"recast-reana: error: {fake}: no answer within 0.5 s")
        and err.count("\n") == 1
    )
    repo = analysis(tmp_path / "b", Host(), "notar:1", "html:1")  # type: ignore[arg-type]
    code, out, err = cli(capsys, "check", str(repo), "--online")
    lines = err.splitlines()
    assert code == 0 and len(lines) == 2 and "Traceback" not in err
    assert all(
        line.startswith("recast-reana: warning: ") and "UID unknown" in line for line in lines
    )


def test_the_token_stays_with_the_registry_when_blobs_are_on_another_host(
    fake: str, tmp_path: Path
) -> None:
    """A 307 to a CDN for each blob: the blobs come from there, the Bearer token does not go."""
    facts, problems = fetch_facts(
        refs(f"{fake}/cdn:1"), client=Client([fake], env={}), cache=FactsCache(tmp_path)
    )
    assert problems == [] and facts[f"{fake}/cdn:1"].uid == 500
    assert Cdn.authorizations and set(Cdn.authorizations) == {None}


def test_bearer_token_challenge(fake: str, tmp_path: Path) -> None:
    """Docker Hub's and GitLab's way: 401 with a Bearer challenge, a token from its realm."""
    facts, problems = fetch_facts(
        refs(f"{fake}/bearer:1"), client=Client([fake], env={}), cache=FactsCache(tmp_path)
    )
    assert problems == [] and facts[f"{fake}/bearer:1"].uid == 500
