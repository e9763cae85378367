"""Fuzzing the loader, the rules, the conversion and the output formats (hypothesis).

Whatever the spec files hold (random bytes, random text, YAML-like token soup, well-formed YAML of
the wrong shape, or the bundled analyses with lines deleted, duplicated, swapped, re-indented,
values of the wrong type, unquoted placeholders, anchors, aliases, merge keys, tabs), checking a
repository never raises, and `recast-reana check` exits 0, 1 or 2 with a JSON report that parses.
Any `.recast-reana.yaml` is either refused with a position or used without a crash.

Most examples run in memory (`make_project` + `check`, as the CLI does after reading the files);
fewer go through `main(["check", ...])` on real files. Every test is derandomized and uses no
example database, so CI runs the same examples each time (~30-60 s in all).
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import re
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import make_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recast_reana.cli import main
from recast_reana.convert.check import check
from recast_reana.errors import Error
from recast_reana.lint import diagnostics as fmt
from recast_reana.model import positioned_yaml
from recast_reana.model.config import parse_config

ROOT = Path(__file__).resolve().parent.parent
SPEC_FILES = ("reana.yaml", "specs/workflow.yml", "specs/steps.yml", "recast.yml")


def _read(base: Path, paths: tuple[str, ...]) -> dict[str, str]:
    return {p: (base / p).read_text(encoding="utf-8") for p in paths}


VHBB = _read(ROOT / "examples" / "vhbb", ("recast.yml", "specs/workflow.yml", "specs/steps.yml"))
REANA_LAYOUT = _read(
    ROOT / "tests" / "data" / "reana_layout",
    ("reana.yaml", "specs/workflow.yml", "specs/steps.yml"),
)
BASES: dict[str, dict[str, str]] = {
    "vhbb": VHBB,
    "reana_layout": REANA_LAYOUT,
    # main with a hand-written reana.yaml: both layouts at once.
    "both": {**REANA_LAYOUT, "recast.yml": VHBB["recast.yml"]},
}


def _settings(n: int) -> settings:
    return settings(
        max_examples=n,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --- the properties ---------------------------------------------------------------------------


def assert_checks(files: Mapping[str, str | bytes]) -> None:
    """Checking `files` in memory raises nothing and every output format accepts the result."""
    project = make_project(files)
    found = check(project)
    for d in found:
        assert d.line >= 1 and d.col >= 1, d
        assert re.fullmatch(r"RR\d{3}", d.rule) and d.severity is not None, d
        assert "\n" not in d.message and "\r" not in d.message, d  # one line per finding
    fmt.format_text(found, project.texts, show_source=True)
    assert isinstance(json.loads(fmt.format_json(found)), list)
    assert isinstance(json.loads(fmt.format_codequality(found, project.texts)), list)


def assert_cli(files: Mapping[str, str | bytes], *extra: str) -> None:
    """`recast-reana check --format json DIR` on `files` on disk: exit 0, 1 or 2, JSON parses."""
    with tempfile.TemporaryDirectory(prefix="recast-reana-fuzz-") as tmp:
        root = Path(tmp)
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["check", "--format", "json", *extra, str(root)])
    assert code in (0, 1, 2), err.getvalue()
    assert "internal error" not in err.getvalue()
    if code != 2:
        report = json.loads(out.getvalue())
        assert isinstance(report, list)
        assert all({"path", "line", "column", "rule", "severity"} <= set(d) for d in report)


# --- (a) random content as a spec file --------------------------------------------------------

# Pieces of YAML and of yadage/REANA specs, so that random sequences often parse.
TOKENS = [
    *("\n", "\n  ", "\n    ", "\n- ", "- ", ": ", ", ", " ", "\t", "#", "# c\n", "---\n", "...\n"),
    *("{", "}", "[", "]", "'", '"', "|", "|-\n  ", ">", "&a ", "*a", "&b ", "*b", "<<: ", "!!str "),
    *("? ", "!!binary ", "!!python/name:os.system ", "%YAML 1.1\n", "\\", "\u00e9", "\U0001f600"),
    *("!!bool ", "!!int ", "!!float ", "!!timestamp ", "!!set ", "!!omap ", "!!null ", "!!map "),
    *("stages", "name", "dependencies", "init", "scheduler", "scheduler_type", "parameters"),
    *("singlestep-stage", "multistep-stage", "step", "output", "stages", "unwrap", "true", "null"),
    *("$ref", "specs/steps.yml#/fitting", "steps.yml#/scaling", "#/x", "workflow", "cases"),
    *("process", "process_type", "script", "interpolated-script-cmd", "environment", "image"),
    *("imagetag", "resources", "kerberos", "GRIDProxy", "kubernetes_uid", "publisher"),
    *("publish", "interpolated-pub", "{workdir}", "{x}", "{", "}", "inputs", "files"),
    *("directories", "specs", "type", "yadage", "file", "outputs", "version", "metadata", "spec"),
    *("example_inputs", "initdata", "results", "relpath", "0", "-1", "1.5", "1e999", "0x10"),
]
token_soup = st.lists(st.sampled_from(TOKENS), max_size=120).map("".join)

KEYS = [t for t in TOKENS if re.fullmatch(r"[\w$-]+", t)] + ["x", ""]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([*KEYS, "{x}", "{a[0]}", "{a.b}", "{", "}", "{0}", "/recast_auth/getkrb.sh"]),
    st.text(max_size=30),
)


def nested(items: int, keys: int, leaves: int) -> st.SearchStrategy[Any]:
    """Well-formed YAML of every shape, with the keys the model looks for."""
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=items),
            st.dictionaries(st.sampled_from(KEYS), children, max_size=keys),
        ),
        max_leaves=leaves,
    )


documents = nested(items=4, keys=5, leaves=40)
small_documents = nested(items=3, keys=3, leaves=8)


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump(data: Any, flow: bool | None = False) -> str:
    return yaml.dump(
        data, Dumper=_DUMPER, default_flow_style=flow, sort_keys=False, allow_unicode=True
    )


contents = st.one_of(
    st.binary(max_size=600),
    st.text(max_size=600),
    token_soup,
    st.builds(dump, documents, st.sampled_from([False, True, None])),
)


@_settings(450)
@given(
    base=st.sampled_from(sorted(BASES)),
    target=st.sampled_from(SPEC_FILES),
    content=contents,
)
def test_random_content_as_a_spec_file(base: str, target: str, content: str | bytes) -> None:
    assert_checks({**BASES[base], target: content})


@_settings(150)
@given(files=st.dictionaries(st.sampled_from(SPEC_FILES), contents, min_size=1))
def test_random_content_in_several_files(files: dict[str, str | bytes]) -> None:
    assert_checks(files)


@_settings(30)
@given(
    base=st.sampled_from(sorted(BASES)),
    target=st.sampled_from((*SPEC_FILES, ".recast-reana.yaml")),
    content=contents,
)
def test_random_content_cli(base: str, target: str, content: str | bytes) -> None:
    assert_cli({**BASES[base], target: content})


# --- (b) structural mutations of the bundled analyses -----------------------------------------

LONG = "x" * 5000
REPLACEMENTS = [
    *("{}", "[]", "null", "~", "''", "0", "-1", "3.5", "1e400", ".nan", "true", "0o17", "0x1F"),
    *(f"'{LONG}'", "{x}", "{x}{y}", "'{'", "'}'", "'{0}'", "'{a[0]}'", "'{a.b}'", "'{{x}}'"),
    *("&a foo", "*a", "*b", "[*a, *a]", "&a {k: v}", "!!binary aGVsbG8=", "!!timestamp 2001-12-14"),
    *("!!python/object/apply:os.system [id]", "!!int x", "!!float x", "!!timestamp 2001-99-99"),
    *("!!bool x", "!!int ''", "!!float ''", "!!set {a: 1}", "!!omap [{a: 1}]", "!!pairs [[1]]"),
    *("{$ref: 'specs/steps.yml#/nope'}", "{$ref: '#/'}", "{$ref: 'specs/steps.yml#'}"),
    *("{$ref: 'specs/workflow.yml#/stages'}", "{$ref: '../outside.yml#/a'}", "{$ref: 3}"),
    *("{$ref: 'https://example.org/x.yml#/a'}", "{$ref: 'steps.yml#fitting'}", "{$ref: ''}"),
    *("{step: init, output: x}", "{step: nope, output: y}", "{stages: 'a[*]', output: b}"),
    *("{step: [], output: {}}", "[init, init]", "[init, fitting_step]", "{expressions: [init]}"),
    *("\t", "'\\t'", '"\\0"', "'\u00e9\U0001f600'", "- a", "? a", "| \n  text", "GRIDProxy"),
    *("{kerberos: yes}", "{kubernetes_uid: -5}", "[{kubernetes_uid: '500'}]", "[{}]"),
]
_VALUE = re.compile(r"^(?P<head>\s*(?:-\s+)?(?:[^\s:#'\"{\[][^:#]*:\s+|-\s+))(?P<value>\S.*)$")


def _mutate_lines(draw: Callable[..., Any], lines: list[str]) -> list[str]:
    """One line-level mutation of `lines` (a list of lines without their newlines)."""
    if not lines:
        return [draw(st.sampled_from(REPLACEMENTS))]
    i = draw(st.integers(0, len(lines) - 1))
    j = draw(st.integers(0, len(lines) - 1))
    kind = draw(
        st.sampled_from(
            (
                "delete", "duplicate", "swap", "replace", "replace", "replace", "anchor",
                "tab", "indent", "dedent", "move", "merge", "truncate", "placeholder",
            )
        )
    )  # fmt: skip
    out = list(lines)
    if kind == "delete":
        del out[i]
    elif kind == "duplicate":
        out.insert(i, out[i])
    elif kind == "swap":
        out[i], out[j] = out[j], out[i]
    elif kind == "move":
        out.insert(j, out.pop(i))
    elif kind in ("replace", "placeholder", "anchor"):
        # Value lines: `key: value` or `- value`; pick the i-th one, wrapping around.
        values = [k for k, line in enumerate(out) if _VALUE.match(line)] or [i]
        k = values[i % len(values)]
        m = _VALUE.match(out[k])
        head = m["head"] if m else out[k] + " "
        if kind == "replace":
            out[k] = head + draw(st.sampled_from(REPLACEMENTS))
        elif kind == "placeholder":  # unquote: `'{output_file}'` -> `{output_file}`
            out[k] = head + (m["value"].strip("'\"") if m else "{x}")
        else:  # an anchor here and an alias at another value line
            out[k] = head + "&a " + (m["value"] if m else "x")
            k2 = values[j % len(values)]
            m2 = _VALUE.match(out[k2])
            out[k2] = (m2["head"] if m2 else out[k2] + " ") + "*a"
    elif kind == "tab":
        out[i] = "\t" + out[i].lstrip(" ") if draw(st.booleans()) else out[i] + "\t"
    elif kind == "indent":
        out[i] = " " * draw(st.integers(1, 3)) + out[i]
    elif kind == "dedent":
        out[i] = out[i][draw(st.integers(1, 3)) :]
    elif kind == "merge":
        indent = re.match(r"\s*", out[i])
        out.insert(i + 1, (indent[0] if indent else "") + "<<: *a")
    else:  # truncate
        out = out[: i + 1]
        out[-1] = out[-1][: draw(st.integers(0, len(out[-1])))]
    return out


@st.composite
def line_mutations(draw: Callable[..., Any]) -> dict[str, str]:
    files = dict(BASES[draw(st.sampled_from(sorted(BASES)))])
    for _ in range(draw(st.integers(1, 4))):
        target = draw(st.sampled_from(sorted(files)))
        lines = _mutate_lines(draw, files[target].splitlines())
        files[target] = "\n".join(lines) + "\n"
    return files


LOADED = {
    name: {
        p: yaml.load(t, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) for p, t in b.items()
    }
    for name, b in BASES.items()
}


def _paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _paths(value, (*path, i))
    return out


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


@st.composite
def data_mutations(draw: Callable[..., Any]) -> dict[str, str]:
    """The bundled analyses loaded, changed as data (wrong types, deletions, renamed keys, a node
    shared by two places, which the dumper writes as an anchor and an alias, or put inside itself,
    a recursive alias) and written back as YAML."""
    base = draw(st.sampled_from(sorted(BASES)))
    files = dict(BASES[base])
    loaded = copy.deepcopy(LOADED[base])
    recursive: set[str] = set()
    for _ in range(draw(st.integers(1, 4))):
        target = draw(st.sampled_from(sorted(loaded)))
        if target in recursive:  # no more paths to walk in it
            continue
        data = loaded[target]
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        kind = draw(st.sampled_from(("value", "value", "delete", "share", "wrap", "rename")))
        if not path:  # the whole document
            loaded[target] = draw(small_documents)
            continue
        parent, last = _get(data, path[:-1]), path[-1]
        if kind == "value":
            parent[last] = draw(st.one_of(small_documents, st.sampled_from([{}, [], None, LONG])))
        elif kind == "delete":
            del parent[last]
        elif kind == "share":
            source = draw(st.sampled_from(paths))
            parent[last] = _get(data, source)
            if path[: len(source)] == source:  # an ancestor of the place it goes to
                recursive.add(target)
        elif kind == "wrap":
            parent[last] = draw(st.sampled_from(([parent[last]], {"x": parent[last]})))
        elif isinstance(parent, dict):  # rename a key
            parent[draw(st.sampled_from(KEYS))] = parent.pop(last)
    for target, data in loaded.items():
        files[target] = dump(data, draw(st.sampled_from([False, True, None])))
    return files


@_settings(550)
@given(files=line_mutations())
def test_line_mutations(files: dict[str, str]) -> None:
    assert_checks(files)


@_settings(550)
@given(files=data_mutations())
def test_data_mutations(files: dict[str, str]) -> None:
    assert_checks(files)


@_settings(40)
@given(files=st.one_of(line_mutations(), data_mutations()), strict=st.booleans())
def test_mutations_cli(files: dict[str, str], strict: bool) -> None:
    assert_cli(files, *(["--strict"] if strict else []))


# --- (c) configurations ------------------------------------------------------------------------

RULE_IDS = ["RR001", "RR101", "RR201", "RR304", "RR305", "RR403", "RR404", "RR405", "RR407"]
rule_ids = st.one_of(
    st.sampled_from([*RULE_IDS, "RR", "RR4", "RR9", "rr101", ""]), st.text(max_size=6)
)
configs = st.fixed_dictionaries(
    {},
    optional={
        "select": st.lists(rule_ids, max_size=3),
        "ignore": st.lists(rule_ids, max_size=3),
        "severity": st.dictionaries(
            rule_ids, st.sampled_from(["error", "warning", "info", "fatal", 1])
        ),
        "layout": st.sampled_from(["auto", "recast", "reana", "other", None]),
        "images": st.dictionaries(
            st.sampled_from(["*", "atlas/*", "gitlab-registry.cern.ch/recast-examples/*", "", "["]),
            st.one_of(st.integers(-1, 70000), small_documents),
        ),
        "exclude": st.lists(st.sampled_from(["*", "specs/*", "[", "", "**/x"]), max_size=2),
        "options": st.dictionaries(
            rule_ids,
            st.one_of(
                small_documents,
                st.fixed_dictionaries(
                    {},
                    optional={"moving_tags": small_documents, "extra_keys": small_documents},
                ),
            ),
        ),
        "convert": st.one_of(
            small_documents,
            st.fixed_dictionaries(
                {},
                optional={
                    "drop_stages": st.one_of(
                        small_documents,
                        st.lists(st.sampled_from(["skimming_step", "fitting_step", "nope"])),
                    ),
                    "cvmfs": small_documents,
                    "outputs": small_documents,
                },
            ),
        ),
        "unknown": small_documents,
    },
)


@_settings(250)
@given(base=st.sampled_from(sorted(BASES)), data=configs, flow=st.booleans())
def test_configurations(base: str, data: dict[str, Any], flow: bool) -> None:
    """Any configuration is either refused with a position (exit 2) or used without a crash."""
    try:
        config = parse_config(positioned_yaml.load(dump(data, flow)), ".recast-reana.yaml")
    except Error:
        return
    project = make_project(BASES[base], config)
    found = check(project)
    fmt.format_text(found, project.texts, show_source=True)


@_settings(25)
@given(base=st.sampled_from(sorted(BASES)), data=configs)
def test_configurations_cli(base: str, data: dict[str, Any]) -> None:
    assert_cli({**BASES[base], ".recast-reana.yaml": dump(data)})


# --- inputs found while fuzzing or known to be nasty, kept as plain tests ---------------------

NASTY: dict[str, str | bytes] = {
    "alias-bomb": "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{n}: &{n} [{', '.join(['*' + p] * 10)}]\n"
        for p, n in zip("abcdef", "bcdefg", strict=True)
    ),
    "recursive-alias": "a: &a [*a]\n",
    "recursive-mapping": "&a {x: *a}\n",
    "deep-flow": "[" * 20000,
    "deep-flow-closed": "[" * 3000 + "]" * 3000,
    "nul-byte": "stages: []\x00\n",
    "bom": "\ufeffstages: []\n",
    "bad-utf8": b"stages:\n- name: \xff\xfe\n",
    "only-comment": "# nothing\n",
    "empty": "",
    "two-documents": "a: 1\n---\nb: 2\n",
    "top-level-list": "- 1\n- 2\n",
    "top-level-scalar": "just text\n",
    "self-ref-stages": "stages: {$ref: 'specs/workflow.yml#/stages'}\n",
    "ref-to-own-root": "stages:\n- {$ref: 'specs/workflow.yml#'}\n",
    "merge-key": "base: &b {name: x}\nstages:\n- <<: *b\n  dependencies: [init]\n",
    "bad-merge": "stages:\n- <<: [1, 2]\n",
    "unhashable-key": "? [a, b]\n: c\n",
    "timestamp": "stages: 2001-99-99\n",
    # Explicit tags on values they cannot take: PyYAML raises AttributeError, KeyError, IndexError.
    "tag-timestamp": "stages: !!timestamp 2001-99-99\n",
    "tag-bool": "stages:\n- name: !!bool x\n",
    "tag-int-empty": "stages: !!int ''\n",
    "tag-float-empty": "? !!float ''\n: x\n",
    "huge-int": f"stages: {'9' * 5000}\n",
    "format-problems": "stages:\n- name: s\n  scheduler:\n    parameters: {a: '{'}\n    step:\n"
    "      process: {process_type: interpolated-script-cmd, script: 'echo {a} } {0} {}'}\n"
    "      publisher: {publisher_type: interpolated-pub, publish: {o: '{a!r:>{b}}'}}\n",
}


@pytest.mark.parametrize("target", SPEC_FILES)
@pytest.mark.parametrize("content", list(NASTY.values()), ids=list(NASTY))
def test_nasty_inputs(content: str | bytes, target: str) -> None:
    for base in BASES.values():
        assert_checks({**base, target: content})


# What fuzzing found, reduced by hand: (base, file, exact old text, new text).
FOUND = {
    # model/yadage_units.py (RR101): KeyError '$ref' on a step whose publisher holds an unquoted
    # placeholder (the loader skips such nodes; build() then read value["$ref"]).
    "unquoted-placeholder-in-publish": (
        "reana_layout",
        "specs/steps.yml",
        "output: '{output_file}'",
        "output: {output_file}",
    ),
    # positioned_yaml.py: AttributeError from PyYAML's construct_yaml_timestamp (also
    # `!!bool x`: KeyError, `!!int ''`: IndexError); now RR001.
    "explicit-tag-on-a-bad-value": (
        "vhbb",
        "specs/steps.yml",
        "imagetag: final",
        "imagetag: !!timestamp final",
    ),
}
# Values with newlines quoted into a message: the linter keeps every finding on one line.
MULTILINE_MESSAGES = {
    "RR406-environment-type": (
        "environment_type: docker-encapsulated",
        'environment_type: "docker\\nencapsulated"',
    ),
    "RR405-string-resource": ("     - kubernetes_uid: 500\n", '     - "GRID\\nProxy"\n'),
}


@pytest.mark.parametrize(("base", "target", "old", "new"), list(FOUND.values()), ids=list(FOUND))
def test_found_by_fuzzing(base: str, target: str, old: str, new: str) -> None:
    files = dict(BASES[base])
    assert old in files[target]
    files[target] = files[target].replace(old, new, 1)
    assert_checks(files)
    assert_cli(files)


@pytest.mark.parametrize(
    ("old", "new"), list(MULTILINE_MESSAGES.values()), ids=list(MULTILINE_MESSAGES)
)
def test_messages_are_one_line(old: str, new: str) -> None:
    files = dict(REANA_LAYOUT)
    assert old in files["specs/steps.yml"]
    files["specs/steps.yml"] = files["specs/steps.yml"].replace(old, new, 1)
    found = check(make_project(files))
    assert found
    assert [f"{d.rule}: {d.message}" for d in found if "\n" in d.message] == []


def test_nasty_inputs_cli() -> None:
    for name, content in NASTY.items():
        for target in ("specs/workflow.yml", "recast.yml"):
            try:
                assert_cli({**VHBB, target: content})
            except AssertionError as exc:
                raise AssertionError(f"{name} in {target}") from exc
