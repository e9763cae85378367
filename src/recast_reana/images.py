"""Which UID a step's image runs as, when that is not the 1000 REANA assumes."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from typing import Any

REANA_DEFAULT_UID = 1000
# atlas/analysisbase images before 21.2.88 run as the `atlas` user with UID 500; later ones use 1000
# (RECAST tutorial, "REANA Default UID"; DESIGN.md section 4).
ANALYSISBASE_UID_CHANGE = (21, 2, 88)
ANALYSISBASE_OLD_UID = 500
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)")


def image_and_tag(environment: Mapping[str, Any]) -> tuple[str, str] | None:
    """(image, tag) of a docker-encapsulated environment; the tag defaults to `latest`."""
    image = environment.get("image")
    if not isinstance(image, str) or not image:
        return None
    tag = environment.get("imagetag", "latest")
    if ":" in image.rsplit("/", 1)[-1]:  # `repo:tag` written in `image`
        image, tag = image.rsplit(":", 1)
    return image, str(tag)


def known_uid(image: str, tag: str, images: Mapping[str, int]) -> int | None:
    """The UID the image's user has, from the configured map or the analysisbase rule."""
    full = f"{image}:{tag}"
    for key in (full, image):
        if key in images:
            return images[key]
    for pattern, uid in images.items():
        if fnmatch.fnmatchcase(full, pattern) or fnmatch.fnmatchcase(image, pattern):
            return uid
    if image.rsplit("/", 2)[-2:] == ["atlas", "analysisbase"] or image.endswith("/analysisbase"):
        m = _VERSION.match(tag)
        if m and tuple(int(x) for x in m.groups()) < ANALYSISBASE_UID_CHANGE:
            return ANALYSISBASE_OLD_UID
    return None


def required_uid(environment: Mapping[str, Any], images: Mapping[str, int]) -> int | None:
    """The `kubernetes_uid` the step needs, or None when REANA's default UID is right."""
    found = image_and_tag(environment)
    if found is None:
        return None
    uid = known_uid(*found, images)
    return uid if uid is not None and uid != REANA_DEFAULT_UID else None
