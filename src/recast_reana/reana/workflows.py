"""The engine of `recast-reana run`: submit, follow and collect REANA workflows.

Per workflow: create, upload each file once, start with the parameters. With --wait every
workflow's status is polled, 5 s growing by half up to 60 s (a one-hour run takes about 65 polls);
a transient error (5xx, connection reset) only skips a poll until REANA has been unreachable for
OUTAGE_LIMIT. When a workflow ends its logs are read (failing jobs' log tails are printed), and on
success its outputs are downloaded. A grid keeps at most `parallel` workflows running. Reports are
written once a workflow exists, whatever happens next. Nothing here prints: lines go to the
`Console` the CLI passes in; time comes from an injectable `Clock`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from recast_reana.errors import EXIT_FATAL, EXIT_OK, EXIT_PROBLEMS, Error
from recast_reana.reana import client as api
from recast_reana.reana.cleanup import cancel, discard, hurried, keep_last
from recast_reana.reana.console import Clock, Console
from recast_reana.reana.grid import Point
from recast_reana.reana.plan import Plan, declaring, sanitise
from recast_reana.reana.reports import (
    TAIL_LINES,
    Job,
    Result,
    human,
    table,
    tail,
    write_reports,
)
from recast_reana.results.expected import Expectations
from recast_reana.results.validation import Validation, Workflow, validate
from recast_reana.type_names import Any

POLL_FIRST, POLL_MAX, POLL_GROWTH = 5.0, 60.0, 1.5
OUTAGE_LIMIT = 900.0  # seconds of failing polls in a row before giving up
QUIET_LIMIT = 600.0  # print the progress line at least this often, even when unchanged
ENDED = frozenset({"finished", "failed", "stopped", "deleted"})
# The statuses REANA 0.9 documents (reana-db RunStatus); any other is followed only so long.
KNOWN = ENDED | {"created", "queued", "pending", "running"}
UNKNOWN_LIMIT = 900.0  # seconds a workflow may report an undocumented status


@dataclass(frozen=True)
class RunOptions:
    root: Path
    name: str | None = None
    params: Sequence[str] = ()
    wait: bool = False
    timeout: float | None = None
    download: Path | None = None
    report_dir: Path | None = None
    grid: Path | None = None
    parallel: int = 4
    example: str = "default"
    config: Path | None = None
    insecure: bool = False
    keep_last: int | None = None  # delete older ended runs of the name, keeping this many
    stop_on_cancel: bool = False  # stop the started workflows on SIGINT/SIGTERM
    history: Path | None = None  # the results history, read and written (results/history.py)
    online: bool = False  # REANA 0.95's validation also checks the images (environments=true)


@dataclass
class Runner:
    plan: Plan
    points: list[Point]
    options: RunOptions
    client: api.Client
    console: Console
    clock: Clock
    results: list[Result] = field(default_factory=list)
    outage_since: float | None = None
    progress: dict[str, dict[str, Any]] = field(default_factory=dict)  # workflow id -> progress
    unknown_since: dict[str, float] = field(default_factory=dict)  # id -> first undocumented
    expected: Expectations | None = None  # results to check after --download
    validation: Validation | None = None

    def run(self) -> int:
        grid = bool(self.options.grid)
        for point in self.points:
            name = sanitise(f"{self.plan.name}-{point.name}") if grid else self.plan.name
            params = {**self.plan.parameters, **point.parameters}
            self.results.append(Result(name, point.name if grid else None, params))
        try:
            self._loop()
            self.validation = self._validate()
        except KeyboardInterrupt:
            # SIGINT, or SIGTERM (a cancelled CI job; the CLI turns it into KeyboardInterrupt).
            cancel(
                self.client, self.results, stop=self.options.stop_on_cancel, say=self.console.err
            )
            raise
        finally:
            if self.options.report_dir and any(r.id for r in self.results):
                write_reports(
                    self.options.report_dir,
                    self.results,
                    server=self.client.url,
                    redact=self.client.redact,
                    validation=self.validation,
                )
        verdict = self._verdict()
        if self.options.keep_last is not None:
            names = dict.fromkeys(r.name for r in self.results if r.id)
            try:
                keep_last(self.client, list(names), self.options.keep_last, self.console)
            except api.AuthError as exc:
                raise Error(str(exc), EXIT_FATAL) from None
        return verdict

    def _validate(self) -> Validation | None:
        """The downloaded results against their references (results/validation.py)."""
        download = self.options.download
        if self.expected is None or download is None:
            return None
        workflows = [
            Workflow(r.point, r.parameters, download / (r.point or ""), r.workflow, r.status)
            for r in self.results
        ]
        return validate(
            self.expected,
            workflows,
            report_dir=self.options.report_dir,
            history=self.options.history,
            now=self.clock.time(),
            redact=self.client.redact,
            out=self.console.out,
            err=self.console.err,
        )

    def _loop(self) -> None:
        pending = list(self.results)
        active: list[Result] = []
        start = self.clock.monotonic()
        deadline = start + self.options.timeout if self.options.timeout else None
        delay, shown, shown_at = POLL_FIRST, "", start
        while pending or active:
            while pending and (not self.options.wait or len(active) < self.options.parallel):
                result = pending.pop(0)
                if self._submit(result):
                    active.append(result)
                    delay = POLL_FIRST  # a new workflow: its first steps are worth seeing soon
            if not self.options.wait:
                return
            if not active:
                continue
            now = self.clock.monotonic()
            if deadline is not None and now >= deadline:
                self._timed_out(active, now - start)
            self.clock.sleep(min(delay, deadline - now) if deadline is not None else delay)
            delay = min(POLL_MAX, delay * POLL_GROWTH)
            for result in list(active):
                if self._poll(result):
                    active.remove(result)
                    self._finish(result)
            now = self.clock.monotonic()
            line = self._progress(active, pending)
            if line and (line != shown or now - shown_at >= QUIET_LIMIT):
                self.console.out(f"[{human(now - start)}] {line}")
                shown, shown_at = line, now

    def _submit(self, result: Result) -> bool:
        uploads = self.plan.uploads
        size = sum(len(b) for b in uploads.values())
        header = f"submitting {result.name} to {self.client.url} ({len(uploads)} files, {size} B)"
        index = len([r for r in self.results if r.id]) + 1
        try:
            with self.console.section(f"reana_submit_{index}", header):
                spec = declaring(self.plan.reana, result.parameters)
                created = self.client.create(result.name, spec, uploads)
                result.id, result.workflow = created.id, created.name
                result.url, result.status = self.client.workflow_url(created.id), "created"
                if created.bundled:  # REANA 0.95 took these with the specification
                    self.console.out(f"  sent {len(created.bundled)} files in the bundle")
                for path, data in uploads.items():
                    if path not in created.bundled:
                        self.client.upload(created.id, path, data)
                        self.console.out(f"  uploaded {path} ({len(data)} B)")
                self._start(result)
        except api.FatalError as exc:  # the token, the server's protocol, 409/411/413
            left = f" (workflow {result.workflow} exists but did not start)" if result.id else ""
            raise Error(f"{exc}{left}", EXIT_FATAL) from None
        except api.ReanaError as exc:
            # Created but not started: deleted (or named), not left behind for nobody to start.
            fate = ""
            if result.id:
                with hurried(self.client):
                    fate = discard(self.client, result)
            if exc.transient or exc.status is None:
                raise Error(f"{exc}{f'; {fate}' if fate else ''}", EXIT_FATAL) from None
            result.status, result.message = "not submitted", str(exc)
            who = result.workflow or result.name
            self.console.err(f"recast-reana: error: REANA refused {who}: {exc}")
            if fate:
                self.console.err(f"recast-reana: {fate}")
            return False
        result.status = "queued"
        self.console.out(f"started {result.workflow}: {result.url}")
        return True

    def _start(self, result: Result) -> None:
        try:
            self.client.start(result.id, result.parameters)
        except api.ReanaError as exc:
            if exc.status is not None or exc.transient or isinstance(exc, api.AuthError):
                raise
            # The connection broke after the request went out: REANA may have started it.
            if str(self.client.status(result.id).get("status")) == "created":
                self.client.start(result.id, result.parameters)

    def _poll(self, result: Result) -> bool:
        """Read the status; True when the workflow ended. Transient errors only skip a poll."""
        now = self.clock.monotonic()
        try:
            status = self.client.status(result.id)
        except api.AuthError as exc:
            raise Error(f"{exc} (while following {result.workflow})", EXIT_FATAL) from None
        except api.ReanaError as exc:
            if exc.status == 404 and self._gone(result):
                # Deleted meanwhile (reana-client delete, the web UI), as REANA's own list says.
                result.status, result.message = "deleted", str(exc)
                return True
            if exc.status == 404:
                # Not REANA's verdict: e.g. an ingress's 404 page while REANA restarts.
                exc = api.ReanaError(
                    f"{exc} (but REANA's list of workflows does not say {result.workflow} is gone)",
                    transient=True,
                )
            if not exc.transient:
                raise Error(f"{exc} (while following {result.workflow})", EXIT_FATAL) from None
            self.outage_since = self.outage_since if self.outage_since is not None else now
            if now - self.outage_since >= OUTAGE_LIMIT:
                raise Error(
                    f"REANA did not answer for {human(now - self.outage_since)}: {exc}", EXIT_FATAL
                ) from None
            self.console.err(f"recast-reana: warning: {exc}; trying again at the next poll")
            return False
        self.outage_since = None
        progress = _dict(status.get("progress"))
        result.status = str(status.get("status") or result.status)
        self._undocumented(result, now)
        result.started = _text(progress.get("run_started_at")) or result.started
        result.finished = _text(progress.get("run_finished_at") or progress.get("run_stopped_at"))
        self.progress[result.id] = progress
        return result.status in ENDED

    def _gone(self, result: Result) -> bool:
        """After a 404 on its status: does REANA itself say the workflow is gone? Only its
        list (a JSON answer) is believed; a list that cannot be read proves nothing."""
        try:
            listed = self.client.workflows(result.id)
        except api.AuthError as exc:
            raise Error(f"{exc} (while following {result.workflow})", EXIT_FATAL) from None
        except api.ReanaError:
            return False
        return not any(i.get("id") == result.id and i.get("status") != "deleted" for i in listed)

    def _undocumented(self, result: Result, now: float) -> None:
        """A status REANA does not document is followed for UNKNOWN_LIMIT, not for ever."""
        if result.status in KNOWN:
            self.unknown_since.pop(result.id, None)
            return
        since = self.unknown_since.setdefault(result.id, now)
        if since == now:
            self.console.err(
                f"recast-reana: warning: REANA reports {result.workflow} as "
                f"{result.status!r}, a status REANA 0.9 does not document; following it for "
                f"at most {human(UNKNOWN_LIMIT)}"
            )
        elif now - since >= UNKNOWN_LIMIT:
            result.message = f"status {result.status!r} for {human(now - since)}"
            raise Error(
                f"REANA has reported {result.workflow} as {result.status!r}, a status REANA "
                f"0.9 does not document, for {human(now - since)}: giving up (it may still be "
                f"on REANA: {result.url})",
                EXIT_FATAL,
            )

    def _progress(self, active: list[Result], pending: list[Result]) -> str:
        if not active:
            return ""
        if not self.options.grid:
            result = active[0]
            progress = self.progress.get(result.id, {})
            total = _count(progress.get("total"))
            done, running = _count(progress.get("finished")), _count(progress.get("running"))
            step = progress.get("current_step_name")
            line = f"{result.workflow} {result.status}: {done}/{total} jobs finished"
            line += f", {running} running" if running else ""
            return line + (f" (step {step})" if isinstance(step, str) and step else "")
        counts: dict[str, int] = {}
        for r in self.results:
            key = "waiting" if r in pending else r.status
            counts[key] = counts.get(key, 0) + 1
        parts = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        return f"{len(self.results)} points: {parts}"

    def _finish(self, result: Result) -> None:
        try:
            logs = self.client.logs(result.id)
        except api.AuthError as exc:
            raise Error(str(exc), EXIT_FATAL) from None
        except api.ReanaError as exc:
            logs = {}
            self.console.err(f"recast-reana: warning: no logs for {result.workflow}: {exc}")
        redact = self.client.redact
        result.workflow_log = redact(str(logs.get("workflow_logs") or ""))
        jobs = _dict(logs.get("job_logs"))
        result.jobs = [_job(job_id, data, redact) for job_id, data in jobs.items()]
        duration = human(result.duration)
        if result.status != "finished":
            self.console.out(f"{result.workflow} {result.status} after {duration}: {result.url}")
            self._print_failures(result)
            return
        self.console.out(f"{result.workflow} finished in {duration}")
        if self.options.download is not None:
            self._download(result, self.options.download / (result.point or ""))

    def _print_failures(self, result: Result) -> None:
        # Only the failed jobs: REANA's logs hold every job's, often thousands of lines.
        failed = [j for j in result.jobs if j.status == "failed"]
        for n, job in enumerate(failed, 1):
            header = f"step {job.name} failed; the end of its log (last {TAIL_LINES} lines):"
            with self.console.section(f"reana_failed_{result.id[:8]}_{n}", header, collapsed=False):
                for line in tail(job.log).splitlines():
                    self.console.out(f"  {line}")
        if not failed and result.workflow_log:
            with self.console.section(f"reana_log_{result.id[:8]}", "workflow log (last lines):"):
                for line in tail(result.workflow_log).splitlines():
                    self.console.out(f"  {line}")

    def _download(self, result: Result, directory: Path) -> None:
        wanted = list(self.plan.outputs)
        if self.plan.output_dirs:
            try:
                names = [str(i.get("name")) for i in self.client.files(result.id)]
            except api.ReanaError as exc:
                raise Error(str(exc), EXIT_FATAL) from None
            for d in self.plan.output_dirs:
                wanted += [
                    n for n in names if n.startswith(d.rstrip("/") + "/") and n not in wanted
                ]
        for path in wanted:
            if not _inside(path):
                self.console.err(f"recast-reana: warning: not downloading {path}: unsafe path")
                continue
            try:
                size = self.client.download(result.id, path, directory / path)
            except api.ReanaError as exc:
                if exc.status == 404:
                    result.missing.append(path)
                    self.console.err(f"recast-reana: error: {result.workflow} made no {path}")
                    continue
                raise Error(str(exc), EXIT_FATAL) from None
            result.outputs.append(path)
            self.console.out(f"  downloaded {path} ({size} bytes) to {directory / path}")

    def _timed_out(self, active: list[Result], elapsed: float) -> None:
        names = ", ".join(f"{r.workflow} ({r.url})" for r in active)
        for r in active:
            r.message = f"still {r.status} on REANA after {human(elapsed)}"
            r.status = "timeout"
        raise Error(
            f"--timeout reached after {human(elapsed)}; still running on REANA: {names} "
            "(`reana-client stop -w <workflow>` stops one)",
            EXIT_FATAL,
        )

    def _verdict(self) -> int:
        if self.options.grid and self.options.wait:
            self.console.out(table(self.results))
        # Without --wait a workflow is done with once it started (status "queued").
        wait = self.options.wait
        bad = [r for r in self.results if not (r.ok if wait else r.status == "queued")]
        if not bad:
            return EXIT_PROBLEMS if self.validation and self.validation.failed else EXIT_OK
        if self.options.grid:
            names = ", ".join(f"{r.point} ({r.status})" for r in bad)
            self.console.err(
                f"recast-reana: {len(bad)} of {len(self.results)} points failed: {names}"
            )
        return EXIT_PROBLEMS


def _job(job_id: str, data: Any, redact: Callable[[str], str]) -> Job:
    """One entry of `job_logs`. Its `job_name` is the yadage node's name, which REANA's yadage
    engine sends when it submits the job (`"job_name": metadata["name"]`), for a single-step
    stage the stage's name."""
    data = data if isinstance(data, dict) else {}
    return Job(
        id=job_id,
        name=str(data.get("job_name") or job_id),
        status=str(data.get("status") or "unknown"),
        started=_text(data.get("started_at")),
        finished=_text(data.get("finished_at")),
        log=redact(str(data.get("logs") or "")),
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _count(value: Any) -> int:
    total = value.get("total") if isinstance(value, dict) else None
    return total if isinstance(total, int) else 0


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value and value != "None" else None


def _inside(path: str) -> bool:
    norm = posixpath.normpath(path)
    return not (norm.startswith("/") or norm == ".." or norm.startswith("../"))
