"""The rule registry: every rule, listed here and nowhere else (pre-commit's `all_languages.py`).

A table of rule ID -> module, not a folder scan. A rule module is imported when a rule is first
looked up (`RULES["RR201"]`), so `check --select RR501,RR502` (the credentials hook) imports two
rule modules, not all of them; iterating the IDs (`RULES.keys()`, `IDS`, `in`) imports none.
mypy still checks that each module listed satisfies the `Rule` protocol (the `TYPE_CHECKING`
block below), at no cost at run time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from recast_reana.lint.contract import FixableRule, Rule
from recast_reana.type_names import TYPE_CHECKING, Final, cast

_PACKAGE = "recast_reana.lint.rules."

# Rule ID -> module in lint/rules/, in the order rules run and are listed.
MODULES: Final[dict[str, str]] = {
    "RR001": "yaml_syntax",
    "RR002": "duplicate_key",
    "RR003": "unquoted_placeholder",
    "RR004": "unsafe_yaml",
    "RR101": "yadage_schema",
    "RR102": "reana_yaml_schema",
    "RR103": "recast_yml_schema",
    "RR201": "ref_base",
    "RR202": "ref_unresolved",
    "RR203": "spec_not_uploaded",
    "RR204": "workflow_file",
    "RR301": "unknown_stage",
    "RR302": "unknown_output",
    "RR303": "undeclared_dependency",
    "RR304": "missing_parameter",
    "RR305": "unused_parameter",
    "RR306": "undefined_placeholder",
    "RR307": "unknown_output_file",
    "RR308": "dependency_cycle",
    "RR309": "serial_parameter",
    "RR401": "recast_auth_script",
    "RR402": "recast_resource",
    "RR403": "kerberos_secrets",
    "RR404": "image_uid",
    "RR405": "resource_value",
    "RR406": "environment_type",
    "RR407": "image_tag",
    "RR408": "local_input",
    "RR409": "local_path",
    "RR410": "dangerous_command",
    "RR411": "image_exists",
    "RR501": "plaintext_secret",
    "RR502": "credential_file",
}
IDS: Final[tuple[str, ...]] = tuple(MODULES)
# The rules whose fixes the converter applies, in this order.
FIXABLE_IDS: Final[tuple[str, ...]] = ("RR003", "RR201", "RR401", "RR402", "RR404")


class _Registry(Mapping[str, Rule]):
    """Rule ID -> rule module, importing a module on its first lookup."""

    def __getitem__(self, rule_id: str) -> Rule:
        name = MODULES[rule_id]  # KeyError for an unknown ID, as a dict
        # __import__, not importlib.import_module: the same import, and `python -X importtime`
        # (benchmarks/bench_speed.py) sees it.
        return cast(Rule, __import__(_PACKAGE + name, fromlist=["ID"]))

    def __iter__(self) -> Iterator[str]:
        return iter(MODULES)

    def __len__(self) -> int:
        return len(MODULES)

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in MODULES


RULES: Final[Mapping[str, Rule]] = _Registry()


def fixable() -> tuple[FixableRule, ...]:
    """The rules whose fixes the converter applies, in order (imports those modules)."""
    return tuple(cast(FixableRule, RULES[rule_id]) for rule_id in FIXABLE_IDS)


def __getattr__(name: str) -> tuple[Rule, ...]:
    """`ALL` (every rule module, imported) and `FIXABLE`, made when first asked for (PEP 562)."""
    if name == "ALL":
        return tuple(RULES.values())
    if name == "FIXABLE":
        return fixable()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:  # mypy checks every listed module against the protocols; nothing at run time
    from recast_reana.lint.rules import (
        credential_file,
        dangerous_command,
        dependency_cycle,
        duplicate_key,
        environment_type,
        image_exists,
        image_tag,
        image_uid,
        kerberos_secrets,
        local_input,
        local_path,
        missing_parameter,
        plaintext_secret,
        reana_yaml_schema,
        recast_auth_script,
        recast_resource,
        recast_yml_schema,
        ref_base,
        ref_unresolved,
        resource_value,
        serial_parameter,
        spec_not_uploaded,
        undeclared_dependency,
        undefined_placeholder,
        unknown_output,
        unknown_output_file,
        unknown_stage,
        unquoted_placeholder,
        unsafe_yaml,
        unused_parameter,
        workflow_file,
        yadage_schema,
        yaml_syntax,
    )

    ALL: tuple[Rule, ...]
    FIXABLE: tuple[FixableRule, ...]
    _CHECKED: tuple[Rule, ...] = (
        yaml_syntax,
        duplicate_key,
        unquoted_placeholder,
        unsafe_yaml,
        yadage_schema,
        reana_yaml_schema,
        recast_yml_schema,
        ref_base,
        ref_unresolved,
        spec_not_uploaded,
        workflow_file,
        unknown_stage,
        unknown_output,
        undeclared_dependency,
        missing_parameter,
        unused_parameter,
        undefined_placeholder,
        unknown_output_file,
        dependency_cycle,
        serial_parameter,
        recast_auth_script,
        recast_resource,
        kerberos_secrets,
        image_uid,
        resource_value,
        environment_type,
        image_tag,
        local_input,
        local_path,
        dangerous_command,
        image_exists,
        plaintext_secret,
        credential_file,
    )
    _CHECKED_FIXABLE: tuple[FixableRule, ...] = (
        unquoted_placeholder,
        ref_base,
        recast_auth_script,
        recast_resource,
        image_uid,
    )
