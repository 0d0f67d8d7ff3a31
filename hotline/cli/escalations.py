"""`hotline escalations run [--now ISO]`: one escalation sweep by hand, at now or at a chosen
time (the scheduler runs the same sweep every HOTLINE_SWEEP_INTERVAL seconds)."""

from __future__ import annotations

import argparse
import socket
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hotline.cli.context import load_settings, run_with_data
from hotline.clock import as_utc
from hotline.settings import Settings

if TYPE_CHECKING:
    from hotline.escalation.sweep import SweepResult


def add_commands(sub: Any) -> None:
    esc = sub.add_parser("escalations", help="escalation sweeps").add_subparsers(metavar="ACTION")
    p = esc.add_parser("run", help="run one escalation sweep now (or at --now)")
    p.add_argument("--now", help="ISO time to sweep at (default: now)")
    p.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    try:
        now = _parse_time(args.now) if args.now else None
    except ValueError:
        print(f"hotline: --now: {args.now!r} is not an ISO date and time", file=sys.stderr)
        return 2
    print(run_once_cli(load_settings(args), now).summary())
    return 0


def run_once_cli(settings: Settings, now: datetime | str | None = None) -> SweepResult:
    """One sweep at `now`: an ISO time (naive = UTC), a datetime, or None for now."""
    from hotline.escalation.sweep import sweep

    if isinstance(now, str):
        now = _parse_time(now)
    when = as_utc(now) if now is not None else as_utc(datetime.now().astimezone())
    return run_with_data(
        settings,
        lambda db, rules: sweep(
            db,
            rules,
            now=when,
            settings=settings,
            node_id=f"cli@{socket.gethostname()}",
            limit=10_000,
        ),
    )


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
