"""Command line: `recast-reana check | convert | sync-branch | run | rules`.

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

    A directory argument is the root. For files (as pre-commit passes them, relative to the
    repository root) the root is the nearest directory holding recast.yml, reana.yaml,
    .recast-reana.yaml or .git at or above the directory the files have in common (so files can
    be named from any working directory), else at or above the working directory.
    """
    if not paths:
        paths = ["."]
    dirs = [p for p in paths if Path(p).is_dir()]
    if dirs:
        if len(paths) > 1:
            raise UsageError("give either one repository directory or files inside it, not both")
        return Path(dirs[0]).resolve(), None
    # lexists: a dangling symlink is still a file name the credential rules can judge.
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        raise UsageError(f"{missing[0]}: no such file or directory")
    # Resolve the directories but not the last component: a symlink to a file outside the
    # repository is still a file of the repository.
    named = [Path(p).absolute().parent.resolve() / Path(p).name for p in paths]
    cwd = Path.cwd().resolve()
    root = _marked(Path(os.path.commonpath([p.parent for p in named]))) or _marked(cwd) or cwd
    files = []
    for p, full in zip(paths, named, strict=True):
        try:
            files.append(full.relative_to(root).as_posix())
        except ValueError:
            raise UsageError(f"{p}: is outside the repository at {root}") from None
    return root, files


def _marked(start: Path) -> Path | None:
    """The nearest directory at or above `start` holding a repository marker."""
    return next(
        (d for d in (start, *start.parents) if any((d / m).exists() for m in MARKERS)), None
    )


def _codes(option: str, value: str | None) -> tuple[str, ...]:
    """`--select`/`--ignore` values: rule IDs or prefixes, each matching at least one rule."""
    if value is None:
        return ()
    from recast_reana.lint.rules import RULES

    codes = tuple(c.strip().upper() for c in value.split(",") if c.strip())
    for code in codes:
        # A typo must not silently turn every rule off (--select) or keep one on (--ignore).
        if not any(rule_id.startswith(code) for rule_id in RULES) or not code.startswith("RR"):
            raise UsageError(f"{option}: no rule matches {code!r} (see `recast-reana rules`)")
    if not codes:
        raise UsageError(f"{option}: give rule IDs or prefixes, e.g. RR3,RR401")
    return codes


def _check(args: argparse.Namespace) -> int:
    from recast_reana.lint import diagnostics as fmt
    from recast_reana.lint.check import check
    from recast_reana.model.config import load_config
    from recast_reana.model.project import load_project

    root, files = find_root(args.paths)
    select, ignore = _codes("--select", args.select), _codes("--ignore", args.ignore)
    config = load_config(root, Path(args.config) if args.config else None)
    if select or ignore:
        from dataclasses import replace

        config = replace(config, select=select or config.select, ignore=config.ignore + ignore)
    project = load_project(root, config, files)
    found = check(project)
    if args.format == "json":
        text = fmt.format_json(found) + "\n"
    elif args.format == "codequality":
        text = fmt.format_codequality(found, project.texts) + "\n"
    else:
        # The default follows where the report goes: snippets for a person at a terminal.
        tty = not args.output and sys.stdout.isatty()
        show = args.show_source if args.show_source is not None else tty
        text = fmt.format_text(found, project.texts, show_source=show)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--output {args.output}: {exc.strerror or exc}") from None
        if args.format != "text":
            sys.stdout.write(fmt.format_text(found, project.texts, show_source=False))
    else:
        sys.stdout.write(text)
    failing = {fmt.Severity.ERROR} | ({fmt.Severity.WARNING} if args.strict else set())
    return EXIT_PROBLEMS if any(d.severity in failing for d in found) else EXIT_OK


def _convert(args: argparse.Namespace) -> int:
    from recast_reana.convert.conversion import ConversionError, convert
    from recast_reana.filetree import diff, read_tree, write_changed, write_tree
    from recast_reana.lint import diagnostics as fmt
    from recast_reana.model.config import load_config
    from recast_reana.model.project import repository_files

    root, files = find_root(args.paths)
    if files is not None:
        raise UsageError("convert takes the repository directory, not single files")
    config = load_config(root, Path(args.config) if args.config else None)
    out = Path(args.out).resolve() if args.out else None
    if out is not None and out.exists() and any(out.iterdir()) and not args.force:
        raise UsageError(f"{args.out}: exists and is not empty (use --force to overwrite it)")
    paths = repository_files(root)
    if out is not None and out.is_relative_to(root):
        skip = out.relative_to(root).as_posix() + "/"
        paths = [p for p in paths if not p.startswith(skip)]
    sources = read_tree(root, paths)
    try:
        conversion = convert(sources, config, example=args.example)
    except ConversionError as exc:
        texts = {p: b.decode("utf-8", "replace") for p, b in sources.items()}
        sys.stdout.write(fmt.format_text(exc.diagnostics, texts, show_source=False))
        print(f"recast-reana: conversion stopped: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    if args.diff:
        sys.stdout.write(diff(sources, conversion.changed))
        return EXIT_PROBLEMS if conversion.changed else EXIT_OK
    if args.in_place:
        write_changed(root, conversion.changed)
        for path in sorted(conversion.changed):
            print(f"converted {path}")
        return EXIT_PROBLEMS if conversion.changed else EXIT_OK
    assert out is not None
    write_tree(out, conversion.files)
    print(
        f"wrote {len(conversion.files)} files to {args.out} ({len(conversion.changed)} converted)"
    )
    return EXIT_OK


def _sync_branch(args: argparse.Namespace) -> int:
    import logging

    from recast_reana.gitlab import settings as sc

    root, files = find_root([args.path] if args.path else [])
    if files is not None:
        raise UsageError("sync-branch takes the repository directory, not single files")
    if args.debug or os.environ.get("RECAST_REANA_DEBUG"):
        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
    try:
        settings = sc.settings_from_env(
            os.environ, branch=args.branch, source_ref=args.source_ref, dry_run=args.dry_run
        )
        from recast_reana.gitlab.sync_branch import (
            run,  # python-gitlab: only once the settings are good
        )

        outcome = run(root, settings, example=args.example, dry_run=args.dry_run, force=args.force)
    except sc.SyncError as exc:
        print(f"recast-reana: error: {exc}", file=sys.stderr)
        return exc.exit_code
    for line in outcome.lines:
        print(line)
    if args.dotenv and outcome.status != "not-converted":
        try:
            sc.write_dotenv(Path(args.dotenv), outcome)
        except OSError as exc:
            raise UsageError(f"--dotenv {args.dotenv}: {exc.strerror or exc}") from None
    return outcome.exit_code


def _run(args: argparse.Namespace) -> int:
    from recast_reana.reana import run as rr
    from recast_reana.reana.plan import PlanError, parse_duration

    root, files = find_root([args.path] if args.path else [])
    if files is not None:
        raise UsageError("run takes the repository directory, not single files")
    try:
        timeout = parse_duration(args.timeout) if args.timeout else None
    except PlanError as exc:
        raise UsageError(str(exc)) from None
    options = rr.RunOptions(
        root=root,
        name=args.name,
        params=args.param,
        wait=args.wait,
        timeout=timeout,
        download=Path(args.download).resolve() if args.download else None,
        report_dir=Path(args.report_dir).resolve() if args.report_dir else None,
        grid=Path(args.grid) if args.grid else None,
        parallel=args.parallel,
        example=args.example,
        config=Path(args.config) if args.config else None,
        insecure=args.insecure,
    )
    console = rr.Console(
        out=lambda line: print(line, flush=True),
        err=lambda line: print(line, file=sys.stderr, flush=True),
        ci=bool(os.environ.get("CI")),
    )
    return rr.execute(options, os.environ, console=console)


def _rules(args: argparse.Namespace) -> int:
    from recast_reana.lint.rule_docs import render, summary
    from recast_reana.lint.rules import RULES

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
    check.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )
    check.set_defaults(func=_check)

    conv = sub.add_parser("convert", help="convert recast-atlas specs to REANA specs")
    conv.add_argument("paths", nargs="*", help="repository root (default .)")
    mode = conv.add_mutually_exclusive_group(required=True)
    mode.add_argument("--out", metavar="DIR", help="write the complete REANA-ready tree to DIR")
    mode.add_argument("--in-place", action="store_true", help="rewrite the working tree")
    mode.add_argument("--diff", action="store_true", help="print a unified diff of the conversion")
    conv.add_argument("--example", default="default", help="recast.yml example_inputs to use")
    conv.add_argument("--force", action="store_true", help="let --out replace a non-empty DIR")
    conv.add_argument("--config", help="configuration file (default: .recast-reana.yaml)")
    conv.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="tracebacks")
    conv.set_defaults(func=_convert)

    sync = sub.add_parser("sync-branch", help="regenerate the REANA branch through GitLab's API")
    sync.add_argument("path", nargs="?", help="checkout of the source commit (default .)")
    sync.add_argument("--branch", default="reana", help="branch to write (default: reana)")
    sync.add_argument("--source-ref", help="source branch (default: $CI_DEFAULT_BRANCH)")
    sync.add_argument("--dry-run", action="store_true", help="print the actions, write nothing")
    sync.add_argument("--force", action="store_true", help="drop commits sync-branch did not make")
    sync.add_argument("--dotenv", metavar="FILE", help="write RECAST_REANA_* for later CI jobs")
    sync.add_argument("--example", default="default", help="recast.yml example_inputs to use")
    sync.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="tracebacks")
    sync.set_defaults(func=_sync_branch)

    run = sub.add_parser("run", help="submit the workflow to REANA, follow it, collect results")
    run.add_argument("path", nargs="?", help="repository root (default .)")
    run.add_argument("--name", help="REANA workflow name (default: $CI_PROJECT_NAME-<ref>)")
    run.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter (repeatable; REANA_PARAM_<KEY> variables too; YAML values)",
    )
    run.add_argument("--wait", action="store_true", help="follow the run until it ends")
    run.add_argument("--timeout", metavar="DURATION", help="with --wait: give up after 90m, 2h...")
    run.add_argument("--download", metavar="DIR", help="with --wait: outputs.files go here")
    run.add_argument("--report-dir", metavar="DIR", help="write JUnit, summary and dotenv here")
    run.add_argument("--grid", metavar="FILE", help="one workflow per row of this YAML/CSV file")
    run.add_argument("--parallel", type=int, default=4, help="grid workflows at once (default 4)")
    run.add_argument("--example", default="default", help="recast.yml example_inputs to use")
    run.add_argument("--config", help="configuration file (default: .recast-reana.yaml)")
    run.add_argument("--insecure", action="store_true", help="skip TLS verification (test only)")
    run.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="tracebacks")
    run.set_defaults(func=_run)

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
    from recast_reana.model.config import ConfigError

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
