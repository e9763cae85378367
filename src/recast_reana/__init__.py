"""recast-reana: check RECAST workflows for REANA, convert them, and run them there."""

from __future__ import annotations

__version__ = "0.1.0"
