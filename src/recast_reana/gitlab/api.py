"""GitLab's REST API v4 as `sync-branch` uses it: every answer checked, every failure one line.

The only module that imports python-gitlab (network code stays out of the `check` path). Its
`http_request` gives the retries (5xx, 52x, 429, timeouts); everything else is done here:
- the token stays with its host: python-gitlab sends `PRIVATE-TOKEN` on every request and requests
  keeps custom headers across redirects (it strips only `Authorization`, `sessions.py`
  `rebuild_auth`), so the session refuses any request to another origin than CI_SERVER_URL
  before it is sent, redirects included (301/302/303/307/308, any method);
- every answer is JSON of the expected shape, and every field read is checked (`Answer`);
- a failure names what was being done and why, with GitLab's own text redacted and on one line.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import NoReturn
from urllib.parse import quote, urlsplit

import gitlab
import requests

from recast_reana import __version__
from recast_reana.connection import failure_reason
from recast_reana.errors import EXIT_FATAL, Error
from recast_reana.gitlab.settings import TOKEN_HELP, TOKEN_VAR, Settings
from recast_reana.redact import Redactor
from recast_reana.type_names import Any

log = logging.getLogger(__name__)
MAX_PAGES = 200  # 20,000 tree entries or commits at 100 a page: more is not a generated branch


class ForeignOrigin(requests.RequestException):
    """A request to another origin than the configured GitLab URL: never sent."""


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80)


class SameOriginSession(requests.Session):
    """A requests session that sends nothing (the token least of all) to another origin.

    `send` is called for the first request and again by `resolve_redirects` for every redirect
    hop, so checking there covers redirects of any status and method. Moving from http to https
    on the same host is allowed (GitLab behind a TLS-terminating proxy)."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base = _origin(base_url)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        target = _origin(request.url or "")
        scheme, host, _port = self.base
        upgrade = (scheme, target[0], target[1], target[2]) == ("http", "https", host, 443)
        if target != self.base and not upgrade:
            raise ForeignOrigin(f"{target[0]}://{target[1]}:{target[2]}")
        return super().send(request, **kwargs)


class Answer:
    """One decoded JSON answer and the checks on the fields read from it."""

    def __init__(self, request: str, value: Any) -> None:
        self.request, self.value = request, value

    def fail(self, what: str) -> NoReturn:
        raise Error(
            f"GitLab answered {self.request} with {what}: is CI_SERVER_URL the address of a "
            "GitLab server (not a proxy or login page)?",
            EXIT_FATAL,
        )

    def mapping(self, value: Any = None, where: str = "the body") -> Mapping[str, Any]:
        value = self.value if value is None else value
        if not isinstance(value, Mapping):
            self.fail(f"{_kind(value)} as {where}, not a JSON object")
        return value

    def items(self, where: str = "the body", value: Any = None) -> list[Mapping[str, Any]]:
        value = self.value if value is None else value
        if not isinstance(value, list):
            self.fail(f"{_kind(value)} as {where}, not a JSON array")
        return [self.mapping(v, f"an item of {where}") for v in value]

    def text(
        self, obj: Mapping[str, Any], key: str, *, sha: bool = False, empty: bool = True
    ) -> str:
        value = obj.get(key)
        if not isinstance(value, str) or (sha and not _is_sha(value)) or (not empty and not value):
            kind = "a commit id" if sha else "a string"
            self.fail(
                f"no `{key}` ({kind}): {_kind(value)}"
                if key not in obj
                else f"`{key}` that is not {kind}: {_kind(value)}"
            )
        return value

    def shas(self, obj: Mapping[str, Any], key: str) -> list[str]:
        value = obj.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) and _is_sha(v) for v in value):
            self.fail(f"`{key}` that is not a list of commit ids: {_kind(value)}")
        return list(value)

    def commit(self, value: Any, where: str) -> dict[str, Any]:
        """A commit object: `id`, `parent_ids`, `message`, `title` checked."""
        obj = self.mapping(value, where)
        checked = dict(obj)
        checked["id"] = self.text(obj, "id", sha=True)
        checked["parent_ids"] = self.shas(obj, "parent_ids")
        for key in ("message", "title"):
            checked[key] = self.text(obj, key) if obj.get(key) is not None else ""
        return checked


def _is_sha(text: str) -> bool:
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, (bool, int, float)):
        return f"a {type(value).__name__} ({value!r})"
    if isinstance(value, str):
        return f"a string of {len(value)} characters"
    return "an array" if isinstance(value, list) else "an object"


class Api:
    """GitLab's answers as checked data, or one `Error` line (exit 3)."""

    def __init__(self, s: Settings) -> None:
        self.s = s
        self.redact = Redactor(s.token)
        self.gl = gitlab.Gitlab(
            s.url,
            private_token=s.token,
            timeout=s.timeout,
            retry_transient_errors=True,  # 5xx, 52x and timeouts; 429 is always retried
            ssl_verify=s.ca_file or True,
            user_agent=f"recast-reana/{__version__}",
            session=SameOriginSession(s.url),
            keep_base_url=True,
        )
        self.project = f"/projects/{quote(s.project, safe='')}"

    def get(self, what: str, path: str, **query: Any) -> Answer:
        return self._call(what, "get", path, query)

    def post(self, what: str, path: str, data: dict[str, Any]) -> Answer:
        return self._call(what, "post", path, {}, data)

    def pages(self, what: str, path: str, **query: Any) -> tuple[str, list[Mapping[str, Any]]]:
        """Every page of a list (GitLab's offset pagination, `X-Next-Page`)."""
        found: list[Mapping[str, Any]] = []
        page, answer = 1, None
        for _ in range(MAX_PAGES):
            answer, response = self._answer(what, "get", path, {**query, "page": page}, None)
            found += answer.items()
            following = response.headers.get("X-Next-Page", "")
            if not following.isdigit() or int(following) <= page:
                return answer.request, found
            page = int(following)
        raise Error(f"GitLab listed more than {MAX_PAGES} pages {what}", EXIT_FATAL)

    def _call(
        self, what: str, verb: str, path: str, query: dict[str, Any], data: Any = None
    ) -> Answer:
        return self._answer(what, verb, path, query, data)[0]

    def _answer(
        self, what: str, verb: str, path: str, query: dict[str, Any], data: Any
    ) -> tuple[Answer, requests.Response]:
        request = f"{verb.upper()} {self.project}{path} ({what})"
        log.debug("GitLab: %s", what)
        try:
            response = self.gl.http_request(
                verb,
                self.project + path,
                query_data=query,
                post_data=data,
                max_retries=self.s.retries,
            )
        except (gitlab.GitlabHttpError, gitlab.GitlabAuthenticationError) as exc:
            self._fail(what, exc)
        except gitlab.RedirectError:
            raise Error(
                f"GitLab at {self.s.url} redirected {what} (a POST turned into a GET): set "
                "CI_SERVER_URL to the address GitLab answers at",
                EXIT_FATAL,
            ) from None
        except ForeignOrigin as exc:
            raise Error(
                f"GitLab at {self.s.url} redirected {what} to another host ({exc}); not "
                f"following, so that {TOKEN_VAR} stays with {self.s.url}: set CI_SERVER_URL to "
                "the address GitLab answers at",
                EXIT_FATAL,
            ) from None
        except requests.ReadTimeout:
            raise Error(
                f"GitLab at {self.s.url} did not answer {what} within {self.s.timeout:g} s "
                f"({self.s.retries} retries): try again later",
                EXIT_FATAL,
            ) from None
        except requests.RequestException as exc:
            raise Error(
                f"cannot reach GitLab at {self.s.url}: {_reason(exc)} ({what}, "
                f"{self.s.retries} retries): check CI_SERVER_URL and the network, then try again",
                EXIT_FATAL,
            ) from None
        kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        answer = Answer(request, None)
        if kind == "text/html" or response.content.lstrip()[:1] == b"<":
            answer.fail("an HTML page, not JSON")
        try:
            answer.value = response.json()
        except ValueError:
            answer.fail(f"{len(response.content)} bytes that are not JSON")
        return answer, response

    def _fail(self, what: str, exc: gitlab.GitlabError) -> NoReturn:
        code = exc.response_code
        text = self.one_line(str(exc.error_message))
        body = (exc.response_body or b"").decode("utf-8", "replace")
        where = f"project {self.s.project} at {self.s.url}"
        if code == 401:
            msg = (
                f"GitLab rejected {TOKEN_VAR} ({what}: 401 {text}): it is wrong, expired or "
                f"revoked; {TOKEN_HELP}"
            )
        elif code == 403 and "insufficient_scope" in text + body:
            msg = (
                f"{TOKEN_VAR} lacks the `api` scope ({what}: 403 insufficient_scope): {TOKEN_HELP}"
            )
        elif code == 403 and "not allowed to push" in text:
            msg = (
                f"GitLab refused to write the protected branch '{self.s.branch}' ({text}): "
                "let the token's role push to it (Settings > Repository > Protected branches) "
                "or unprotect it"
            )
        elif code == 403:
            msg = (
                f"GitLab refused {what} (403 {text}): the token needs the Developer or "
                f"Maintainer role in {where}"
            )
        elif code == 404 and "Project" not in text:
            raise NotFound(text)  # a branch, ref or tree: the caller knows what that means
        elif code == 404:
            msg = (
                f"GitLab found nothing {what} (404 {text}): check CI_PROJECT_ID and CI_SERVER_URL, "
                f"and that {TOKEN_VAR} belongs to {where}"
            )
        elif code is not None and (code == 429 or code >= 500):
            msg = (
                f"GitLab kept failing {what} ({code} {text}) after {self.s.retries} retries: "
                "try again later"
            )
        elif code == 400:
            raise Refused(f"GitLab refused {what}: 400 {text}", text)
        else:
            msg = f"GitLab refused {what}: {code} {text}"
        raise Error(msg, EXIT_FATAL) from None

    def one_line(self, text: str) -> str:
        """GitLab's (or a repository's) text as one printable, redacted line of at most 200."""
        line = " ".join("".join(c if c.isprintable() else " " for c in text).split())
        if line.startswith("<"):  # an HTML error page from a proxy
            return "(HTML error page)"
        line = self.redact(line)
        return line if len(line) <= 200 else line[:197] + "..."


class NotFound(Exception):
    """404 for a branch, ref or tree."""


class Refused(Error):
    """400: GitLab refused a write; `text` is its (redacted) reason."""

    def __init__(self, message: str, text: str) -> None:
        super().__init__(message, EXIT_FATAL)
        self.text = text


def _reason(exc: BaseException) -> str:
    reason = failure_reason(exc)
    if reason == "TLS certificate not trusted":
        return f"{reason} (CI_SERVER_TLS_CA_FILE names the CA to trust)"
    return reason
