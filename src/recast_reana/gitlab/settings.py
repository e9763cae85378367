"""Settings and results of `sync-branch`: GitLab CI's variables in, one line or a dotenv out.

No network and no python-gitlab here, so the CLI can report configuration errors cheaply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from recast_reana.errors import EXIT_USAGE, Error

TOKEN_VAR = "RECAST_REANA_GITLAB_TOKEN"
TOKEN_HELP = (
    "create a project access token with the `api` scope and the Developer or Maintainer role "
    f"(Settings > Access tokens) and store it as a masked CI/CD variable {TOKEN_VAR} "
    "(Settings > CI/CD > Variables)"
)


@dataclass(frozen=True)
class Settings:
    url: str
    project: str
    source_branch: str
    branch: str
    source_sha: str | None  # None: the checkout's HEAD
    token: str = field(repr=False)
    timeout: float = 30.0
    retries: int = 6  # python-gitlab sleeps 0.1 * 2**n s between tries: 6.3 s in total
    ca_file: str | None = None
    event_wait: float = 10.0  # seconds to wait for GitLab's push event of the forced write


@dataclass
class Progress:
    """How far a run got, for the line an interrupt prints (the CLI reads it)."""

    branch: str = ""
    phase: str = "planning"  # planning, reading, keeping, writing, checking, done
    head: str = ""  # the target's head as judged (before writing)
    new: str = ""  # the commit written
    rescue: str = ""  # the rescue branch being created
    kept: str = ""  # the commit it keeps

    def interrupted(self) -> str:
        b = self.branch or "the branch"
        if self.phase == "keeping":
            return f"interrupted while keeping {self.kept[:12]} on {self.rescue}; {b} unchanged"
        if self.phase == "writing" and not self.head:
            return (
                f"interrupted while GitLab was creating {b}: it may or may not exist now; run "
                "sync-branch again to finish"
            )
        if self.phase == "writing":
            return (
                f"interrupted while GitLab was writing {b}: it holds either its old head "
                f"{self.head[:12]} or the new commit; run sync-branch again to finish"
            )
        if self.phase == "checking" and self.rescue:
            return (
                f"interrupted after the commit {self.new[:12]} to {b}, while keeping "
                f"{self.kept[:12]} (a push it overwrote) on {self.rescue}: if that branch is "
                f"missing, create it at {self.kept}"
            )
        if self.phase == "checking":
            return (
                f"interrupted after the commit {self.new[:12]} to {b}, before checking that no "
                f"push to {b} landed during the write: look for one in the project's activity"
            )
        if self.phase == "done":
            return f"interrupted after the commit {self.new[:12]} to {b}"
        return f"interrupted before writing; branch {b} unchanged"


@dataclass
class Outcome:
    status: str  # committed, rescued, up-to-date, skipped, refused, would-commit, not-converted
    branch: str
    sha: str = ""  # the target branch's head after the run ("" when unknown or absent)
    lines: list[str] = field(default_factory=list)
    committed: bool = False

    @property
    def exit_code(self) -> int:
        return 1 if self.status in ("refused", "not-converted", "rescued") else 0


def settings_from_env(
    env: Mapping[str, str], *, branch: str, source_ref: str | None, dry_run: bool
) -> Settings:
    """Settings from GitLab CI's variables; the token only from the environment, never argv."""
    token = env.get(TOKEN_VAR, "").strip()
    if not token and not dry_run:
        if env.get("CI_JOB_TOKEN"):
            raise Error(
                f"{TOKEN_VAR} is not set, and CI_JOB_TOKEN cannot create commits through the "
                f"API: {TOKEN_HELP}",
                EXIT_USAGE,
            )
        raise Error(f"{TOKEN_VAR} is not set: {TOKEN_HELP}", EXIT_USAGE)
    source = source_ref or env.get("CI_DEFAULT_BRANCH", "")
    if not source:
        raise Error("no source branch: pass --source-ref or set CI_DEFAULT_BRANCH", EXIT_USAGE)
    for name in {source, env.get("CI_DEFAULT_BRANCH") or source}:
        if branch == name:
            raise Error(
                f"--branch {branch} is the source or default branch: sync-branch only writes "
                "a generated branch (default: reana)",
                EXIT_USAGE,
            )
    missing = [v for v in ("CI_SERVER_URL", "CI_PROJECT_ID") if not env.get(v) and token]
    if missing:
        raise Error(f"{' and '.join(missing)} not set: run in GitLab CI or set them", EXIT_USAGE)
    url = env.get("CI_SERVER_URL", "").strip().rstrip("/")
    try:
        parts = urlsplit(url)
        bad = parts.scheme not in ("http", "https") or not parts.hostname or bool(parts.query)
        bad = bad or parts.port == 0
    except ValueError:  # a bad port or IPv6 literal
        bad = True
    if token and bad:
        raise Error(
            f"CI_SERVER_URL={url!r}: not an http(s) address of a GitLab server "
            "(like https://gitlab.cern.ch)",
            EXIT_USAGE,
        )
    return Settings(
        url=url,
        project=env.get("CI_PROJECT_ID", ""),
        source_branch=source,
        branch=branch,
        source_sha=env.get("CI_COMMIT_SHA") or None,
        token=token,
        timeout=env_number(env, "RECAST_REANA_GITLAB_TIMEOUT", 30.0),
        retries=int(env_number(env, "RECAST_REANA_GITLAB_RETRIES", 6, integer=True)),
        ca_file=env.get("CI_SERVER_TLS_CA_FILE") or None,
        event_wait=env_number(env, "RECAST_REANA_GITLAB_EVENT_WAIT", 10.0),
    )


def env_number(env: Mapping[str, str], name: str, default: float, integer: bool = False) -> float:
    """A positive number of seconds (a whole number >= 0 with `integer`) from `env`, else
    `default`; anything else is a usage error naming the variable."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        value = -1
    if value < 0 or (value == 0 and not integer):
        kind = "a whole number >= 0" if integer else "a number of seconds > 0"
        raise Error(f"{name}={raw!r}: must be {kind}", EXIT_USAGE)
    return value


def write_dotenv(path: Path, outcome: Outcome) -> None:
    """GitLab `artifacts:reports:dotenv` for later jobs of the pipeline."""
    from recast_reana.filetree import atomic_write

    text = (
        f"RECAST_REANA_BRANCH={outcome.branch}\n"
        f"RECAST_REANA_BRANCH_SHA={outcome.sha}\n"
        f"RECAST_REANA_COMMITTED={'true' if outcome.committed else 'false'}\n"
    )
    atomic_write(path, text.encode("utf-8"))
