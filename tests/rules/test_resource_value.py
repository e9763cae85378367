from __future__ import annotations

import pytest
from helpers import REANA_REPO, RECAST_REPO, lint_files, positions, replace_in

from recast_reana.lint.diagnostics import Severity
from recast_reana.model.config import Config
from rules.test_serial_parameter import SERIAL

RULE = "RR405"
TAG = "    imagetag: v1.2.0\n"  # first occurrence: the select step (steps.yml line 9)
ITEM = "specs/steps.yml:11:9"  # the first block item after `    resources:` on line 10
VALUE = 11  # line of the first block item


def resources(text: str, base: dict[str, str] = REANA_REPO) -> dict[str, str]:
    return replace_in(base, "specs/steps.yml", TAG, TAG + text)


def block(*items: str, base: dict[str, str] = REANA_REPO) -> dict[str, str]:
    return resources("    resources:\n" + "".join(f"      - {i}\n" for i in items), base)


def value_col(item: str) -> int:
    """Column of the value in `      - key: value`."""
    return len("      - ") + item.index(":") + 3


PASS = [
    pytest.param(
        replace_in(
            SERIAL,
            "reana.yaml",
            "        commands:",
            "        kubernetes_uid: 500\n        kubernetes_memory_limit: 8Gi\n        commands:",
        ),
        id="serial-step-resources",
    ),
    pytest.param(REANA_REPO, id="reana-layout"),
    pytest.param(RECAST_REPO, id="recast-layout"),
    pytest.param(
        block(
            "kerberos: true",
            "voms_proxy: false",
            "rucio: true",
            "unpacked_img: false",
            "kubernetes_uid: 500",
            "kubernetes_job_timeout: 3600",
            "kubernetes_memory_limit: 8Gi",
            "compute_backend: htcondorcern",
            "htcondor_max_runtime: '3600'",
            "htcondor_accounting_group: group_u_ATLAS.u_zp",
            "slurm_partition: inf-short",
            "slurm_time: '60'",
            "c4p_cpu_cores: '4'",
            "c4p_memory_limit: '20000'",
            "c4p_additional_requirements: 'gpu'",
        ),
        id="every-key-well-typed",
    ),
    pytest.param(block("kubernetes_memory_limit: 1.5Gi"), id="fractional-memory"),
    pytest.param(
        resources("    resources: [{kerberos: true, kubernetes_uid: 500}]\n"),
        id="several-keys-in-one-mapping-on-reana",
    ),
    pytest.param(block("GRIDProxy", "KRB5Auth", "CVMFS"), id="packtivity-strings-are-RR402"),
    pytest.param(resources("    resources: []\n"), id="empty"),
    pytest.param(resources("    resources: {kerberos: true}\n"), id="not-a-list-is-RR101"),
]

FAIL = [
    pytest.param(
        replace_in(
            SERIAL,
            "reana.yaml",
            "        commands:",
            "        kubernetes_uid: 50\n        kubernetes_memory_limit: 8 GB\n        commands:",
        ),
        ["reana.yaml:13:25", "reana.yaml:14:34"],
        id="serial-step-resource-values",
    ),
    pytest.param(
        block("kubernetes_memory_limt: 8Gi"), [f"specs/steps.yml:{VALUE}:9"], id="unknown-key"
    ),
    pytest.param(
        block("kerberos: 'true'"),
        [f"specs/steps.yml:{VALUE}:{value_col('kerberos: x')}"],
        id="bool-as-string",
    ),
    pytest.param(
        block("kubernetes_uid: '500'"),
        [f"specs/steps.yml:{VALUE}:{value_col('kubernetes_uid: x')}"],
        id="uid-as-string",
    ),
    pytest.param(
        block("kubernetes_uid: 0"),
        [f"specs/steps.yml:{VALUE}:{value_col('kubernetes_uid: x')}"],
        id="uid-below-100",
    ),
    pytest.param(
        block("kubernetes_job_timeout: 0"),
        [f"specs/steps.yml:{VALUE}:{value_col('kubernetes_job_timeout: x')}"],
        id="timeout-zero",
    ),
    pytest.param(
        block("kubernetes_memory_limit: 8gb"),
        [f"specs/steps.yml:{VALUE}:{value_col('kubernetes_memory_limit: x')}"],
        id="memory-format",
    ),
    pytest.param(
        block("kubernetes_memory_limit: 8"),
        [f"specs/steps.yml:{VALUE}:{value_col('kubernetes_memory_limit: x')}"],
        id="memory-number",
    ),
    pytest.param(
        block("compute_backend: htcondor"),
        [f"specs/steps.yml:{VALUE}:{value_col('compute_backend: x')}"],
        id="compute-backend",
    ),
    pytest.param(
        block("htcondor_max_runtime: 3600"),
        [f"specs/steps.yml:{VALUE}:{value_col('htcondor_max_runtime: x')}"],
        id="runtime-unquoted",
    ),
    pytest.param(
        block("kubernetes_uid:"),
        [f"specs/steps.yml:{VALUE}:24"],
        id="no-value",
    ),
    pytest.param(
        block("kubernetes_uid: 500", "kubernetes_uid: 500"),
        [f"specs/steps.yml:{VALUE + 1}:9"],
        id="given-twice",
    ),
    pytest.param(block("gridproxy"), [ITEM], id="string-typo"),
    pytest.param(block("42"), [ITEM], id="number-item"),
    pytest.param(
        resources("    resources: [{kerberos: true, kubernetes_uid: 500}]\n", RECAST_REPO),
        ["specs/steps.yml:10:18"],
        id="kerberos-not-alone-on-recast-layout",
    ),
    pytest.param(block("kubernetes_cpu_request: '1'"), [ITEM], id="newer-reana-key"),
    pytest.param(
        resources("    resources: [{kerberos: yes, kubernetes_uid: 500.0}]\n"),
        ["specs/steps.yml:10:49"],
        id="flow-mapping-float-uid",
    ),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(files: dict[str, str]) -> None:
    assert lint_files(files, RULE) == []


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(files: dict[str, str], expected: list[str]) -> None:
    found = lint_files(files, RULE)
    assert positions(found) == expected
    assert all(d.rule == RULE and d.name == "resource-value" for d in found)


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            "kubernetes_memory_limt: 8Gi",
            "unknown resource 'kubernetes_memory_limt': REANA ignores it; "
            "did you mean 'kubernetes_memory_limit'?",
        ),
        ("kerberos: 'true'", "resource 'kerberos' must be true or false, not 'true'"),
        (
            "kubernetes_uid: '500'",
            "resource 'kubernetes_uid' must be an integer, not '500' (REANA refuses the job)",
        ),
        (
            "kubernetes_uid: 0",
            "kubernetes_uid 0 is below 100: REANA ignores it and runs the job as UID 1000",
        ),
        (
            "kubernetes_job_timeout: -5",
            "kubernetes_job_timeout must be greater than 0 seconds, not -5",
        ),
        (
            "kubernetes_memory_limit: 8gb",
            "kubernetes_memory_limit '8gb' is not a Kubernetes memory size; write e.g. '8Gi', "
            "'500Mi' or '2G' (units E, P, T, G, M, K, optionally with i)",
        ),
        (
            "kubernetes_memory_limit: 8",
            "kubernetes_memory_limit must be a string such as '8Gi', not 8",
        ),
        (
            "compute_backend: htcondor",
            "compute_backend 'htcondor' is not one of kubernetes, htcondorcern, slurmcern, "
            "compute4punch; did you mean 'htcondorcern'?",
        ),
        (
            "htcondor_max_runtime: 3600",
            "resource 'htcondor_max_runtime' must be a string, not 3600: quote it ('3600')",
        ),
        ("slurm_time: [1]", "resource 'slurm_time' must be a string, not a list"),
        ("kubernetes_uid:", "resource 'kubernetes_uid' has no value; REANA ignores it"),
        (
            "gridproxy",
            "resource 'gridproxy' is not known to packtivity or REANA, both ignore it; "
            "did you mean 'GRIDProxy'?",
        ),
        (
            "42",
            "resource item 42 is not a mapping; REANA ignores it (write e.g. "
            "`- kubernetes_uid: 500`)",
        ),
    ],
)
def test_messages(item: str, message: str) -> None:
    (d,) = lint_files(block(item), RULE)
    assert d.message == message
    assert d.severity is Severity.ERROR


def test_duplicate_message_names_the_first_line() -> None:
    (d,) = lint_files(block("kubernetes_uid: 500", "kubernetes_uid: 1000"), RULE)
    assert d.message == (
        "resource 'kubernetes_uid' is given again (first on line 11); REANA uses the last value: "
        "keep one"
    )


def test_newer_key_is_a_warning() -> None:
    (d,) = lint_files(block("kubernetes_cpu_request: '1'"), RULE)
    assert d.severity is Severity.WARNING
    assert "read only by REANA 0.95 and later" in d.message


def test_extra_keys_option_accepts_a_key() -> None:
    config = Config(options={RULE: {"extra_keys": ["kubernetes_cpu_request"]}})
    assert lint_files(block("kubernetes_cpu_request: '1'"), RULE, config) == []


def test_kerberos_sharing_a_mapping_warns_on_recast_layout_only() -> None:
    files = resources("    resources: [{kerberos: true, kubernetes_uid: 500}]\n", RECAST_REPO)
    (d,) = lint_files(files, RULE)
    assert d.severity is Severity.WARNING
    assert "exactly `- kerberos: true`" in d.message


def test_not_converted_to_info_on_recast_layout() -> None:
    (d,) = lint_files(block("kubernetes_uid: '500'", base=RECAST_REPO), RULE)
    assert d.severity is Severity.ERROR


def test_odd_keys_are_unknown_not_a_crash() -> None:
    files = resources("    resources:\n      - {1: 2, null: x, 1.5: []}\n")
    assert [d.message for d in lint_files(files, RULE)] == [
        "unknown resource '1': REANA ignores it",
        "unknown resource 'None': REANA ignores it",
        "unknown resource '1.5': REANA ignores it",
    ]


@pytest.mark.parametrize("memory", ["500Mi", "2G", "1.5Gi", "1000000", "1E", "3Ki"])
def test_memory_formats_reana_accepts(memory: str) -> None:
    assert lint_files(block(f"kubernetes_memory_limit: '{memory}'"), RULE) == []


@pytest.mark.parametrize("memory", ["8gb", "8 Gi", "Gi", "8GiB", "-1Gi", "8g", ""])
def test_memory_formats_reana_refuses(memory: str) -> None:
    (d,) = lint_files(block(f"kubernetes_memory_limit: '{memory}'"), RULE)
    assert "is not a Kubernetes memory size" in d.message
