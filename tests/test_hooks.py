"""The hooks, run for real in temporary git repositories.

`.pre-commit-hooks.yaml` through `pre-commit try-repo` and through `pre-commit install` + `git
commit`, and `hooks/pre-commit` as a plain git hook. The hook repository is a snapshot of this
checkout (tracked and untracked, not ignored files) committed into its own git repository:
try-repo would only see committed files and tracked changes of the checkout itself.

pre-commit installs the hook's virtualenv from PyPI. The snapshot's path and commit depend only
on the checkout's content, so with the snapshots and PRE_COMMIT_HOME in the machine's test cache
(tests/caches.py) the environment is installed once per content and reused by later runs, fresh
clones included. `pre-commit try-repo` always installs into a fresh store, so it runs once.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from caches import cache_root
from gitrepo import git, write
from helpers import RECAST_REPO, replace_in

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[1]
HOOK = ROOT / "hooks" / "pre-commit"

GOOD = RECAST_REPO
BAD = replace_in(
    GOOD, "specs/steps.yml", "    imagetag: v1.2.0\n", "    imagetag: v1\n    imagetag: v2\n"
)
BAD_LINE = "specs/steps.yml:10:5: RR002 key 'imagetag' is repeated (first on line 9)"
# A good change to commit: GOOD with one more comment.
GOOD2 = replace_in(GOOD, "specs/steps.yml", "fit:\n", "# the fit\nfit:\n")
KEYTAB = b"\x05\x02\x00\x00\x00\x3a\x00\x01\x00\x07CERN.CH\x00\x07analyst"
KEYTAB_LINE = "user.keytab:1:1: RR502 "
FIXED_DATE = "2024-01-01T00:00:00+00:00"


# --- helpers ----------------------------------------------------------------------------------


def run(
    cmd: list[str], cwd: Path, env: Mapping[str, str], check: bool = True
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
        timeout=600,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} exited {proc.returncode}:\n{proc.stdout}")
    return proc


def commit(repo: Path, env: Mapping[str, str], message: str) -> subprocess.CompletedProcess[str]:
    """`git commit` as a person types it: the hook's output, and its verdict as the exit code."""
    return run(["git", "commit", "-m", message], repo, env, check=False)


def isolated_env(home: Path, extra_path: str = "") -> dict[str, str]:
    """The environment with no git or pre-commit state of the user leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    home.mkdir(parents=True, exist_ok=True)
    # pip's cache holds downloads only, no configuration: keep the user's, or installs refetch.
    env.setdefault("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip"))
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        GIT_CONFIG_NOSYSTEM="1",
        PATH=os.pathsep.join(p for p in (extra_path, env.get("PATH", "")) if p),
    )
    return env


def new_repo(path: Path, env: Mapping[str, str], files: Mapping[str, str | bytes]) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "-q", env=env)
    git(path, "config", "user.name", "Analyst", env=env)
    git(path, "config", "user.email", "analyst@example.org", env=env)
    git(path, "config", "commit.gpgsign", "false", env=env)
    write(path, files)
    return path


def commit_broken_spec(repo: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """BAD staged and committed: the commit is blocked with BAD_LINE."""
    write(repo, BAD)
    git(repo, "add", "specs/steps.yml", env=env)
    proc = commit(repo, env, "broken spec")
    assert proc.returncode == 1, proc.stdout
    assert any(line.startswith(BAD_LINE) for line in proc.stdout.splitlines()), proc.stdout
    return proc


def assert_the_staged_version_counts(repo: Path, env: Mapping[str, str]) -> None:
    """After commit_broken_spec, what is staged is checked, not the working tree.

    A fix only in the working tree does not count, and a broken working tree does not block a
    good staged version. The working tree is left good.
    """
    write(repo, GOOD2)
    proc = commit(repo, env, "fixed only in the working tree")
    assert proc.returncode == 1 and BAD_LINE in proc.stdout, proc.stdout
    git(repo, "add", "specs/steps.yml", env=env)
    write(repo, BAD)
    proc = commit(repo, env, "fixed, with an unstaged break")
    assert proc.returncode == 0, proc.stdout
    write(repo, GOOD2)


def commit_keytab(repo: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """A keytab staged and committed: the commit is blocked with KEYTAB_LINE."""
    write(repo, {"user.keytab": KEYTAB})
    git(repo, "add", "user.keytab", env=env)
    proc = commit(repo, env, "keytab")
    assert proc.returncode == 1, proc.stdout
    assert any(line.startswith(KEYTAB_LINE) for line in proc.stdout.splitlines()), proc.stdout
    return proc


def checkout_files(root: Path) -> list[str]:
    """What a commit of the checkout would hold: tracked plus untracked, not ignored files."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout.decode()
        names = [n for n in out.split("\0") if n]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (an unpacked sdist)
        skip = {".git", ".venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
        names = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in skip]
            rel = Path(dirpath).relative_to(root)
            names += [(rel / f).as_posix() for f in filenames]
    return sorted(n for n in names if (root / n).is_file())


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    directory = cache_root() / "hooks"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture(scope="session")
def hook_repo(cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A git repository holding this checkout as one commit, at a path given by its content."""
    names = checkout_files(ROOT)
    assert ".pre-commit-hooks.yaml" in names and "pyproject.toml" in names
    digest = hashlib.sha256()
    for name in names:
        digest.update(name.encode() + b"\0" + (ROOT / name).read_bytes() + b"\0")
    repo = cache_dir / f"repo-{digest.hexdigest()[:16]}"
    if not (repo / ".git").is_dir():
        building = cache_dir / f"building-{uuid.uuid4().hex}"
        for name in names:
            (building / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, building / name)
        env = isolated_env(tmp_path_factory.mktemp("home"))
        env.update(
            GIT_AUTHOR_NAME="recast-reana tests",
            GIT_AUTHOR_EMAIL="tests@example.org",
            GIT_AUTHOR_DATE=FIXED_DATE,
            GIT_COMMITTER_NAME="recast-reana tests",
            GIT_COMMITTER_EMAIL="tests@example.org",
            GIT_COMMITTER_DATE=FIXED_DATE,
        )
        git(building, "init", "-q", env=env)
        git(building, "add", "-A", env=env)
        git(building, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "snapshot", env=env)
        try:
            building.rename(repo)  # atomic: a concurrent session may have made the same one
        except OSError:
            shutil.rmtree(building, ignore_errors=True)
    os.utime(repo)  # in use: the snapshots of other contents go when unused for a day
    for other in cache_dir.glob("repo-*"):
        if other != repo and time.time() - other.stat().st_mtime > 86400:
            shutil.rmtree(other, ignore_errors=True)
    yield repo


@pytest.fixture(scope="session")
def pre_commit_home(cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = cache_dir / "pre-commit-home"
    yield home
    # Each change of the checkout installs one more environment: past a few, drop those of
    # snapshots whose configurations are gone (gc takes the store's lock, so this is safe).
    if len(list(home.glob("repo*"))) > 3:
        env = isolated_env(tmp_path_factory.mktemp("home"))
        env["PRE_COMMIT_HOME"] = str(home)
        run([sys.executable, "-m", "pre_commit", "gc"], cache_dir, env, check=False)


@pytest.fixture
def env(tmp_path: Path, pre_commit_home: Path, cache_dir: Path) -> dict[str, str]:
    """Isolated, with this Python's scripts (recast-reana, pre-commit) first on PATH."""
    env = isolated_env(tmp_path / "home", str(Path(sys.executable).parent))
    env["PRE_COMMIT_HOME"] = str(pre_commit_home)
    # virtualenv's cache of seed wheels would otherwise be rebuilt in each temporary HOME.
    env["VIRTUALENV_OVERRIDE_APP_DATA"] = str(cache_dir / "virtualenv")
    env["PRE_COMMIT_COLOR"] = "never"
    (tmp_path / "tmp").mkdir()
    env["TMPDIR"] = str(tmp_path / "tmp")
    return env


# --- pre-commit ---------------------------------------------------------------------------------


def test_try_repo_blocks_a_bad_commit_with_diagnostics(
    tmp_path: Path, env: dict[str, str], hook_repo: Path
) -> None:
    repo = new_repo(tmp_path / "analysis", env, GOOD)
    git(repo, "add", "-A", env=env)
    git(repo, "commit", "-q", "-m", "good", env=env)
    write(repo, BAD)
    write(repo, {"user.keytab": KEYTAB})
    git(repo, "add", "-A", env=env)
    # Both hooks of the manifest, on every file, as a reviewer would try them.
    proc = run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "--all-files"],
        repo,
        env,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout
    lines = proc.stdout.splitlines()
    assert any(line.startswith("recast-reana check....") and "Failed" in line for line in lines)
    assert any(line.startswith("recast-reana credentials") and "Failed" in line for line in lines)
    assert any(line.startswith(BAD_LINE) for line in lines), proc.stdout
    assert any(line.startswith(KEYTAB_LINE) for line in lines), proc.stdout
    assert "Traceback" not in proc.stdout


def test_pre_commit_hooks_on_real_commits(
    tmp_path: Path, env: dict[str, str], hook_repo: Path
) -> None:
    rev = git(hook_repo, "rev-parse", "HEAD", env=env)
    config = (
        f"repos:\n- repo: {hook_repo}\n  rev: {rev}\n"
        "  hooks:\n  - id: recast-reana\n  - id: recast-reana-credentials\n"
    )
    repo = new_repo(tmp_path / "analysis", env, {**GOOD, ".pre-commit-config.yaml": config})
    run([sys.executable, "-m", "pre_commit", "install"], repo, env)

    git(repo, "add", "-A", env=env)
    proc = commit(repo, env, "good analysis")
    assert proc.returncode == 0, proc.stdout
    assert "recast-reana check" in proc.stdout and "Passed" in proc.stdout

    proc = commit_broken_spec(repo, env)
    assert "recast-reana credentials" in proc.stdout  # ran on the YAML file too, and passed
    assert_the_staged_version_counts(repo, env)

    proc = commit_keytab(repo, env)
    # The YAML hook did not run: no YAML file is staged.
    assert "recast-reana check" in proc.stdout and "(no files to check)Skipped" in proc.stdout


# --- hooks/pre-commit -----------------------------------------------------------------------------


def install_plain_hook(repo: Path) -> None:
    target = repo / ".git" / "hooks" / "pre-commit"
    shutil.copy2(HOOK, target)
    target.chmod(0o755)


def test_plain_hook_is_executable_posix_sh() -> None:
    assert os.access(HOOK, os.X_OK)
    assert HOOK.read_text().startswith("#!/bin/sh\n")
    if shutil.which("shellcheck"):
        proc = subprocess.run(
            ["shellcheck", "--shell=sh", str(HOOK)], capture_output=True, text=True, check=False
        )
        assert proc.returncode == 0, proc.stdout


def test_plain_hook_on_real_commits(tmp_path: Path, env: dict[str, str]) -> None:
    repo = new_repo(tmp_path / "analysis", env, GOOD)
    install_plain_hook(repo)

    git(repo, "add", "-A", env=env)
    proc = commit(repo, env, "first commit: no HEAD yet")
    assert proc.returncode == 0, proc.stdout

    proc = commit_broken_spec(repo, env)
    lines = proc.stdout.splitlines()
    assert any(line.startswith("recast-reana: commit blocked") for line in lines)
    assert_the_staged_version_counts(repo, env)

    commit_keytab(repo, env)
    git(repo, "rm", "-q", "--cached", "user.keytab", env=env)

    # `git commit -a` and `git commit <path>` stage through a temporary index.
    write(repo, BAD)
    proc = run(["git", "commit", "-a", "-m", "all"], repo, env, check=False)
    assert proc.returncode == 1 and BAD_LINE in proc.stdout
    proc = run(["git", "commit", "-m", "only", "specs/steps.yml"], repo, env, check=False)
    assert proc.returncode == 1 and BAD_LINE in proc.stdout
    write(repo, GOOD2)

    # Deleting files leaves nothing to check; an empty commit neither.
    git(repo, "rm", "-q", "recast.yml", env=env)
    assert commit(repo, env, "delete").returncode == 0
    proc = run(["git", "commit", "--allow-empty", "-m", "empty"], repo, env, check=False)
    assert proc.returncode == 0, proc.stdout

    assert list(Path(env["TMPDIR"]).iterdir()) == [], "the hook removes its snapshot"


def test_plain_hook_credentials_only_without_yaml(tmp_path: Path, env: dict[str, str]) -> None:
    # A broken workflow does not block a commit that touches no YAML file (as with pre-commit),
    # but the credential rules still run on what is staged.
    repo = new_repo(tmp_path / "analysis", env, BAD)
    git(repo, "add", "-A", env=env)
    git(repo, "commit", "-q", "-m", "broken, before the hook", env=env)
    install_plain_hook(repo)
    write(repo, {"README.md": "# analysis\n", "odd name ü.txt": "notes\n"})
    git(repo, "add", "-A", env=env)
    proc = commit(repo, env, "docs")
    assert proc.returncode == 0, proc.stdout
    write(repo, {"data/user.keytab": KEYTAB})
    git(repo, "add", "-A", env=env)
    proc = commit(repo, env, "keytab")
    assert proc.returncode == 1, proc.stdout
    assert "data/user.keytab:1:1: RR502 " in proc.stdout


def test_plain_hook_through_core_hooks_path(tmp_path: Path, env: dict[str, str]) -> None:
    repo = new_repo(tmp_path / "analysis", env, BAD)
    (repo / ".githooks").mkdir()
    shutil.copy2(HOOK, repo / ".githooks" / "pre-commit")
    git(repo, "config", "core.hooksPath", ".githooks", env=env)
    git(repo, "add", "-A", env=env)
    proc = commit(repo, env, "broken")
    assert proc.returncode == 1 and BAD_LINE in proc.stdout, proc.stdout


def fake_python3(bin_dir: Path, target: str | None) -> None:
    """A `python3` that runs this Python (which has recast_reana), or has no recast_reana."""
    bin_dir.mkdir()
    body = f'exec "{target}" "$@"\n' if target else "exit 1\n"
    (bin_dir / "python3").write_text("#!/bin/sh\n" + body)
    (bin_dir / "python3").chmod(0o755)


def system_path(env: Mapping[str, str]) -> str:
    """PATH without the directories that hold a `recast-reana` script."""
    dirs = env["PATH"].split(os.pathsep)
    return os.pathsep.join(d for d in dirs if not (Path(d) / "recast-reana").exists())


def test_plain_hook_falls_back_to_python_dash_m(tmp_path: Path, env: dict[str, str]) -> None:
    fake_python3(tmp_path / "bin", sys.executable)
    env = {**env, "PATH": f"{tmp_path / 'bin'}{os.pathsep}{system_path(env)}"}
    repo = new_repo(tmp_path / "analysis", env, BAD)
    install_plain_hook(repo)
    git(repo, "add", "-A", env=env)
    proc = commit(repo, env, "broken")
    assert proc.returncode == 1 and BAD_LINE in proc.stdout, proc.stdout


def test_plain_hook_without_recast_reana_says_so(tmp_path: Path, env: dict[str, str]) -> None:
    fake_python3(tmp_path / "bin", None)
    env = {**env, "PATH": f"{tmp_path / 'bin'}{os.pathsep}{system_path(env)}"}
    repo = new_repo(tmp_path / "analysis", env, GOOD)
    install_plain_hook(repo)
    git(repo, "add", "-A", env=env)
    proc = commit(repo, env, "unchecked")
    assert proc.returncode == 1
    assert "recast-reana is not installed" in proc.stdout
    assert "--no-verify" in proc.stdout
