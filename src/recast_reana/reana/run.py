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
from dataclasses import dataclass, replace

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
from recast_reana.results.expected import expected_results
from recast_reana.type_names import Any

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
    expected = expected_results(options.root, config) if options.download else None
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
        try:
            preflight(client, plan, console)
        except KeyboardInterrupt:
            console.err("recast-reana: nothing was submitted to REANA")
            raise
        validate_on_server(client, plan, console, environments=options.online)
        return Runner(plan, points, options, client, console, clock, expected=expected).run()
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
    if options.history and not options.download:
        raise Error("--history needs --wait --download (it records the results)", EXIT_USAGE)
    if options.timeout is not None and not options.wait:
        raise Error("--timeout needs --wait", EXIT_USAGE)
    if options.parallel < 1:
        raise Error("--parallel must be at least 1", EXIT_USAGE)
    if options.keep_last is not None and options.keep_last < 1:
        raise Error(
            "--keep-last must be at least 1 (the run just made counts once it ended)", EXIT_USAGE
        )
    return url, token


def preflight(client: api.Client, plan: Plan, console: Console) -> None:
    """The server answers, the token is valid, the quota is not used up, the secrets the steps
    need exist."""
    try:
        usage = quota(client.you())
        if usage:
            console.out("REANA quota: " + ", ".join(q.text for q in usage))
        over = [q for q in usage if q.over]
        if over:
            raise Error(
                "your REANA quota is used up ("
                + ", ".join(q.text for q in over)
                + "): REANA refuses to start workflows (403 User quota exceeded). Delete old "
                "runs (`reana-client delete -w <workflow>`, or run with --keep-last N) or ask "
                "the REANA administrators for more",
                EXIT_FATAL,
            )
        for q in usage:
            if q.health == "warning":
                console.err(f"recast-reana: warning: {q.kind} quota nearly used up: {q.text}")
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


@dataclass(frozen=True)
class Quota:
    kind: str  # "cpu" | "disk"
    text: str  # as reana-client prints it: "766 KiB out of 50 MiB used (1%)"
    over: bool  # usage >= limit > 0: reana-db `User.has_exceeded_quota`
    health: str | None


def quota(you: Mapping[str, Any]) -> list[Quota]:
    """The `quota` of GET /api/you (reana-server 0.9.4 `rest/users.py`, reana-db
    `QuotaBase.get_quota_usage`): {cpu|disk: {usage: {raw, human_readable}, limit: {raw,
    human_readable}, health}}; `limit` and `health` only where a limit is set. A server
    without quotas sends none (an empty mapping)."""
    found = you.get("quota")
    if found is None:
        return []
    if not isinstance(found, dict):
        raise Error(_malformed("quota", found), EXIT_FATAL)
    result = []
    for kind, entry in sorted(found.items()):
        usage = _number(entry, "usage", f"quota.{kind}")
        shown = _shown(entry, "usage", usage)
        limit = _number(entry, "limit", f"quota.{kind}") if "limit" in entry else 0
        health = entry.get("health") if isinstance(entry.get("health"), str) else None
        if limit > 0:
            share = f"{usage / limit:.0%}"
            text = f"{kind} {shown} out of {_shown(entry, 'limit', limit)} used ({share})"
        else:
            text = f"{kind} {shown} used (no limit)"
        result.append(Quota(kind, text, 0 < limit <= usage, health))
    return result


def _number(entry: Any, key: str, where: str) -> float:
    part = entry.get(key) if isinstance(entry, dict) else None
    raw = part.get("raw") if isinstance(part, dict) else None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise Error(_malformed(f"{where}.{key}.raw", raw), EXIT_FATAL)
    return float(raw)


def _shown(entry: dict[str, Any], key: str, raw: float) -> str:
    text = entry[key].get("human_readable")
    return text if isinstance(text, str) and text else f"{raw:g}"


def _malformed(field: str, value: Any) -> str:
    return (
        f"REANA answered GET /api/you with {field} = {repr(value)[:80]}, not what REANA "
        "sends (a number, or a mapping for quota)"
    )
