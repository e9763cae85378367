"""What an image reference names and which UID its user runs as (RR404, RR407, RR411, convert).

REANA pulls `image` + `:imagetag` and runs the job as `kubernetes_uid` when it is at least 100,
else as UID 1000 (reana-commons `WORKFLOW_RUNTIME_USER_UID`, reana-job-controller
`set_user_id`). atlas/analysisbase images before 21.2.88 run as UID 500.

`ImageFacts` are what a container registry says about one reference (it exists, the digest its
tag points to, the UID of its user). The registry client (`recast_reana.registry`) learns them,
online or from its cache; the project carries them (`Project.image_facts`, keyed by
`ImageRef.key`) and the rules read them here, never the network.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping

from recast_reana.model.patterns import LazyPattern
from recast_reana.model.serial import SerialStep
from recast_reana.model.stage_graph import Step
from recast_reana.named_tuple import NamedTuple
from recast_reana.type_names import Any

REANA_UID = 1000  # WORKFLOW_RUNTIME_USER_UID, used when kubernetes_uid is unset or < 100
MIN_UID = 100  # set_user_id: "UIDs < 100 are refused for security"
# atlas/analysisbase switched its `atlas` user from UID 500 to 1000 in 21.2.88. ATLAS also
# publishes the images in its CERN GitLab registry (gitlab-registry.cern.ch/atlas/.../analysisbase).
ANALYSISBASE = "atlas/analysisbase"
ATLAS_GITLAB = "gitlab-registry.cern.ch/atlas/"
ANALYSISBASE_UID_CHANGE = (21, 2, 88)
_DOCKER_HUB = (
    "docker.io/",
    "index.docker.io/",
    "registry.hub.docker.com/",
    "registry-1.docker.io/",
)
_VERSION = LazyPattern(r"\d+(?:\.\d+)*")


def image_reference(environment: Mapping[str, Any]) -> tuple[str, str | None, bool] | None:
    """(repository, tag, pinned by digest) as REANA pulls it: `image` + `:imagetag`.

    None when `image` is not a non-empty string. A numeric `imagetag` (YAML read `21.2` as a float,
    RR101 reports that) is used as its text, as REANA's f-string does.
    """
    image = environment.get("image")
    if not isinstance(image, str) or not image.strip():
        return None
    repo, _, digest = image.strip().partition("@")
    tag: str | None = None
    slash = repo.rfind("/")
    if ":" in repo[slash + 1 :]:  # a colon before the last "/" is a registry port
        repo, _, tag = repo.rpartition(":")
    imagetag = environment.get("imagetag")
    if isinstance(imagetag, (str, int, float)) and not isinstance(imagetag, bool) and str(imagetag):
        # `imagetag: v1@sha256:...` (convert --pin-digests): pulled by digest, the tag kept to read.
        tag, at, pinned = str(imagetag).strip().partition("@")
        digest = digest or (pinned if at else "")
    return repo, tag or None, bool(digest)


def _canonical(repo: str) -> str:
    for prefix in _DOCKER_HUB:
        if repo.startswith(prefix):
            repo = repo[len(prefix) :]
    return repo.removeprefix("library/")


def needed_uid(
    repo: str, tag: str | None, images: Mapping[str, Any], fact: ImageFacts | None = None
) -> tuple[int, str] | None:
    """(UID the image runs as, where that fact comes from), or None when unknown.

    The `images:` configuration wins, then the registry's fact, then what is known of
    atlas/analysisbase tags. An image that runs as root (no `User`) needs nothing: REANA runs it
    as UID 1000 like any other, so the registry's root is not a requirement.
    """
    names = [repo, _canonical(repo)]
    fulls = [f"{n}:{tag}" for n in names] if tag else []
    for key in (*fulls, *names):
        uid = images.get(key)
        if isinstance(uid, int) and not isinstance(uid, bool):
            return uid, f"configured in .recast-reana.yaml images '{key}'"
    for pattern, uid in images.items():
        matches = any(fnmatch.fnmatchcase(n, str(pattern)) for n in (*fulls, *names))
        if matches and isinstance(uid, int) and not isinstance(uid, bool):
            return uid, f"configured in .recast-reana.yaml images '{pattern}'"
    if fact is not None and fact.exists and fact.uid is not None:
        return (fact.uid, f"{fact.uid_source}, said its registry") if fact.uid else None
    if _is_analysisbase(_canonical(repo)) and tag is not None:
        match = _VERSION.match(tag)
        if match:
            version = tuple(int(p) for p in match.group(0).split(".")[:4])
            if version < ANALYSISBASE_UID_CHANGE:
                return 500, "atlas/analysisbase before 21.2.88"
            return REANA_UID, "atlas/analysisbase from 21.2.88"
    return None


def _is_analysisbase(repo: str) -> bool:
    return repo == ANALYSISBASE or (
        repo.startswith(ATLAS_GITLAB) and repo.endswith("/analysisbase")
    )


def kubernetes_uid(step: Step) -> tuple[int, Any] | None:
    """(index of the resource item, value) of the `kubernetes_uid` REANA uses (the last one)."""
    found = None
    for i, item in enumerate(step.resources):
        if isinstance(item, dict) and item.get("kubernetes_uid") is not None:
            found = (i, item["kubernetes_uid"])
    return found


def required_uid(
    environment: Mapping[str, Any],
    images: Mapping[str, Any],
    facts: Mapping[str, ImageFacts] | None = None,
) -> int | None:
    """The `kubernetes_uid` a step with this environment needs on REANA (None: the default works).

    The conversion's fix for this rule adds exactly this value.
    """
    ref = image_reference(environment)
    fact = fact_of(facts or {}, environment)
    found = needed_uid(ref[0], ref[1], images, fact) if ref else None
    return found[0] if found and found[0] != REANA_UID else None


# --- references as registries know them, and what registries say about them ----------------------

DOCKER_HUB = "docker.io"  # how references name Docker Hub; its API is at registry-1.docker.io
# The distribution reference grammar (distribution/reference/regexp.go), without its length limits.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_NAME = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
_DOMAIN = re.compile(r"(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?")
_TAG = re.compile(r"[\w][\w.-]{0,127}")
_DIGEST = LazyPattern(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}")


class ImageRef(NamedTuple):
    """An image reference as a registry resolves it: `registry/repository[:tag][@digest]`."""

    registry: str  # "docker.io", "gitlab-registry.cern.ch", "127.0.0.1:5000"
    repository: str  # "library/ubuntu", "recast-examples/event-selection"
    tag: str | None
    digest: str | None

    @property
    def key(self) -> str:
        """What is pulled: the digest when there is one (a tag beside it is ignored), else the
        tag, `latest` when none is given. Facts are keyed by it."""
        name = f"{self.registry}/{self.repository}"
        return f"{name}@{self.digest}" if self.digest else f"{name}:{self.tag or 'latest'}"


def parse_reference(text: str) -> ImageRef | None:
    """`text` (as `docker pull` takes it) normalised the way Docker does; None when invalid."""
    rest, _, digest = text.strip().partition("@")
    if digest and not _DIGEST.fullmatch(digest):
        return None
    slash = rest.rfind("/")
    name, tag = rest, None
    if ":" in rest[slash + 1 :]:
        name, _, tag = rest.rpartition(":")
        if not _TAG.fullmatch(tag):
            return None
    first, sep, remainder = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, remainder
        if not _DOMAIN.fullmatch(registry):
            return None
    else:
        registry, path = DOCKER_HUB, name
    if registry in ("index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"):
        registry = DOCKER_HUB
    if registry == DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    if not _NAME.fullmatch(path):
        return None
    return ImageRef(registry, path, tag, digest or None)


def pulled_reference(environment: Mapping[str, Any]) -> ImageRef | None:
    """The reference a `docker-encapsulated` environment pulls (`image_reference`), parsed."""
    ref = image_reference(environment)
    if ref is None:
        return None
    repo, tag, pinned = ref
    digest = ""
    if pinned:  # `image: repo@sha256:...`, or `imagetag: tag@sha256:...` (which then wins)
        image, imagetag = str(environment.get("image")), environment.get("imagetag")
        digest = image.partition("@")[2].strip()
        if isinstance(imagetag, str) and "@" in imagetag:
            digest = imagetag.partition("@")[2].strip()
    return parse_reference(repo + (f":{tag}" if tag else "") + (f"@{digest}" if digest else ""))


def references(steps: Iterable[Step], serial_steps: Iterable[SerialStep]) -> dict[str, ImageRef]:
    """Every image the workflow's docker steps and serial steps pull, by key, in step order."""
    found: dict[str, ImageRef] = {}
    for step in steps:
        if step.environment.get("environment_type") == "docker-encapsulated":
            ref = pulled_reference(step.environment)
            if ref is not None:
                found.setdefault(ref.key, ref)
    for serial in serial_steps:
        ref = parse_reference(serial.image) if serial.image else None
        if ref is not None:
            found.setdefault(ref.key, ref)
    return found


class ImageFacts(NamedTuple):
    """What the registry says about one reference (`ImageRef.key`).

    `exists` False: the registry answered that there is no such image (or refused it).
    `uid` None with `exists`: the UID could not be learned (`unknown` says why): never a guess.
    `moved_from`: the digest this tag pointed to when it was first cached, when it now points to
    another one.
    """

    reference: str
    exists: bool
    digest: str | None = None  # what the tag resolves to (an index's digest, for every platform)
    user: str | None = None  # the config's `User` ("" when none)
    uid: int | None = None
    uid_source: str = ""  # how the UID was learned, for messages
    unknown: str = ""  # why the UID (or the image) could not be learned
    moved_from: str | None = None


def fact_of(facts: Mapping[str, ImageFacts], environment: Mapping[str, Any]) -> ImageFacts | None:
    """The registry's fact about the image `environment` pulls, if the project has one."""
    if not facts:
        return None
    ref = pulled_reference(environment)
    return facts.get(ref.key) if ref is not None else None
