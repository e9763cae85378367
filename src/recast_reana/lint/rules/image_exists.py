"""A step image that its registry does not have, or whose tag moved since it was first seen.

Applies to: yadage steps and serial steps, with registry facts (`check --online`, or the cache
an earlier online check left, which the pre-commit hook reads).

## What it does
Reads what the image's registry answered when recast-reana asked it over the OCI distribution
API (`recast-reana check --online`, `online: true` in `.recast-reana.yaml`, the CI template's
check job):
- an error when the registry has no such image or tag (`MANIFEST_UNKNOWN`, `NAME_UNKNOWN`), or
  refuses it to the credentials recast-reana has (a private image);
- information when a tag now points to another digest than the one cached when it was first
  seen: the images of runs before and after differ.

Without registry facts (no `--online` and nothing cached) it reports nothing.

## Why is this bad?
REANA pulls each step's image when the job starts, so a misspelt image, a tag never pushed or a
private image fails only when the workflow reaches that step, possibly hours into the run
(Kubernetes' `ErrImagePull`); recast-atlas fails the same way, at the step. A moved tag runs
software other than what produced the results being preserved.

## Example
```yaml
environment:
  environment_type: docker-encapsulated
  image: gitlab-registry.cern.ch/analyst/selection
  imagetag: v1.2.O  # a letter O: never pushed
```

## Use instead
```yaml
environment:
  environment_type: docker-encapsulated
  image: gitlab-registry.cern.ch/analyst/selection
  imagetag: v1.2.0
```

## Fix
Push the image, or correct its name or tag; for a private image give recast-reana and REANA
access. For a moved tag, `recast-reana convert --pin-digests` pins every image to the digest it
resolves to today.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.images import ImageFacts, fact_of, parse_reference
from recast_reana.model.positioned_yaml import Path
from recast_reana.model.project import Project
from recast_reana.type_names import Any

ID = "RR411"
NAME = "image-exists"
SEVERITY = Severity.ERROR


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    facts = project.image_facts
    if not facts:
        return
    for step in project.steps:
        src = project.source(step.file)
        env = step.environment
        if src is None or env.get("environment_type") != "docker-encapsulated":
            continue
        fact = fact_of(facts, env)
        if fact is not None:
            where: Path = (*step.environment_path, _tag_key(env))
            yield from _findings(fact, f"step '{step.name}'", src.path, src.pos(where))
    for serial in project.serial_steps:
        ref = parse_reference(serial.image) if serial.image else None
        src = project.source(serial.file)
        fact = facts.get(ref.key) if ref is not None else None
        if fact is not None and src is not None:
            pos = src.pos((*serial.path, "environment"))
            yield from _findings(fact, f"serial step '{serial.name}'", src.path, pos)


def _tag_key(env: Mapping[str, Any]) -> str:
    tag = env.get("imagetag")
    return "imagetag" if isinstance(tag, (str, int, float)) and str(tag) else "image"


def _findings(fact: ImageFacts, who: str, path: str, pos: Any) -> Iterator[Diagnostic]:
    if not fact.exists:
        why = fact.unknown or "not found"
        yield at(
            ID,
            path,
            pos,
            f"image '{fact.reference}' of {who} cannot be pulled: {why}; the REANA job (and "
            "recast-atlas) would fail at this step",
        )
    elif fact.moved_from and fact.digest:
        yield at(
            ID,
            path,
            pos,
            f"image '{fact.reference}' of {who} moved: it pointed to {fact.moved_from} when "
            f"first seen and points to {fact.digest} now; pin it with "
            "`recast-reana convert --pin-digests`",
            Severity.INFO,
        )
