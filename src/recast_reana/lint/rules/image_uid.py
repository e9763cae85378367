"""A step image whose user is not UID 1000, without the `kubernetes_uid` REANA needs.

## What it does
Works out the UID an image's user runs as and compares it with the UID REANA will use:
`kubernetes_uid` from the step's resources, else 1000. Known: `atlas/analysisbase` (Docker Hub,
or `gitlab-registry.cern.ch/atlas/.../analysisbase`) tags before 21.2.88 run as UID 500, later
ones as 1000. Other images (e.g. your own images built `FROM atlas/analysisbase:21.2.85-centos7`)
are added in `.recast-reana.yaml`:

```yaml
images:
  gitlab-registry.cern.ch/recast-examples/event-selection: 500   # every tag
  gitlab-registry.cern.ch/recast-examples/post-processing:final: 500  # one tag
  gitlab-registry.cern.ch/my-analysis/*: 500                     # fnmatch glob
```

Exact `repo:tag` wins over `repo`, which wins over globs (in file order). A `kubernetes_uid`
equal to the image's UID passes; a different value is an error.

## Why is this bad?
REANA runs every job as UID `kubernetes_uid` (or 1000) with GID 0
(`reana_job_controller/kubernetes_job_manager.py`, `set_user_id`). An image whose files belong to
UID 500 then cannot write its home directory or the files the image set up, and the step fails
with `Permission denied` deep in the run. recast-atlas runs the image's own user, so the problem
never shows on a laptop.

## Example
```yaml
environment:
  environment_type: docker-encapsulated
  image: atlas/analysisbase
  imagetag: 21.2.85-centos7
```

## Use instead
```yaml
environment:
  environment_type: docker-encapsulated
  image: atlas/analysisbase
  imagetag: 21.2.85-centos7
  resources:
    - kubernetes_uid: 500
```

## Fix
`recast-reana convert` adds the `kubernetes_uid` resource; on the recast-atlas main branch this
is information only (packtivity ignores `kubernetes_uid`).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator, Mapping
from typing import Any

from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.lint.rule import at
from recast_reana.model.project import Project
from recast_reana.model.stage_graph import Step

ID = "RR404"
NAME = "image-uid"
SEVERITY = Severity.ERROR
CONVERTIBLE = True

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


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def kubernetes_uid(step: Step) -> tuple[int, Any] | None:
    """(index of the resource item, value) of the `kubernetes_uid` REANA uses (the last one)."""
    found = None
    for i, item in enumerate(step.resources):
        if isinstance(item, dict) and item.get("kubernetes_uid") is not None:
            found = (i, item["kubernetes_uid"])
    return found


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    images = project.config.images if isinstance(project.config.images, Mapping) else {}
    for step in project.steps:
        src = project.source(step.file)
        env = step.environment
        ref = image_reference(env)
        if src is None or ref is None or env.get("environment_type") != "docker-encapsulated":
            continue
        repo, tag, _ = ref
        known = needed_uid(repo, tag, images)
        if known is None:
            continue
        uid, why = known
        shown = f"{repo}:{tag}" if tag else repo
        given = kubernetes_uid(step)
        if given is None:
            if uid == REANA_UID:
                continue
            yield at(
                ID,
                src.path,
                src.pos((*step.environment_path, "image")),
                _missing(shown, uid, why),
            )
            continue
        index, value = given
        if not _is_int(value):
            continue  # RR405 reports the type
        effective = value if value >= MIN_UID else REANA_UID
        if effective != uid:
            pos = src.pos((*step.environment_path, "resources", index, "kubernetes_uid"))
            yield at(
                ID,
                src.path,
                pos,
                f"kubernetes_uid {value} makes REANA run the job as UID {effective}, but image "
                f"'{shown}' runs as UID {uid} ({why}); use `- kubernetes_uid: {uid}`"
                if uid >= MIN_UID
                else _missing(shown, uid, why),
            )


def _missing(image: str, uid: int, why: str) -> str:
    if uid < MIN_UID:
        return (
            f"image '{image}' runs as UID {uid} ({why}), which REANA cannot use: it ignores "
            f"kubernetes_uid below {MIN_UID} and runs jobs as UID {REANA_UID}; rebuild the image "
            f"with a user of UID {REANA_UID}"
        )
    return (
        f"image '{image}' runs as UID {uid} ({why}) but REANA runs jobs as UID {REANA_UID}; "
        f"add `- kubernetes_uid: {uid}` to environment.resources"
    )


def required_uid(environment: Mapping[str, Any], images: Mapping[str, Any]) -> int | None:
    """The `kubernetes_uid` a step with this environment needs on REANA (None: the default works).

    The conversion's fix for this rule adds exactly this value.
    """
    ref = image_reference(environment)
    found = needed_uid(ref[0], ref[1], images) if ref else None
    return found[0] if found and found[0] != REANA_UID else None
