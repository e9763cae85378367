"""The image facts cache: facts by digest (never change) and tag -> digest (may move).

Under `$XDG_CACHE_HOME/recast-reana/images/` (`~/.cache/...` by default):
- `digests/<algorithm>-<hex>.json`: what was learned from the content with that digest: the
  config's `User`, the UID and how, or why the UID is unknown (a cap, a layer that is not a tar:
  the same content gives the same answer, so it is kept too).
- `tags/<the reference, %-quoted>.json`: `{reference, digest, resolved, previous}`: the digest the
  tag pointed to at `resolved` (seconds since the epoch), and the one before when it moved.

It imports no network code: `check` without `--online` (the pre-commit hook) reads it, so a
commit never waits on a registry. Files are written whole and renamed into place; an unreadable
or damaged entry is no entry.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

from recast_reana.model.images import ImageFacts, ImageRef
from recast_reana.named_tuple import NamedTuple
from recast_reana.type_names import Any

_FACT_FIELDS = ("user", "uid", "uid_source", "unknown")


class TagEntry(NamedTuple):
    reference: str
    digest: str
    resolved: float
    previous: str | None = None  # the digest before the tag moved


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "recast-reana" / "images"


class FactsCache:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else cache_dir()

    def _digest_path(self, digest: str) -> Path:
        return self.root / "digests" / (digest.replace(":", "-").replace("/", "_") + ".json")

    def _tag_path(self, reference: str) -> Path:
        name = quote(reference, safe="")
        if len(name) > 200:  # a file name has 255 bytes at most
            import hashlib  # only for such names: OpenSSL's import costs a hook start ~4 ms

            name = name[:100] + "-" + hashlib.sha256(name.encode()).hexdigest()
        return self.root / "tags" / f"{name}.json"

    def digest_facts(self, digest: str) -> dict[str, Any] | None:
        """What is known of the content `digest`: the `ImageFacts` fields learned from it."""
        data = _read(self._digest_path(digest))
        if data is None or data.get("digest") != digest:
            return None
        return {k: data.get(k) for k in _FACT_FIELDS}

    def tag(self, reference: str) -> TagEntry | None:
        data = _read(self._tag_path(reference))
        if data is None or data.get("reference") != reference:
            return None
        digest, resolved, previous = data.get("digest"), data.get("resolved"), data.get("previous")
        if not isinstance(digest, str) or not isinstance(resolved, (int, float)):
            return None
        return TagEntry(reference, digest, float(resolved), previous if previous else None)

    def put_digest(self, digest: str, facts: ImageFacts) -> None:
        data = {k: v for k, v in facts._asdict().items() if k in _FACT_FIELDS}
        _write(self._digest_path(digest), {"digest": digest, **data})

    def put_tag(self, entry: TagEntry) -> None:
        _write(self._tag_path(entry.reference), entry._asdict())

    def facts(self, ref: ImageRef) -> ImageFacts | None:
        """The cached facts of `ref`, however old its tag entry (what the offline check uses)."""
        entry = None if ref.digest else self.tag(ref.key)
        digest = ref.digest or (entry.digest if entry else None)
        known = self.digest_facts(digest) if digest else None
        if digest is None or known is None:
            return None
        moved = entry.previous if entry else None
        return ImageFacts(ref.key, True, digest, moved_from=moved, **known)


def cached_facts(
    refs: Mapping[str, ImageRef], cache: FactsCache | None = None
) -> dict[str, ImageFacts]:
    """The facts the cache holds for `refs` (by key), each also under its `@digest` key."""
    cache = cache or FactsCache()
    if not os.path.isdir(cache.root):  # no online check ran here: nothing to read
        return {}
    found: dict[str, ImageFacts] = {}
    for key, ref in refs.items():
        fact = cache.facts(ref)
        if fact is not None:
            found[key] = fact
    return with_digest_keys(refs, found)


def with_digest_keys(
    refs: Mapping[str, ImageRef], facts: dict[str, ImageFacts]
) -> dict[str, ImageFacts]:
    """`facts`, each tag's also under `registry/repository@digest`: the converted tree pins
    images with `convert --pin-digests` and is checked with the same facts."""
    for key, fact in list(facts.items()):
        ref = refs.get(key)
        if ref is not None and fact.digest and not ref.digest:
            pinned = ImageRef(ref.registry, ref.repository, None, fact.digest).key
            facts.setdefault(pinned, fact._replace(reference=pinned, moved_from=None))
    return facts


def _read(path: Path) -> dict[str, Any] | None:
    import json  # only when there is a cache: the hook on a fresh machine does without

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write(path: Path, data: Mapping[str, Any]) -> None:
    """Whole or not at all; a cache that cannot be written is only a slower next check."""
    import json
    import tempfile  # writes happen online only; the offline check only reads

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, sort_keys=True)
        os.replace(tmp, path)
    except OSError:
        return
