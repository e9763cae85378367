"""Command line: `recast-reana check | convert | sync-branch | run | report | rules`.

One module per subcommand (pre-commit's `commands/`), each with `configure(parser)` and
`run(args) -> exit code`. Nothing below the command line prints an error or exits: every failure
is an `errors.Error` (or an unexpected exception) that `main` turns into one line here, with the
traceback only under `--debug` (pre-commit's `error_handler.py`).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Sequence

from recast_reana import __version__
from recast_reana.errors import EXIT_BROKEN_PIPE, EXIT_FATAL, EXIT_INTERRUPTED, Error

# Subcommand -> (module in cli/, help). Only the module of the command given is imported: a
# commit hook's `check` does not pay for `run`'s or `sync-branch`'s imports.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check", "lint the workflow for recast-atlas and REANA"),
    "convert": ("convert", "convert recast-atlas specs to REANA specs"),
    "sync-branch": ("sync_branch", "regenerate the REANA branch through GitLab's API"),
    "run": ("run", "submit the workflow to REANA, follow it, collect results"),
    "report": ("report", "report into GitLab: commit status, merge-request note, history"),
    "rules": ("rules", "list the rules"),
}
# One-shot commands run without the cyclic garbage collector: what they build (imported modules,
# the model) lives until they exit, so each collection only rescans a growing heap. It cost 15%
# of a small check's start-up (imports) and 15-20% of a 5000-stage check (benchmarks/
# bench_speed.py). `run` and `sync-branch` wait on servers for long and get it back (after the
# parse: the imports before that are freed by reference counting or live until exit).
ONE_SHOT = ("check", "convert", "rules")
# Commands with something to finish or undo when a cancelled CI job stops them (temporary files,
# a workflow to stop, a report to post) take SIGTERM as an interrupt. check and rules only print:
# they keep the default, without importing `signal` (its enums cost a commit hook ~0.5 ms).
CLEAN_UP_ON_SIGTERM = ("convert", "sync-branch", "run", "report")


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, sized as shutil.get_terminal_size() would size it, without
    importing shutil (and bz2, lzma): argparse makes one for every option it adds."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        if width is None:
            width = _columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _columns() -> int:
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


def _parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="recast-reana",
        description="Check RECAST workflows for REANA and take them there.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    given = _command(argv)
    for name, (module_name, help_text) in COMMANDS.items():
        if given is not None and name != given:
            continue  # only the help lists every command, and then `given` is None
        command = sub.add_parser(name, help=help_text, formatter_class=_Formatter)
        # __import__ rather than importlib.import_module: `python -X importtime` sees it.
        module = __import__(f"recast_reana.cli.{module_name}", fromlist=["run"])
        module.configure(command)
        # Also accepted after the subcommand; SUPPRESS keeps a --debug given before it.
        command.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
        )
        command.set_defaults(func=module.run)
    return parser


def _command(argv: Sequence[str]) -> str | None:
    """The subcommand named in `argv` (the first word that is not an option: the options before
    it, --debug, --help and --version, take no value), or None when there is none, it is
    unknown (then argparse needs every subcommand to say what is wrong) or the help is asked
    for before it (the help lists them all)."""
    for arg in argv:
        if arg in ("-h", "--help"):
            return None
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    collecting = gc.isenabled()
    gc.disable()  # see ONE_SHOT; the collector is back when main returns
    try:
        return _main(argv, collecting)
    finally:
        if collecting:
            gc.enable()


def _main(argv: list[str], collecting: bool) -> int:
    parser = _parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help / --version (0) or usage errors (2)
        return int(exc.code or 0)
    args.debug = args.debug or bool(os.environ.get("RECAST_REANA_DEBUG"))
    func: Callable[[argparse.Namespace], int] = args.func
    if "recast_reana.redact" in sys.modules:  # secrets registered by an earlier command
        sys.modules["recast_reana.redact"].forget()
    restore = _on_sigterm() if args.command in CLEAN_UP_ON_SIGTERM else None
    if args.command not in ONE_SHOT and collecting:
        gc.enable()  # a command that waits on servers lives long enough to need it
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
        if restore is not None:
            restore()


def _on_sigterm() -> Callable[[], object]:
    """SIGTERM as an interrupt from now on; returns what puts the previous handler back."""
    import signal  # see CLEAN_UP_ON_SIGTERM

    previous = signal.signal(signal.SIGTERM, _terminated)
    return lambda: signal.signal(signal.SIGTERM, previous)


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
        import traceback

        _say("".join(traceback.format_exception(exc)).rstrip("\n"))
    _say(
        f"recast-reana: internal error: {type(exc).__name__}: {exc} "
        "(run with --debug for the traceback and report it)"
    )
    return EXIT_FATAL


def _say(text: str) -> None:
    from recast_reana import redact

    print(redact.scrub(text), file=sys.stderr)
