"""Command line: `recast-reana check | rules`.

Nothing below this module prints or exits; every error becomes one line here (pre-commit's
error_handler), with the traceback only under `--debug`.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from recast_reana import __version__

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_FATAL = 3

MARKERS = ("recast.yml", "recast.yaml", "reana.yaml", "reana.yml", ".recast-reana.yaml", ".git")


class UsageError(Exception):
    """Bad arguments or configuration: exit 2."""


def find_root(paths: Sequence[str]) -> tuple[Path, list[str] | None]:
    """The repository root and the files (relative to it) the user named, None = the whole repo.

    A directory argument is the root. Files (as pre-commit passes them) are looked up from the
    current directory upwards to the first directory holding recast.yml, reana.yaml or .git.
    """
    if not paths:
        paths = ["."]
    dirs = [p for p in paths if Path(p).is_dir()]
    if dirs:
        if len(paths) > 1:
            raise UsageError("give either one repository directory or files inside it, not both")
        return Path(dirs[0]).resolve(), None
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise UsageError(f"{missing[0]}: no such file or directory")
    start = Path.cwd().resolve()
    root = next((d for d in (start, *start.parents) if any((d / m).exists() for m in MARKERS)), start)
    files = []
    for p in paths:
        try:
            files.append(Path(p).resolve().relative_to(root).as_posix())
        except ValueError:
            raise UsageError(f"{p}: is outside the repository at {root}") from None
    return root, files


def _check(args: argparse.Namespace) -> int:
    from recast_reana import diagnostics as fmt
    from recast_reana.config import load_config
    from recast_reana.linter import lint
    from recast_reana.project import load_project

    root, files = find_root(args.paths)
    config = load_config(root, Path(args.config) if args.config else None)
    if args.select or args.ignore:
        from dataclasses import replace

        config = replace(
            config,
            select=tuple(args.select.split(",")) if args.select else config.select,
            ignore=config.ignore + (tuple(args.ignore.split(",")) if args.ignore else ()),
        )
    project = load_project(root, config, files)
    found = lint(project)
    if args.format == "json":
        text = fmt.format_json(found) + "\n"
    elif args.format == "codequality":
        text = fmt.format_codequality(found, project.texts) + "\n"
    else:
        show = args.show_source if args.show_source is not None else sys.stdout.isatty()
        text = fmt.format_text(found, project.texts, show_source=show)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        if args.format != "text":
            sys.stdout.write(fmt.format_text(found, project.texts, show_source=False))
    else:
        sys.stdout.write(text)
    failing = {fmt.Severity.ERROR} | ({fmt.Severity.WARNING} if args.strict else set())
    return EXIT_PROBLEMS if any(d.severity in failing for d in found) else EXIT_OK


def _rules(args: argparse.Namespace) -> int:
    from recast_reana.ruledocs import render, summary
    from recast_reana.rules import RULES

    if args.markdown:
        sys.stdout.write(render(RULES))
        return EXIT_OK
    for rule in RULES.values():
        print(f"{rule.ID}  {rule.NAME:<24} {rule.SEVERITY.value:<8} {summary(rule)}")
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="recast-reana",
        description="Check RECAST workflows for REANA and take them there.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="lint the workflow for recast-atlas and REANA")
    check.add_argument("paths", nargs="*", help="repository root (default .) or files inside it")
    check.add_argument("--format", choices=("text", "json", "codequality"), default="text")
    check.add_argument("--output", "-o", help="write the report to this file")
    check.add_argument(
        "--show-source",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="print the source line with a marker (default: when stdout is a terminal)",
    )
    check.add_argument("--strict", action="store_true", help="warnings fail too")
    check.add_argument("--select", help="comma-separated rule IDs or prefixes to run (RR3,RR401)")
    check.add_argument("--ignore", help="comma-separated rule IDs or prefixes to skip")
    check.add_argument("--config", help="configuration file (default: .recast-reana.yaml)")
    check.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    check.set_defaults(func=_check)

    rules = sub.add_parser("rules", help="list the rules")
    rules.add_argument("--markdown", action="store_true", help="print docs/rules.md")
    rules.set_defaults(func=_rules)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help / --version (0) or usage errors (2)
        return int(exc.code or 0)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        return _handle(exc, debug=args.debug or bool(os.environ.get("RECAST_REANA_DEBUG")))


def _handle(exc: Exception, *, debug: bool) -> int:
    from recast_reana.config import ConfigError

    if isinstance(exc, (UsageError, ConfigError)):
        print(f"recast-reana: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if isinstance(exc, OSError):
        print(f"recast-reana: error: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
        return EXIT_FATAL
    if debug:
        traceback.print_exception(exc)
    print(
        f"recast-reana: internal error: {type(exc).__name__}: {exc} "
        "(run with --debug for the traceback and report it)",
        file=sys.stderr,
    )
    return EXIT_FATAL
