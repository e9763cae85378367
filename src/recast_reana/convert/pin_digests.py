"""`convert --pin-digests`: each step image pinned to the digest its tag resolves to today.

What is written: a step's `imagetag: v1.2.0` becomes `imagetag: v1.2.0@sha256:<digest>`, its
quoting kept, `image` untouched. Why this one form: both engines build the reference they pull
as `image + ":" + imagetag` (packtivity `execution_handlers.py` `race_spec`, with yadage-schemas'
default `imagetag: latest`; REANA's `externalbackend.py` `submit`), so both pull
`repo:v1.2.0@sha256:<digest>`, which Docker (recast-atlas) and Kubernetes (REANA) both resolve
by the digest alone: the same image, whatever the tag does later, and the tag still readable.
`image: repo@sha256:...` would not do: packtivity would pull `repo@sha256:...:latest`.

Steps left as they are: an image with its tag or digest in `image`, no `imagetag` (both pull
`latest`: write the tag first), an `imagetag` already pinned, and an image the registry did not
resolve. Digests come from `Project.image_facts` (`convert --online`).
"""

from __future__ import annotations

from recast_reana.model.images import fact_of, image_reference
from recast_reana.model.project import Project
from recast_reana.model.text_edits import Edit, replace_scalar

RULE = "RR411"


def pin_edits(project: Project) -> tuple[list[Edit], list[str]]:
    """The edits, and one line per step image left unpinned saying why."""
    edits: list[Edit] = []
    skipped: list[str] = []
    for step in project.steps:
        env = step.environment
        src = project.source(step.file)
        ref = image_reference(env)
        if src is None or ref is None or env.get("environment_type") != "docker-encapsulated":
            continue
        image, imagetag = str(env.get("image")).strip(), env.get("imagetag")
        where = f"{step.file}: step '{step.name}'"
        tagged = ":" in image.rpartition("/")[2] or "@" in image
        if tagged or not isinstance(imagetag, (str, int, float)) or isinstance(imagetag, bool):
            why = "its tag or digest is in `image`" if tagged else "it has no `imagetag`"
            skipped.append(f"{where}: not pinned: {why} (write `image: repo` + `imagetag: tag`)")
            continue
        if ref[2]:
            continue  # pinned already
        fact = fact_of(project.image_facts, env)
        if fact is None or not fact.exists or not fact.digest:
            skipped.append(f"{where}: not pinned: its registry did not resolve {ref[0]}:{ref[1]}")
            continue
        pos = src.pos((*step.environment_path, "imagetag"))
        edits.append(replace_scalar(src, pos, f"{imagetag}@{fact.digest}", RULE))
    return edits, skipped
