"""A small client of the OCI distribution API: manifests, blobs, layers streamed, auth.

Every request has a timeout (`RECAST_REANA_REGISTRY_TIMEOUT` seconds, default 20) and is
counted, with the bytes read (`requests`, `bytes_read`). Hosts in `insecure` are spoken to in
plain HTTP; every other one in HTTPS with verified certificates. Redirects are followed (blobs
often live behind a CDN) up to 5; requests drops the Authorization header when one leaves the
host. Messages name the host and what was asked, never a URL's query or a credential.

Errors: `NotFound` (no such image, or access denied: REANA could not pull it either);
`RegistryError(fatal=True)` when the registry cannot be used at all (connection, timeout, TLS,
credentials refused, 5xx): `--online` ends with exit 3; `fatal=False` for an answer that makes
no sense (HTML, a redirect loop, a 401 without challenge): that image's facts stay unknown.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import requests

from recast_reana import __version__
from recast_reana.connection import failure_reason
from recast_reana.model.images import DOCKER_HUB, ImageRef
from recast_reana.registry.auth import Credentials, credentials, parse_challenge
from recast_reana.type_names import Any

MANIFEST_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
MAX_DOCUMENT = 4 * 1024 * 1024  # a manifest or an image config larger than this is refused
DEFAULT_TIMEOUT = 20.0
CHUNK = 64 * 1024
# The distribution spec's error codes for a 404 (spec.md, "Error Codes").
_NOT_FOUND = {
    "MANIFEST_UNKNOWN": "the registry has no such tag or digest",
    "NAME_UNKNOWN": "the registry has no such repository",
    "BLOB_UNKNOWN": "the registry lacks one of its blobs",
}


class RegistryError(Exception):
    def __init__(self, message: str, *, fatal: bool) -> None:
        super().__init__(message)
        self.message = message
        self.fatal = fatal


class NotFound(RegistryError):
    def __init__(self, message: str) -> None:
        super().__init__(message, fatal=False)


def timeout_from_env() -> float:
    value = os.environ.get("RECAST_REANA_REGISTRY_TIMEOUT", "")
    try:
        return float(value) if value and float(value) > 0 else DEFAULT_TIMEOUT
    except ValueError:
        return DEFAULT_TIMEOUT


class Client:
    def __init__(
        self,
        insecure: Sequence[str] = (),
        timeout: float | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.insecure = set(insecure)
        self.timeout = timeout if timeout is not None else timeout_from_env()
        self.env = env
        self.session = requests.Session()
        self.session.max_redirects = 5
        self.session.headers["User-Agent"] = f"recast-reana/{__version__}"
        self.requests = 0
        self.bytes_read = 0
        self._authorization: dict[tuple[str, str], str] = {}  # (registry, scope) -> header
        self._credentials: dict[str, Credentials | None] = {}

    # --- the three things asked -------------------------------------------------------------

    def manifest(self, ref: ImageRef, reference: str) -> tuple[bytes, str, str | None]:
        """(body, media type, Docker-Content-Digest header) of the manifest `reference` names."""
        accept = {"Accept": ", ".join(MANIFEST_TYPES)}
        with self._get(ref, f"manifests/{reference}", accept, what=f"manifest {reference}") as r:
            body = self._read(r, MAX_DOCUMENT, f"the manifest of {_name(ref)}")
            media = r.headers.get("Content-Type", "").split(";")[0].strip()
            return body, media, r.headers.get("Docker-Content-Digest")

    def head_digest(self, ref: ImageRef, reference: str) -> str | None:
        """The digest `reference` points to now (a HEAD: no body), or None if not said."""
        accept = {"Accept": ", ".join(MANIFEST_TYPES)}
        with self._get(ref, f"manifests/{reference}", accept, what="manifest", method="HEAD") as r:
            return r.headers.get("Docker-Content-Digest")

    def blob(self, ref: ImageRef, digest: str, what: str) -> bytes:
        with self._get(ref, f"blobs/{digest}", {}, what=what) as r:
            return self._read(r, MAX_DOCUMENT, what)

    @contextmanager
    def stream(self, ref: ImageRef, digest: str, limit: int) -> Iterator[Iterator[bytes]]:
        """The blob's bytes as they arrive (not decompressed), each chunk counted, `limit` at
        most: the stream closes before more is read."""
        with self._get(ref, f"blobs/{digest}", {}, what=f"layer {digest}", stream=True) as r:
            yield self._chunks(r, limit)

    # --- HTTP ---------------------------------------------------------------------------------

    def base(self, registry: str) -> str:
        host = "registry-1.docker.io" if registry == DOCKER_HUB else registry
        return f"{'http' if registry in self.insecure else 'https'}://{host}"

    @contextmanager
    def _get(
        self,
        ref: ImageRef,
        path: str,
        headers: dict[str, str],
        *,
        what: str,
        method: str = "GET",
        stream: bool = False,
    ) -> Iterator[requests.Response]:
        url = f"{self.base(ref.registry)}/v2/{ref.repository}/{path}"
        scope = f"repository:{ref.repository}:pull"
        key = (ref.registry, scope)
        tried: set[str] = set()
        while True:
            sent = dict(headers)
            if key in self._authorization:
                sent["Authorization"] = self._authorization[key]
            response = self._send(method, url, sent, ref.registry, what, stream=stream)
            if response.status_code != 401:
                break
            challenge = response.headers.get("WWW-Authenticate", "")
            response.close()
            header = self._authorize(ref, scope, challenge, tried)
            if header is None:  # authenticated, and still refused
                raise NotFound(
                    f"{ref.registry} denied it to {self._who(ref.registry)} (it does not exist, "
                    "or it is private)"
                )
            self._authorization[key] = header
        try:
            self._check(response, ref, what)
            yield response
        finally:
            response.close()

    def _send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        registry: str,
        what: str,
        *,
        stream: bool = False,
        auth: tuple[str, str] | None = None,
    ) -> requests.Response:
        self.requests += 1
        try:
            response = self.session.request(
                method,
                url,
                headers=headers,
                auth=auth,
                stream=stream,
                timeout=(self.timeout, self.timeout),
            )
        except requests.exceptions.TooManyRedirects:
            message = f"{registry}: a redirect loop while fetching {what}"
            raise RegistryError(message, fatal=False) from None
        except requests.exceptions.SSLError as exc:
            hint = "; if it speaks plain HTTP, list it in .recast-reana.yaml registries: insecure"
            message = f"{registry}: TLS failed ({failure_reason(exc)}){hint}"
            raise RegistryError(message, fatal=True) from None
        except requests.exceptions.Timeout:
            raise RegistryError(
                f"{registry}: no answer within {self.timeout:g} s while fetching {what} "
                "(RECAST_REANA_REGISTRY_TIMEOUT sets the limit)",
                fatal=True,
            ) from None
        except requests.exceptions.RequestException as exc:
            raise RegistryError(
                f"{registry}: cannot connect ({failure_reason(exc)})", fatal=True
            ) from None
        self.requests += len(response.history)
        return response

    def _authorize(self, ref: ImageRef, scope: str, header: str, tried: set[str]) -> str | None:
        """The Authorization header to retry with after a 401; None when there is none left."""
        registry = ref.registry
        challenge = parse_challenge(header) if header else None
        if challenge is None:
            raise RegistryError(
                f"{registry}: answered 401 without a WWW-Authenticate challenge for "
                f"{_name(ref)}: it cannot be authenticated to; UID unknown",
                fatal=False,
            )
        creds = self._creds(registry)
        if challenge.scheme == "basic":
            if creds is None:
                raise RegistryError(
                    f"{registry}: asks for credentials and none are set (docker login {registry}, "
                    "or CI_REGISTRY_USER/CI_REGISTRY_PASSWORD in GitLab CI)",
                    fatal=True,
                )
            if "basic" in tried:
                raise RegistryError(
                    f"{registry}: refused the credentials of {self._who(registry)}", fatal=True
                )
            tried.add("basic")
            return creds.basic()
        if challenge.scheme == "bearer":
            if "bearer" in tried:
                return None
            tried.add("bearer")
            return f"Bearer {self._token(ref, challenge.params, scope, creds)}"
        raise RegistryError(
            f"{registry}: asks for {challenge.scheme} authentication, which is not supported",
            fatal=False,
        )

    def _token(
        self, ref: ImageRef, params: dict[str, str], scope: str, creds: Credentials | None
    ) -> str:
        """A Bearer token from the challenge's realm (the Docker token protocol)."""
        realm = params.get("realm", "")
        registry = ref.registry
        if not realm.startswith(("https://", "http://")):
            raise RegistryError(f"{registry}: its Bearer challenge names no realm", fatal=False)
        if realm.startswith("http://") and registry not in self.insecure:
            raise RegistryError(
                f"{registry}: its token service is plain HTTP ({realm.split('/')[2]}); "
                "credentials are not sent there unless the registry is listed as insecure",
                fatal=True,
            )
        query = {"scope": params.get("scope") or scope}
        if params.get("service"):
            query["service"] = params["service"]
        auth = (creds.username, creds.password) if creds else None
        self.requests += 1
        try:
            response = self.session.get(
                realm, params=query, auth=auth, timeout=(self.timeout, self.timeout)
            )
        except requests.exceptions.Timeout:
            raise RegistryError(
                f"{registry}: its token service did not answer", fatal=True
            ) from None
        except requests.exceptions.RequestException as exc:
            raise RegistryError(
                f"{registry}: cannot reach its token service ({failure_reason(exc)})", fatal=True
            ) from None
        self.bytes_read += len(response.content)
        if response.status_code in (401, 403):
            who = self._who(registry) if creds else "anonymous"
            raise RegistryError(f"{registry}: refused the credentials of {who}", fatal=True)
        data = _json(response.content)
        token = data.get("token") or data.get("access_token") if isinstance(data, dict) else None
        if response.status_code != 200 or not isinstance(token, str) or not token:
            raise RegistryError(
                f"{registry}: its token service answered HTTP {response.status_code} "
                "without a token",
                fatal=True,
            )
        from recast_reana import redact

        redact.register(token)
        return token

    def _creds(self, registry: str) -> Credentials | None:
        if registry not in self._credentials:
            self._credentials[registry] = credentials(registry, self.env)
        return self._credentials[registry]

    def _who(self, registry: str) -> str:
        creds = self._credentials.get(registry)
        return f"'{creds.username}' ({creds.source})" if creds else "anonymous"

    def _check(self, response: requests.Response, ref: ImageRef, what: str) -> None:
        code = response.status_code
        if code == 200:
            return
        if code == 404:
            error = _error_code(response)
            said = _NOT_FOUND.get(error, f"{what} not found")
            raise NotFound(f"{said} ({error or 'HTTP 404'})")
        if code == 403:
            raise NotFound(f"{ref.registry} denied access to {what} (HTTP 403)")
        fatal = code >= 500 or code == 429
        raise RegistryError(f"{ref.registry}: answered HTTP {code} for {what}", fatal=fatal)

    def _read(self, response: requests.Response, limit: int, what: str) -> bytes:
        data = bytearray()
        for chunk in response.iter_content(CHUNK):
            self.bytes_read += len(chunk)
            data += chunk
            if len(data) > limit:
                raise RegistryError(f"{what} is larger than {limit >> 20} MiB", fatal=False)
        return bytes(data)

    def _chunks(self, response: requests.Response, limit: int) -> Iterator[bytes]:
        while limit > 0:
            chunk = response.raw.read(min(CHUNK, limit), decode_content=False)
            if not chunk:
                return
            self.bytes_read += len(chunk)
            limit -= len(chunk)
            yield chunk


def _name(ref: ImageRef) -> str:
    return ref.key


def _error_code(response: requests.Response) -> str:
    """`MANIFEST_UNKNOWN`, `NAME_UNKNOWN`, ...: the registry's error code, when it gives one."""
    data = _json(response.content[:MAX_DOCUMENT])
    errors = data.get("errors") if isinstance(data, dict) else None
    first = errors[0] if isinstance(errors, list) and errors else None
    code = first.get("code") if isinstance(first, dict) else None
    return str(code) if isinstance(code, str) else ""


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None
