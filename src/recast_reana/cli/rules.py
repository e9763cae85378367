"""`recast-reana rules`: list the rules, or print docs/rules.md."""

from __future__ import annotations

import argparse
import sys

from recast_reana.errors import EXIT_OK


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--markdown", action="store_true", help="print docs/rules.md")


def run(args: argparse.Namespace) -> int:
    from recast_reana.lint.registry import RULES
    from recast_reana.lint.rule_docs import render, summary

    if args.markdown:
        sys.stdout.write(render(RULES))
        return EXIT_OK
    for rule in RULES.values():
        print(f"{rule.ID}  {rule.NAME:<24} {rule.SEVERITY.value:<8} {summary(rule)}")
    return EXIT_OK
