"""`recast-reana report status | note | fetch-history`: report into GitLab from a CI job.

Each writes one thing (a commit status, the merge-request note, the previous history file) with
the token the job has, and a refused permission or an unreachable GitLab is one warning line and
exit 0: the CI template's jobs never fail because of reporting. Bad arguments or unreadable input
files are errors (exit 2).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
from pathlib import Path

from recast_reana import redact
from recast_reana.errors import EXIT_USAGE, Error
from recast_reana.type_names import Any

_STARTED = re.compile(r"^started (\S+): (https?://\S+)\s*$")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="report", required=True, metavar="WHAT")
    status = sub.add_parser("status", help="set the recast-reana/reana commit status")
    status.add_argument(
        "--state",
        required=True,
        help="running, success, failed, canceled, or auto (from --summary and --exit-code)",
    )
    status.add_argument("--target-url", help="page the status links to (REANA's workflow page)")
    status.add_argument("--description", help="one line shown with the status")
    status.add_argument("--summary", metavar="FILE", help="summary.json of `recast-reana run`")
    status.add_argument("--exit-code", type=int, default=0, help="exit code of the run (auto)")
    status.add_argument("--sha", help="commit (default: the merge request's or CI_COMMIT_SHA)")
    status.add_argument(
        "--follow",
        action="store_true",
        help="copy stdin to stdout; set `running` with the REANA URL when the run says it started",
    )
    note = sub.add_parser("note", help="write or update the recast-reana merge-request note")
    note.add_argument("--check", metavar="FILE", help="Code Quality report of `recast-reana check`")
    note.add_argument("--run-summary", metavar="FILE", help="summary.md of `recast-reana run`")
    note.add_argument("--link-base", metavar="URL", help="relative links of the summary start here")
    note.add_argument("--merge-request", help="merge request IID (default: CI_MERGE_REQUEST_IID)")
    note.add_argument("--dotenv", metavar="FILE", help="write RECAST_REANA_NOTE_ID for later jobs")
    history = sub.add_parser("fetch-history", help="the previous history file from GitLab")
    history.add_argument("--out", required=True, metavar="FILE", help="where to write it")
    history.add_argument("--job", default="recast-reana-run", help="job that keeps it")
    history.add_argument("--path", help="its path in the job's artifacts (default: --out)")
    history.add_argument("--ref", help="branch of the pipelines (default: CI_COMMIT_REF_NAME)")


def run(args: argparse.Namespace) -> int:
    from recast_reana.gitlab import reporting

    settings = reporting.settings_from_env(os.environ)
    redact.register(settings.token, settings.job_token)
    if args.report == "status":
        done = _status(args, settings)
    elif args.report == "note":
        done = _note(args, settings)
    else:
        path = args.path or args.out
        if Path(path).is_absolute():
            raise Error(f"--path {path}: give the path inside the artifacts", EXIT_USAGE)
        done = reporting.fetch_history(
            settings,
            ref=args.ref or os.environ.get("CI_COMMIT_REF_NAME", ""),
            job=args.job,
            path=path,
            out=Path(args.out),
        )
    _show(done)
    return 0


def _status(args: argparse.Namespace, settings: Any) -> Any:
    from recast_reana.gitlab import report_text, reporting

    env = os.environ
    sha = args.sha or env.get("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA") or env.get("CI_COMMIT_SHA", "")
    pipeline = env.get("CI_PIPELINE_ID") or None
    if args.follow:
        return _follow(settings, sha, pipeline, args)
    state, url, description = args.state, args.target_url, args.description
    if state == "auto":
        summary = None
        if args.summary and Path(args.summary).exists():
            summary = report_text.read_json(Path(args.summary), "summary.json of recast-reana run")
        state = report_text.state_of(summary, args.exit_code)
        url = url or report_text.target_url(summary) or env.get("CI_JOB_URL")
        if description is None:
            description = (
                report_text.one_line(summary)
                if summary is not None
                else f"the run stopped before REANA ran it (exit {args.exit_code})"
            )
    return reporting.post_status(
        settings, sha, state, target_url=url, description=description, pipeline_id=pipeline
    )


def _follow(settings: Any, sha: str, pipeline: str | None, args: argparse.Namespace) -> Any:
    """Pass the run's output through; at its `started NAME: URL` line, set `running`."""
    from recast_reana.gitlab import reporting

    # The run writes its last lines (reports, what it left running) after a cancel: read on
    # to the end of its output, or it would die of a broken pipe before saying them.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    done = reporting.Reported()
    posted = False
    out = sys.stdout.buffer
    for raw in sys.stdin.buffer:
        out.write(raw)
        out.flush()
        if posted:
            continue
        match = _STARTED.match(_ANSI.sub("", raw.decode("utf-8", "replace")).strip())
        if match:
            posted = True
            done = reporting.post_status(
                settings,
                sha,
                args.state if args.state != "auto" else "running",
                target_url=match[2],
                description=args.description or f"REANA workflow {match[1]} running",
                pipeline_id=pipeline,
            )
            _show(done)
            done = reporting.Reported()
    return done


def _note(args: argparse.Namespace, settings: Any) -> Any:
    from recast_reana.filetree import atomic_write
    from recast_reana.gitlab import report_text, reporting

    env = os.environ
    sections = []
    if args.check:
        issues = report_text.read_json(Path(args.check), "Code Quality report")
        sections.append(report_text.check_section(issues, args.check))
    if args.run_summary:
        path = Path(args.run_summary)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            text = "**REANA run:** no summary (the run stopped before REANA ran it)\n"
        except (OSError, UnicodeDecodeError) as exc:
            raise Error(f"--run-summary {path}: {exc}", EXIT_USAGE) from None
        sections.append(report_text.run_section(text, args.link_base))
    if not sections:
        raise Error("nothing to report: give --check and/or --run-summary", EXIT_USAGE)
    pipeline = env.get("CI_PIPELINE_URL", "")
    sha = env.get("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA") or env.get("CI_COMMIT_SHA", "")
    footer = "Updated by " + (
        f"[pipeline {env.get('CI_PIPELINE_ID', '')}]({pipeline})" if pipeline else "a pipeline"
    )
    footer += f" for {sha[:8]}" if sha else ""
    body = report_text.note_body(sections, footer=footer, redact=redact.scrub)
    done = reporting.upsert_note(
        settings,
        args.merge_request or env.get("CI_MERGE_REQUEST_IID", ""),
        body,
        note_id=env.get("RECAST_REANA_NOTE_ID") or None,
    )
    if args.dotenv:
        text = "".join(f"{k}={v}\n" for k, v in done.env.items())
        try:
            atomic_write(Path(args.dotenv), text.encode("utf-8"))
        except OSError as exc:
            raise Error(f"--dotenv {args.dotenv}: {exc.strerror or exc}") from None
    return done


def _show(done: Any) -> None:
    for line in done.lines:
        print(redact.scrub(line), flush=True)
    for line in done.warnings:
        print(redact.scrub(f"recast-reana: warning: {line}"), file=sys.stderr, flush=True)
