"""What an image reference names and which UID its user runs as (RR404, RR407, the conversion).

REANA pulls `image` + `:imagetag` and runs the job as `kubernetes_uid` when it is at least 100,
else as UID 1000 (reana-commons `WORKFLOW_RUNTIME_USER_UID`, reana-job-controller
`set_user_id`). atlas/analysisbase images before 21.2.88 run as UID 500.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from typing import Any

from recast_reana.model.stage_graph import Step

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
_VERSION = re.compile(r"\d+(?:\.\d+)*")


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
        tag = str(imagetag)
    return repo, tag or None, bool(digest)


def _canonical(repo: str) -> str:
    for prefix in _DOCKER_HUB:
        if repo.startswith(prefix):
            repo = repo[len(prefix) :]
    return repo.removeprefix("library/")


def needed_uid(repo: str, tag: str | None, images: Mapping[str, Any]) -> tuple[int, str] | None:
    """(UID the image runs as, where that fact comes from), or None when unknown."""
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


def required_uid(environment: Mapping[str, Any], images: Mapping[str, Any]) -> int | None:
    """The `kubernetes_uid` a step with this environment needs on REANA (None: the default works).

    The conversion's fix for this rule adds exactly this value.
    """
    ref = image_reference(environment)
    found = needed_uid(ref[0], ref[1], images) if ref else None
    return found[0] if found and found[0] != REANA_UID else None
