"""`recast-reana sync-branch`: regenerate the REANA branch through GitLab's API."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from recast_reana import redact
from recast_reana.cli.paths import repository_dir
from recast_reana.errors import EXIT_INTERRUPTED, Error


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", help="checkout of the source commit (default .)")
    parser.add_argument("--branch", default="reana", help="branch to write (default: reana)")
    parser.add_argument("--source-ref", help="source branch (default: $CI_DEFAULT_BRANCH)")
    parser.add_argument("--dry-run", action="store_true", help="print the actions, write nothing")
    parser.add_argument(
        "--force", action="store_true", help="drop commits sync-branch did not make"
    )
    parser.add_argument("--dotenv", metavar="FILE", help="write RECAST_REANA_* for later CI jobs")
    parser.add_argument("--example", default="default", help="recast.yml example_inputs to use")


def run(args: argparse.Namespace) -> int:
    from recast_reana.gitlab import settings as sc

    root = repository_dir(args.path, "sync-branch")
    if args.debug:
        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
    settings = sc.settings_from_env(
        os.environ, branch=args.branch, source_ref=args.source_ref, dry_run=args.dry_run
    )
    redact.register(settings.token)
    # python-gitlab is imported only once the settings are good.
    from recast_reana.gitlab.sync_branch import run as sync

    progress = sc.Progress(branch=settings.branch)
    try:
        outcome = sync(
            root,
            settings,
            example=args.example,
            dry_run=args.dry_run,
            force=args.force,
            progress=progress,
        )
    except KeyboardInterrupt:  # SIGINT, or SIGTERM (a cancelled CI job): say what state is left
        print(f"recast-reana: {redact.scrub(progress.interrupted())}", file=sys.stderr)
        return EXIT_INTERRUPTED
    for line in outcome.lines:  # commit titles and findings come from others: scrubbed
        print(redact.scrub(line))
    if args.dotenv and outcome.status != "not-converted":
        try:
            sc.write_dotenv(Path(args.dotenv), outcome)
        except OSError as exc:
            raise Error(f"--dotenv {args.dotenv}: {exc.strerror or exc}") from None
    return outcome.exit_code
