"""The service's background parts, as aiohttp cleanup contexts: the metrics registry, the
delivery worker, and the scheduler with its few periodic jobs (never one job per call).

Jobs (each a plain coroutine; the database decides what is due):
- escalation: every HOTLINE_SWEEP_INTERVAL seconds, first run at start-up;
- outbox: wakes the delivery worker on the same interval (it also wakes at every commit);
- rollups: refreshes the dashboard's daily figures every 5 minutes;
- housekeeping: nightly at 02:30 local, retention (when HOTLINE_RETENTION_DAYS is set);
- reports: daily at 06:00 local, writes the periodic reports due within a week and
  e-mails the supervisors.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlmodel import col

from hotline import keys
from hotline.escalation.metrics import EscalationMetrics
from hotline.escalation.sweep import heartbeat_status
from hotline.jobs.scheduler import JobSpec, escalation_job, scheduler_context
from hotline.models import Notification, User
from hotline.notify import NotifyMetrics, outbox_stats, worker_context
from hotline.notify.render import render_email

log = logging.getLogger("hotline.jobs.background")
DELIVERY_INTERVAL = 5.0  # the worker's own fallback poll, for retries coming due
OUTBOX_STALE = 600.0  # a pending notification older than this makes /healthz unhealthy


def background_contexts() -> list[Callable[[web.Application], AsyncIterator[None]]]:
    return [_worker, scheduler_context(_jobs, on_start=_on_start)]


async def _worker(app: web.Application) -> AsyncIterator[None]:
    settings, holder = app[keys.SETTINGS], app[keys.RULES]
    async for worker in worker_context(
        app[keys.DB],
        settings,
        app[keys.CLOCK],
        ruleset=lambda: holder.current,
        metrics=app[keys.METRICS].notify,
        interval=DELIVERY_INTERVAL,
    ):
        app[keys.WORKER] = worker
        app[keys.HEALTH_CHECKS]["outbox"] = lambda: _outbox_health(app)
        yield


def _on_start(app: web.Application, scheduler: Any) -> None:
    app[keys.SCHEDULER] = scheduler
    app[keys.HEALTH_CHECKS]["escalation"] = lambda: _escalation_health(app)


def _jobs(app: web.Application) -> list[JobSpec]:
    settings, clock, db = app[keys.SETTINGS], app[keys.CLOCK], app[keys.DB]
    metrics = app[keys.METRICS]
    jobs = [
        escalation_job(
            db,
            app[keys.RULES],
            settings,
            clock,
            metrics=metrics.escalation,
            node_id=socket.gethostname(),
        ),
        JobSpec("outbox", _wake_worker(app), seconds=settings.sweep_interval),
        JobSpec("rollups", _refresh_rollups(app), seconds=300, run_at_start=True),
        JobSpec("housekeeping", _housekeeping(app), cron={"hour": 2, "minute": 30}),
        JobSpec("reports", _prepare_reports(app), cron={"hour": 6, "minute": 0}),
    ]
    return jobs


def _wake_worker(app: web.Application) -> Callable[[], Any]:
    async def run() -> None:
        worker = app.get(keys.WORKER)
        if worker is not None:
            worker.wake()

    return run


def _refresh_rollups(app: web.Application) -> Callable[[], Any]:
    async def run() -> None:
        from hotline.reports.rollups import refresh_rollups

        await refresh_rollups(
            app[keys.DB], days=None, now=app[keys.CLOCK].now(), tz=app[keys.SETTINGS].timezone
        )

    return run


def _housekeeping(app: web.Application) -> Callable[[], Any]:
    async def run() -> None:
        from hotline.calls.privacy import apply_retention

        days = app[keys.SETTINGS].retention_days
        if days > 0:
            count = await apply_retention(app[keys.DB], now=app[keys.CLOCK].now(), days=days)
            log.info("retention: redacted %d calls older than %d days", count, days)

    return run


def _prepare_reports(app: web.Application) -> Callable[[], Any]:
    async def run() -> None:
        from hotline.reports.schedule import due_reports, prepare_due_reports

        settings, now = app[keys.SETTINGS], app[keys.CLOCK].now()
        paths = await prepare_due_reports(
            app[keys.DB], app[keys.RULES].current, now=now, out_dir=settings.reports_dir
        )
        if paths:
            due = due_reports(now)
            await notify_reports_ready(
                app,
                [str(p) for p in paths],
                now=now,
                period=due[0][2].label if due else "",
                deadline=str(due[0][1]) if due else "",
            )

    return run


async def notify_reports_ready(
    app: web.Application, files: list[str], *, now: datetime, period: str, deadline: str
) -> int:
    """E-mail every active supervisor with an address that the periodic reports are ready."""
    settings = app[keys.SETTINGS]
    async with app[keys.DB].write() as session:
        users = list(
            (
                await session.execute(
                    select(User).where(
                        col(User.role) == "supervisor",
                        col(User.disabled).is_(False),
                        col(User.email).is_not(None),
                    )
                )
            ).scalars()
        )
        for user in users:
            context = {
                "user_name": user.display_name or user.username,
                "detail": {
                    "name": "định kỳ",
                    "period": period,
                    "due": deadline,
                    "files": files,
                    "url": settings.base_url.rstrip("/") + "/supervisor/dashboard",
                },
            }
            session.add(
                Notification(
                    purpose="report_ready",
                    channel="email",
                    address=user.email or "",
                    payload={
                        "user": user.id,
                        **render_email("report_ready", "report_ready", context),
                    },
                    created_at=now,
                    next_attempt_at=now,
                )
            )
    worker = app.get(keys.WORKER)
    if worker is not None:
        worker.wake()
    return len(users)


async def _outbox_health(app: web.Application) -> dict[str, Any]:
    stats = await outbox_stats(app[keys.DB], app[keys.CLOCK].now())
    oldest = stats.get("oldest_pending_age_seconds") or 0
    return {
        "ok": oldest <= OUTBOX_STALE,
        "pending": stats.get("pending"),
        "dead": stats.get("dead"),
        "oldest_pending_age_seconds": oldest,
    }


async def _escalation_health(app: web.Application) -> dict[str, Any]:
    status = await heartbeat_status(
        app[keys.DB], app[keys.CLOCK].now(), app[keys.SETTINGS].sweep_interval
    )
    return {"ok": status["healthy"], **status}


class Metrics:
    """The app's Prometheus registry and the metric objects of its parts (one per app, so
    tests that build many apps never register a metric twice)."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry

        self.registry = CollectorRegistry()
        self.escalation = EscalationMetrics(self.registry)
        self.notify = NotifyMetrics(self.registry)
