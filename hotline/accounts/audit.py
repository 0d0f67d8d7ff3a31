"""The audit log: who read or changed what, when, from where. Append-only from the app."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hotline.accounts.auth import Principal
from hotline.models import AuditEvent


def record(
    session: AsyncSession,
    *,
    at: datetime,
    principal: Principal | None,
    action: str,
    object_type: str,
    object_id: Any = None,
    address: str | None = None,
    detail: dict[str, Any] | None = None,
    actor: str | None = None,
) -> AuditEvent:
    """Add an audit row to the caller's transaction (never commits)."""
    event = AuditEvent(
        at=at,
        user_id=principal.user_id if principal else None,
        actor=actor or (principal.label if principal else "system"),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        address=address,
        detail=detail or {},
    )
    session.add(event)
    return event
