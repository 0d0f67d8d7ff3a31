"""When each background job last finished, on each node (the heartbeat table, read by
/healthz). Every writer goes through the upsert: two nodes starting at once both write the
first row of a job, and a read-then-insert would fail one of them (UniqueViolation)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.db.engine import Database
from hotline.models import Heartbeat, table_of

_TABLE = table_of(Heartbeat)


def _upsert(dialect: str, *, job: str, now: datetime, detail: dict[str, Any], node: str) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE of one job's row on one node ("": the cluster)."""
    insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
    stmt = insert(_TABLE).values(job=job, node=node, finished_at=now, detail=detail)
    return stmt.on_conflict_do_update(
        index_elements=["job", "node"], set_={"finished_at": now, "detail": detail}
    )


async def write_heartbeat(
    db: Database, *, job: str, now: datetime, detail: dict[str, Any], node: str = ""
) -> None:
    """Upsert the job's last completed run on `node`, in a write transaction of its own."""
    async with db.write() as session:
        await beat(session, job=job, now=now, detail=detail, node=node)


async def beat(
    session: AsyncSession, *, job: str, now: datetime, detail: dict[str, Any], node: str = ""
) -> None:
    """The same upsert in the caller's transaction."""
    dialect = session.get_bind().dialect.name
    await session.execute(_upsert(dialect, job=job, now=now, detail=detail, node=node))
