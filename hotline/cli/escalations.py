"""`hotline escalations run [--now ISO]`: one sweep by hand (the CLI command calls this)."""

from __future__ import annotations

import asyncio
import socket
from datetime import datetime

from hotline.clock import as_utc
from hotline.db.engine import Database
from hotline.escalation.sweep import SweepResult, sweep
from hotline.rules.ruleset import load_ruleset
from hotline.settings import Settings


async def run_once(settings: Settings, now: datetime, *, limit: int = 10_000) -> SweepResult:
    """Load the rules, sweep once at `now`, close the database."""
    ruleset = load_ruleset(settings.rules_dir)
    db = Database(settings.database_url)
    try:
        return await sweep(
            db,
            ruleset,
            now=as_utc(now),
            settings=settings,
            node_id=f"cli@{socket.gethostname()}",
            limit=limit,
        )
    finally:
        await db.dispose()


def run_once_cli(settings: Settings, now: datetime | str | None = None) -> SweepResult:
    """Synchronous entry for the CLI; `now` is an ISO time (naive = UTC) or None for now."""
    if isinstance(now, str):
        now = datetime.fromisoformat(now.replace("Z", "+00:00"))
    when = as_utc(now) if now is not None else as_utc(datetime.now().astimezone())
    return asyncio.run(run_once(settings, when))
