"""Each rule that says REANA refuses a workflow, against the real reana-server 0.9.4.

For every rule whose docs say REANA fails at submission (create) or start, the rule's FAIL
example, as a whole repository, is linted (the rule reports an error) and submitted as
reana-client does it (create, upload the declared inputs, start): the real server refuses it, and
the exact answer is asserted. The PASS example is linted (the rule is silent) and submitted: the
server creates it, starts it, and its scheduler hands it to the workflow controller, which creates
the engine's Kubernetes job (status `pending`; no engine runs here, so it stays there).

A second table shows what the real server accepts at start although a rule calls it an error:
those fail later, in the run, which is why the rules exist (each rule's docs say so).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from helpers import REANA_REPO, RECAST_REPO, lint_files, replace_in, with_files

from real_reana.client import Reana
from real_reana.harness import Stack
from recast_reana.lint.diagnostics import Severity
from recast_reana.model.config import Config

pytestmark = pytest.mark.real_reana

WF, STEPS, YAML = "specs/workflow.yml", "specs/steps.yml", "reana.yaml"
SELECT_ENV = (
    "  environment:\n    environment_type: docker-encapsulated\n"
    "    image: gitlab-registry.cern.ch/analyst/selection\n    imagetag: v1.2.0\n"
)
FIT_SCHEDULER = (
    "  scheduler:\n    scheduler_type: singlestep-stage\n    parameters:\n"
    "      signal: {step: select, output: selected}\n      xsec: {step: init, output: xsec}\n"
    "      limit_file: '{workdir}/limit.png'\n    step: {$ref: specs/steps.yml#/fit}\n"
)
FIT_PARAMETERS = FIT_SCHEDULER.split("    step:")[0].split("singlestep-stage\n")[1]
# What REANA sees: the files as submitted, read the REANA way (on main a finding that
# `recast-reana convert` fixes is only information; on what is submitted it is an error).
REANA_VIEW = Config(layout="reana")


def steps_resources(*items: str) -> dict[str, str]:
    """REANA_REPO with resources on the select step."""
    lines = "".join(f"      - {item}\n" for item in items)
    return replace_in(
        REANA_REPO, STEPS, "imagetag: v1.2.0\n", f"imagetag: v1.2.0\n    resources:\n{lines}"
    )


def reana_yaml(old: str, new: str) -> dict[str, str]:
    return replace_in(REANA_REPO, YAML, old, new)


def resolving(path: str, why: str) -> Callable[[str], re.Pattern[str]]:
    """yadage's message for a `$ref` it cannot load, in the workflow's workspace."""
    return lambda wid: re.compile(
        rf"Error while resolving `file:///\S+/workflows/{wid}/{re.escape(path)}`: "
        rf"{re.escape(why)}$"
    )


@dataclass(frozen=True)
class Refused:
    at: str  # "create" or "start"
    status: int
    # The answer's message: its exact start, or a regular expression, or one of the workflow id.
    message: str | re.Pattern[str] | Callable[[str], re.Pattern[str]]

    def pattern(self, workflow_id: str) -> re.Pattern[str]:
        if isinstance(self.message, str):
            return re.compile(re.escape(self.message))
        if isinstance(self.message, re.Pattern):
            return self.message
        return self.message(workflow_id)


FAIL = [
    # RR201: a recast-atlas top-level $ref: REANA resolves it from the workspace root.
    pytest.param(
        "RR201",
        with_files(RECAST_REPO, reana_DOT_yaml=REANA_REPO[YAML]),
        Refused("start", 500, resolving("steps.yml#/select", "RuntimeError: ")),
        id="RR201-recast-atlas-ref",
    ),
    # RR202: a JSON pointer naming no key, and a file that does not exist.
    pytest.param(
        "RR202",
        replace_in(REANA_REPO, WF, "steps.yml#/select", "steps.yml#/selection"),
        Refused(
            "start",
            500,
            resolving("specs/steps.yml#/selection", "Unresolvable JSON pointer: '/selection'"),
        ),
        id="RR202-pointer",
    ),
    pytest.param(
        "RR202",
        replace_in(REANA_REPO, WF, "specs/steps.yml#/select", "specs/step.yml#/select"),
        Refused("start", 500, resolving("specs/step.yml#/select", "RuntimeError: ")),
        id="RR202-file",
    ),
    # RR203: the docs' example uploads the workflow file but not the file it $refs...
    pytest.param(
        "RR203",
        reana_yaml("  directories:\n    - specs\n", "  files:\n    - specs/workflow.yml\n"),
        Refused("start", 500, resolving("specs/steps.yml#/select", "RuntimeError: ")),
        id="RR203-ref-not-uploaded",
    ),
    # ...and the workflow file itself not uploaded.
    pytest.param(
        "RR203",
        reana_yaml("  directories:\n    - specs\n", "  files:\n    - specs/steps.yml\n"),
        Refused("start", 500, "Workflow file specs/workflow.yml does not exist"),
        id="RR203-workflow-file-not-uploaded",
    ),
    # RR204: reana.yaml names a workflow file that does not exist.
    pytest.param(
        "RR204",
        reana_yaml("file: specs/workflow.yml", "file: specs/workflw.yml"),
        Refused("start", 500, "Workflow file specs/workflw.yml does not exist"),
        id="RR204-misspelt-workflow-file",
    ),
    # RR101: yadage-schemas, validated again by reana-server when the workflow starts.
    pytest.param(
        "RR101",
        replace_in(REANA_REPO, WF, FIT_SCHEDULER, ""),
        Refused("start", 400, "'scheduler' is a required property\n\nFailed validating 'required'"),
        id="RR101-stage-without-scheduler",
    ),
    pytest.param(
        "RR101",
        replace_in(REANA_REPO, STEPS, "imagetag: v1.2.0", "imagetag: 21.2"),
        Refused(
            "start",
            400,
            re.compile(
                r"\{'scheduler_type': 'singlestep-stage', .*'imagetag': 21\.2\}.* is not valid "
                r"under any of the given schemas\n",
                re.S,
            ),
        ),
        id="RR101-numeric-imagetag",
    ),
    pytest.param(
        "RR101",
        replace_in(REANA_REPO, WF, FIT_PARAMETERS, ""),
        Refused("start", 500, "'parameters'"),
        id="RR101-stage-without-parameters",
    ),
    # RR406: a misspelt environment type is a schema error too: refused at start.
    pytest.param(
        "RR406",
        replace_in(REANA_REPO, STEPS, "docker-encapsulated", "docker-encapsulatedX"),
        Refused(
            "start",
            400,
            re.compile(
                r"\{'scheduler_type': .*'environment_type': 'docker-encapsulatedX'.* is not valid "
                r"under any of the given schemas\n",
                re.S,
            ),
        ),
        id="RR406-misspelt-environment-type",
    ),
    # RR405: a compute backend the server does not offer (validate_compute_backends).
    pytest.param(
        "RR405",
        steps_resources("compute_backend: htcondor"),
        Refused(
            "start",
            400,
            'Compute backend "htcondor" found in step "select" is not supported. List of '
            'supported compute backends: "kubernetes, htcondorcern, slurmcern"',
        ),
        id="RR405-unknown-compute-backend",
    ),
    # RR102: reana.yaml refused when the workflow is created (reana_server/validation.py).
    pytest.param(
        "RR102",
        reana_yaml("    - specs\n", "    - specs\n    - specs/data\n"),
        Refused(
            "create",
            400,
            "Duplicate input paths 'specs' and 'specs/data' found. Please deduplicate inputs "
            "first.",
        ),
        id="RR102-input-inside-input",
    ),
    pytest.param(
        "RR102",
        reana_yaml("    - specs\n", "    - specs\n    - /eos/user/a/analyst/data\n"),
        Refused("create", 400, "Input path cannot be absolute: /eos/user/a/analyst/data"),
        id="RR102-absolute-input",
    ),
    pytest.param(
        "RR102",
        reana_yaml("    - specs\n", "    - specs\n    - ../data\n"),
        Refused("create", 400, "Input path cannot contain '..': ../data"),
        id="RR102-input-outside-workspace",
    ),
    pytest.param(
        "RR102",
        reana_yaml("  directories:\n", "  options:\n    CACHE: false\n  directories:\n"),
        Refused(
            "create",
            400,
            '==> ERROR: Operational option "CACHE" not supported for yadage workflows.',
        ),
        id="RR102-unknown-operational-option",
    ),
    pytest.param(
        "RR102",
        with_files(
            REANA_REPO, reana_DOT_yaml=REANA_REPO[YAML] + "workspace:\n  root_path: reana\n"
        ),
        Refused("create", 400, 'Desired workspace "reana" is not valid.\n'),
        id="RR102-relative-root-path",
    ),
    pytest.param(
        "RR102",
        with_files(
            REANA_REPO,
            reana_DOT_yaml=REANA_REPO[YAML] + "workspace:\n  retention_days:\n    /tmp/x: 3\n",
        ),
        Refused("create", 400, "Retention rule /tmp/x cannot be an absolute path"),
        id="RR102-absolute-retention-rule",
    ),
    # An unknown key is only a warning to REANA: `input:` uploads nothing, and start fails.
    pytest.param(
        "RR102",
        reana_yaml("inputs:", "input:"),
        Refused("start", 500, "Workflow file specs/workflow.yml does not exist"),
        id="RR102-unknown-key-input",
    ),
]

PASS = [
    pytest.param("RR201", REANA_REPO, id="RR201-ref-from-the-workspace-root"),
    pytest.param("RR202", REANA_REPO, id="RR202-refs-that-resolve"),
    pytest.param("RR203", REANA_REPO, id="RR203-specs-directory-uploaded"),
    pytest.param(
        "RR203",
        reana_yaml(
            "  directories:\n    - specs\n",
            "  files:\n    - specs/workflow.yml\n    - specs/steps.yml\n",
        ),
        id="RR203-both-files-uploaded",
    ),
    pytest.param("RR204", REANA_REPO, id="RR204-workflow-file-exists"),
    pytest.param(
        "RR101",
        replace_in(REANA_REPO, STEPS, "imagetag: v1.2.0", "imagetag: '21.2'"),
        id="RR101-quoted-imagetag",
    ),
    pytest.param("RR406", REANA_REPO, id="RR406-docker-encapsulated"),
    pytest.param(
        "RR405",
        steps_resources("compute_backend: htcondorcern", "kubernetes_memory_limit: 8Gi"),
        id="RR405-offered-compute-backend",
    ),
    pytest.param(
        "RR102",
        with_files(
            REANA_REPO,
            reana_DOT_yaml=REANA_REPO[YAML].replace(
                "inputs:\n", "inputs:\n  options:\n    toplevel: .\n"
            )
            + "workspace:\n  retention_days:\n    fit/*.root: 3\n",
        ),
        id="RR102-options-and-retention-rule",
    ),
]

# Errors of recast-reana's rules that REANA 0.9.4 accepts at start (they fail in the run).
ACCEPTED_AT_START = [
    pytest.param(
        "RR406",
        replace_in(
            REANA_REPO, STEPS, SELECT_ENV, "  environment:\n    environment_type: localproc-env\n"
        ),
        id="RR406-localproc-env",
    ),
    pytest.param("RR405", steps_resources("kubernetes_memory_limit: 8"), id="RR405-memory-number"),
    pytest.param("RR405", steps_resources("kubernetes_memory_limit: 8gb"), id="RR405-memory-8gb"),
    pytest.param("RR405", steps_resources("kubernetes_uid: '500'"), id="RR405-uid-string"),
    pytest.param(
        "RR301",
        replace_in(REANA_REPO, WF, "dependencies: [init, select]", "dependencies: [init, slect]"),
        id="RR301-unknown-dependency",
    ),
    pytest.param(
        "RR302",
        replace_in(REANA_REPO, WF, "output: selected}", "output: selectd}"),
        id="RR302-unknown-output",
    ),
    pytest.param(
        "RR304",
        reana_yaml("    xsec: 44.8\n", ""),
        id="RR304-missing-parameter",
    ),
    pytest.param(
        "RR308",
        replace_in(REANA_REPO, WF, "  dependencies: [init]\n", "  dependencies: [fit]\n"),
        id="RR308-dependency-cycle",
    ),
]


def _errors(files: dict[str, str], rule: str) -> list[str]:
    return [d.message for d in lint_files(files, rule, REANA_VIEW) if d.severity is Severity.ERROR]


def _name(request: pytest.FixtureRequest) -> str:
    """A REANA workflow name per test (REANA refuses `.`; `[` and `]` are awkward)."""
    return re.sub(r"[^A-Za-z0-9-]+", "-", request.node.name).strip("-")[:80]


@pytest.mark.parametrize(("rule", "files", "refused"), FAIL)
def test_rule_fail_example_is_refused_by_reana(
    rule: str, files: dict[str, str], refused: Refused, reana: Reana, request: pytest.FixtureRequest
) -> None:
    assert _errors(files, rule), f"{rule} does not report its FAIL example"
    submission = reana.submit(_name(request), files)
    answer = submission.refusal
    at = "create" if answer is submission.create else "start"
    wid = (
        submission.create.body.get("workflow_id", "")
        if isinstance(submission.create.body, dict)
        else ""
    )
    assert (at, answer.status) == (refused.at, refused.status), answer
    assert refused.pattern(wid).match(answer.message), answer.message
    if at == "start":  # the workflow exists and stays `created`: nothing ran
        assert reana.status(submission.id).body["status"] == "created"


@pytest.mark.parametrize(("rule", "files"), PASS)
def test_rule_pass_example_is_accepted_by_reana(
    rule: str,
    files: dict[str, str],
    reana: Reana,
    real_reana_stack: Stack,
    request: pytest.FixtureRequest,
) -> None:
    assert [d.message for d in lint_files(files, rule, REANA_VIEW)] == []
    submission = reana.submit(_name(request), files)
    assert submission.create.status == 201, submission.create
    assert submission.start is not None and submission.start.status == 200, submission.start
    assert submission.start.body["message"] == "Workflow submitted."
    assert submission.status == "pending", submission
    # The workflow controller asked the Kubernetes API for the engine's job.
    assert real_reana_stack.engine_job(submission.id) is not None


@pytest.mark.parametrize(("rule", "files"), ACCEPTED_AT_START)
def test_rule_error_that_reana_accepts_at_start(
    rule: str, files: dict[str, str], reana: Reana, request: pytest.FixtureRequest
) -> None:
    assert _errors(files, rule), f"{rule} does not report it"
    submission = reana.submit(_name(request), files)
    assert submission.accepted, submission
    assert submission.status == "pending"


def test_rr403_workflow_kerberos_without_secrets_fails_right_after_start(reana: Reana) -> None:
    """RR403 only informs; REANA itself accepts the start and, with `workflow.resources.kerberos`,
    fails the workflow seconds later, before any job (a step's `kerberos: true` fails only when
    that job starts, in the run)."""
    files = reana_yaml(
        "  file: specs/workflow.yml\n",
        "  file: specs/workflow.yml\n  resources:\n    kerberos: true\n",
    )
    [info] = lint_files(files, "RR403", REANA_VIEW)
    assert "CERN_USER, CERN_KEYTAB" in info.message
    submission = reana.submit("rr403-workflow-kerberos", files)
    assert submission.start is not None and submission.start.status == 200
    assert submission.status == "failed"
    logs = json.loads(reana.call("GET", f"/api/workflows/{submission.id}/logs").body["logs"])
    # The controller writes the message once or twice as its status updates race: "\n" or "\n\n".
    assert logs["workflow_logs"].rstrip("\n") == (
        "Operation cancelled. Secrets ['CERN_KEYTAB'] do not exist."
    )
    assert (logs["job_logs"], logs["engine_specific"]) == ({}, None)
