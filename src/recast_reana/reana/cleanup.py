"""What `recast-reana run` leaves on REANA: cancelled runs, runs that never started, old runs.

- A cancelled run (SIGINT, or SIGTERM when GitLab cancels the job) says what it leaves on REANA,
  each workflow with its status and URL; with `--stop-on-cancel` it stops the workflows it
  started first. REANA 0.9.4 stops only a `running` workflow (reana-db
  `ALLOWED_WORKFLOW_STATUS_TRANSITIONS`; otherwise 409 "Workflow <id> is not running."), so a
  queued or pending one, which would start later, is deleted instead, and the output says so.
- A workflow created but never started (the start refused, the job cancelled between create and
  start) is deleted, or named when that fails: nobody would ever start it, and its workspace
  counts against the user's disk quota.
- `--keep-last N` deletes, with their workspaces, the older ended runs (finished, failed,
  stopped) of each name the run used, keeping the newest N.

Requests made while cancelling are tried once, with a short timeout: GitLab kills a cancelled
job a little after its SIGTERM. A second interrupt abandons the remaining requests, and the
workflows they were for are named as left on REANA.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from recast_reana.reana import client as api
from recast_reana.reana.console import Console
from recast_reana.reana.reports import Result

CANCEL_TIMEOUT = 10.0  # seconds for one request while cancelling
ENDED = frozenset({"finished", "failed", "stopped", "deleted"})
PRUNED = ("finished", "failed", "stopped")  # --keep-last deletes only runs that ended


@contextmanager
def hurried(client: api.Client) -> Iterator[None]:
    """One attempt per request, each answered within CANCEL_TIMEOUT."""
    saved = client.attempts, client.timeout
    client.attempts, client.timeout = 1, min(client.timeout, CANCEL_TIMEOUT)
    try:
        yield
    finally:
        client.attempts, client.timeout = saved


def discard(client: api.Client, result: Result) -> str:
    """Delete a workflow that was created but did not start; returns what became of it.

    Its status is read first: a start whose answer was lost may have started it after all,
    and a started workflow is not deleted here."""
    try:
        status = str(client.status(result.id).get("status") or "")
    except api.ReanaError:
        status = ""
    if status and status != "created":
        result.status = status
        return f"{result.workflow} is {status} on REANA: {result.url}"
    try:
        client.delete(result.id)
    except api.ReanaError as exc:
        return (
            f"{result.workflow} was created but not started and is still on REANA "
            f"({result.url}): delete it with `reana-client delete -w {result.workflow}` ({exc})"
        )
    result.status = "deleted"
    return f"deleted {result.workflow} from REANA (created, never started)"


def cancel(
    client: api.Client, results: Sequence[Result], *, stop: bool, say: Callable[[str], None]
) -> None:
    """After an interrupt: stop (`stop`) or name what runs on REANA; delete what never started."""
    left: list[Result] = []
    hurry = True  # False after a second interrupt: no more requests
    with hurried(client):
        for result in results:
            if not result.id or result.status in ENDED or result.status == "not submitted":
                continue
            try:
                if hurry and result.status == "created":
                    say(f"recast-reana: {discard(client, result)}")
                    if result.status in ("created", "deleted"):  # never started: done with
                        continue
                if hurry and stop:
                    say(f"recast-reana: {_stop(client, result)}")
                    if result.status in ENDED:
                        continue
            except KeyboardInterrupt:
                hurry = False
            left.append(result)
    if left:
        names = ", ".join(f"{r.workflow} ({r.status}, {r.url})" for r in left)
        for r in left:
            r.message = r.message or "the run was cancelled; the workflow was left on REANA"
        hint = "" if stop else "; `reana-client stop -w <workflow>` stops one"
        say(f"recast-reana: cancelled; left on REANA: {names}{hint}")
    elif any(r.id for r in results):
        say("recast-reana: cancelled; nothing of this run is left running on REANA")
    waiting = [r for r in results if not r.id]
    if waiting:
        say(f"recast-reana: cancelled before submitting {len(waiting)} of {len(results)}")


def _stop(client: api.Client, result: Result) -> str:
    try:
        client.stop(result.id)
    except api.ReanaError as exc:
        if exc.status != 409:
            return f"cannot stop {result.workflow}: {exc}"
        # Not running: queued or pending, which REANA 0.9 cannot stop but would start later.
        try:
            client.delete(result.id)
        except api.ReanaError as deleting:
            return f"cannot stop {result.workflow} ({exc}) nor delete it: {deleting}"
        result.status, result.message = "deleted", "deleted on cancel (it had not started yet)"
        return (
            f"deleted {result.workflow} from REANA: it had not started running, and REANA "
            "stops only running workflows"
        )
    result.status, result.message = "stopped", "stopped on cancel (--stop-on-cancel)"
    return f"stopped {result.workflow} on REANA (--stop-on-cancel): {result.url}"


def prune(client: api.Client, name: str, keep: int) -> tuple[list[str], list[str]]:
    """Delete the runs of `name` that ended, but the newest `keep`, with their workspaces.

    Returns (deleted, problems). Runs are ordered by REANA's run number (`<name>.<run>`); a run
    whose number cannot be read is kept."""
    runs: list[tuple[int, str, str]] = []
    for item in client.workflows(name, PRUNED):
        base, _, number = str(item.get("name") or "").rpartition(".")
        wid = item.get("id")
        # The filter is REANA's; checked again here, as deleting is not undone.
        status = item.get("status")
        if base == name and number.isdigit() and isinstance(wid, str) and status in PRUNED:
            runs.append((int(number), wid, f"{base}.{number}"))
    runs.sort(reverse=True)
    deleted: list[str] = []
    problems: list[str] = []
    for _, wid, full in runs[keep:]:
        try:
            client.delete(wid)
        except api.AuthError:
            raise
        except api.ReanaError as exc:
            problems.append(f"cannot delete {full}: {exc}")
            continue
        deleted.append(full)
    return deleted, problems


def keep_last(client: api.Client, names: Sequence[str], keep: int, console: Console) -> None:
    """--keep-last: prune each name the run used, and say what was deleted. A failure is a
    warning: the run's own verdict stands."""
    for name in names:
        try:
            deleted, problems = prune(client, name, keep)
        except api.AuthError:
            raise
        except api.ReanaError as exc:
            deleted, problems = [], [str(exc)]
        for problem in problems:
            console.err(f"recast-reana: warning: --keep-last {keep}: {problem}")
        if deleted:
            runs = "run" if len(deleted) == 1 else "runs"
            console.out(
                f"--keep-last {keep}: deleted {len(deleted)} older {runs} of {name} with their "
                "workspaces: " + ", ".join(deleted)
            )
        elif not problems:
            console.out(f"--keep-last {keep}: no older ended runs of {name} to delete")
