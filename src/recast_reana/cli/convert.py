"""`recast-reana convert`: recast-atlas specs to REANA specs, as a tree, in place or as a diff."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from recast_reana.cli.paths import find_root
from recast_reana.errors import EXIT_OK, EXIT_PROBLEMS, Error


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", help="repository root (default .)")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--out", metavar="DIR", help="write the complete REANA-ready tree to DIR")
    mode.add_argument("--in-place", action="store_true", help="rewrite the working tree")
    mode.add_argument("--diff", action="store_true", help="print a unified diff of the conversion")
    parser.add_argument("--example", default="default", help="recast.yml example_inputs to use")
    parser.add_argument("--force", action="store_true", help="let --out replace a non-empty DIR")
    parser.add_argument("--config", help="configuration file (default: .recast-reana.yaml)")


def run(args: argparse.Namespace) -> int:
    from recast_reana.convert.conversion import ConversionError, convert
    from recast_reana.filetree import diff, read_tree, write_changed, write_tree
    from recast_reana.lint import diagnostics as fmt
    from recast_reana.model.config import load_config
    from recast_reana.model.project import repository_files

    root, files = find_root(args.paths)
    if files is not None:
        raise Error("convert takes the repository directory, not single files")
    config = load_config(root, Path(args.config) if args.config else None)
    out = Path(args.out).resolve() if args.out else None
    if out is not None and out.exists() and any(out.iterdir()) and not args.force:
        raise Error(f"{args.out}: exists and is not empty (use --force to overwrite it)")
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
