"""One image reference -> `ImageFacts`, from the cache when it can and the registry otherwise.

What is fetched for an image not cached yet: its manifest (for an image index, the index and
then the `linux/amd64` manifest: REANA's nodes are amd64), its config blob, and, only when the
config's `User` is a name, layers from the top until `/etc/passwd` is found (`layers.py`, at
most `FETCH_CAP` bytes). A numeric `User` or none needs no layer at all.

A tag's digest is trusted for `TAG_TTL` seconds, so that a second `check --online` makes no
request; after that one HEAD asks where the tag points now, and a tag that moved is noted
(`ImageFacts.moved_from`). Facts are cached by digest: content never changes under a digest.
A missing image is asked again every time (it may have been pushed since).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence

from recast_reana.errors import EXIT_FATAL, Error
from recast_reana.model.images import ImageFacts, ImageRef
from recast_reana.registry import layers as layer_files
from recast_reana.registry.cache import FactsCache, TagEntry, with_digest_keys
from recast_reana.registry.client import Client, NotFound, RegistryError
from recast_reana.registry.layers import Unknown, find_passwd, uid_of
from recast_reana.type_names import Any

TAG_TTL = 3600.0
PLATFORM = ("linux", "amd64")
_INDEXES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)


def fetch_facts(
    refs: Mapping[str, ImageRef],
    *,
    insecure: Sequence[str] = (),
    client: Client | None = None,
    cache: FactsCache | None = None,
    now: Callable[[], float] = time.time,
) -> tuple[dict[str, ImageFacts], list[str]]:
    """Facts of every reference (by key), and one line per image whose facts stay unknown.

    A registry that cannot be used at all (connection, timeout, TLS, credentials refused) is an
    `Error` with exit 3: the check must not pass for want of an answer.
    """
    client = client or Client(insecure)
    cache = cache or FactsCache()
    facts: dict[str, ImageFacts] = {}
    problems: list[str] = []
    for key, ref in refs.items():
        try:
            facts[key] = learn(ref, client, cache, now())
        except NotFound as exc:
            facts[key] = ImageFacts(key, False, unknown=exc.message)
        except RegistryError as exc:
            if exc.fatal:
                raise Error(exc.message, EXIT_FATAL) from None
            problems.append(f"{key}: {exc.message}" if key not in exc.message else exc.message)
        else:
            if facts[key].uid is None and facts[key].unknown:
                problems.append(f"{key}: UID unknown: {facts[key].unknown}")
    return with_digest_keys(refs, facts), problems


def learn(ref: ImageRef, client: Client, cache: FactsCache, now: float) -> ImageFacts:
    """The facts of `ref`: cached ones when fresh, else asked of its registry (and cached)."""
    key = ref.key
    entry = None if ref.digest else cache.tag(key)
    if ref.digest:
        known = cache.digest_facts(ref.digest)
        if known is not None:
            return ImageFacts(key, True, ref.digest, **known)
    elif entry is not None:
        digest: str | None = entry.digest
        if now - entry.resolved >= TAG_TTL:
            digest = client.head_digest(ref, ref.tag or "latest")
        known = cache.digest_facts(digest) if digest else None
        if digest and known is not None:
            entry = _moved(entry, digest, now)
            cache.put_tag(entry)
            return ImageFacts(key, True, digest, moved_from=entry.previous, **known)
    body, media, said = client.manifest(ref, ref.digest or ref.tag or "latest")
    digest = _digest(body, ref.digest or said, ref)
    facts = _inspect(ref, body, media, digest, client)
    cache.put_digest(digest, facts)
    if not ref.digest:
        entry = _moved(entry, digest, now) if entry else TagEntry(key, digest, now)
        cache.put_tag(entry)
        return facts._replace(moved_from=entry.previous)
    return facts


def _moved(entry: TagEntry, digest: str, now: float) -> TagEntry:
    previous = entry.digest if digest != entry.digest else entry.previous
    return TagEntry(entry.reference, digest, now, previous)


def _digest(body: bytes, expected: str | None, ref: ImageRef) -> str:
    """The manifest's digest; a pinned digest or the registry's header must match the body."""
    computed = "sha256:" + hashlib.sha256(body).hexdigest()
    if expected and expected.startswith("sha256:") and expected != computed:
        raise RegistryError(
            f"{ref.key}: the manifest does not match its digest {expected}; UID unknown",
            fatal=False,
        )
    return expected if expected and not expected.startswith("sha256:") else computed


def _inspect(ref: ImageRef, body: bytes, media: str, digest: str, client: Client) -> ImageFacts:
    manifest = _document(body, media, ref, "manifest")
    media = str(manifest.get("mediaType") or media)
    if media in _INDEXES or "manifests" in manifest:
        chosen = _platform(manifest, ref)
        body, media, _ = client.manifest(ref, chosen)
        _digest(body, chosen, ref)
        manifest = _document(body, media, ref, "manifest")
    config = manifest.get("config")
    layers = manifest.get("layers")
    if not isinstance(config, dict) or not isinstance(config.get("digest"), str):
        raise RegistryError(f"{ref.key}: its manifest names no config; UID unknown", fatal=False)
    if not isinstance(layers, list) or not all(
        isinstance(x, dict) and isinstance(x.get("digest"), str) for x in layers
    ):
        raise RegistryError(f"{ref.key}: its manifest lists no layers; UID unknown", fatal=False)
    raw = client.blob(ref, config["digest"], f"the config of {ref.key}")
    _digest(raw, config["digest"], ref)
    image = _document(raw, "", ref, "image config")
    settings = image.get("config")
    user = settings.get("User") if isinstance(settings, dict) else None
    user = user if isinstance(user, str) else ""
    name = user.split(":", 1)[0].strip()
    passwd = None
    if name and not name.isdigit():
        try:
            passwd = find_passwd(
                [x["digest"] for x in layers],
                lambda d, limit: client.stream(ref, d, limit),
                layer_files.FETCH_CAP,  # read at call time: the tests and benchmarks lower it
            )
        except Unknown as exc:
            return ImageFacts(ref.key, True, digest, user, None, "", str(exc))
    uid, how = uid_of(user, passwd)
    if uid is None:
        return ImageFacts(ref.key, True, digest, user, None, "", how)
    return ImageFacts(ref.key, True, digest, user, uid, how)


def _platform(index: dict[str, Any], ref: ImageRef) -> str:
    """The digest of the index's linux/amd64 manifest."""
    entries = index.get("manifests")
    seen = []
    for entry in entries if isinstance(entries, list) else []:
        platform = entry.get("platform") if isinstance(entry, dict) else None
        if not isinstance(platform, dict):
            continue
        os_arch = (platform.get("os"), platform.get("architecture"))
        seen.append("/".join(str(p) for p in os_arch))
        if os_arch == PLATFORM and isinstance(entry.get("digest"), str):
            return str(entry["digest"])
    listed = ", ".join(seen) or "none"
    raise RegistryError(
        f"{ref.key}: its image index has no linux/amd64 image (platforms: {listed}), which "
        "REANA needs; UID unknown",
        fatal=False,
    )


def _document(body: bytes, media: str, ref: ImageRef, what: str) -> dict[str, Any]:
    """A JSON object, or the one-line reason it is not one."""
    head = body.lstrip()[:1]
    if "html" in media or head == b"<":
        raise RegistryError(
            f"{ref.key}: the registry answered an HTML page, not a {what} (a login page or a "
            "proxy in the way?); UID unknown",
            fatal=False,
        )
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise RegistryError(f"{ref.key}: its {what} is not a JSON object; UID unknown", fatal=False)
    return data
