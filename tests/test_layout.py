"""The package layout tells the architecture: data flows model -> lint -> convert ->
gitlab/reana/registry -> cli, a part imports only earlier parts, there is no import cycle, and
rules are leaves."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "recast_reana"
# Top-level modules every part may use (the error type, secret scrubbing, file writing).
LAYERS = {
    "base": 0,
    "model": 1,
    "lint": 2,
    "convert": 3,
    "results": 3,
    "gitlab": 4,
    "reana": 4,
    "registry": 4,
    "cli": 5,
}


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _part(module: str) -> str:
    parts = module.split(".")
    if module == "recast_reana.__main__":  # `python -m recast_reana`: the command line
        return "cli"
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else "base"


MODULES = sorted(_module(p) for p in PACKAGE.rglob("*.py"))


@functools.cache
def _imports() -> dict[str, set[str]]:
    """module -> the recast_reana modules it imports (anywhere in it, lazy imports included);
    parsed when a test first asks, not at collection (in every xdist worker)."""
    graph: dict[str, set[str]] = {}
    modules = set(MODULES)
    for path in PACKAGE.rglob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                base = node.module
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    found.add(full if full in modules else base)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
        graph[_module(path)] = {m for m in found if m in modules and m != _module(path)}
    return graph


@pytest.mark.parametrize("module", MODULES)
def test_imports_only_earlier_parts(module: str) -> None:
    here = _part(module)
    for imported in _imports()[module]:
        there = _part(imported)
        if imported == "recast_reana":  # __version__
            continue
        assert LAYERS[there] < LAYERS[here] or there == here, f"{module} imports {imported}"


def test_no_import_cycles() -> None:
    # Package __init__ modules are skipped: importing `a.b` imports `a` by Python's rules.
    graph = {m: {i for i in deps if not _is_package(i)} for m, deps in _imports().items()}
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for child in sorted(graph.get(node, ())):
            if state.get(child) == 1:
                cycle = [*path[path.index(child) :], child] if child in path else [node, child]
                raise AssertionError(" -> ".join(cycle))
            if child not in state:
                visit(child, [*path, child])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def _is_package(module: str) -> bool:
    return (PACKAGE.parent / module.replace(".", "/") / "__init__.py").is_file()


@pytest.mark.parametrize("module", [m for m in MODULES if m.startswith("recast_reana.lint.rules.")])
def test_rules_are_leaves(module: str) -> None:
    """A rule imports the model and the lint contract, never another rule."""
    for imported in _imports()[module]:
        if imported == "recast_reana.type_names":  # typing's names for its annotations
            continue
        assert imported.startswith(("recast_reana.model", "recast_reana.lint.")), imported
        assert not imported.startswith("recast_reana.lint.rules."), f"{module} imports {imported}"
        assert imported not in ("recast_reana.lint.linter", "recast_reana.lint.registry")


def test_only_the_registry_and_the_linter_reach_rule_modules() -> None:
    """`run` and `sync-branch` use the rules through the linter, never a rule's helpers."""
    for module, imports in _imports().items():
        if module.startswith("recast_reana.lint."):
            continue
        rules = [i for i in imports if i.startswith("recast_reana.lint.rules.")]
        assert not rules, f"{module} imports {rules}"


@pytest.mark.parametrize("folder", sorted({p.parent for p in PACKAGE.rglob("*.py")}))
def test_no_two_module_names_differ_by_a_suffix_only(folder: Path) -> None:
    """Names say what a module is: no `run`/`runner`, `config`/`sync_config` in one package."""
    names = sorted({p.stem for p in folder.glob("*.py") if p.stem != "__init__"})
    names += sorted(p.name for p in folder.iterdir() if (p / "__init__.py").is_file())
    for a in names:
        for b in names:
            inflected = b in (a + "r", a + "er", a + "s", a + "es")
            qualified = "_" in b and b.split("_", 1)[1] == a  # config / sync_config
            assert not (inflected or qualified), f"{folder.name}/: {a} and {b}"
