"""REANA 0.95's own validation of the specification, asked before anything is created.

`POST /api/workflows/validate` takes the bundle that create takes (reana/protocol.py) and answers
{valid, errors: [{path, code, message}], warnings, environments}; with `environments=true`
(`run --online`) the server also lists each image with the UID/GID its steps run as. A 0.9 server
has no such operation: nothing is asked. Errors stop the run (exit 1) before a workflow exists,
each on one line `reana.yaml: REANA: <path>: <message> [<code>]`; warnings are printed the same
way and the run goes on.
"""

from __future__ import annotations

from recast_reana.errors import EXIT_FATAL, EXIT_PROBLEMS, Error
from recast_reana.reana import client as api
from recast_reana.reana.console import Console
from recast_reana.reana.plan import Plan, declaring
from recast_reana.redact import Redactor
from recast_reana.type_names import Any


def validate_on_server(
    client: api.Client, plan: Plan, console: Console, *, environments: bool = False
) -> None:
    """Ask a 0.95 server to validate the specification; raise Error when it refuses it."""
    try:
        report = client.validate(
            declaring(plan.reana, plan.parameters), plan.uploads, environments=environments
        )
    except api.ReanaError as exc:
        raise Error(str(exc), EXIT_FATAL) from None
    if report is None:
        return
    for warning in report.get("warnings") or []:
        console.err(f"recast-reana: warning: {finding(warning, client.redact)}")
    for env in report.get("environments") or []:
        console.out(
            f"  REANA runs {client.redact(str(env.get('image')))} as uid "
            f"{env.get('runtime_uid')}, gid {env.get('runtime_gid')}"
        )
    if report["valid"]:
        return
    errors = [finding(e, client.redact) for e in report.get("errors") or []]
    if not errors:
        errors = ["reana.yaml: REANA: the specification is not valid (REANA gave no reason)"]
    raise Error(
        "REANA's validation refused the specification, nothing was created:\n  "
        + "\n  ".join(errors),
        EXIT_PROBLEMS,
    )


def finding(item: dict[str, Any], redact: Redactor) -> str:
    """`reana.yaml: REANA: <path>: <message> [<code>]` from one of REANA's findings."""
    path, code = item.get("path"), item.get("code")
    message = item.get("message")
    text = message if isinstance(message, str) and message.strip() else "no message"
    text = redact(text).strip().splitlines()[0]
    where = f"{path}: " if isinstance(path, str) and path else ""
    tag = f" [{code}]" if isinstance(code, str) and code else ""
    return f"reana.yaml: REANA: {where}{text}{tag}"
