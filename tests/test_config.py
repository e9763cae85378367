""".recast-reana.yaml is validated whole: unknown keys anywhere and values of the wrong type are
exit 2 with `file:line:col: message` (a did-you-mean for a typo); each rule declares its options."""

from __future__ import annotations

import ast
import re
import types
from pathlib import Path

import pytest
from helpers import REANA_REPO, lint_files, replace_in

from recast_reana.cli import main
from recast_reana.errors import EXIT_USAGE, Error
from recast_reana.gitlab.git_objects import source_config
from recast_reana.lint.contract import Option, declared_options, default_options, options_schema
from recast_reana.lint.diagnostics import Severity
from recast_reana.lint.linter import rule_options
from recast_reana.lint.registry import RULES
from recast_reana.lint.rule_docs import documented_options, render
from recast_reana.model import positioned_yaml
from recast_reana.model.config import CONVERT_SCHEMA, Config, config_schema, parse_config
from recast_reana.model.json_schema import Validator

ROOT = Path(__file__).resolve().parents[1]
NAME = ".recast-reana.yaml"
TOP = (
    "known: select, ignore, severity, layout, images, exclude, options, convert, online, "
    "registries, validate"
)
CONVERT = "known: drop_stages, outputs, cvmfs, reana_file"


def parse(text: str) -> Config:
    return parse_config(positioned_yaml.load(text), NAME, rule_options())


def error(text: str) -> str:
    with pytest.raises(Error) as info:
        parse(text)
    assert info.value.exit_code == EXIT_USAGE
    return info.value.message


# --- unknown keys -----------------------------------------------------------------------------

TYPOS = [
    pytest.param(
        "layout: auto\nselct: [RR1]\n",
        f"2:1: unknown key 'selct' (did you mean 'select'?); {TOP}",
        id="top-level",
    ),
    pytest.param("colour: true\n", f"1:1: unknown key 'colour'; {TOP}", id="top-level-no-hint"),
    pytest.param(
        "layout: auto\noptions:\n  RR407: {moving_tag: [latest]}\n",
        "3:11: unknown option 'moving_tag' of RR407 image-tag (did you mean 'moving_tags'?); "
        "known: moving_tags",
        id="option-name",
    ),
    pytest.param(
        "options:\n  RR405:\n    extra_key: [kubernetes_cpu_request]\n",
        "3:5: unknown option 'extra_key' of RR405 resource-value (did you mean 'extra_keys'?); "
        "known: extra_keys",
        id="option-name-block",
    ),
    pytest.param(
        "options:\n  RR301: {strict: true}\n",
        "2:11: unknown option 'strict' of RR301 unknown-stage; RR301 unknown-stage has no options",
        id="option-of-rule-without-options",
    ),
    pytest.param(
        "options:\n  RR4077: {moving_tags: []}\n",
        "2:3: unknown rule 'RR4077' in options (did you mean 'RR407'?)",
        id="rule-id-in-options",
    ),
    pytest.param(
        "options:\n  rr407: {moving_tags: []}\n",
        "2:3: unknown rule 'rr407' in options (did you mean 'RR407'?)",
        id="rule-id-lower-case",
    ),
    pytest.param(
        "options:\n  image-tag: {moving_tags: []}\n",
        "2:3: unknown rule 'image-tag' in options (did you mean 'RR407', the ID of image-tag?)",
        id="rule-name-in-options",
    ),
    pytest.param(
        "options:\n  RR999: {}\n",
        "2:3: unknown rule 'RR999' in options (see `recast-reana rules`)",
        id="no-such-rule",
    ),
    pytest.param(
        "severity:\n  RR002: info\n  RR0002: info\n",
        "3:3: unknown rule 'RR0002' in severity (did you mean 'RR002'?)",
        id="rule-id-in-severity",
    ),
    pytest.param(
        "convert:\n  drop_stage: [skimming_step]\n",
        f"2:3: unknown key 'drop_stage' in convert (did you mean 'drop_stages'?); {CONVERT}",
        id="convert-key",
    ),
    pytest.param(
        "convert:\n  reana_files: reana.yml\n",
        f"2:3: unknown key 'reana_files' in convert (did you mean 'reana_file'?); {CONVERT}",
        id="convert-reana-file",
    ),
    pytest.param(
        "select: [RR1, RR9]\n",
        "1:15: select[1]: no rule matches 'RR9' (see `recast-reana rules`)",
        id="select-matches-nothing",
    ),
    pytest.param(
        "ignore: [RR305, RR6]\n",
        "1:17: ignore[1]: no rule matches 'RR6' (see `recast-reana rules`)",
        id="ignore-matches-nothing",
    ),
]


@pytest.mark.parametrize(("text", "expected"), TYPOS)
def test_unknown_key_is_refused_with_its_position(text: str, expected: str) -> None:
    assert error(text) == f"{NAME}:{expected}"


# --- values of the wrong type -----------------------------------------------------------------

WRONG_TYPES = [
    pytest.param(
        "options:\n  RR407: {moving_tags: latest}\n",
        "2:24: option 'moving_tags' of RR407 image-tag: 'latest' is not of type 'array'",
        id="option-not-a-list",
    ),
    pytest.param(
        "options:\n  RR405:\n    extra_keys: [kubernetes_cpu_request, 8]\n",
        "3:42: option 'extra_keys[1]' of RR405 resource-value: 8 is not of type 'string'",
        id="option-item",
    ),
    pytest.param(
        "options:\n  RR407: [latest]\n",
        "2:10: options.RR407: ['latest'] is not of type 'object'",
        id="options-not-a-mapping",
    ),
    pytest.param(
        "options:\n  RR407:\n", "2:9: options.RR407: None is not of type 'object'", id="empty"
    ),
    pytest.param(
        "convert:\n  reana_file: 5\n",
        "2:15: convert.reana_file: 5 is not of type 'string'",
        id="reana-file",
    ),
    pytest.param(
        "convert:\n  reana_file: specs/reana.yaml\n",
        "2:15: convert.reana_file: 'specs/reana.yaml' must name a reana file at the top of the "
        "repository, such as reana-recast.yaml",
        id="not-a-reana-file",
    ),
    pytest.param(
        "convert:\n  drop_stages: {skimming_step: true}\n",
        "2:16: convert.drop_stages: {'skimming_step': True} is not of type 'array', 'string'",
        id="drop-stages",
    ),
    pytest.param(
        "convert:\n  cvmfs: [atlas.cern.ch, 3]\n",
        "2:26: convert.cvmfs[1]: 3 is not of type 'string'",
        id="cvmfs-item",
    ),
    pytest.param(
        "convert: [drop_stages]\n",
        "1:10: convert: ['drop_stages'] is not of type 'object'",
        id="convert-not-a-mapping",
    ),
]


@pytest.mark.parametrize(("text", "expected"), WRONG_TYPES)
def test_wrong_type_is_refused_with_its_position(text: str, expected: str) -> None:
    assert error(text) == f"{NAME}:{expected}"


def test_the_first_problem_in_the_file_is_reported() -> None:
    text = "images:\n  atlas/*: -1\noptions:\n  RR407: {moving_tag: []}\nselct: 1\n"
    assert error(text).startswith(f"{NAME}:2:12: images.atlas/*: -1 is less than the minimum")


def test_a_bad_key_is_pointed_at_not_its_mapping() -> None:
    """Without the rules (model alone) keys are checked by pattern: the second key is marked."""
    doc = positioned_yaml.load("severity:\n  RR002: info\n  rr003: info\n")
    with pytest.raises(Error, match=r"^\.recast-reana\.yaml:3:3: severity: 'rr003' does not"):
        parse_config(doc, NAME)


# --- through the command line and the other readers -------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [TYPOS[0], TYPOS[2], TYPOS[5], TYPOS[10], WRONG_TYPES[0], WRONG_TYPES[4]],
)
def test_check_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    for rel, content in {**REANA_REPO, NAME: text}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(content, encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"recast-reana: error: {NAME}:{expected}\n")


def test_sync_branch_reads_the_committed_configuration_whole() -> None:
    with pytest.raises(Error, match="unknown key 'drop_stage' in convert"):
        source_config({NAME: b"convert:\n  drop_stage: [skimming_step]\n"})


def test_every_caller_passes_the_rules() -> None:
    """model/ cannot import the rules: a caller that forgot them would check `options` by shape."""
    calls = []
    for path in (ROOT / "src" / "recast_reana").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in ("load_config", "parse_config"):
                calls.append(path.name)
                passed = len(node.args) >= 3 or any(k.arg == "rules" for k in node.keywords)
                assert passed, f"{path}:{node.lineno}: {name} without rule_options()"
    assert len(calls) >= 4  # cli/check, cli/convert, gitlab/git_objects, reana/run


# --- valid configurations ---------------------------------------------------------------------

FULL = """\
select: [RR1, RR2, RR3, RR4, RR5]
ignore: [RR305]
severity: {RR407: error}
layout: auto
exclude: ["specs/old/*"]
images:
  gitlab-registry.cern.ch/recast-examples/event-selection: 500
options:
  RR407: {moving_tags: [latest, master]}
  RR405: {extra_keys: [kubernetes_cpu_request]}
  RR301: {}
convert:
  drop_stages: skimming_step
  cvmfs: [atlas.cern.ch]
  outputs: fitting_step/limit.json
  reana_file: reana-cern.yaml
"""


def test_a_full_configuration_is_accepted() -> None:
    config = parse(FULL)
    assert config.options["RR407"] == {"moving_tags": ["latest", "master"]}
    assert config.convert["reana_file"] == "reana-cern.yaml"
    assert config.severity == {"RR407": "error"}


def test_the_readme_example_is_accepted() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Configuration\n", 1)[1]
    example = re.search(r"```yaml\n(.*?)```", section, flags=re.DOTALL)
    assert example is not None
    config = parse(example.group(1))
    assert set(config.convert) == set(CONVERT_SCHEMA["properties"]), "README shows every key"
    documented = {(rule_id, name) for rule_id, opts in config.options.items() for name in opts}
    assert documented == {(r.ID, name) for r in RULES.values() for name in declared_options(r)}


def test_check_accepts_a_full_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for rel, content in {**REANA_REPO, NAME: FULL.replace("skimming_step", "[]")}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(content, encoding="utf-8")
    assert main(["check", str(tmp_path)]) in (0, 1)
    assert "error: " not in capsys.readouterr().err


# --- the rules' declarations ------------------------------------------------------------------


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_default_options_validate_against_the_rules_schema(rule_id: str) -> None:
    rule = RULES[rule_id]
    validator = Validator(options_schema(rule))
    assert validator.unsupported() == set()
    assert list(validator.iter_errors(default_options(rule))) == []


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_options_are_documented_in_the_docstring(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert documented_options(rule) == list(declared_options(rule))


def test_the_configuration_schema_uses_only_supported_keywords() -> None:
    assert Validator(config_schema(rule_options())).unsupported() == set()
    assert Validator(config_schema(None)).unsupported() == set()


def test_the_linter_merges_defaults_and_configured_options() -> None:
    files = replace_in(REANA_REPO, "specs/steps.yml", "imagetag: v1.2.0", "imagetag: master")
    assert [d.rule for d in lint_files(files, "RR407")] == ["RR407"]  # default moving_tags
    config = parse("options:\n  RR407: {moving_tags: [nightly]}\n")
    assert lint_files(files, "RR407", config) == []  # the configured list replaces the default
    config = parse("options:\n  RR407: {moving_tags: [V1.2.0]}\n")
    assert [d.rule for d in lint_files(REANA_REPO, "RR407", config)] == ["RR407", "RR407"]


def test_the_docs_show_each_options_type_and_default_in_its_section() -> None:
    rule = types.ModuleType(
        "fake_rule", "A rule.\n\n## Options\n- `names`: some names.\n\n## Fix\nX.\n"
    )
    rule.ID, rule.NAME, rule.SEVERITY = "RR999", "fake", Severity.INFO
    rule.OPTIONS = {"names": Option(default=["a"], schema={"type": ["string", "array"]})}
    text = render({"RR999": rule})  # type: ignore[dict-item]
    table = '| option | type | default |\n|---|---|---|\n| `names` | string or list | `["a"]` |'
    assert (
        f"- `names`: some names.\n\nUnder `options: {{RR999: ...}}`:\n\n{table}\n\n### Fix" in text
    )
