"""When each background job last finished (the heartbeat table, read by /healthz)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from hotline.db.engine import Database
from hotline.models import Heartbeat


async def write_heartbeat(db: Database, *, job: str, now: datetime, detail: dict[str, Any]) -> None:
    """Upsert the job's last completed run (one row per job, whichever node ran it): two
    nodes writing the first one at once must not fail each other."""
    upsert = sqlite.insert if db.is_sqlite else postgresql.insert
    stmt = upsert(Heartbeat).values(job=job, finished_at=now, detail=detail)
    stmt = stmt.on_conflict_do_update(
        index_elements=["job"], set_={"finished_at": now, "detail": detail}
    )
    async with db.write() as session:
        await session.execute(stmt)
