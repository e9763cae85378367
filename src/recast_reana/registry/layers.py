"""`/etc/passwd` of an image, read from its layers without pulling them whole.

Layers are tars (gzip-compressed or not) applied bottom to top, so the file the container sees
is the one in the topmost layer that has it. They are read top first, each as a stream: reading
stops at the first `etc/passwd`, or at a whiteout that hides the lower ones (`etc/.wh.passwd`,
an opaque `etc/`), and after `cap` bytes fetched in all (the image's UID is then unknown, never
guessed). zstd layers are not read. (OCI image-spec `layer.md`.)
"""

from __future__ import annotations

import io
import tarfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

FETCH_CAP = 64 * 1024 * 1024  # bytes fetched per image to find /etc/passwd
UNPACKED_CAP = 1024 * 1024 * 1024  # bytes unpacked per image (a gzip bomb stops here)
PASSWD_LIMIT = 1024 * 1024  # a larger /etc/passwd is not read
_GZIP, _ZSTD = b"\x1f\x8b", b"\x28\xb5\x2f\xfd"


class Unknown(Exception):
    """Why the passwd file cannot be read: the UID stays unknown."""


class _Budget:
    def __init__(self, fetch: int, unpacked: int) -> None:
        self.cap, self.fetch, self.unpacked = fetch, fetch, unpacked


class _LayerReader(io.RawIOBase):
    """A layer's tar bytes: the fetched chunks, ungzipped when they are gzip, both counted."""

    def __init__(self, chunks: Iterator[bytes], budget: _Budget, digest: str) -> None:
        self.chunks, self.budget, self.digest = chunks, budget, digest
        self.inflate: zlib._Decompress | None = None
        self.started = False
        self.pending = b""

    def over(self) -> str:
        cap = f"{self.budget.cap / (1 << 20):g} MiB"
        return f"/etc/passwd is not in the first {cap} of its layers (the cap)"

    def readable(self) -> bool:
        return True

    def _next(self) -> bytes:
        for chunk in self.chunks:
            self.budget.fetch -= len(chunk)
            if self.budget.fetch < 0:
                raise Unknown(self.over())
            if not self.started:
                self.started = True
                if chunk.startswith(_ZSTD):
                    raise Unknown(f"layer {self.digest} is zstd-compressed, which is not read")
                if chunk.startswith(_GZIP):
                    self.inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
            try:
                data = self.inflate.decompress(chunk) if self.inflate else chunk
            except zlib.error:
                raise Unknown(f"layer {self.digest} is not valid gzip data") from None
            self.budget.unpacked -= len(data)
            if self.budget.unpacked < 0:
                raise Unknown(f"its layers unpack to more than {UNPACKED_CAP >> 30} GiB")
            if data:
                return data
        if self.budget.fetch <= 0:  # the stream stopped at the cap, not at the layer's end
            raise Unknown(self.over())
        return b""

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if not self.pending:
            self.pending = self._next()
        n = min(len(buffer), len(self.pending))
        buffer[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n


def find_passwd(
    layers: list[str],
    open_layer: Callable[[str, int], AbstractContextManager[Iterator[bytes]]],
    cap: int = FETCH_CAP,
) -> bytes | None:
    """The image's /etc/passwd (None when it has none); `layers` bottom first, as in manifests.

    `open_layer(digest, limit)` gives the layer's first `limit` bytes as they arrive; only what
    is read is fetched.
    """
    budget = _Budget(cap, UNPACKED_CAP)
    for digest in reversed(layers):
        with open_layer(digest, budget.fetch) as chunks:
            found, hides = _scan(_LayerReader(chunks, budget, digest), digest)
        if found is not None or hides:
            return found
    return None


def _scan(reader: _LayerReader, digest: str) -> tuple[bytes | None, bool]:
    """(passwd content, whether this layer hides lower layers' /etc/passwd)."""
    hides = False
    try:
        with tarfile.open(fileobj=io.BufferedReader(reader, 256 * 1024), mode="r|") as tar:
            for member in tar:
                name = member.name.lstrip("./").lstrip("/")
                if name == "etc/passwd":
                    if not member.isfile():
                        raise Unknown(f"/etc/passwd in layer {digest} is a link")
                    if member.size > PASSWD_LIMIT:
                        raise Unknown(f"/etc/passwd in layer {digest} is larger than 1 MiB")
                    extracted = tar.extractfile(member)
                    return (extracted.read() if extracted else b""), True
                if name in ("etc/.wh.passwd", ".wh.etc", "etc/.wh..wh..opq"):
                    hides = True  # deleted or hidden below; this layer may still hold a new one
    except (tarfile.TarError, EOFError) as exc:
        raise Unknown(f"layer {digest} is not a tar archive ({exc})") from None
    return None, hides


def uid_of(user: str, passwd: bytes | None) -> tuple[int | None, str]:
    """(UID, how it was learned) of a config `User` (`name`, `uid`, `name:group`, `uid:gid`).

    A UID of None comes with the reason it is unknown.
    """
    name = user.split(":", 1)[0].strip()
    if not name:
        return 0, "no User in its config, so root"
    if name.isdigit():
        return int(name), f"its config sets User {user}"
    if passwd is None:
        if name == "root":
            return 0, "User root"
        return None, f"its config sets User {name}, and the image has no /etc/passwd"
    for line in passwd.decode("utf-8", "replace").splitlines():
        fields = line.split(":")
        if len(fields) >= 3 and fields[0] == name and fields[2].strip().isdigit():
            return int(fields[2]), f"user '{name}' is UID {fields[2].strip()} in its /etc/passwd"
    return None, f"its config sets User {name}, whom its /etc/passwd does not list"
