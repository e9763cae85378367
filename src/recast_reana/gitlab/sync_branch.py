"""`sync-branch`: make the target branch = the source commit + one generated commit, via GitLab.

Requests, whatever the number of files (GitLab REST API v4, docs.gitlab.com/api/commits):
1. GET branches/<source>: the source commit must be the source branch's head (else a newer
   pipeline syncs, and an older job must not roll the branch back);
2. GET branches/<target>: its head commit, message (trailers) and parents;
3. GET tree?ref=<head> (only for a head with our trailers): the real root tree, to see whether it is
   the tree the tool wrote (a hand edit is someone's work) and whether it is already the result;
4. GET compare?from=<source>&to=<target>: every commit on the target branch that is not in the
   source; anything but our own head is work that a rewrite would lose. Read last, so a branch
   that moved since step 2 is seen;
5. with --force and commits to drop: POST branches {<target>-rescue-<head>, ref: head}, so that
   what --force drops stays reachable;
6. POST commits {branch, start_sha, force, actions}: one commit; `start_sha` pins the base, so a
   source branch that moves meanwhile cannot put our actions on a different tree;
7. GET events?action=pushed until the push event of that commit appears: its `commit_from` is the
   head GitLab overwrote. If that is not the head judged in 4, someone pushed in between; their
   head is kept on the branch <target>-rescue-<their head> (POST branches) and the run exits 1.
Up to date: steps 1-3. Creating the branch: 1, 2 and a POST without `force`, which GitLab refuses
if the branch appeared meanwhile ("A branch called ... already exists").

Why 7 and not a compare-and-swap: with `force`, GitLab's `Commits::CreateService` and Gitaly's
`UserCommitFiles` update the ref from whatever it points to when Gitaly reads it (`oldRevision =
targetBranchCommit`); without `force` a branch that exists can only be built on, never reset to
`start_sha` ("A branch called ... already exists"). No API writes a branch only if it is still at
a given commit, so a push between 4 and 6 (one round trip) is caught after the write, from
GitLab's record of the push (events are written asynchronously, by Sidekiq: step 7 waits for it,
RECAST_REANA_GITLAB_EVENT_WAIT seconds at most, and says so when it could not confirm).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from recast_reana import __version__
from recast_reana.errors import EXIT_FATAL, Error
from recast_reana.gitlab import git_objects
from recast_reana.gitlab.git_objects import TRAILER_SOURCE, TRAILER_TREE, TRAILER_VERSION, LocalPlan
from recast_reana.gitlab.settings import TOKEN_VAR, Outcome, Progress, Settings
from recast_reana.redact import Redactor
from recast_reana.type_names import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from recast_reana.gitlab.api import Api

log = logging.getLogger(__name__)


def run(
    root: Path,
    settings: Settings,
    *,
    example: str = "default",
    dry_run: bool,
    force: bool,
    progress: Progress | None = None,
) -> Outcome:
    """Plan locally, then read and (unless `dry_run`) write the target branch."""
    from recast_reana.lint.diagnostics import format_text

    progress = progress if progress is not None else Progress()
    progress.branch = settings.branch
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
        from recast_reana.gitlab.api import Api  # python-gitlab only once it is needed

        sync = _Sync(Api(settings), settings, plan, progress)
        progress.phase = "reading"
        for _attempt in range(2):
            outcome = sync.once(dry_run=dry_run, force=force)
            if outcome is not None:
                return outcome
            log.debug("%s moved while it was being read: reading it again", settings.branch)
        raise Error(
            f"{settings.branch} changed twice while sync-branch was writing it: another job "
            "writes it too; serialise the jobs (resource_group) and run again",
            EXIT_FATAL,
        )


class _Sync:
    """One target branch, read, judged and written through `Api`."""

    def __init__(self, api: Api, s: Settings, plan: LocalPlan, progress: Progress) -> None:
        self.api, self.s, self.plan, self.progress = api, s, plan, progress

    def once(self, *, dry_run: bool, force: bool) -> Outcome | None:
        """One read-judge-write pass; None when the branch moved between reading and writing."""
        s, plan = self.s, self.plan
        source = self.branch(s.source_branch, f"the source branch '{s.source_branch}'")
        if source is None:
            raise Error(
                f"source branch '{s.source_branch}' not found in project {s.project}: "
                "check --source-ref / CI_DEFAULT_BRANCH",
                EXIT_FATAL,
            )
        if source["id"] != plan.source_sha:
            return Outcome(
                "skipped",
                s.branch,
                lines=[
                    f"skipped: {s.source_branch} is at {source['id'][:12]}, not "
                    f"{plan.source_sha[:12]}; the pipeline of the newer commit syncs {s.branch}"
                ],
            )
        head = self.branch(s.branch, f"branch '{s.branch}'")
        if head is None:
            if dry_run:
                return Outcome(
                    "would-commit", s.branch, lines=[f"would create {s.branch}", *_actions(plan)]
                )
            new = self.create(force=False)
            return None if new is None else self.committed(new, [])
        self.progress.head = head["id"]
        tags = git_objects.trailers(head["message"])
        ours = _generated(head)
        if ours:
            actual = self.tree(head["id"])
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
        commits = self.compare()
        if commits is None or (commits and head["id"] not in {c["id"] for c in commits}):
            return None  # the branch was rewritten or deleted since it was read: judge it again
        # Our verified head is no one's work, nor is a generated commit under someone's head (it
        # is regenerated); the head is verified against its tree, the others cannot be without a
        # request.
        foreign = [c for c in commits if not (ours if c["id"] == head["id"] else _generated(c))]
        if foreign and not force:
            return Outcome("refused", s.branch, head["id"], self.refusal(foreign))
        dropped = [f"  {c['id'][:12]} {self.api.one_line(c['title'])}" for c in foreign]
        rescue = _rescue_name(s.branch, head["id"])
        if dry_run:
            lines = [f"would regenerate {s.branch} from {plan.source_sha[:12]}", *_actions(plan)]
            if foreign:
                lines += [
                    f"would drop {len(foreign)} commit(s) (--force), keeping them on {rescue}:",
                    *dropped,
                ]
            return Outcome("would-commit", s.branch, head["id"], lines)
        if foreign:
            try:
                self.keep(rescue, head["id"])
            except Error as exc:
                raise Error(
                    f"could not keep the commits --force drops on {rescue}, so {s.branch} was "
                    f"not written: {exc.message}",
                    exc.exit_code,
                ) from None
            dropped.insert(0, f"dropped {len(foreign)} commit(s) (--force), kept on {rescue}:")
        new = self.create(force=True)
        assert new is not None
        outcome = self.committed(new, dropped)
        return self.check_overwritten(outcome, head["id"], new["id"])

    # -- the requests ---------------------------------------------------------------------------
    def branch(self, name: str, what: str) -> dict[str, Any] | None:
        """The head commit of branch `name` (None: no such branch)."""
        from recast_reana.gitlab.api import NotFound

        try:
            answer = self.api.get(f"reading {what}", f"/repository/branches/{_path(name)}")
        except NotFound:
            return None
        found = answer.mapping()
        if "commit" not in found:
            answer.fail("a branch without `commit`")
        return answer.commit(found["commit"], "`commit`")

    def tree(self, ref: str) -> str | None:
        """The id of commit `ref`'s root tree, from its entries (None: the commit is gone)."""
        from recast_reana.gitlab.api import Answer, NotFound

        try:
            request, items = self.api.pages(
                f"reading the tree of {self.s.branch}", "/repository/tree", ref=ref, per_page=100
            )
        except NotFound:
            return None
        check = Answer(request, items)
        entries = []
        for e in items:
            mode, name = check.text(e, "mode"), check.text(e, "name", empty=False)
            if not mode.isdigit() or "/" in name:
                check.fail(f"a tree entry with mode {mode!r} named {name!r}")
            entries.append((git_objects.normal_mode(mode), name, check.text(e, "id", sha=True)))
        return git_objects.tree_object_id(entries)

    def compare(self) -> list[dict[str, Any]] | None:
        """The commits of the target branch that the source lacks (None: the branch is gone)."""
        from recast_reana.gitlab.api import NotFound

        # GitLab caches compare answers for a minute, keyed by the commits `from` and `to` resolve
        # to (lib/api/repositories.rb compare_cache_key), so a branch that moved is seen.
        try:
            answer = self.api.get(
                f"comparing {self.s.branch} with {self.plan.source_sha[:12]}",
                "/repository/compare",
                **{"from": self.plan.source_sha, "to": self.s.branch},
            )
        except NotFound:
            return None
        found = answer.mapping()
        commits = found.get("commits")
        if commits is None:
            answer.fail("no `commits`")
        return [
            answer.commit(c, "an item of `commits`") for c in answer.items("`commits`", commits)
        ]

    def create(self, *, force: bool) -> dict[str, Any] | None:
        """POST the generated commit (None: without force, the branch appeared meanwhile)."""
        from recast_reana.gitlab.api import Refused

        s, plan = self.s, self.plan
        data = {
            "branch": s.branch,
            "start_sha": plan.source_sha,
            "force": force,
            "commit_message": plan.message(s.source_branch),
            "actions": plan.actions,
        }
        self.progress.phase = "writing"
        try:
            answer = self.api.post(f"committing to {s.branch}", "/repository/commits", data)
        except Refused as exc:
            if not force and "already exists" in exc.text:
                self.progress.phase = "reading"
                return None  # created by someone else since we read it: judge it again
            raise
        new = answer.commit(answer.mapping(), "the body")
        self.progress.phase, self.progress.new = "checking", new["id"]
        return new

    def keep(self, name: str, sha: str) -> None:
        """Branch `name` at `sha` (GitLab's branches API), or already there."""
        from recast_reana.gitlab.api import Refused

        phase = self.progress.phase
        self.progress.phase = "keeping" if phase == "reading" else phase
        self.progress.rescue, self.progress.kept = name, sha
        try:
            self.api.post(
                f"creating branch {name}", "/repository/branches", {"branch": name, "ref": sha}
            )
        except Refused as exc:
            if (
                "already exists" not in exc.text
                or (self.branch(name, f"branch '{name}'") or {}).get("id") != sha
            ):
                raise
        self.progress.phase, self.progress.rescue, self.progress.kept = phase, "", ""

    def pushed_over(self, new: str) -> tuple[bool, str | None, str]:
        """(found, overwritten head, why not found) from GitLab's push event for commit `new`."""
        deadline = time.monotonic() + self.s.event_wait
        pause = 0.1
        while True:
            try:
                found, before = self._push_event(new)
            except Error as exc:  # the commit is made: say why it could not be checked
                return False, None, exc.message
            if found:
                return True, before, ""
            if time.monotonic() + pause > deadline:
                wait = self.s.event_wait
                return False, None, f"GitLab listed no push event for it within {wait:g} s"
            time.sleep(pause)
            pause = min(pause * 2, 2.0)

    def _push_event(self, new: str) -> tuple[bool, str | None]:
        answer = self.api.get(
            "listing the project's push events", "/events", action="pushed", per_page=50
        )
        for event in answer.items():
            data = answer.mapping(event.get("push_data"), "`push_data`")
            if data.get("commit_to") != new or data.get("ref") != self.s.branch:
                continue
            if data.get("commit_from") is None:
                return True, None
            return True, answer.text(data, "commit_from", sha=True)
        return False, None

    # -- what the run says ----------------------------------------------------------------------
    def check_overwritten(self, outcome: Outcome, judged: str, new: str) -> Outcome:
        b = self.s.branch
        found, before, why = self.pushed_over(new)
        if not found:
            outcome.lines.append(
                f"note: could not check that no push to {b} landed during the write ({why}): "
                f"look for one in the project's activity"
            )
        elif before is not None and before != judged:
            rescue = _rescue_name(b, before)
            try:
                self.keep(rescue, before)
            except Error as exc:
                raise Error(
                    f"committed {new[:12]} to {b}, but it overwrote {before[:12]}, pushed during "
                    f"the write, and that could not be kept on {rescue} ({exc.message}): create "
                    f"branch {rescue} at {before} by hand before GitLab's housekeeping prunes it",
                    exc.exit_code,
                ) from None
            outcome.status = "rescued"
            outcome.lines.append(
                f"a push to {b} landed while sync-branch wrote it: its head {before[:12]} is kept "
                f"on branch {rescue}; merge what you need into {self.s.source_branch}, then delete "
                f"{rescue}"
            )
        self.progress.phase = "done"
        return outcome

    def refusal(self, foreign: list[dict[str, Any]]) -> list[str]:
        s = self.s
        return [
            f"{s.branch} has {len(foreign)} commit(s) that sync-branch did not make; not "
            "overwriting them:",
            *(f"  {c['id'][:12]} {self.api.one_line(c['title'])}" for c in foreign),
            f"keep what you need by merging it into {s.source_branch}, then run again, or pass "
            f"--force to drop them (they are kept on a branch {s.branch}-rescue-...)",
        ]

    def committed(self, new: dict[str, Any], dropped: list[str]) -> Outcome:
        s, plan = self.s, self.plan
        if new["parent_ids"] != [plan.source_sha]:
            raise Error(
                f"GitLab based the new commit {new['id'][:12]} on the wrong parent", EXIT_FATAL
            )
        lines = [
            f"committed {new['id'][:12]} to {s.branch}: {plan.source_sha[:12]} + "
            f"{len(plan.actions)} file change(s) (recast-reana {__version__})",
            *dropped,
        ]
        return Outcome("committed", s.branch, new["id"], lines, committed=True)


def _rescue_name(branch: str, sha: str) -> str:
    return f"{branch}-rescue-{sha[:12]}"


def _path(name: str) -> str:
    return quote(name, safe="")


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


@contextmanager
def _masked(token: str) -> Iterator[None]:
    """No exception text that leaves this module contains the token (defence in depth)."""
    try:
        yield
    except Exception as exc:
        text = Redactor(token)(str(exc))
        if text != str(exc):
            code = exc.exit_code if isinstance(exc, Error) else EXIT_FATAL
            raise Error(text, code) from None
        raise
