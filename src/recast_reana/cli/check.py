"""`recast-reana check`: lint the workflow for recast-atlas and REANA."""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Iterable
from pathlib import Path

from recast_reana.cli import image_facts
from recast_reana.cli.paths import find_root
from recast_reana.errors import EXIT_OK, EXIT_PROBLEMS, Error


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", help="repository root (default .) or files inside it")
    parser.add_argument("--format", choices=("text", "json", "codequality"), default="text")
    parser.add_argument("--output", "-o", help="write the report to this file")
    parser.add_argument(
        "--show-source",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="print the source line with a marker (default: when stdout is a terminal)",
    )
    parser.add_argument("--strict", action="store_true", help="warnings fail too")
    parser.add_argument("--select", help="comma-separated rule IDs or prefixes to run (RR3,RR401)")
    parser.add_argument("--ignore", help="comma-separated rule IDs or prefixes to skip")
    parser.add_argument("--config", help="configuration file (default: .recast-reana.yaml)")
    image_facts.add_option(parser)


def run(args: argparse.Namespace) -> int:
    from recast_reana.convert.check import check
    from recast_reana.lint import diagnostics as fmt
    from recast_reana.lint.linter import rule_options, secret_spans
    from recast_reana.model.config import load_config
    from recast_reana.model.project import load_project

    root, files = find_root(args.paths)
    select, ignore = codes("--select", args.select), codes("--ignore", args.ignore)
    config = load_config(root, Path(args.config) if args.config else None, rule_options())
    if select or ignore:
        config = config._replace(select=select or config.select, ignore=config.ignore + ignore)
    project = load_project(root, config, files)
    image_facts.attach(project, image_facts.wanted(args.online, config.online))
    if project.subject is None:
        where = root if files is None else f"{root} (checked because of {', '.join(files)})"
        message = f"no recast.yml, reana*.yaml or yadage workflow found under {where}"
        if files is None:  # a directory asked for by name: not checking it is an error
            raise Error(message)
        print(f"recast-reana: {message}; nothing to check")
        return EXIT_OK
    found = check(project)
    tty = not args.output and sys.stdout.isatty()
    show = args.show_source if args.show_source is not None else tty
    # Source lines are shown or hashed: mask every secret in them, whatever rules ran.
    masks = secret_spans(project) if show or args.format == "codequality" else {}
    chunks: Iterable[str]
    if args.format == "json":
        chunks = [fmt.format_json(found), "\n"]
    elif args.format == "codequality":  # written as it is made: 17 MB for 20,000 findings
        chunks = itertools.chain(fmt.codequality_chunks(found, project.texts, masks), ["\n"])
    else:
        # The default follows where the report goes: snippets for a person at a terminal.
        chunks = [
            fmt.format_text(found, project.texts, show_source=show, masks=masks),
            fmt.format_summary(project.subject, project.checked, found) + "\n",
        ]
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as out:
                out.writelines(chunks)
        except OSError as exc:
            raise Error(f"--output {args.output}: {exc.strerror or exc}") from None
        if args.format != "text":
            sys.stdout.write(fmt.format_text(found, project.texts, show_source=False))
            sys.stdout.write(fmt.format_summary(project.subject, project.checked, found) + "\n")
    else:
        sys.stdout.writelines(chunks)
    failing = {fmt.Severity.ERROR} | ({fmt.Severity.WARNING} if args.strict else set())
    return EXIT_PROBLEMS if any(d.severity in failing for d in found) else EXIT_OK


def codes(option: str, value: str | None) -> tuple[str, ...]:
    """`--select`/`--ignore` values: rule IDs or prefixes, each matching at least one rule."""
    if value is None:
        return ()
    from recast_reana.lint.registry import RULES

    found = tuple(c.strip().upper() for c in value.split(",") if c.strip())
    for code in found:
        # A typo must not silently turn every rule off (--select) or keep one on (--ignore).
        if not any(rule_id.startswith(code) for rule_id in RULES) or not code.startswith("RR"):
            raise Error(f"{option}: no rule matches {code!r} (see `recast-reana rules`)")
    if not found:
        raise Error(f"{option}: give rule IDs or prefixes, e.g. RR3,RR401")
    return found
