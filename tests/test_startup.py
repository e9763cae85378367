"""What `check` imports: only what the command needs, when it needs it (issue 12).

Each test runs the command in a fresh interpreter and reads `sys.modules` at its end: a commit
hook pays for every module imported. The timings are in benchmarks/bench_speed.py, not here.
"""

from __future__ import annotations

import gc
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from recast_reana.cli import main
from recast_reana.lint import registry

ROOT = Path(__file__).resolve().parents[1]
REANA_LAYOUT = ROOT / "tests" / "data" / "reana_layout"
RULES_DIR = ROOT / "src" / "recast_reana" / "lint" / "rules"

PROBE = """
import io, sys
from recast_reana.cli import main
out = sys.stdout
sys.stdout = io.StringIO()
code = main(sys.argv[1:])
sys.stdout = out
modules = sorted(sys.modules)
import json
print(json.dumps({"code": code, "modules": modules}))
"""


def modules_after(*argv: str) -> tuple[int, set[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True
    )
    result = json.loads(proc.stdout.splitlines()[-1])
    return result["code"], set(result["modules"])


NETWORK = {"requests", "urllib3", "gitlab", "http.client", "ssl", "socket"}


def test_check_imports_no_network_code_subprocess_or_converter() -> None:
    code, modules = modules_after("check", str(REANA_LAYOUT))
    assert code == 0
    assert not modules & NETWORK
    assert "subprocess" not in modules
    assert "logging" not in modules  # recast_reana.redact's log filter is for requests only
    ours = {m for m in modules if m.startswith("recast_reana.")}
    for part in ("reana", "gitlab", "registry.client", "registry.facts"):
        assert not any(m.startswith(f"recast_reana.{part}") for m in ours), part
    # A REANA repository is not converted: the converter is not even imported.
    assert "recast_reana.convert.conversion" not in ours
    # Only the subcommand given is imported.
    assert not {"recast_reana.cli.run", "recast_reana.cli.sync_branch"} & ours
    # The model's values are NamedTuples and slotted classes: no dataclasses (and its inspect);
    # difflib only suggests names for mistakes.
    assert not {"dataclasses", "inspect", "difflib"} & modules


# What `check` imports beyond `python -c "import yaml"` (which it cannot do without), besides its
# own modules; on another Python some of these are not imported (ipaddress by urllib.parse
# since 3.11.4). A module added here costs every commit.
STDLIB_ALLOWED = {
    "__future__",  # `from __future__ import annotations` imports it
    *("argparse", "gettext", "locale", "_locale", "warnings"),  # the command line
    *("pathlib", "errno", "fnmatch", "ntpath", "urllib", "urllib.parse", "ipaddress"),
    *("importlib", "importlib._bootstrap", "importlib._bootstrap_external"),
    "importlib.machinery",  # where yadage-schemas is installed
    *("bisect", "_bisect", "array"),  # source_file's line table
    *("string", "_string"),  # stage_graph's placeholders
    "gc",  # main runs one-shot commands without the collector
}
# Ours: the model, the linter and check; no registry client, no converter, no other command.
OURS = {
    *("recast_reana", "recast_reana.errors", "recast_reana.named_tuple", "recast_reana.type_names"),
    *("recast_reana.cli", "recast_reana.cli.check", "recast_reana.cli.image_facts"),
    *("recast_reana.cli.paths", "recast_reana.convert", "recast_reana.convert.check"),
    *("recast_reana.lint", "recast_reana.lint.contract", "recast_reana.lint.diagnostics"),
    *("recast_reana.lint.linter", "recast_reana.lint.registry", "recast_reana.model.patterns"),
    "recast_reana.lint.rules",
    *("recast_reana.model", "recast_reana.model.config", "recast_reana.model.credentials"),
    *("recast_reana.model.discovery", "recast_reana.model.graph_queries"),
    *("recast_reana.model.images", "recast_reana.model.json_schema"),
    *("recast_reana.model.positioned_yaml", "recast_reana.model.project"),
    *("recast_reana.model.reana_schema_table", "recast_reana.model.refs"),
    *("recast_reana.model.serial", "recast_reana.model.source_file"),
    *("recast_reana.model.stage_graph", "recast_reana.model.text_edits"),
    *("recast_reana.model.yadage_schema_table", "recast_reana.model.yadage_units"),
    *("recast_reana.registry", "recast_reana.registry.cache"),
}


def test_check_imports_only_these_modules() -> None:
    code, modules = modules_after("check", str(REANA_LAYOUT))
    assert code == 0
    yaml = subprocess.run(
        [sys.executable, "-c", "import json, sys, yaml; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    beyond_yaml = modules - set(json.loads(yaml.stdout))
    ours = {m for m in beyond_yaml if m.startswith("recast_reana")}
    assert {m for m in ours if not m.startswith("recast_reana.lint.rules.")} == OURS
    assert beyond_yaml - ours <= STDLIB_ALLOWED
    # Gone from the commit hook's imports (issue 12, third pass): the schemas are Python
    # modules (json), yadage-schemas is found without importlib.util, check keeps SIGTERM's
    # default (signal) and JSON values are numbers without the numbers module. Fourth pass:
    # annotations take typing's names from recast_reana.type_names, not from typing.
    assert not {"json", "importlib.util", "signal", "numbers", "typing", "contextlib"} & modules


PYYAML_PROBE = """
import re, sys
from recast_reana.cli import main
main(sys.argv[1:])
import yaml
print(re.compile.__module__, type(yaml.reader.Reader.NON_PRINTABLE).__name__,
      yaml.reader.Reader.NON_PRINTABLE._compiled is None)
try:  # PyYAML's own pure-Python loader: the reader's pattern compiles when first used
    yaml.load("a: b\\x07", Loader=yaml.SafeLoader)
except yaml.reader.ReaderError as error:
    print("unacceptable character #x%04x" % error.character)
print(yaml.load("t: 2001-12-14\\nf: 1.5\\nb: yes\\nn: ~", Loader=yaml.SafeLoader))
"""


def test_pyyaml_s_patterns_compile_when_used_and_its_reader_s_never_in_check() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PYYAML_PROBE, "check", str(REANA_LAYOUT)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.splitlines()[-3:] == [
        "re LazyPattern True",  # re.compile is re's again; the reader's pattern never compiled
        "unacceptable character #x0007",
        "{'t': datetime.date(2001, 12, 14), 'f': 1.5, 'b': True, 'n': None}",
    ]


def test_compiled_lazily_makes_lazy_patterns_only_inside_its_block() -> None:
    from recast_reana.model.patterns import CompiledLazily, LazyPattern

    with pytest.raises(RuntimeError), CompiledLazily():
        pattern = re.compile(r"[a-c]+", re.I)
        raise RuntimeError("the block ends in an error")
    assert isinstance(pattern, LazyPattern) and pattern.flags == re.I
    assert pattern.fullmatch("AbC") and not pattern.search("xyz")
    assert isinstance(re.compile("x"), re.Pattern)


def test_selected_rules_are_the_only_rule_modules_imported() -> None:
    code, modules = modules_after("check", "--select", "RR501,RR502", str(REANA_LAYOUT))
    assert code == 0
    rules = {m.rsplit(".", 1)[1] for m in modules if m.startswith("recast_reana.lint.rules.")}
    assert rules == {"plaintext_secret", "credential_file"}


def test_every_rule_module_is_in_the_table_under_its_id() -> None:
    files = {p.stem for p in RULES_DIR.glob("*.py") if p.stem != "__init__"}
    assert set(registry.MODULES.values()) == files
    for rule_id, name in registry.MODULES.items():
        rule = registry.RULES[rule_id]
        assert rule.__name__ == f"recast_reana.lint.rules.{name}"  # type: ignore[attr-defined]
        assert rule_id == rule.ID
    assert [r.ID for r in registry.ALL] == list(registry.IDS)
    assert [r.ID for r in registry.FIXABLE] == list(registry.FIXABLE_IDS)
    assert all(hasattr(r, "fix") for r in registry.FIXABLE)


def test_an_unknown_rule_id_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        registry.RULES["RR999"]
    assert "RR999" not in registry.RULES
    assert "RR001" in registry.RULES


@pytest.mark.parametrize("enabled", [True, False])
def test_main_gives_the_collector_back(enabled: bool, tmp_path: Path) -> None:
    before = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        assert main(["check", str(REANA_LAYOUT)]) == 0
        assert main(["rules"]) == 0
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if before else gc.disable)()


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("check", "convert", "sync-branch", "run", "rules"):
        assert command in out
    assert main(["check", "--help"]) == 0
    assert "--select" in capsys.readouterr().out


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chek"]) == 2
    assert "invalid choice: 'chek'" in capsys.readouterr().err


def test_repository_files_lists_what_git_lists(tmp_path: Path) -> None:
    from recast_reana.model.project import repository_files

    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "steps.yml").write_text("a: 1\n")
    (tmp_path / "reana.yaml").write_text("version: 0.9.0\n")
    (tmp_path / "big.root").write_text("data\n")
    (tmp_path / ".gitignore").write_text("*.root\n")
    # Not a git work tree: every file.
    assert repository_files(tmp_path) == [".gitignore", "big.root", "reana.yaml", "specs/steps.yml"]
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "reana.yaml"], cwd=tmp_path, check=True)
    # Tracked and untracked files, without the ignored ones and without .git/.
    assert repository_files(tmp_path) == [".gitignore", "reana.yaml", "specs/steps.yml"]
