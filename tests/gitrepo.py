"""Repositories for the tests: files written from a mapping, git run as a fixed person.

`git` runs without the user's or the system's git configuration and commits as Jane Analyst, so
what the tests see does not depend on the machine (its identity, `init.defaultBranch`, signing).
`git init` copies no template (sample hooks): fewer files to write and to delete.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Jane Analyst",
    "GIT_AUTHOR_EMAIL": "jane@cern.ch",
    "GIT_COMMITTER_NAME": "Jane Analyst",
    "GIT_COMMITTER_EMAIL": "jane@cern.ch",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TEMPLATE_DIR": "",
}


def write(root: Path, files: Mapping[str, str | bytes | None]) -> Path:
    """`files` (relative path: text, bytes, or None to delete) written under `root`."""
    for rel, content in files.items():
        path = root / rel
        if content is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def git(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    """git's output (stripped) in `cwd`, run as GIT_ENV says, or in exactly `env` if given."""
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env=dict(env) if env is not None else {**os.environ, **GIT_ENV},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        output = (done.stdout + done.stderr).decode(errors="replace")
        raise AssertionError(f"git {' '.join(args)} exited {done.returncode}:\n{output}")
    return done.stdout.decode().strip()


def commit(repo: Path, files: Mapping[str, str | bytes | None], message: str) -> str:
    """`files` written, everything staged and committed; the new commit's id."""
    write(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")
