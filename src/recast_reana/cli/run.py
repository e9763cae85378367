"""`recast-reana run`: submit the workflow to REANA, follow it, collect the results."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from recast_reana.cli.paths import repository_dir


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", help="repository root (default .)")
    parser.add_argument("--name", help="REANA workflow name (default: $CI_PROJECT_NAME-<ref>)")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter (repeatable; REANA_PARAM_<KEY> variables too; YAML values)",
    )
    parser.add_argument("--wait", action="store_true", help="follow the run until it ends")
    parser.add_argument(
        "--timeout", metavar="DURATION", help="with --wait: give up after 90m, 2h..."
    )
    parser.add_argument("--download", metavar="DIR", help="with --wait: outputs.files go here")
    parser.add_argument("--report-dir", metavar="DIR", help="write JUnit, summary and dotenv here")
    parser.add_argument(
        "--history",
        metavar="FILE",
        help="with --download: the results history to extend (read if it exists, then written)",
    )
    parser.add_argument("--grid", metavar="FILE", help="one workflow per row of this YAML/CSV file")
    parser.add_argument(
        "--parallel", type=int, default=4, help="grid workflows at once (default 4)"
    )
    parser.add_argument("--example", default="default", help="recast.yml example_inputs to use")
    parser.add_argument("--config", help="configuration file (default: .recast-reana.yaml)")
    parser.add_argument("--insecure", action="store_true", help="skip TLS verification (test only)")
    parser.add_argument(
        "--keep-last",
        type=int,
        metavar="N",
        help="afterwards delete this name's older ended runs (with workspaces), keeping N",
    )
    parser.add_argument(
        "--stop-on-cancel",
        action="store_true",
        help="on SIGTERM/SIGINT (a cancelled CI job) stop the REANA workflows it started",
    )
    parser.add_argument(
        "--online",
        action="store_true",
        help="REANA 0.95: its validation also checks the images (environments=true)",
    )


def run(args: argparse.Namespace) -> int:
    from recast_reana.reana import run as rr
    from recast_reana.reana.plan import parse_duration

    root = repository_dir(args.path, "run")
    options = rr.RunOptions(
        root=root,
        name=args.name,
        params=args.param,
        wait=args.wait,
        timeout=parse_duration(args.timeout) if args.timeout else None,
        download=Path(args.download).resolve() if args.download else None,
        report_dir=Path(args.report_dir).resolve() if args.report_dir else None,
        grid=Path(args.grid) if args.grid else None,
        parallel=args.parallel,
        example=args.example,
        config=Path(args.config) if args.config else None,
        insecure=args.insecure,
        keep_last=args.keep_last,
        stop_on_cancel=args.stop_on_cancel,
        history=Path(args.history).resolve() if args.history else None,
        online=args.online,
    )
    console = rr.Console(
        out=lambda line: print(line, flush=True),
        err=lambda line: print(line, file=sys.stderr, flush=True),
        ci=bool(os.environ.get("CI")),
    )
    return rr.execute(options, os.environ, console=console)
