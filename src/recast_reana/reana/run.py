"""`recast-reana run`: submit to REANA, follow, collect; one workflow or a grid of points.

Nothing is sent before the plan is complete (`runplan`: check, in-memory conversion, files,
parameters, name) and the preflight passed: GET /api/you (the server answers, the token is valid),
then GET /api/secrets when a step needs kerberos, voms_proxy or rucio; missing secrets stop the
run with the exact `reana-client secrets-add` command (REANA itself fails only when that job
starts, hours in). `runner` does the rest. Requests for F files without --wait: 1-2 preflight +
create + F uploads + start.

Exit codes: 0 finished (or submitted), 1 failed/stopped (or the check found errors), 2 usage or
configuration (missing secrets too), 3 infrastructure (unreachable, token rejected, timeout).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from recast_reana import redact
from recast_reana.errors import EXIT_FATAL, EXIT_USAGE, Error
from recast_reana.lint.linter import rule_options
from recast_reana.model.config import load_config
from recast_reana.model.credentials import missing_secrets, secrets_add_command
from recast_reana.reana import client as api
from recast_reana.reana.console import Clock, Console, SystemClock
from recast_reana.reana.grid import Point, load_grid
from recast_reana.reana.plan import Plan, prepare, unknown_parameters
from recast_reana.reana.server_validation import validate_on_server
from recast_reana.reana.workflows import Runner, RunOptions

__all__ = ["Console", "RunOptions", "SystemClock", "execute"]

URL_VAR, TOKEN_VAR = "REANA_SERVER_URL", "REANA_ACCESS_TOKEN"
TIMEOUT_VAR = "RECAST_REANA_HTTP_TIMEOUT"


def execute(
    options: RunOptions,
    env: Mapping[str, str],
    *,
    console: Console,
    clock: Clock | None = None,
) -> int:
    clock = clock or SystemClock()
    redact.register(env.get(TOKEN_VAR, ""))
    # A safety net: no line reaches the user with the token, whatever it quotes.
    console = replace(console, out=_scrubbing(console.out), err=_scrubbing(console.err))
    url, token = _settings(env, options)
    http_timeout = _timeout(env)
    points = load_grid(options.grid) if options.grid else [Point("", {})]
    config = load_config(options.root, options.config, rule_options())
    plan = prepare(
        options.root,
        config,
        example=options.example,
        name=options.name,
        params=options.params,
        env=env,
        out=console.out,
    )
    if options.name and plan.name != options.name:
        console.err(f"recast-reana: note: REANA workflow name {plan.name} (REANA refuses '.')")
    for key in unknown_parameters(plan, (k for p in points for k in p.parameters)):
        console.err(f"recast-reana: warning: parameter {key} is not in reana.yaml inputs")
    client = api.Client(
        url, token, verify=not options.insecure, sleep=clock.sleep, timeout=http_timeout
    )
    try:
        preflight(client, plan)
        validate_on_server(client, plan, console, environments=options.online)
        return Runner(plan, points, options, client, console, clock).run()
    finally:
        client.close()


def _scrubbing(write: Callable[[str], None]) -> Callable[[str], None]:
    return lambda line: write(redact.scrub(line))


def _timeout(env: Mapping[str, str]) -> float:
    """Seconds to wait for one answer (RECAST_REANA_HTTP_TIMEOUT, default 60)."""
    try:
        value = float(env.get(TIMEOUT_VAR) or 60.0)
    except ValueError:
        raise Error(f"{TIMEOUT_VAR} must be a number of seconds", EXIT_USAGE) from None
    if value <= 0:
        raise Error(f"{TIMEOUT_VAR} must be more than zero", EXIT_USAGE)
    return value


def _settings(env: Mapping[str, str], options: RunOptions) -> tuple[str, str]:
    url = env.get(URL_VAR, "").strip().rstrip("/")
    token = env.get(TOKEN_VAR, "").strip()
    if not url or not token:
        missing = " and ".join(v for v, x in ((URL_VAR, url), (TOKEN_VAR, token)) if not x)
        raise Error(
            f"{missing} not set: set them as CI/CD variables (the token masked), or in the "
            "environment (your token is on the REANA web UI's profile page)",
            EXIT_USAGE,
        )
    if not url.startswith(("https://", "http://")):
        raise Error(f"{URL_VAR}={url}: give the https:// address of the REANA server", EXIT_USAGE)
    if options.download and not options.wait:
        raise Error(
            "--download needs --wait (outputs exist once the workflow finished)", EXIT_USAGE
        )
    if options.timeout is not None and not options.wait:
        raise Error("--timeout needs --wait", EXIT_USAGE)
    if options.parallel < 1:
        raise Error("--parallel must be at least 1", EXIT_USAGE)
    return url, token


def preflight(client: api.Client, plan: Plan) -> None:
    """The server answers, the token is valid, the secrets the steps need exist."""
    try:
        client.you()
        if not plan.needs:
            return
        existing = {str(s.get("name")) for s in client.secrets()}
    except api.AuthError as exc:
        raise Error(
            f"{exc}; create a token on the REANA web UI (your profile page) and set it as "
            f"the masked CI/CD variable {TOKEN_VAR}",
            EXIT_FATAL,
        ) from None
    except api.ReanaError as exc:
        raise Error(str(exc), EXIT_FATAL) from None
    missing = missing_secrets(plan.needs, existing)
    if missing:
        who = "; ".join(f"{k}: {', '.join(v)}" for k, v in plan.needs.items())
        raise Error(
            f"your REANA account lacks the secrets {', '.join(missing)} that the workflow "
            f"needs ({who}); REANA would fail only when the job starts (Secrets {missing} do "
            f"not exist). Create them once with:\n    {secrets_add_command(missing)}",
            EXIT_USAGE,
        )
