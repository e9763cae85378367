"""Registry credentials and authentication challenges.

Credentials, in this order, for a registry host:
1. GitLab CI: for `$CI_REGISTRY` (the project's own registry), `CI_REGISTRY_USER` /
   `CI_REGISTRY_PASSWORD`, else `gitlab-ci-token` / `CI_JOB_TOKEN` (GitLab's predefined
   variables; the job token may pull from every project the job's user can read).
2. `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`) `auths.<host>`: `auth`
   (base64 of `user:password`, what `docker login` writes) or `username` + `password`.
   Credential helpers (`credsStore`, `credHelpers`) are not run.
Each secret is registered with `redact` as it is read, so that no output can show it.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from pathlib import Path
from typing import NamedTuple

from recast_reana import redact
from recast_reana.model.images import DOCKER_HUB

# Docker writes Docker Hub's credentials under its v1 index URL.
_HUB_KEYS = ("https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io", DOCKER_HUB)
_PARAM = re.compile(r'(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))')


class Credentials(NamedTuple):
    username: str
    password: str
    source: str  # where they come from, for messages ("~/.docker/config.json", "CI_JOB_TOKEN")

    def basic(self) -> str:
        """The `Authorization` header value of Basic auth."""
        raw = f"{self.username}:{self.password}".encode()
        token = base64.b64encode(raw).decode("ascii")
        redact.register(token)
        return f"Basic {token}"


class Challenge(NamedTuple):
    scheme: str  # "basic" or "bearer", lower case
    params: dict[str, str]  # realm, service, scope, error


def parse_challenge(header: str) -> Challenge | None:
    """The first challenge of a `WWW-Authenticate` header (RFC 7235), or None if unreadable."""
    scheme, _, rest = header.strip().partition(" ")
    if not scheme.isalpha():
        return None
    params = {m[1].lower(): m[2] if m[2] is not None else m[3] for m in _PARAM.finditer(rest)}
    return Challenge(scheme.lower(), params)


def credentials(registry: str, env: dict[str, str] | None = None) -> Credentials | None:
    """The credentials recast-reana uses for `registry` (a host[:port] as in references)."""
    env = dict(os.environ) if env is None else env
    ci_registry = env.get("CI_REGISTRY", "")
    if ci_registry and _host(ci_registry) == registry:
        user, password = env.get("CI_REGISTRY_USER", ""), env.get("CI_REGISTRY_PASSWORD", "")
        if user and password:
            redact.register(password)
            return Credentials(user, password, "CI_REGISTRY_USER/CI_REGISTRY_PASSWORD")
        if env.get("CI_JOB_TOKEN"):
            redact.register(env["CI_JOB_TOKEN"])
            return Credentials("gitlab-ci-token", env["CI_JOB_TOKEN"], "CI_JOB_TOKEN")
    return _docker_config(registry, env)


def _docker_config(registry: str, env: dict[str, str]) -> Credentials | None:
    folder = env.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")
    path = Path(folder) / "config.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    auths = data.get("auths") if isinstance(data, dict) else None
    if not isinstance(auths, dict):
        return None
    wanted = _HUB_KEYS if registry == DOCKER_HUB else (registry,)
    entry = next(
        (
            v
            for k, v in auths.items()
            if (_host(k) in wanted or k in wanted) and isinstance(v, dict)
        ),
        None,
    )
    if not isinstance(entry, dict):
        return None
    shown = "$DOCKER_CONFIG/config.json" if env.get("DOCKER_CONFIG") else "~/.docker/config.json"
    user, password = entry.get("username"), entry.get("password")
    if isinstance(entry.get("auth"), str) and entry["auth"]:
        redact.register(entry["auth"])
        try:
            user, _, password = base64.b64decode(entry["auth"]).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
    if not (isinstance(user, str) and isinstance(password, str) and user and password):
        return None
    redact.register(password)
    return Credentials(user, password, shown)


def _host(key: str) -> str:
    """`https://host:port/v1/` or `host` -> `host:port` (how config.json keys are written)."""
    key = key.strip()
    key = key.split("://", 1)[1] if "://" in key else key
    host = key.split("/", 1)[0]
    return DOCKER_HUB if host in _HUB_KEYS else host
