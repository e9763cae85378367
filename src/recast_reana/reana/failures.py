"""How failures read: a connection failure in plain words (not urllib3's "HTTPConnectionPool(host=
..., port=...): Max retries exceeded"), the kind of an unexpected JSON value, and what REANA 0.95's
409/411/413 mean for the user and what to do."""

from __future__ import annotations

from recast_reana.reana.protocol import BUNDLE_MAX_BYTES
from recast_reana.type_names import Any

# 0.95's answers that say what to do, not just what happened (reana-commons 0.95.0a26
# openapi_specifications/reana_server.json, the responses' descriptions).
CONFLICT_HELP = {
    409: "another change to this workflow or its workspace is in progress on REANA (a parallel "
    "CI job or reana-client?); run again once it has ended",
    411: "REANA needs the upload's Content-Length, and a proxy between here and REANA removed "
    "it; ask the REANA administrators to let Content-Length through",
    413: "the request is larger than REANA accepts (the bundle limit is "
    f"{BUNDLE_MAX_BYTES // (1024 * 1024)} MiB by default); keep big data out of reana.yaml's "
    "workflow and inputs files (read it from EOS instead) or ask the REANA administrators",
}


NAMES = {str: "a string", dict: "a mapping", list: "a list", bool: "true or false"}


def kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "a number"
    for t, name in NAMES.items():
        if isinstance(value, t):
            return name
    return f"a {type(value).__name__}"
