"""More `hotline` commands: escalations, report, demo-data (kept apart so cli.py stays small)."""

from __future__ import annotations

import argparse
from typing import Any


def add_more_commands(sub: Any) -> None:
    """Register the commands of the escalation, report and demo-data parts."""
    del sub  # filled in as those parts land


def _unused(args: argparse.Namespace) -> int:  # pragma: no cover
    return 0
