"""model/schemas/reana.json as a Python literal: generated, do not edit.

Regenerate with `.venv/bin/python tests/test_schema_tables.py --update` after changing
reana.json (the test fails when they differ): `check` reads this module, without
importing json.
"""

# fmt: off
# ruff: noqa: E501
from __future__ import annotations

from recast_reana.type_names import Any

SCHEMA: dict[str, Any] = {'$schema': 'http://json-schema.org/draft-07/schema#',
 'title': 'reana.yaml as recast-reana checks it',
 'description': "recast-reana's own schema for REANA 0.9.x reana.yaml files. It accepts no "
                'document that the schema of reana-commons 0.9.11 '
                '(reana_commons/validation/schemas/reana_analysis_schema.json) rejects, and adds '
                'the checks reana-client and reana-server 0.9.4 make in code (operational options, '
                'input and retention paths). Every difference is listed in the docstring of '
                'recast_reana/rules/reana_yaml_schema.py and asserted by '
                "tests/test_reana_schema_contract.py. 'errorMessage' (as in ajv-errors) holds the "
                'one-line message recast-reana shows, per keyword; {where}, {value} and {actual} '
                'are filled in.',
 'type': 'object',
 'errorMessage': {'type': '{where} must be a mapping with a `workflow` section, not {actual}',
                  'required': '{where} has no `workflow` section; REANA needs at least `workflow: '
                              'type:` and `file:`'},
 'required': ['workflow'],
 'additionalProperties': False,
 'properties': {'version': {'type': 'string'},
                'inputs': {'type': 'object',
                           'additionalProperties': False,
                           'properties': {'files': {'$ref': '#/definitions/relativePaths'},
                                          'directories': {'$ref': '#/definitions/relativePaths'},
                                          'parameters': {'type': 'object'},
                                          'options': {'type': 'object'}}},
                'workflow': {'type': 'object',
                             'errorMessage': {'required': '{where} has no `type`; add `type: '
                                                          'yadage`',
                                              'anyOf': '{where} needs `file` (the workflow spec, '
                                                       'e.g. specs/workflow.yml) or an inline '
                                                       '`specification`'},
                             'additionalProperties': False,
                             'required': ['type'],
                             'anyOf': [{'required': ['file']}, {'required': ['specification']}],
                             'properties': {'type': {'enum': ['cwl',
                                                              'serial',
                                                              'snakemake',
                                                              'yadage']},
                                            'file': {'$ref': '#/definitions/relativePath'},
                                            'files': {'$ref': '#/definitions/relativePaths'},
                                            'directories': {'$ref': '#/definitions/relativePaths'},
                                            'parameters': {'type': 'object',
                                                           'additionalProperties': False,
                                                           'required': ['file'],
                                                           'properties': {'file': {'$ref': '#/definitions/relativePath'}}},
                                            'specification': {'type': 'object'},
                                            'resources': {'type': 'object',
                                                          'additionalProperties': False,
                                                          'properties': {'cvmfs': {'type': 'array',
                                                                                   'uniqueItems': True,
                                                                                   'items': {'type': 'string',
                                                                                             'minLength': 1,
                                                                                             'maxLength': 60,
                                                                                             'pattern': '^[a-zA-Z0-9][a-zA-Z0-9.\\-_]*$',
                                                                                             'errorMessage': {'pattern': '{where}: '
                                                                                                                         '{value} '
                                                                                                                         'is '
                                                                                                                         'not '
                                                                                                                         'a '
                                                                                                                         'CVMFS '
                                                                                                                         'repository '
                                                                                                                         'name '
                                                                                                                         '(like '
                                                                                                                         'atlas.cern.ch)'}}},
                                                                         'kerberos': {'type': 'boolean'},
                                                                         'rucio': {'type': 'boolean'},
                                                                         'voms_proxy': {'type': 'boolean'},
                                                                         'dask': {'type': 'object',
                                                                                  'required': ['image'],
                                                                                  'properties': {'image': {'type': 'string',
                                                                                                           'pattern': '^(?:[a-zA-Z0-9.-]+(?:\\.[a-zA-Z0-9.-]+)+(?::[0-9]+)?/)?[a-zA-Z0-9._-]+(?:/[a-zA-Z0-9._-]+)*(?::[a-zA-Z0-9._-]+)?(?:@sha256:[a-f0-9]{64})?$',
                                                                                                           'errorMessage': {'pattern': '{where}: '
                                                                                                                                       '{value} '
                                                                                                                                       'is '
                                                                                                                                       'not '
                                                                                                                                       'an '
                                                                                                                                       'image '
                                                                                                                                       'name '
                                                                                                                                       '(like '
                                                                                                                                       'ghcr.io/dask/dask:2024.1.0)'}},
                                                                                                 'number_of_workers': {'type': 'integer'},
                                                                                                 'single_worker_memory': {'type': 'string',
                                                                                                                          'pattern': '^[1-9][0-9]*(Ei|Pi|Ti|Gi|Mi|Ki|E|P|T|G|M|K)$',
                                                                                                                          'errorMessage': {'pattern': '{where}: '
                                                                                                                                                      '{value} '
                                                                                                                                                      'is '
                                                                                                                                                      'not '
                                                                                                                                                      'a '
                                                                                                                                                      'memory '
                                                                                                                                                      'size '
                                                                                                                                                      '(like '
                                                                                                                                                      '2Gi)'}},
                                                                                                 'single_worker_threads': {'type': 'integer'}}}}}}},
                'outputs': {'type': 'object',
                            'additionalProperties': False,
                            'properties': {'files': {'$ref': '#/definitions/relativePaths'},
                                           'directories': {'$ref': '#/definitions/relativePaths'}}},
                'tests': {'type': 'object',
                          'additionalProperties': False,
                          'properties': {'files': {'$ref': '#/definitions/relativePaths'}}},
                'workspace': {'type': 'object',
                              'additionalProperties': False,
                              'properties': {'root_path': {'type': 'string',
                                                           'pattern': '^/',
                                                           'errorMessage': {'pattern': '{where} '
                                                                                       'must be an '
                                                                                       'absolute '
                                                                                       'path on '
                                                                                       'the REANA '
                                                                                       'cluster '
                                                                                       '(e.g. '
                                                                                       '/var/reana), '
                                                                                       'not '
                                                                                       '{value}'}},
                                             'retention_days': {'type': 'object',
                                                                'minProperties': 1,
                                                                'errorMessage': {'minProperties': '{where} '
                                                                                                  'is '
                                                                                                  'empty; '
                                                                                                  'give '
                                                                                                  '`glob: '
                                                                                                  'days` '
                                                                                                  'rules '
                                                                                                  'or '
                                                                                                  'remove '
                                                                                                  'it'},
                                                                'propertyNames': {'$ref': '#/definitions/retentionRule'},
                                                                'additionalProperties': {'type': 'integer',
                                                                                         'minimum': 0}}}}},
 'allOf': [{'if': {'$ref': '#/definitions/typeIs/serial'},
            'then': {'properties': {'workflow': {'properties': {'specification': {'$ref': '#/definitions/serialSpecification'}}},
                                    'inputs': {'properties': {'options': {'$ref': '#/definitions/options/serial'}}}}}},
           {'if': {'$ref': '#/definitions/typeIs/yadage'},
            'then': {'properties': {'inputs': {'properties': {'options': {'$ref': '#/definitions/options/yadage'}}}}}},
           {'if': {'$ref': '#/definitions/typeIs/cwl'},
            'then': {'properties': {'inputs': {'properties': {'options': {'$ref': '#/definitions/options/cwl'}}}}}},
           {'if': {'$ref': '#/definitions/typeIs/snakemake'},
            'then': {'properties': {'inputs': {'properties': {'options': {'$ref': '#/definitions/options/snakemake'}}}}}},
           {'description': 'reana-commons 0.95 specification_paths.py workflow_parameter_file: '
                           '`workflow.parameters.file` is refused for other types than cwl and '
                           'snakemake.',
            'if': {'anyOf': [{'$ref': '#/definitions/typeIs/yadage'},
                             {'$ref': '#/definitions/typeIs/serial'}]},
            'then': {'properties': {'workflow': {'properties': {'parameters': {'not': {},
                                                                               'errorMessage': {'not': '{where} '
                                                                                                       'is '
                                                                                                       'read '
                                                                                                       'only '
                                                                                                       'for '
                                                                                                       'cwl '
                                                                                                       'and '
                                                                                                       'snakemake '
                                                                                                       'workflows; '
                                                                                                       'REANA '
                                                                                                       '0.95 '
                                                                                                       'refuses '
                                                                                                       'it '
                                                                                                       'for '
                                                                                                       'others '
                                                                                                       '(give '
                                                                                                       'yadage '
                                                                                                       'and '
                                                                                                       'serial '
                                                                                                       'parameters '
                                                                                                       'in '
                                                                                                       'inputs.parameters)'}}}}}}},
           {'description': "REANA 0.95's additions (reana-commons 0.95.0a26 "
                           'reana_analysis_schema.json) only where the file says `version: 0.95` '
                           "or later; each branch lists the 0.9.11 schema's keys; the rule reports "
                           'the 0.95 keys it finds beyond them (its SINCE_095).',
            'if': {'not': {'$ref': '#/definitions/version095'}},
            'then': {'properties': {'workflow': {'additionalProperties': False,
                                                 'errorMessage': {'additionalProperties': '{where}.{key} '
                                                                                          'needs '
                                                                                          '`version: '
                                                                                          '0.95.0` '
                                                                                          'or '
                                                                                          'later: '
                                                                                          'only '
                                                                                          'REANA '
                                                                                          '0.95 '
                                                                                          'reads '
                                                                                          'it (0.9 '
                                                                                          'ignores '
                                                                                          'it); '
                                                                                          'raise '
                                                                                          'the '
                                                                                          "file's "
                                                                                          '`version` '
                                                                                          'or '
                                                                                          'remove '
                                                                                          'the '
                                                                                          'key'},
                                                 'properties': {'type': True,
                                                                'file': True,
                                                                'specification': True,
                                                                'resources': {'additionalProperties': False,
                                                                              'errorMessage': {'additionalProperties': '{where}.{key} '
                                                                                                                       'needs '
                                                                                                                       '`version: '
                                                                                                                       '0.95.0` '
                                                                                                                       'or '
                                                                                                                       'later: '
                                                                                                                       'only '
                                                                                                                       'REANA '
                                                                                                                       '0.95 '
                                                                                                                       'reads '
                                                                                                                       'it '
                                                                                                                       '(0.9 '
                                                                                                                       'ignores '
                                                                                                                       'it); '
                                                                                                                       'raise '
                                                                                                                       'the '
                                                                                                                       "file's "
                                                                                                                       '`version` '
                                                                                                                       'or '
                                                                                                                       'remove '
                                                                                                                       'the '
                                                                                                                       'key'},
                                                                              'properties': {'cvmfs': True,
                                                                                             'kerberos': True}}}}}}},
           {'if': {'allOf': [{'not': {'$ref': '#/definitions/version095'}},
                             {'$ref': '#/definitions/typeIs/serial'}]},
            'then': {'properties': {'workflow': {'properties': {'specification': {'properties': {'steps': {'items': {'additionalProperties': False,
                                                                                                                     'errorMessage': {'additionalProperties': '{where}.{key} '
                                                                                                                                                              'needs '
                                                                                                                                                              '`version: '
                                                                                                                                                              '0.95.0` '
                                                                                                                                                              'or '
                                                                                                                                                              'later: '
                                                                                                                                                              'only '
                                                                                                                                                              'REANA '
                                                                                                                                                              '0.95 '
                                                                                                                                                              'reads '
                                                                                                                                                              'it '
                                                                                                                                                              '(0.9 '
                                                                                                                                                              'ignores '
                                                                                                                                                              'it); '
                                                                                                                                                              'raise '
                                                                                                                                                              'the '
                                                                                                                                                              "file's "
                                                                                                                                                              '`version` '
                                                                                                                                                              'or '
                                                                                                                                                              'remove '
                                                                                                                                                              'the '
                                                                                                                                                              'key'},
                                                                                                                     'properties': {'name': True,
                                                                                                                                    'environment': True,
                                                                                                                                    'commands': True,
                                                                                                                                    'compute_backend': True,
                                                                                                                                    'kerberos': True,
                                                                                                                                    'voms_proxy': True,
                                                                                                                                    'rucio': True,
                                                                                                                                    'unpacked_img': True,
                                                                                                                                    'kubernetes_job_timeout': True,
                                                                                                                                    'kubernetes_uid': True,
                                                                                                                                    'kubernetes_cpu_request': True,
                                                                                                                                    'kubernetes_cpu_limit': True,
                                                                                                                                    'kubernetes_memory_request': True,
                                                                                                                                    'kubernetes_memory_limit': True,
                                                                                                                                    'htcondor_accounting_group': True,
                                                                                                                                    'htcondor_max_runtime': True,
                                                                                                                                    'c4p_cpu_cores': True,
                                                                                                                                    'c4p_memory_limit': True,
                                                                                                                                    'c4p_additional_requirements': True,
                                                                                                                                    'slurm_partition': True,
                                                                                                                                    'slurm_time': True}}}}}}}}}}],
 'definitions': {'version095': {'description': '`version` says REANA 0.95 or later (0.95, 0.95.0, '
                                               '0.96.1, 1.0, ...).',
                                'required': ['version'],
                                'properties': {'version': {'type': 'string',
                                                           'pattern': '^(?:[1-9][0-9]*|0\\.(?:9[5-9]|[1-9][0-9]{2,}))(?:\\.|$)'}}},
                 'relativePath': {'description': 'A path inside the REANA workspace, as '
                                                 'reana-server 0.9.4 reana_server/validation.py '
                                                 '(validate_inputs) accepts it.',
                                  'type': 'string',
                                  'allOf': [{'not': {'type': 'string', 'pattern': '^/'},
                                             'errorMessage': {'not': '{where} {value} is absolute; '
                                                                     'write it relative to the '
                                                                     'directory of reana.yaml'}},
                                            {'not': {'type': 'string',
                                                     'pattern': '(^|/)\\.\\.(/|$)'},
                                             'errorMessage': {'not': '{where} {value} leaves the '
                                                                     "workspace with '..'; REANA "
                                                                     'refuses it'}},
                                            {'not': {'type': 'string', 'pattern': '^(\\.?/)*\\.?$'},
                                             'errorMessage': {'not': '{where} is an empty path; '
                                                                     'name a file or directory'}}]},
                 'relativePaths': {'type': 'array',
                                   'items': {'$ref': '#/definitions/relativePath'}},
                 'retentionRule': {'description': 'A retention rule glob, as reana-server 0.9.4 '
                                                  'reana_server/validation.py '
                                                  '(validate_retention_rule) accepts it.',
                                   'allOf': [{'not': {'type': 'string', 'pattern': '^/'},
                                              'errorMessage': {'not': 'retention rule {value} in '
                                                                      '{where} is absolute; write '
                                                                      'a glob relative to the '
                                                                      'workspace'}},
                                             {'not': {'type': 'string',
                                                      'pattern': '(^|/)\\.\\.(/|$)'},
                                              'errorMessage': {'not': 'retention rule {value} in '
                                                                      '{where} leaves the '
                                                                      "workspace with '..'"}},
                                             {'not': {'type': 'string',
                                                      'pattern': '^(\\.?/)*\\.?$'},
                                              'errorMessage': {'not': 'retention rule {value} in '
                                                                      '{where} is an empty '
                                                                      'path'}}]},
                 'typeIs': {'serial': {'required': ['workflow'],
                                       'properties': {'workflow': {'required': ['type'],
                                                                   'properties': {'type': {'const': 'serial'}}}}},
                            'yadage': {'required': ['workflow'],
                                       'properties': {'workflow': {'required': ['type'],
                                                                   'properties': {'type': {'const': 'yadage'}}}}},
                            'cwl': {'required': ['workflow'],
                                    'properties': {'workflow': {'required': ['type'],
                                                                'properties': {'type': {'const': 'cwl'}}}}},
                            'snakemake': {'required': ['workflow'],
                                          'properties': {'workflow': {'required': ['type'],
                                                                      'properties': {'type': {'const': 'snakemake'}}}}}},
                 'options': {'description': 'Operational options per engine: reana-commons 0.9.11 '
                                            'reana_commons/validation/operational_options.py '
                                            '(available_options); reana-client and reana-server '
                                            'refuse any other.',
                             'serial': {'propertyNames': {'enum': ['CACHE', 'FROM', 'TARGET'],
                                                          'errorMessage': {'enum': 'operational '
                                                                                   'option {value} '
                                                                                   'in {where} is '
                                                                                   'not supported '
                                                                                   'for serial '
                                                                                   'workflows; '
                                                                                   'REANA accepts '
                                                                                   'CACHE, FROM, '
                                                                                   'TARGET'}}},
                             'yadage': {'propertyNames': {'enum': ['toplevel',
                                                                   'initdir',
                                                                   'initfiles',
                                                                   'accept_metadir'],
                                                          'errorMessage': {'enum': 'operational '
                                                                                   'option {value} '
                                                                                   'in {where} is '
                                                                                   'not supported '
                                                                                   'for yadage '
                                                                                   'workflows; '
                                                                                   'REANA accepts '
                                                                                   'toplevel, '
                                                                                   'initdir, '
                                                                                   'initfiles, '
                                                                                   'accept_metadir'}}},
                             'cwl': {'propertyNames': {'enum': ['TARGET'],
                                                       'errorMessage': {'enum': 'operational '
                                                                                'option {value} in '
                                                                                '{where} is not '
                                                                                'supported for cwl '
                                                                                'workflows; REANA '
                                                                                'accepts TARGET'}}},
                             'snakemake': {'propertyNames': {'enum': ['report'],
                                                             'errorMessage': {'enum': 'operational '
                                                                                      'option '
                                                                                      '{value} in '
                                                                                      '{where} is '
                                                                                      'not '
                                                                                      'supported '
                                                                                      'for '
                                                                                      'snakemake '
                                                                                      'workflows; '
                                                                                      'REANA '
                                                                                      'accepts '
                                                                                      'report'}}}},
                 'serialSpecification': {'description': 'Serial workflows: the `then` branch of '
                                                        'the reana-commons 0.9.11 schema, plus '
                                                        'step keys reana-workflow-engine-serial '
                                                        'reads (tasks.py run_step) that it lacks: '
                                                        'kubernetes_uid, slurm_partition, '
                                                        'slurm_time.',
                                         'type': 'object',
                                         'additionalProperties': False,
                                         'properties': {'steps': {'type': 'array',
                                                                  'items': {'type': 'object',
                                                                            'additionalProperties': False,
                                                                            'required': ['commands',
                                                                                         'environment'],
                                                                            'properties': {'name': {'type': 'string'},
                                                                                           'environment': {'type': 'string'},
                                                                                           'commands': {'type': 'array',
                                                                                                        'minItems': 1,
                                                                                                        'items': {'type': 'string'}},
                                                                                           'compute_backend': {'enum': ['kubernetes',
                                                                                                                        'htcondorcern',
                                                                                                                        'slurmcern',
                                                                                                                        'compute4punch']},
                                                                                           'kerberos': {'type': 'boolean'},
                                                                                           'voms_proxy': {'type': 'boolean'},
                                                                                           'rucio': {'type': 'boolean'},
                                                                                           'unpacked_img': {'type': 'boolean'},
                                                                                           'kubernetes_job_timeout': {'type': 'integer'},
                                                                                           'kubernetes_uid': {'type': 'integer'},
                                                                                           'kubernetes_cpu_request': {'type': 'string'},
                                                                                           'kubernetes_cpu_limit': {'type': 'string'},
                                                                                           'kubernetes_memory_request': {'type': 'string'},
                                                                                           'kubernetes_memory_limit': {'type': 'string'},
                                                                                           'htcondor_accounting_group': {'type': 'string'},
                                                                                           'htcondor_max_runtime': {'type': 'string'},
                                                                                           'c4p_cpu_cores': {'type': 'string'},
                                                                                           'c4p_memory_limit': {'type': 'string'},
                                                                                           'c4p_additional_requirements': {'type': 'string'},
                                                                                           'slurm_partition': {'type': 'string'},
                                                                                           'slurm_time': {'type': 'string'},
                                                                                           'htcondor_request_cpus': {'type': 'string'},
                                                                                           'htcondor_request_disk': {'type': 'string'},
                                                                                           'htcondor_request_memory': {'type': 'string'},
                                                                                           'htcondor_requirements': {'type': 'string'}}}}}}}}
# (where a `$ref` is, where it points) as paths in SCHEMA.
REFS: list[Any] = [(('allOf', 6, 'if', 'allOf', 1), ('definitions', 'typeIs', 'serial')),
 (('allOf', 6, 'if', 'allOf', 0, 'not'), ('definitions', 'version095')),
 (('allOf', 5, 'if', 'not'), ('definitions', 'version095')),
 (('allOf', 4, 'if', 'anyOf', 1), ('definitions', 'typeIs', 'serial')),
 (('allOf', 4, 'if', 'anyOf', 0), ('definitions', 'typeIs', 'yadage')),
 (('allOf', 3, 'then', 'properties', 'inputs', 'properties', 'options'),
  ('definitions', 'options', 'snakemake')),
 (('allOf', 3, 'if'), ('definitions', 'typeIs', 'snakemake')),
 (('allOf', 2, 'then', 'properties', 'inputs', 'properties', 'options'),
  ('definitions', 'options', 'cwl')),
 (('allOf', 2, 'if'), ('definitions', 'typeIs', 'cwl')),
 (('allOf', 1, 'then', 'properties', 'inputs', 'properties', 'options'),
  ('definitions', 'options', 'yadage')),
 (('allOf', 1, 'if'), ('definitions', 'typeIs', 'yadage')),
 (('allOf', 0, 'then', 'properties', 'inputs', 'properties', 'options'),
  ('definitions', 'options', 'serial')),
 (('allOf', 0, 'then', 'properties', 'workflow', 'properties', 'specification'),
  ('definitions', 'serialSpecification')),
 (('allOf', 0, 'if'), ('definitions', 'typeIs', 'serial')),
 (('properties', 'workspace', 'properties', 'retention_days', 'propertyNames'),
  ('definitions', 'retentionRule')),
 (('properties', 'tests', 'properties', 'files'), ('definitions', 'relativePaths')),
 (('definitions', 'relativePaths', 'items'), ('definitions', 'relativePath')),
 (('properties', 'outputs', 'properties', 'directories'), ('definitions', 'relativePaths')),
 (('properties', 'outputs', 'properties', 'files'), ('definitions', 'relativePaths')),
 (('properties', 'workflow', 'properties', 'parameters', 'properties', 'file'),
  ('definitions', 'relativePath')),
 (('properties', 'workflow', 'properties', 'directories'), ('definitions', 'relativePaths')),
 (('properties', 'workflow', 'properties', 'files'), ('definitions', 'relativePaths')),
 (('properties', 'workflow', 'properties', 'file'), ('definitions', 'relativePath')),
 (('properties', 'inputs', 'properties', 'directories'), ('definitions', 'relativePaths')),
 (('properties', 'inputs', 'properties', 'files'), ('definitions', 'relativePaths'))]
