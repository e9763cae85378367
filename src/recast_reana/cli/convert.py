"""`recast-reana convert`: recast-atlas specs to REANA specs, as a tree, in place or as a diff."""

from __future__ import annotations

import argparse
import errno
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from recast_reana.cli import image_facts
from recast_reana.cli.paths import find_root
from recast_reana.errors import (
    EXIT_FATAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    Error,
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", help="repository root (default .)")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--out", metavar="DIR", help="write the complete REANA-ready tree to DIR")
    mode.add_argument("--in-place", action="store_true", help="rewrite the working tree")
    mode.add_argument("--diff", action="store_true", help="print a unified diff of the conversion")
    parser.add_argument("--example", default="default", help="recast.yml example_inputs to use")
    parser.add_argument("--force", action="store_true", help="let --out replace a non-empty DIR")
    parser.add_argument("--config", help="configuration file (default: .recast-reana.yaml)")
    image_facts.add_option(parser)
    parser.add_argument(
        "--pin-digests",
        action="store_true",
        help="pin each step image to the digest its tag resolves to today "
        "(imagetag: TAG@sha256:...; implies --online)",
    )


def run(args: argparse.Namespace) -> int:
    from recast_reana.convert.check import findings
    from recast_reana.convert.conversion import convert
    from recast_reana.convert.patch import unified_diff
    from recast_reana.filetree import atomic_write, replace_tree
    from recast_reana.lint.diagnostics import Severity, format_text
    from recast_reana.lint.linter import rule_options
    from recast_reana.model.config import load_config
    from recast_reana.model.project import load_project

    root, files = find_root(args.paths)
    if files is not None:
        raise Error("convert takes the repository directory, not single files")
    config = load_config(root, Path(args.config) if args.config else None, rule_options())
    out = Path(args.out).absolute() if args.out else None
    if out is not None and (out.is_symlink() or out.exists()) and not out.is_dir():
        raise Error(f"--out {args.out}: exists and is not a directory")
    if out is not None and out.is_dir() and any(out.iterdir()) and not args.force:
        raise Error(f"--out {args.out}: exists and is not empty (use --force to replace it)")
    project = load_project(root, config, scan=False)
    online = args.pin_digests or image_facts.wanted(args.online, config.online)
    image_facts.attach(project, online)
    conversion = convert(
        project, example=args.example, pin_digests=args.pin_digests, release_source=True
    )
    for line in conversion.unpinned:
        print(f"recast-reana: {line}", file=sys.stderr)
    if conversion.problems:
        sys.stdout.write(format_text(conversion.problems, project.texts, show_source=False))
        count = len(conversion.problems)
        print(f"recast-reana: conversion stopped: {count} problem(s) stop it", file=sys.stderr)
        return EXIT_PROBLEMS
    if args.diff:
        sys.stdout.write(unified_diff(conversion))
        code = EXIT_PROBLEMS if conversion.changed else EXIT_OK
    elif args.in_place:
        for path, data in sorted(conversion.changed.items()):
            with _writing(root / path, f"{path} and the files after it were not converted"):
                atomic_write(root / path, data)
            print(f"converted {path}")
        code = EXIT_PROBLEMS if conversion.changed else EXIT_OK
    else:
        assert out is not None
        tree = conversion.files
        if out.is_relative_to(root):  # an --out inside the repository is not part of it
            inside = out.relative_to(root).as_posix() + "/"
            tree = {p: data for p, data in tree.items() if not p.startswith(inside)}
        with _writing(out, f"{args.out} was left as it was"):
            replace_tree(out, tree)
        print(f"wrote {len(tree)} files to {args.out} ({len(conversion.changed)} converted)")
        code = EXIT_OK
    # The converter checks its own result: what REANA would still fail on, at the source lines.
    errors = [d for d in findings(conversion) if d.severity is Severity.ERROR]
    if errors:
        sys.stderr.write(format_text(errors, project.texts, show_source=False))
        written = "" if args.diff else "; the files were written so that you can look at them"
        print(
            f"recast-reana: the converted workflow still has {len(errors)} error(s) that REANA "
            f"would fail on{written}",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    return code


@contextmanager
def _writing(target: Path, untouched: str) -> Iterator[None]:
    """An interrupt or a write error while writing `target` as one line saying what is left."""
    try:
        yield
    except KeyboardInterrupt:
        raise Error(f"interrupted while writing: {untouched}", EXIT_INTERRUPTED) from None
    except OSError as exc:
        user = exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EISDIR)
        where = exc.filename or target
        raise Error(
            f"cannot write {where}: {exc.strerror or exc}; {untouched}",
            EXIT_USAGE if user else EXIT_FATAL,
        ) from None
