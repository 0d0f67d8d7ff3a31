"""Outbox figures for /healthz and /metrics.

Prometheus objects are made per app on a CollectorRegistry passed in (or a new one), never on
the global registry: tests build many apps in one process and would otherwise fail with
"Duplicated timeseries".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from sqlalchemy import func, select
from sqlmodel import col

from hotline.clock import as_utc
from hotline.db.engine import Database
from hotline.models import DeliveryAttempt, Notification


class NotifyMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.sends = Counter(
            "hotline_notification_sends",
            "Send attempts by channel and result",
            ["channel", "result"],
            registry=r,
        )
        self.send_seconds = Histogram(
            "hotline_notification_send_seconds",
            "Time to send one notification",
            ["channel"],
            registry=r,
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.pending = Gauge(
            "hotline_outbox_pending", "Notifications waiting to be sent", registry=r
        )
        self.oldest_pending = Gauge(
            "hotline_outbox_oldest_pending_seconds",
            "Age of the oldest unsent notification",
            registry=r,
        )
        self.dead = Gauge("hotline_outbox_dead", "Dead letters", registry=r)

    def observe_send(self, channel: str, result: str, seconds: float) -> None:
        self.sends.labels(channel=channel, result=result).inc()
        self.send_seconds.labels(channel=channel).observe(seconds)

    def set_stats(self, stats: dict[str, Any]) -> None:
        """Copy outbox_stats() into the gauges (call it before rendering /metrics)."""
        self.pending.set(stats["pending"])
        self.oldest_pending.set(stats["oldest_pending_age_seconds"] or 0)
        self.dead.set(stats["dead"])


async def outbox_stats(db: Database, now: datetime) -> dict[str, Any]:
    """{"pending", "sending", "delivered", "dead", "oldest_pending_age_seconds",
    "sends": {channel: {result: count}}}. "pending" counts rows being sent too."""
    async with db.read() as session:
        by_state: dict[str, int] = dict(
            (
                await session.execute(
                    select(col(Notification.state), func.count()).group_by(col(Notification.state))
                )
            ).all()
        )
        oldest = await session.scalar(
            select(func.min(col(Notification.created_at))).where(
                col(Notification.state).in_(("pending", "sending"))
            )
        )
        sends_rows = (
            await session.execute(
                select(col(Notification.channel), col(DeliveryAttempt.outcome), func.count())
                .join(Notification, col(Notification.id) == DeliveryAttempt.notification_id)
                .group_by(col(Notification.channel), col(DeliveryAttempt.outcome))
            )
        ).all()
    sends: dict[str, dict[str, int]] = {}
    for channel, outcome, count in sends_rows:
        sends.setdefault(channel, {})[outcome] = count
    if oldest is not None:
        oldest = as_utc(oldest)
    return {
        "pending": by_state.get("pending", 0) + by_state.get("sending", 0),
        "sending": by_state.get("sending", 0),
        "delivered": by_state.get("delivered", 0),
        "dead": by_state.get("dead", 0),
        "oldest_pending_age_seconds": (
            max(0.0, (now - oldest).total_seconds()) if oldest is not None else None
        ),
        "sends": sends,
    }


async def stuck_notifications(db: Database, now: datetime) -> dict[str, Any]:
    """The cluster's delivery work that waits, for /healthz (it runs on every probe, so only
    index lookups on the due index, never a count of the whole outbox): claims whose lease
    has passed (their node died) and how long the most overdue due row has waited."""
    due = col(Notification.next_attempt_at)
    state = col(Notification.state)
    async with db.read() as session:
        expired = await session.scalar(select(func.count()).where(state == "sending", due < now))
        first = await session.scalar(
            select(func.min(due)).where(state.in_(("pending", "sending")), due <= now)
        )
    return {
        "claims_past_lease": int(expired or 0),
        "oldest_due_seconds": (
            None if first is None else round(max(0.0, (now - as_utc(first)).total_seconds()), 3)
        ),
    }
