"""A step image whose user is not UID 1000, without the `kubernetes_uid` REANA needs.

Applies to: yadage steps.

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

With registry facts (`recast-reana check --online`, `online: true`, or the cache an earlier
online check left, which the pre-commit hook reads) the UID of any image is known without
configuration: the `User` of the image's config, a name looked up in the image's own
`/etc/passwd` (read from the layers, top first, without pulling the image). The `images:` map
still wins over the registry, and the registry over what is known of analysisbase tags. An
image that runs as root (no `User`) needs no `kubernetes_uid`; an image whose UID cannot be
learned (a layer that is not a tar, `/etc/passwd` beyond 64 MiB of layers) gets no finding, and
`check --online` says why on stderr.

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
`recast-reana convert` adds the `kubernetes_uid` resource (`convert --online` for the UIDs only
registries know); on the recast-atlas main branch this is information only (packtivity ignores
`kubernetes_uid`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.images import (
    MIN_UID,
    REANA_UID,
    fact_of,
    image_reference,
    kubernetes_uid,
    needed_uid,
    required_uid,
)
from recast_reana.model.project import Project
from recast_reana.model.text_edits import ListEdit
from recast_reana.type_names import Any

ID = "RR404"
NAME = "image-uid"
SEVERITY = Severity.ERROR
CONVERTIBLE = True


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    images = project.config.images if isinstance(project.config.images, Mapping) else {}
    for step in project.steps:
        src = project.source(step.file)
        env = step.environment
        ref = image_reference(env)
        if src is None or ref is None or env.get("environment_type") != "docker-encapsulated":
            continue
        repo, tag, _ = ref
        known = needed_uid(repo, tag, images, fact_of(project.image_facts, env))
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


def fix(project: Project, options: Mapping[str, Any]) -> Iterator[ListEdit]:
    """Add `- kubernetes_uid: <uid>` to the resources of a step whose image needs it."""
    for step in project.steps:
        uid = required_uid(step.environment, project.config.images, project.image_facts)
        has = any(isinstance(i, dict) and "kubernetes_uid" in i for i in step.resources)
        src = project.source(step.file)
        if uid is None or has or src is None:
            continue
        path = (*step.environment_path, "resources")
        image = (step.file, src.pos((*step.environment_path, "image")))
        yield ListEdit(step.file, path, add=(f"kubernetes_uid: {uid}",), rule=ID, origin=image)


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


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
