"""Keeping secrets out of every text the tool prints.

REANA takes its token only as the `access_token` query parameter (reana-server `decorators.py`),
so URLs, requests' exception texts and urllib3's debug log lines all carry it. Each command
registers the secrets it reads (`register`); the CLI's error handler and the consoles pass every
line through `scrub`, a safety net under the redaction each client does itself."""

from __future__ import annotations

import logging
import re
from urllib.parse import quote, quote_plus

_TOKEN_PARAM = re.compile(r"(access_token=)[^&\s'\"<>]+")


# A secret this short is also a common word part ("dev", "ci"): it is masked only where it stands
# alone, so that the text around it stays readable; a longer one wherever it appears.
SHORT = 8


class Redactor:
    """Replaces the secret (raw and URL-encoded) and any `access_token=` value with `***`."""

    def __init__(self, *secrets: str) -> None:
        self.secrets = tuple(s for s in secrets if s)
        forms = {f for s in self.secrets for f in (s, quote(s, safe=""), quote_plus(s))}
        ordered = sorted(forms, key=len, reverse=True)
        self._forms = [f for f in ordered if len(f) >= SHORT]
        short = [re.escape(f) for f in ordered if len(f) < SHORT]
        self._short = (
            re.compile(r"(?<![\w.-])(?:" + "|".join(short) + r")(?![\w.-])") if short else None
        )

    def __call__(self, text: str) -> str:
        for form in self._forms:
            text = text.replace(form, "***")
        if self._short is not None:
            text = self._short.sub("***", text)
        return _TOKEN_PARAM.sub(r"\1***", text)


class _RedactingFilter(logging.Filter):
    """urllib3 logs request lines with the query string at DEBUG level: redact them."""

    def __init__(self) -> None:
        super().__init__()
        self.redactors: list[Redactor] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if self.redactors:
            text = record.getMessage()
            for redact in self.redactors:
                text = redact(text)
            record.msg, record.args = text, ()
        return True


log_filter = _RedactingFilter()
logging.getLogger("urllib3.connectionpool").addFilter(log_filter)


_registered = Redactor()


def register(*secrets: str) -> None:
    """Secrets (tokens, passwords) that `scrub` removes from any text, for this command."""
    global _registered
    _registered = Redactor(*_registered.secrets, *secrets)


def forget() -> None:
    """Start a new command with no registered secrets (`main` may run several in a process)."""
    global _registered
    _registered = Redactor()


def scrub(text: str) -> str:
    """`text` without any registered secret or `access_token=` value."""
    return _registered(text)
