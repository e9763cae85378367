"""The one error type below the command line, and the exit codes it carries.

Every part raises `Error` with a one-line message and the exit code; the CLI's single handler
prints ``recast-reana: error: <message>`` and exits with it (pre-commit's `error_handler.py`).
"""

from __future__ import annotations

EXIT_OK = 0  # clean, up to date, finished
EXIT_PROBLEMS = 1  # findings, files changed, a workflow failed
EXIT_USAGE = 2  # bad arguments, configuration or input the user must fix
EXIT_FATAL = 3  # network, authentication, a server answering nonsense, an internal error
EXIT_INTERRUPTED = 130  # SIGINT or SIGTERM (128 + 2, as shells report SIGINT)
EXIT_BROKEN_PIPE = 141  # stdout closed by its reader (128 + SIGPIPE), as `git log | head` ends


class Error(Exception):
    """Something the user must act on: a one-line message and the exit code it ends with."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
