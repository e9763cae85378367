"""`recast-reana report`: commit statuses, the merge-request note and the history file, via GitLab.

Requests (GitLab REST API v4, python-gitlab's client), each one the whole of its operation:
- status:  POST projects/:id/statuses/:sha {state, name, target_url, description, pipeline_id}
  (lib/api/commit_statuses.rb; Ci::CreateCommitStatusService). `pipeline_id` puts the status in
  the job's own pipeline, whose ref GitLab then takes (a merge-request pipeline's ref is
  refs/merge-requests/:iid/head, not the branch). Needs Developer: the project access token.
- note:    PUT projects/:id/merge_requests/:iid/notes/:note_id {body} when the check job handed
  the note's id on (dotenv RECAST_REANA_NOTE_ID); otherwise GET .../notes?order_by=updated_at&
  sort=desc&per_page=100 (our note is updated by every pipeline, so it is near the top) and PUT
  it, or POST a new one. Job tokens may only read notes (lib/api/helpers/notes_helpers.rb): the
  project access token writes them.
- history: GET projects/:id/jobs/artifacts/:ref/raw/*path?job=NAME with the job's own
  CI_JOB_TOKEN (`job_token_allowed: true` in lib/api/ci/job_artifacts.rb, every tier): the file
  from the named job of the latest successful pipeline for the ref. Workhorse sends the entry
  itself (no redirect to object storage, unlike the whole archive).

A refused permission (401/403), an unreachable GitLab or an unexpected answer is one warning
line and never fails the job: reporting is about the run, not the run. No redirect is followed:
python-gitlab's session would send PRIVATE-TOKEN / JOB-TOKEN to wherever a `Location` points.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import gitlab
import requests

from recast_reana import __version__
from recast_reana.connection import failure_reason
from recast_reana.errors import EXIT_USAGE, Error
from recast_reana.filetree import atomic_write
from recast_reana.gitlab.report_text import MARKER, STATUS_NAME
from recast_reana.gitlab.settings import TOKEN_HELP, TOKEN_VAR, env_number
from recast_reana.type_names import Any

log = logging.getLogger(__name__)

STATES = ("running", "success", "failed", "canceled", "pending", "skipped")
HISTORY_LIMIT = 10 * 1024 * 1024  # a history of a few hundred nights is kilobytes
NOTES_PAGE = 100  # GitLab's largest page


@dataclass(frozen=True)
class ReportSettings:
    url: str
    project: str
    token: str = field(repr=False)  # RECAST_REANA_GITLAB_TOKEN: statuses and notes
    job_token: str = field(repr=False)  # CI_JOB_TOKEN: the history artifact
    timeout: float = 30.0
    retries: int = 2
    ca_file: str | None = None


@dataclass
class Reported:
    """What a report command did: lines to print, warnings, and values for a dotenv."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)


def settings_from_env(env: Mapping[str, str]) -> ReportSettings:
    """GitLab CI's variables; tokens only from the environment. Missing ones are checked per use."""
    return ReportSettings(
        url=env.get("CI_SERVER_URL", "").strip().rstrip("/"),
        project=env.get("CI_MERGE_REQUEST_PROJECT_ID") or env.get("CI_PROJECT_ID", ""),
        token=env.get(TOKEN_VAR, "").strip(),
        job_token=env.get("CI_JOB_TOKEN", "").strip(),
        timeout=env_number(env, "RECAST_REANA_GITLAB_TIMEOUT", 30.0),
        retries=int(env_number(env, "RECAST_REANA_GITLAB_RETRIES", 2, integer=True)),
        ca_file=env.get("CI_SERVER_TLS_CA_FILE") or None,
    )


class _Refused(Exception):
    """One request's failure, already worded for the warning line."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status, self.text = status, text


class _NoRedirects(requests.Session):
    """A session that follows no redirect: the 3xx answer itself comes back (and is refused)."""

    def __init__(self) -> None:
        super().__init__()
        self.location = ""

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        if resp.is_redirect:
            self.location = resp.headers.get("location", "")
        return None


class _Api:
    def __init__(self, s: ReportSettings, *, job_token: bool = False) -> None:
        if not s.url or not s.project:
            missing = " and ".join(
                v for v, x in (("CI_SERVER_URL", s.url), ("CI_PROJECT_ID", s.project)) if not x
            )
            raise Error(f"{missing} not set: run in GitLab CI or set them", EXIT_USAGE)
        self.settings = s
        self.session = _NoRedirects()
        self.gl = gitlab.Gitlab(
            s.url,
            private_token=None if job_token else s.token,
            job_token=s.job_token if job_token else None,
            timeout=s.timeout,
            retry_transient_errors=True,
            session=self.session,
            ssl_verify=s.ca_file or True,
            user_agent=f"recast-reana/{__version__}",
        )
        self.project = quote(s.project, safe="")

    def request(self, verb: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            return self.gl.http_request(
                verb,
                f"/projects/{self.project}/{path}",
                max_retries=self.settings.retries,
                **kwargs,
            )
        except gitlab.GitlabError as exc:
            code = int(exc.response_code or 0)
            if 300 <= code < 400:
                where = urlsplit(self.session.location).netloc or self.session.location or "?"
                raise _Refused(
                    code,
                    f"GitLab answered {code} with a redirect to {where}: not followed, so that "
                    "the token goes nowhere else; set CI_SERVER_URL to the address GitLab "
                    "answers at",
                ) from None
            message = _message(exc.error_message)
            raise _Refused(code, f"{code} {message}".strip()) from None
        except requests.Timeout:
            raise _Refused(0, f"GitLab at {self.settings.url} did not answer in time") from None
        except requests.ConnectionError as exc:
            raise _Refused(
                0, f"cannot reach GitLab at {self.settings.url}: {failure_reason(exc)}"
            ) from None

    def close(self) -> None:
        self.session.close()


def post_status(
    s: ReportSettings,
    sha: str,
    state: str,
    *,
    target_url: str | None = None,
    description: str | None = None,
    pipeline_id: str | None = None,
) -> Reported:
    """One POST: the `recast-reana/reana` status of `sha`, in this pipeline."""
    done = Reported()
    if state not in STATES:
        raise Error(f"--state {state}: one of {', '.join(STATES)}", EXIT_USAGE)
    if not s.token:
        done.warnings.append(f"commit status not set: {TOKEN_VAR} is not set: {TOKEN_HELP}")
        return done
    if not sha:
        raise Error("no commit: set CI_COMMIT_SHA or pass --sha", EXIT_USAGE)
    data: dict[str, Any] = {"state": state, "name": STATUS_NAME}
    if target_url:
        data["target_url"] = target_url
    if description:
        data["description"] = description
    if pipeline_id:
        if not pipeline_id.isdigit():
            raise Error(f"CI_PIPELINE_ID={pipeline_id!r}: not a pipeline id", EXIT_USAGE)
        data["pipeline_id"] = int(pipeline_id)
    api = _Api(s)
    try:
        api.request("post", f"statuses/{quote(sha, safe='')}", post_data=data)
    except _Refused as exc:
        if exc.status == 400 and "Cannot transition status" in exc.text:
            # A retried job posts `running` again on its own running status: it stays so.
            done.lines.append(f"commit status {STATUS_NAME} is already {state}")
            return done
        done.warnings.append(f"commit status {STATUS_NAME} not set: {_why(exc, 'Developer')}")
        return done
    finally:
        api.close()
    shown = f" ({description})" if description else ""
    done.lines.append(f"commit status {STATUS_NAME}: {state} on {sha[:12]}{shown}")
    return done


def upsert_note(s: ReportSettings, mr_iid: str, body: str, note_id: str | None = None) -> Reported:
    """The one note of recast-reana on the merge request, updated in place (see module doc)."""
    done = Reported()
    if not s.token:
        done.warnings.append(
            f"merge-request note not written: {TOKEN_VAR} is not set: {TOKEN_HELP}"
        )
        return done
    if not mr_iid:
        raise Error(
            "no merge request: set CI_MERGE_REQUEST_IID or pass --merge-request", EXIT_USAGE
        )
    api = _Api(s)
    notes = f"merge_requests/{quote(mr_iid, safe='')}/notes"
    try:
        if note_id and _put(api, notes, note_id, body):
            found: str | None = note_id
        else:
            found = _find_note(api, notes)
            if found is not None and not _put(api, notes, found, body):
                found = None
        if found is None:
            created = api.request("post", notes, post_data={"body": body}).json()
            found = str(created["id"]) if isinstance(created, dict) and "id" in created else ""
            done.lines.append(f"merge request !{mr_iid}: note {found} written")
        else:
            done.lines.append(f"merge request !{mr_iid}: note {found} updated")
    except _Refused as exc:
        done.warnings.append(f"merge-request note not written: {_why(exc, 'Reporter')}")
        return done
    except (ValueError, KeyError, TypeError):
        done.warnings.append("merge-request note: GitLab's answer was not a note (JSON with id)")
        return done
    finally:
        api.close()
    if found:
        done.env["RECAST_REANA_NOTE_ID"] = found
    return done


def _put(api: _Api, notes: str, note_id: str, body: str) -> bool:
    """Update the note; False when it is gone (deleted by someone), so that a new one is made."""
    try:
        api.request("put", f"{notes}/{quote(note_id, safe='')}", post_data={"body": body})
    except _Refused as exc:
        if exc.status == 404:
            return False
        raise
    return True


def _find_note(api: _Api, notes: str) -> str | None:
    page = api.request(
        "get",
        notes,
        query_data={"order_by": "updated_at", "sort": "desc", "per_page": NOTES_PAGE},
    ).json()
    if not isinstance(page, list):
        raise ValueError("not a list of notes")
    for note in page:
        if (
            isinstance(note, dict)
            and not note.get("system")
            and str(note.get("body", "")).startswith(MARKER)
            and "id" in note
        ):
            return str(note["id"])
    return None


def fetch_history(s: ReportSettings, *, ref: str, job: str, path: str, out: Path) -> Reported:
    """One GET: `path` from job `job`'s artifacts in the latest successful pipeline for `ref`."""
    done = Reported()
    use_job_token = bool(s.job_token)
    if not use_job_token and not s.token:
        done.warnings.append(
            f"no history fetched: neither CI_JOB_TOKEN nor {TOKEN_VAR} is set (run in GitLab CI)"
        )
        return done
    if not ref:
        raise Error("no ref: set CI_COMMIT_REF_NAME or pass --ref", EXIT_USAGE)
    api = _Api(s, job_token=use_job_token)
    where = f"{path} of job {job} in the last successful pipeline on {ref}"
    try:
        answer = api.request(
            "get",
            f"jobs/artifacts/{quote(ref, safe='')}/raw/{quote(path.lstrip('/'))}",
            query_data={"job": job},
            streamed=True,
            raw=True,
        )
        data = _read_capped(answer)
    except _Refused as exc:
        if exc.status == 404:
            done.lines.append(
                f"history: none yet ({where} not found: a first run, expired artifacts, or a "
                f"newer successful pipeline on {ref} without {job}); starting a new one"
            )
        else:
            token = "CI_JOB_TOKEN" if use_job_token else TOKEN_VAR
            done.warnings.append(f"no history fetched: {_why(exc, 'Reporter', token)}")
        return done
    except ValueError as exc:
        done.warnings.append(f"no history fetched: {where}: {exc}")
        return done
    finally:
        api.close()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(out, data)
    except OSError as exc:
        raise Error(f"--out {out}: {exc.strerror or exc}") from None
    done.lines.append(f"history: {out} ({len(data)} bytes) from {where}")
    return done


def _read_capped(answer: requests.Response) -> bytes:
    chunks, size = [], 0
    for chunk in answer.iter_content(64 * 1024):
        size += len(chunk)
        if size > HISTORY_LIMIT:
            answer.close()
            raise ValueError(f"larger than {HISTORY_LIMIT // (1024 * 1024)} MiB: not a history")
        chunks.append(chunk)
    return b"".join(chunks)


def _why(exc: _Refused, role: str, token: str = TOKEN_VAR) -> str:
    if exc.status == 401:
        return f"GitLab refused {token} (401 Unauthorized): expired, revoked or mistyped"
    if exc.status == 403 and token == "CI_JOB_TOKEN":
        return f"not allowed ({exc.text}): whoever started the pipeline may not read its jobs"
    if exc.status == 403:
        return (
            f"not allowed ({exc.text}): {token} needs the `api` scope and at least the {role} "
            "role in this project"
        )
    return exc.text


def _message(raw: Any) -> str:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    text = " ".join(str(raw).split())
    if text.startswith("<"):  # an HTML error page (a proxy in front of GitLab)
        return "(an HTML page, not GitLab's API)"
    return text[:300]
