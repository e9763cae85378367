"""Registry facts for `check` and `convert`: fetched with `--online`, else read from the cache.

Offline (the hooks; the default) only the cache is read: `recast_reana.registry.cache` imports
no network code, so a commit never waits on a registry, and facts an earlier online check left
still apply. Online, every step image is asked of its registry (or taken from a fresh cache).
"""

from __future__ import annotations

import argparse
import sys

from recast_reana.model.images import references
from recast_reana.model.project import Project


def add_option(parser: argparse.ArgumentParser) -> None:
    """`--online` / `--no-online` of check and convert."""
    parser.add_argument(
        "--online",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="ask container registries about the step images: existence, digest, UID (default: "
        "`online:` of .recast-reana.yaml; without it only the cache of an earlier online run)",
    )


def attach(project: Project, online: bool) -> None:
    """Give `project` the facts of its step images; print a line per image left unknown."""
    refs = references(project.steps, project.serial_steps)
    if not refs:
        return
    if not online:
        from recast_reana.registry.cache import cached_facts

        project.image_facts = cached_facts(refs)
        return
    from recast_reana import redact  # its logging filter: only where requests runs
    from recast_reana.registry.facts import fetch_facts

    facts, problems = fetch_facts(refs, insecure=project.config.insecure_registries)
    for line in problems:
        print(redact.scrub(f"recast-reana: warning: {line}"), file=sys.stderr)
    project.image_facts = facts


def wanted(flag: bool | None, config_online: bool) -> bool:
    """`--online`/`--no-online` when given, else `online:` of the configuration."""
    return config_online if flag is None else flag
