"""Keeping the REANA access token out of every text: REANA takes it only as the `access_token`
query parameter (reana-server `decorators.py`), so URLs, requests' exception texts and urllib3's
debug log lines all carry it."""

from __future__ import annotations

import logging
import re
from urllib.parse import quote, quote_plus

_TOKEN_PARAM = re.compile(r"(access_token=)[^&\s'\"<>]+")


class Redactor:
    """Replaces the secret (raw and URL-encoded) and any `access_token=` value with `***`."""

    def __init__(self, *secrets: str) -> None:
        forms = {f for s in secrets if s for f in (s, quote(s, safe=""), quote_plus(s))}
        self._forms = sorted(forms, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for form in self._forms:
            text = text.replace(form, "***")
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
