"""The rule registry: every rule, listed here and nowhere else (pre-commit's `all_languages.py`).

mypy checks that each module listed satisfies the `Rule` protocol.
"""

from __future__ import annotations

from typing import Final

from recast_reana.lint.contract import FixableRule, Rule
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

ALL: Final[tuple[Rule, ...]] = (
    yaml_syntax,  # RR001
    duplicate_key,  # RR002
    unquoted_placeholder,  # RR003
    unsafe_yaml,  # RR004
    yadage_schema,  # RR101
    reana_yaml_schema,  # RR102
    recast_yml_schema,  # RR103
    ref_base,  # RR201
    ref_unresolved,  # RR202
    spec_not_uploaded,  # RR203
    workflow_file,  # RR204
    unknown_stage,  # RR301
    unknown_output,  # RR302
    undeclared_dependency,  # RR303
    missing_parameter,  # RR304
    unused_parameter,  # RR305
    undefined_placeholder,  # RR306
    unknown_output_file,  # RR307
    dependency_cycle,  # RR308
    serial_parameter,  # RR309
    recast_auth_script,  # RR401
    recast_resource,  # RR402
    kerberos_secrets,  # RR403
    image_uid,  # RR404
    resource_value,  # RR405
    environment_type,  # RR406
    image_tag,  # RR407
    local_input,  # RR408
    local_path,  # RR409
    dangerous_command,  # RR410
    image_exists,  # RR411
    plaintext_secret,  # RR501
    credential_file,  # RR502
)
RULES: Final[dict[str, Rule]] = {rule.ID: rule for rule in ALL}
# The rules whose fixes the converter applies, in this order.
FIXABLE: Final[tuple[FixableRule, ...]] = (
    unquoted_placeholder,  # RR003
    ref_base,  # RR201
    recast_auth_script,  # RR401
    recast_resource,  # RR402
    image_uid,  # RR404
)
