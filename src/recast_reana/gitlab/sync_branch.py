"""`sync-branch`: make the target branch = the source commit + one generated commit, via GitLab.

The only module that imports python-gitlab (network code stays out of the `check` path).
Requests, whatever the number of files (GitLab REST API v4, docs.gitlab.com/api/commits):
1. GET branches/<source>: the source commit must be the source branch's head (else a newer
   pipeline syncs, and an older job must not roll the branch back);
2. GET branches/<target>: its head commit, message (trailers) and parents;
3. GET tree?ref=<head> (only for a head with our trailers): the real root tree, to see whether it is
   the tree the tool wrote (a hand edit is someone's work) and whether it is already the result;
4. GET compare?from=<source>&to=<target>: every commit on the target branch that is not in the
   source; anything but our own head is work that a rewrite would lose. Read last, so a branch
   that moved since step 2 is seen (GitLab has no compare-and-swap for branches);
5. POST commits {branch, start_sha, force, actions}: one commit; `start_sha` pins the base, so a
   source branch that moves meanwhile cannot put our actions on a different tree.
Up to date: steps 1-3. Creating the branch: 1, 2 and a POST without `force`, which GitLab refuses
if the branch appeared meanwhile ("A branch called ... already exists").
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import gitlab
import requests

from recast_reana import __version__
from recast_reana.errors import EXIT_FATAL, Error
from recast_reana.gitlab import git_objects
from recast_reana.gitlab.git_objects import TRAILER_SOURCE, TRAILER_TREE, TRAILER_VERSION, LocalPlan
from recast_reana.gitlab.settings import (
    TOKEN_HELP,
    TOKEN_VAR,
    Outcome,
    Settings,
)

log = logging.getLogger(__name__)


def run(
    root: Path, settings: Settings, *, example: str = "default", dry_run: bool, force: bool
) -> Outcome:
    """Plan locally, then read and (unless `dry_run`) write the target branch."""
    from recast_reana.lint.diagnostics import format_text

    with _masked(settings.token):
        sha = git_objects.resolve_commit(root, settings.source_sha or "HEAD")
        plan = git_objects.local_plan(root, sha, example)
        problems = plan.conversion.problems
        if problems:
            text = format_text(problems, {}, show_source=False).splitlines()
            stopped = f"conversion stopped: {len(problems)} problem(s) stop the conversion"
            return Outcome("not-converted", settings.branch, lines=[*text, stopped])
        if not settings.token:
            lines = [
                f"dry run without {TOKEN_VAR}: {settings.branch} was not read",
                *_actions(plan),
            ]
            return Outcome("would-commit", settings.branch, lines=lines)
        api = _Api(settings)
        for _attempt in range(2):
            outcome = _sync(api, settings, plan, dry_run=dry_run, force=force)
            if outcome is not None:
                return outcome
            log.debug("%s moved while it was being read: reading it again", settings.branch)
        raise Error(
            f"{settings.branch} changed twice while sync-branch was writing it: another job "
            "writes it too; serialise the jobs (resource_group) and run again",
            EXIT_FATAL,
        )


def _sync(api: _Api, s: Settings, plan: LocalPlan, *, dry_run: bool, force: bool) -> Outcome | None:
    """One read-judge-write pass; None when the branch moved between reading and writing."""
    source = api.branch(s.source_branch, f"the source branch '{s.source_branch}'")
    if source is None:
        raise Error(
            f"source branch '{s.source_branch}' not found in project {s.project}: "
            "check --source-ref / CI_DEFAULT_BRANCH",
            EXIT_FATAL,
        )
    if source["commit"]["id"] != plan.source_sha:
        return Outcome(
            "skipped",
            s.branch,
            lines=[
                f"skipped: {s.source_branch} is at {source['commit']['id'][:12]}, not "
                f"{plan.source_sha[:12]}; the pipeline of the newer commit syncs {s.branch}"
            ],
        )
    target = api.branch(s.branch, f"branch '{s.branch}'")
    if target is None:
        if dry_run:
            return Outcome(
                "would-commit", s.branch, lines=[f"would create {s.branch}", *_actions(plan)]
            )
        new = api.create(s, plan, force=False)
        return None if new is None else _committed(s, plan, new, [])
    head = target["commit"]
    tags = git_objects.trailers(head.get("message") or "")
    ours = _generated(head)
    if ours:
        actual = api.tree(head["id"])
        if actual is None:
            return None
        if actual != tags[TRAILER_TREE]:
            ours = False  # generated, then amended by hand: that edit is someone's work
        elif (tags[TRAILER_SOURCE], tags[TRAILER_VERSION], actual) == (
            plan.source_sha,
            plan.version,
            plan.expected_tree,
        ):
            return Outcome("up-to-date", s.branch, head["id"], [f"{s.branch} is up to date"])
    commits = api.compare(plan.source_sha, s.branch)
    if commits is None or (commits and head["id"] not in {c["id"] for c in commits}):
        return None  # the branch was rewritten or deleted since it was read: judge it again
    # Our verified head is no one's work, nor is a generated commit under someone's head (it is
    # regenerated); the head is verified against its tree, the others cannot be without a request.
    foreign = [c for c in commits if not (ours if c["id"] == head["id"] else _generated(c))]
    if foreign and not force:
        return Outcome("refused", s.branch, head["id"], _refusal(s, foreign))
    dropped = [f"  {c['id'][:12]} {c.get('title', '')}" for c in foreign]
    if dry_run:
        lines = [f"would regenerate {s.branch} from {plan.source_sha[:12]}", *_actions(plan)]
        lines += [f"would drop {len(foreign)} commit(s) (--force):", *dropped] if foreign else []
        return Outcome("would-commit", s.branch, head["id"], lines)
    new = api.create(s, plan, force=True)
    assert new is not None
    return _committed(s, plan, new, dropped)


def _generated(commit: dict[str, Any]) -> bool:
    """Made by sync-branch, by its message: all trailers, and based on the commit they name."""
    tags = git_objects.trailers(commit.get("message") or "")
    return set(tags) >= {TRAILER_SOURCE, TRAILER_VERSION, TRAILER_TREE} and commit.get(
        "parent_ids"
    ) == [tags[TRAILER_SOURCE]]


def _actions(plan: LocalPlan) -> list[str]:
    if not plan.actions:
        return ["  (no file changes: the commit only marks the source as converted)"]
    return [f"  {a['action']} {a['file_path']}" for a in plan.actions]


def _refusal(s: Settings, foreign: list[dict[str, Any]]) -> list[str]:
    return [
        f"{s.branch} has {len(foreign)} commit(s) that sync-branch did not make; not "
        "overwriting them:",
        *(f"  {c['id'][:12]} {c.get('title', '')}" for c in foreign),
        f"keep what you need by merging it into {s.source_branch}, then run again, or pass "
        "--force to drop them",
    ]


def _committed(s: Settings, plan: LocalPlan, new: dict[str, Any], dropped: list[str]) -> Outcome:
    if new.get("parent_ids") != [plan.source_sha]:
        raise Error(f"GitLab based the new commit {new['id'][:12]} on the wrong parent", EXIT_FATAL)
    lines = [
        f"committed {new['id'][:12]} to {s.branch}: {plan.source_sha[:12]} + "
        f"{len(plan.actions)} file change(s) (recast-reana {__version__})"
    ]
    if dropped:
        lines += [f"dropped {len(dropped)} commit(s) (--force):", *dropped]
    return Outcome("committed", s.branch, new["id"], lines, committed=True)


class _Api:
    """python-gitlab calls, each turned into data or one Error line."""

    def __init__(self, s: Settings) -> None:
        self.s = s
        self.gl = gitlab.Gitlab(
            s.url,
            private_token=s.token,
            timeout=s.timeout,
            retry_transient_errors=True,  # 5xx, 52x and timeouts; 429 is always retried
            ssl_verify=s.ca_file or True,
            user_agent=f"recast-reana/{__version__}",
        )
        self.project = self.gl.projects.get(s.project, lazy=True)  # lazy: no request

    def branch(self, name: str, what: str) -> dict[str, Any] | None:
        try:
            found = self._call(f"reading {what}", self.project.branches.get, name)
        except _NotFound:
            return None
        return dict(found.attributes)

    def tree(self, ref: str) -> str | None:
        """The id of commit `ref`'s root tree, from its entries (None: the commit is gone)."""
        try:
            items = self._call(
                f"reading the tree of {self.s.branch}",
                self.project.repository_tree,
                ref=ref,
                per_page=100,
                get_all=True,
            )
        except _NotFound:
            return None
        return git_objects.tree_object_id(
            [(git_objects.normal_mode(e["mode"]), e["name"], e["id"]) for e in items]
        )

    def compare(self, source_sha: str, branch: str) -> list[dict[str, Any]] | None:
        """The commits of `branch` that `source_sha` lacks (None: the branch is gone)."""
        # GitLab caches compare answers for a minute, keyed by the commits `from` and `to` resolve
        # to (lib/api/repositories.rb compare_cache_key), so a branch that moved is seen.
        try:
            found = self._call(
                f"comparing {branch} with {source_sha[:12]}",
                self.project.repository_compare,
                source_sha,
                branch,
            )
        except _NotFound:
            return None
        return list(found.get("commits") or [])

    def create(self, s: Settings, plan: LocalPlan, *, force: bool) -> dict[str, Any] | None:
        data = {
            "branch": s.branch,
            "start_sha": plan.source_sha,
            "force": force,
            "commit_message": plan.message(s.source_branch),
            "actions": plan.actions,
        }
        try:
            new = self._call(f"committing to {s.branch}", self.project.commits.create, data)
        except Error as exc:
            if not force and "already exists" in str(exc):
                return None  # created by someone else since we read it: judge it again
            raise
        return dict(new.attributes)

    def _call(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        log.debug("GitLab: %s", what)
        try:
            return fn(*args, max_retries=self.s.retries, **kwargs)
        except gitlab.GitlabError as exc:
            self._fail(what, exc)
        except requests.Timeout:
            raise Error(
                f"GitLab at {self.s.url} did not answer {what} within {self.s.timeout:g} s "
                f"({self.s.retries} retries): try again later",
                EXIT_FATAL,
            ) from None
        except requests.RequestException as exc:
            raise Error(
                f"cannot reach GitLab at {self.s.url} ({what}: {type(exc).__name__}): check "
                "CI_SERVER_URL and the network, then try again",
                EXIT_FATAL,
            ) from None

    def _fail(self, what: str, exc: gitlab.GitlabError) -> NoReturn:
        code = exc.response_code
        text = _one_line(str(exc.error_message))
        body = (exc.response_body or b"").decode("utf-8", "replace")
        where = f"project {self.s.project} at {self.s.url}"
        if code == 401:
            msg = (
                f"GitLab rejected {TOKEN_VAR} ({what}: 401 {text}): it is wrong, expired or "
                f"revoked; {TOKEN_HELP}"
            )
        elif code == 403 and "insufficient_scope" in text + body:
            msg = (
                f"{TOKEN_VAR} lacks the `api` scope ({what}: 403 insufficient_scope): {TOKEN_HELP}"
            )
        elif code == 403 and "not allowed to push" in text:
            msg = (
                f"GitLab refused to write the protected branch '{self.s.branch}' ({text}): "
                "let the token's role push to it (Settings > Repository > Protected branches) "
                "or unprotect it"
            )
        elif code == 403:
            msg = (
                f"GitLab refused {what} (403 {text}): the token needs the Developer or "
                f"Maintainer role in {where}"
            )
        elif code == 404 and "Project" not in text:
            raise _NotFound()  # a branch, ref or tree: the caller knows what that means
        elif code == 404:
            msg = (
                f"GitLab found nothing {what} (404 {text}): check CI_PROJECT_ID and CI_SERVER_URL, "
                f"and that {TOKEN_VAR} belongs to {where}"
            )
        elif code is not None and (code == 429 or code >= 500):
            msg = (
                f"GitLab kept failing {what} ({code} {text}) after {self.s.retries} retries: "
                "try again later"
            )
        else:
            msg = f"GitLab refused {what}: {code} {text}"
        raise Error(msg, EXIT_FATAL) from None


class _NotFound(Exception):
    pass


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    if line.lstrip().startswith("<"):  # an HTML error page from a proxy
        return "(HTML error page)"
    return line if len(line) <= 200 else line[:197] + "..."


@contextmanager
def _masked(token: str) -> Iterator[None]:
    """No exception text that leaves this module contains the token (defence in depth)."""
    try:
        yield
    except Exception as exc:
        if token and token in str(exc):
            code = exc.exit_code if isinstance(exc, Error) else EXIT_FATAL
            raise Error(str(exc).replace(token, "[MASKED]"), code) from None
        raise
