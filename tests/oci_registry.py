"""A real container registry for the tests: Debian's `docker-registry` (distribution 2.8) on
127.0.0.1, images built here as OCI layouts and pushed with Debian's `skopeo`.

`Registry(tmp, users={...})` starts one (htpasswd Basic auth when `users` is given: distribution's
htpasswd auth covers the whole registry, so the private repository lives in a second one); its
access log counts the requests it answered. `oci_image(...)` writes an OCI layout: a config with
`User`, gzip layers of files (bottom first); `platforms` makes an image index. Both programs come
from apt (`.ci/run` installs them); without them the tests that need them are skipped.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import tarfile
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
PASSWD = b"root:x:0:0:root:/root:/bin/bash\natlas:x:500:500::/home/atlas:/bin/bash\n"


def need_programs() -> None:
    """Skip without the two programs; in CI (.ci/run installs them) their absence fails."""
    missing = [p for p in ("docker-registry", "skopeo") if shutil.which(p) is None]
    if missing and os.environ.get("CI"):
        pytest.fail(f"{' and '.join(missing)} not installed: .ci/run apt-gets them")
    if missing:
        pytest.skip(
            f"{' and '.join(missing)} not installed (apt-get install docker-registry skopeo)"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bcrypt(password: str) -> str:
    """A bcrypt hash for htpasswd (the only kind distribution accepts), from libc's crypt(3).

    At bcrypt's lowest cost (4): the registry checks the password on every request it answers,
    and at crypt's default cost (12) that was 19 CPU-s of the suite's 200.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt

    hashed = crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16))
    if not hashed or not hashed.startswith("$2"):
        pytest.skip("libc's crypt(3) makes no bcrypt hash here")
    return hashed


class Registry:
    def __init__(self, tmp: Path, users: Mapping[str, str] | None = None) -> None:
        need_programs()
        self.dir = tmp
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.users = dict(users or {})
        self.log = self.dir / "registry.log"
        auth = ""
        if self.users:
            htpasswd = self.dir / "htpasswd"
            htpasswd.write_text("".join(f"{u}:{bcrypt(p)}\n" for u, p in self.users.items()))
            auth = f"auth:\n  htpasswd:\n    realm: test-realm\n    path: {htpasswd}\n"
        config = self.dir / "config.yml"
        config.write_text(
            "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\n"
            f"storage:\n  filesystem:\n    rootdirectory: {self.dir / 'data'}\n"
            f"  delete:\n    enabled: true\nhttp:\n  addr: {self.host}\n{auth}"
        )
        self.authfile = self.dir / "auth.json"
        self.authfile.write_text(json.dumps({"auths": self.auths()}))
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                ["docker-registry", "serve", str(config)], stdout=out, stderr=subprocess.STDOUT
            )
        self._wait()

    def auths(self) -> dict[str, dict[str, str]]:
        """config.json `auths` for the registry's first user (`docker login` writes this)."""
        import base64

        if not self.users:
            return {}
        user, password = next(iter(self.users.items()))
        return {self.host: {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()}}

    def _wait(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://{self.host}/v2/", timeout=1)
                return
            except urllib.error.HTTPError:
                return  # 401: up, with auth
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(self.log.read_text()) from None
                time.sleep(0.05)
        raise RuntimeError(f"docker-registry did not start: {self.log.read_text()}")

    def requests(self) -> list[str]:
        """The requests answered so far: `METHOD URI STATUS BYTES`, from its log."""
        found = []
        for line in self.log.read_text().splitlines():
            if (
                'msg="response completed"' not in line
                and 'msg="response completed with error"' not in line
            ):
                continue
            fields = dict(
                part.split("=", 1)
                for part in line.split()
                if "=" in part and part.startswith("http.")
            )
            found.append(
                f"{fields.get('http.request.method')} {fields.get('http.request.uri')} "
                f"{fields.get('http.response.status')} {fields.get('http.response.written', '0')}"
            )
        return found

    def push(self, layout: Path, name: str, *, all_platforms: bool = False) -> None:
        """skopeo copy of the layout's only image to `<host>/<name>` (name = repo:tag)."""
        args = ["skopeo", "--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false"]
        if self.users:
            args += ["--dest-authfile", str(self.authfile)]
        if all_platforms:
            args.append("--all")
        args += [f"oci:{layout}:image", f"docker://{self.host}/{name}"]
        subprocess.run(args, check=True, capture_output=True, timeout=300)

    def digest(self, name: str) -> str:
        """What the registry says `name` points to (skopeo inspect)."""
        args = ["skopeo", "--insecure-policy", "inspect", "--raw", "--tls-verify=false"]
        if self.users:
            args += ["--authfile", str(self.authfile)]
        raw = subprocess.run(
            [*args, f"docker://{self.host}/{name}"], check=True, capture_output=True, timeout=60
        ).stdout
        return "sha256:" + hashlib.sha256(raw).hexdigest()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- OCI layouts ----------------------------------------------------------------------------------


@dataclass
class Image:
    """One platform's image: `User` and layers (bottom first), each files (path -> bytes) or raw
    bytes (a layer that is not a tar)."""

    user: str | None = "atlas"
    layers: Sequence[Mapping[str, bytes] | bytes] = field(
        default_factory=lambda: [{"etc/passwd": PASSWD, "etc/hostname": b"x\n"}, {"app/run": b"#!"}]
    )
    os: str = "linux"
    arch: str = "amd64"
    gzip: bool = True


def tar_bytes(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        dirs = sorted(
            {"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)}
        )
        for d in dirs:
            info = tarfile.TarInfo(d)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(info)
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class Layout:
    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
        (root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')

    def blob(self, data: bytes, media: str) -> dict[str, object]:
        digest = hashlib.sha256(data).hexdigest()
        (self.root / "blobs" / "sha256" / digest).write_bytes(data)
        return {"mediaType": media, "digest": f"sha256:{digest}", "size": len(data)}

    def image(self, image: Image) -> dict[str, object]:
        layers, diff_ids = [], []
        for layer in image.layers:
            raw = layer if isinstance(layer, bytes) else tar_bytes(layer)
            diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
            data = (
                gzip.compress(raw, mtime=0) if image.gzip and not isinstance(layer, bytes) else raw
            )
            layers.append(self.blob(data, LAYER_GZIP if image.gzip else LAYER_TAR))
        config: dict[str, object] = {
            "architecture": image.arch,
            "os": image.os,
            "config": {"User": image.user} if image.user is not None else {},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        }
        manifest = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": self.blob(json.dumps(config).encode(), OCI_CONFIG),
            "layers": layers,
        }
        entry = self.blob(json.dumps(manifest).encode(), OCI_MANIFEST)
        return {**entry, "platform": {"architecture": image.arch, "os": image.os}}

    def tag(self, entry: dict[str, object]) -> None:
        entry = {**entry, "annotations": {"org.opencontainers.image.ref.name": "image"}}
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [entry]}
        (self.root / "index.json").write_text(json.dumps(index))


def oci_image(root: Path, *platforms: Image) -> Path:
    """An OCI layout at `root` tagged `image`: one image, or an index of several platforms."""
    layout = Layout(root)
    images = [layout.image(p) for p in platforms or (Image(),)]
    if len(images) == 1:
        entry = {k: v for k, v in images[0].items() if k != "platform"}
    else:
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": images}
        entry = layout.blob(json.dumps(index).encode(), OCI_INDEX)
    layout.tag(entry)
    return root
