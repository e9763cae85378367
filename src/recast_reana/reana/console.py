"""Where `recast-reana run` writes and what time it is: both injected, so that tests run a
simulated hour in milliseconds and nothing below the CLI prints."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from recast_reana.type_names import Protocol


class Clock(Protocol):
    def monotonic(self) -> float: ...
    def time(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass
class Console:
    out: Callable[[str], None]
    err: Callable[[str], None]
    ci: bool = False  # GitLab CI: collapsible sections
    wall: Callable[[], float] = time.time

    @contextmanager
    def section(self, name: str, header: str, *, collapsed: bool = True) -> Iterator[None]:
        """A GitLab collapsible section (docs.gitlab.com, ci/jobs/job_logs)."""
        if not self.ci:
            self.out(header)
            yield
            return
        flag = "[collapsed=true]" if collapsed else ""
        self.out(f"\x1b[0Ksection_start:{int(self.wall())}:{name}{flag}\r\x1b[0K{header}")
        try:
            yield
        finally:
            self.out(f"\x1b[0Ksection_end:{int(self.wall())}:{name}\r\x1b[0K")
