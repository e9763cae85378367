"""Command line: `recast-reana check | convert | sync-branch | run | report | rules`.

One module per subcommand (pre-commit's `commands/`), each with `configure(parser)` and
`run(args) -> exit code`. Nothing below the command line prints an error or exits: every failure
is an `errors.Error` (or an unexpected exception) that `main` turns into one line here, with the
traceback only under `--debug` (pre-commit's `error_handler.py`).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from types import ModuleType

from recast_reana import __version__, redact
from recast_reana.cli import check, convert, report, rules, run, sync_branch
from recast_reana.errors import EXIT_BROKEN_PIPE, EXIT_FATAL, EXIT_INTERRUPTED, Error

COMMANDS: dict[str, tuple[ModuleType, str]] = {
    "check": (check, "lint the workflow for recast-atlas and REANA"),
    "convert": (convert, "convert recast-atlas specs to REANA specs"),
    "sync-branch": (sync_branch, "regenerate the REANA branch through GitLab's API"),
    "run": (run, "submit the workflow to REANA, follow it, collect results"),
    "report": (report, "report into GitLab: commit status, merge-request note, history"),
    "rules": (rules, "list the rules"),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="recast-reana",
        description="Check RECAST workflows for REANA and take them there.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text)
        module.configure(command)
        # Also accepted after the subcommand; SUPPRESS keeps a --debug given before it.
        command.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
        )
        command.set_defaults(func=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help / --version (0) or usage errors (2)
        return int(exc.code or 0)
    args.debug = args.debug or bool(os.environ.get("RECAST_REANA_DEBUG"))
    func: Callable[[argparse.Namespace], int] = args.func
    redact.forget()
    previous = signal.signal(signal.SIGTERM, _terminated)  # a cancelled CI job: clean up too
    try:
        return func(args)
    except KeyboardInterrupt:
        _say("recast-reana: interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `recast-reana check | head`: the reader has what it wanted
        sys.stderr.close()
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        return _handle(exc, debug=args.debug)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM as an interrupt, so that `finally` blocks (reports, temporary files) run."""
    raise KeyboardInterrupt


def _handle(exc: Exception, *, debug: bool) -> int:
    """The one place an error becomes a line on stderr (every line scrubbed of secrets)."""
    if isinstance(exc, Error):
        _say(f"recast-reana: error: {exc.message}")
        return exc.exit_code
    if isinstance(exc, OSError):
        _say(f"recast-reana: error: {exc.strerror or exc}: {exc.filename or ''}")
        return EXIT_FATAL
    if debug:
        _say("".join(traceback.format_exception(exc)).rstrip("\n"))
    _say(
        f"recast-reana: internal error: {type(exc).__name__}: {exc} "
        "(run with --debug for the traceback and report it)"
    )
    return EXIT_FATAL


def _say(text: str) -> None:
    print(redact.scrub(text), file=sys.stderr)
