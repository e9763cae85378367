"""A step image without a fixed version: no `imagetag`, `latest`, or a branch tag like `master`.

Applies to: yadage steps (`image` + `imagetag`) and serial steps (`environment: image:tag`).

## What it does
Finds `docker-encapsulated` steps whose image has no tag (neither `imagetag` nor `image: repo:tag`),
the tag `latest`, or a tag that CI moves with every push (`master`, `main`, `dev`, ... see the
`moving_tags` option). Images pinned by digest (`repo@sha256:...`) are fine.

## Why is this bad?
A preserved analysis must rerun the same software years later; a moving tag runs whatever was
pushed last. On REANA it is worse: Kubernetes pulls `latest` (or no tag) every time but any other
tag only when the node does not have it yet (the default `imagePullPolicy`; REANA sets none), so
the jobs of one run can use different builds of a `master` image, depending on the node.

## Example
```yaml
environment:
  environment_type: docker-encapsulated
  image: gitlab-registry.cern.ch/analyst/selection
  imagetag: master
```

## Use instead
```yaml
environment:
  environment_type: docker-encapsulated
  image: gitlab-registry.cern.ch/analyst/selection
  imagetag: v1.2.0
```

## Fix
Tag the image with a version (or the commit SHA) in CI and use that tag.

## Options
- `moving_tags`: the tags reported as moving (compared ignoring case). A configured list replaces
  the default one, so list every tag you want reported:
  `options: {RR407: {moving_tags: [latest, master, nightly]}}`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import Option, at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.images import image_reference
from recast_reana.model.project import Project
from recast_reana.type_names import Any

ID = "RR407"
NAME = "image-tag"
SEVERITY = Severity.WARNING
OPTIONS: dict[str, Option] = {
    "moving_tags": Option(
        default=[
            "latest",
            "master",
            "main",
            "dev",
            "devel",
            "develop",
            "development",
            "nightly",
            "edge",
            "head",
            "trunk",
            "stable",
            "testing",
            "unstable",
        ],
        schema={"type": "array", "items": {"type": "string"}},
    )
}


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    tags = options.get("moving_tags")
    moving = {t.lower() for t in tags if isinstance(t, str)} if isinstance(tags, list) else set()
    yield from _serial(project, moving)
    for step in project.steps:
        src = project.source(step.file)
        env = step.environment
        ref = image_reference(env)
        if src is None or ref is None or env.get("environment_type") != "docker-encapsulated":
            continue
        repo, tag, digest = ref
        if digest:
            continue
        name = step.name
        if tag is None:
            yield at(
                ID,
                src.path,
                src.pos((*step.environment_path, "image")),
                f"image '{repo}' of step '{name}' has no imagetag, so 'latest' is pulled and "
                "changes under you; pin a version with `imagetag:`",
            )
        elif tag.lower() in moving:
            written = env.get("imagetag")
            explicit = isinstance(written, (str, int, float)) and str(written)
            where = "imagetag" if explicit else "image"
            yield at(
                ID,
                src.path,
                src.pos((*step.environment_path, where)),
                f"image '{repo}:{tag}' of step '{name}' uses the moving tag '{tag}', which changes "
                "with every push; pin a version or commit tag",
            )


def _serial(project: Project, moving: set[str]) -> Iterator[Diagnostic]:
    """Serial steps name their image with the tag: `environment: repo:tag`."""
    for step in project.serial_steps:
        ref = image_reference({"image": step.image}) if step.image else None
        src = project.source(step.file)
        if ref is None or src is None or ref[2]:
            continue
        repo, tag, _ = ref
        where = src.pos((*step.path, "environment"))
        who = f"serial step '{step.name}'"
        if tag is None:
            message = (
                f"image '{repo}' of {who} has no tag, so 'latest' is pulled and changes under "
                f"you; pin a version: `environment: {repo}:<version>`"
            )
            yield at(ID, src.path, where, message)
        elif tag.lower() in moving:
            message = (
                f"image '{repo}:{tag}' of {who} uses the moving tag '{tag}', which changes with "
                "every push; pin a version or commit tag"
            )
            yield at(ID, src.path, where, message)
