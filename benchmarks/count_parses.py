"""How often one command parses YAML and lists the repository (issue 9: at most 8 parses).

Counts, in one process, every call that parses YAML text (the positioned loader's `load`, which
builds from libyaml's events, or `yaml.compose` where an older loader uses it, and
`yaml.safe_load` / `yaml.load`, e.g. for a one-line scalar) and every `git ls-files` (the
project loader's own spawn, or `subprocess.run` in older versions), while
- `check` of examples/vhbb runs (load, lint, convert in memory, lint the conversion), and
- `run`'s planning of examples/vhbb runs (everything `run` does before its first request).

    python benchmarks/count_parses.py                 # this checkout
    python benchmarks/count_parses.py --src OLD/src   # another checkout's package, e.g. v0.1

Each counted call is listed with its caller, so a new parse shows where it comes from.
"""

from __future__ import annotations

import argparse
import collections
import importlib
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "vhbb"
PLUMBING = {"positioned_yaml.py", "yamlpos.py", "source_file.py", "sources.py", "__init__.py"}


def _always(*args: Any, **kwargs: Any) -> bool:
    return True


@contextmanager
def counting() -> Iterator[collections.Counter[str]]:
    import yaml

    counts: collections.Counter[str] = collections.Counter()
    originals: dict[tuple[Any, str], Callable[..., Any]] = {}

    def wrap(owner: Any, name: str, label: str, when: Callable[..., bool] = _always) -> None:
        original = getattr(owner, name)
        originals[(owner, name)] = original

        def counted(*args: Any, **kwargs: Any) -> Any:
            if when(*args, **kwargs):
                # The first caller outside the loader: who asked for this parse.
                stack = traceback.extract_stack()[:-1]
                frame = next(f for f in reversed(stack) if Path(f.filename).name not in PLUMBING)
                counts[f"{label} from {Path(frame.filename).name}:{frame.lineno}"] += 1
            return original(*args, **kwargs)

        setattr(owner, name, counted)

    try:
        positioned = importlib.import_module("recast_reana.model.positioned_yaml")
        project = importlib.import_module("recast_reana.model.project")
    except ImportError:  # v0.1: its loader composes with PyYAML, git runs through subprocess
        positioned = project = None
    if positioned is not None:
        wrap(positioned, "load", "yaml parse")  # its fallback's compose is not a second parse
    else:
        wrap(yaml, "compose", "yaml parse")
    wrap(yaml, "load", "yaml parse")
    wrap(yaml, "safe_load", "yaml parse")
    if project is not None and hasattr(project, "_git_ls_files"):
        wrap(project, "_git_ls_files", "git ls-files")
    else:
        wrap(subprocess, "run", "git ls-files", lambda cmd, *a, **k: "ls-files" in list(cmd))
    try:
        yield counts
    finally:
        for (owner, name), original in originals.items():
            setattr(owner, name, original)


def check_vhbb() -> None:
    try:
        check = importlib.import_module("recast_reana.convert.check").check
        config = importlib.import_module("recast_reana.model.config")
        project = importlib.import_module("recast_reana.model.project")
    except ImportError:  # v0.1's flat package
        check = importlib.import_module("recast_reana.check").check
        config = importlib.import_module("recast_reana.config")
        project = importlib.import_module("recast_reana.project")
    check(project.load_project(EXAMPLE, config.load_config(EXAMPLE)))


def plan_vhbb() -> None:
    try:
        plan = importlib.import_module("recast_reana.reana.plan")
        config = importlib.import_module("recast_reana.model.config")
    except ImportError:
        plan = importlib.import_module("recast_reana.runplan")
        config = importlib.import_module("recast_reana.config")
    plan.prepare(
        EXAMPLE,
        config.load_config(EXAMPLE),
        example="default",
        name="vhbb",
        params=[],
        env={},
        out=lambda line: None,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, help="import recast_reana from this src/ directory")
    args = parser.parse_args()
    if args.src:
        sys.path.insert(0, str(args.src.resolve()))
    package = importlib.import_module("recast_reana")
    print(f"recast_reana from {Path(package.__file__ or '').parent}")
    for label, job in (("check examples/vhbb", check_vhbb), ("run planning, vhbb", plan_vhbb)):
        with counting() as counts:
            job()
        parses = sum(n for k, n in counts.items() if k.startswith("yaml"))
        listings = sum(n for k, n in counts.items() if k.startswith("git"))
        print(f"{label}: {parses} YAML parses, {listings} git ls-files")
        for where, n in sorted(counts.items()):
            print(f"    {n:3d}  {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
