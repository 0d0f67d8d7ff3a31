"""The service's background parts, as aiohttp cleanup contexts: the metrics registry, the
delivery worker, and the scheduler with its few periodic jobs (never one job per call).

Every node runs all of them; claims with short leases decide who does what (docs/OPERATIONS.md,
"Several nodes"). /healthz reports this node's worker and sweep and the cluster's stuck work.

The delivery worker wakes at every commit that enqueued messages (its own node's or, on
PostgreSQL, another's: jobs/wakeups.py) and polls on its own every DELIVERY_INTERVAL seconds
for retries coming due and a dead node's rows; it needs no job.

Jobs (each a plain coroutine; the database decides what is due):
- escalation: every HOTLINE_SWEEP_INTERVAL seconds, first run at start-up;
- rollups: refreshes the dashboard's daily figures every 5 minutes;
- housekeeping: nightly at 02:30 local, retention (when HOTLINE_RETENTION_DAYS is set);
- reports: daily at 06:00 local, writes the periodic reports due within a week and
  e-mails the supervisors.
"""

from __future__ import annotations

import logging
import secrets
import socket
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlmodel import col

from hotline import keys
from hotline.escalation.metrics import EscalationMetrics
from hotline.escalation.sweep import heartbeat_status, stuck_items
from hotline.jobs.scheduler import JobSpec, escalation_job, scheduler_context
from hotline.jobs.wakeups import Wakeups, single_node_guard
from hotline.models import Notification, User
from hotline.notify import NotifyMetrics, worker_context
from hotline.notify.metrics import stuck_notifications
from hotline.notify.render import render_email
from hotline.settings import Settings

log = logging.getLogger("hotline.jobs.background")
# The worker's own poll: retries coming due, and a dead node's rows once their lease ends
# (a dead node's work waits at most a lease plus this).
DELIVERY_INTERVAL = 2.0
STUCK_AFTER = 60.0  # due work (a message, an escalation step) waiting longer: /healthz fails


def node_name(settings: Settings) -> str:
    """HOTLINE_NODE_ID, or the host name and a random suffix (`hotline serve` sets the
    host name and port when the setting is empty)."""
    return settings.node_id or f"{socket.gethostname()}-{secrets.token_hex(3)}"


def background_contexts() -> list[Callable[[web.Application], AsyncIterator[None]]]:
    return [_worker, scheduler_context(_jobs, on_start=_on_start)]


async def _worker(app: web.Application) -> AsyncIterator[None]:
    settings, holder, node = app[keys.SETTINGS], app[keys.RULES], app[keys.NODE]
    wakeups: Wakeups | None = None
    guard = None
    if settings.is_sqlite:
        guard = single_node_guard(settings.database_url)
    else:
        handlers = {"outbox": lambda: _wake_local(app), "escalation": lambda: _sweep_now(app)}
        wakeups = Wakeups(settings.database_url, node, handlers)
        await wakeups.start()
    app[keys.WAKEUPS] = wakeups
    try:
        async for worker in worker_context(
            app[keys.DB],
            settings,
            app[keys.CLOCK],
            ruleset=lambda: holder.current,
            metrics=app[keys.METRICS].notify,
            interval=DELIVERY_INTERVAL,
            lease=timedelta(seconds=settings.claim_lease),
            node=node,
            announce=None if wakeups is None else wakeups.announce,
        ):
            app[keys.WORKER] = worker
            app[keys.HEALTH_CHECKS]["worker"] = lambda: _worker_health(app)
            app[keys.HEALTH_CHECKS]["cluster"] = lambda: _cluster_health(app)
            yield
    finally:
        if wakeups is not None:
            await wakeups.close()
        if guard is not None:
            guard.close()


def _wake_local(app: web.Application) -> None:
    worker = app.get(keys.WORKER)
    if worker is not None:
        worker.wake(others=False)


def _sweep_now(app: web.Application) -> None:
    """Another node found more due escalation work than one batch: sweep now, beside it."""
    scheduler = app.get(keys.SCHEDULER)
    job = None if scheduler is None else scheduler.get_job("escalation")
    if job is not None:
        job.modify(next_run_time=datetime.now(UTC))


def _announce_backlog(app: web.Application) -> None:
    wakeups = app.get(keys.WAKEUPS)
    if wakeups is not None:
        wakeups.announce("escalation")


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
            node_id=app[keys.NODE],
            after=lambda fired: _wake_local(app) if fired else None,
            backlog=lambda: _announce_backlog(app),
        ),
        JobSpec("rollups", _refresh_rollups(app), seconds=300, run_at_start=True),
        JobSpec("housekeeping", _housekeeping(app), cron={"hour": 2, "minute": 30}),
        JobSpec("reports", _prepare_reports(app), cron={"hour": 6, "minute": 0}),
    ]
    return jobs


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


async def _worker_health(app: web.Application) -> dict[str, Any]:
    """This node's delivery worker: its loop goes round (in memory, no database)."""
    return app[keys.WORKER].status()


async def _escalation_health(app: web.Application) -> dict[str, Any]:
    """This node's escalation sweep: its last completed run, from its own heartbeat."""
    scheduler = app.get(keys.SCHEDULER)
    status = await heartbeat_status(
        app[keys.DB],
        app[keys.CLOCK].now(),
        app[keys.SETTINGS].sweep_interval,
        node=app[keys.NODE],
    )
    running = scheduler is not None and scheduler.running
    return {"ok": status["healthy"] and running, "scheduler_running": running, **status}


async def _cluster_health(app: web.Application) -> dict[str, Any]:
    """Work of the whole cluster that waits: claims past their lease (their node died) and
    the oldest due message and escalation step. Unhealthy when due work has waited longer
    than STUCK_AFTER, whichever node should have done it: the load balancer then takes this
    node out too, which is what the operators' alarm on /healthz is for."""
    db, now = app[keys.DB], app[keys.CLOCK].now()
    outbox = await stuck_notifications(db, now)
    escalation = await stuck_items(db, now)
    waited = max(outbox["oldest_due_seconds"] or 0, escalation["oldest_due_seconds"] or 0)
    return {
        "ok": waited <= STUCK_AFTER,
        "stuck_after_seconds": STUCK_AFTER,
        "outbox": outbox,
        "escalation": escalation,
    }


async def node_figures(app: web.Application) -> None:
    """Copy this node's and the cluster's current figures into the gauges (/metrics)."""
    figures = app[keys.METRICS]
    figures.node.info({"node": app[keys.NODE]})
    worker, wakeups = app.get(keys.WORKER), app.get(keys.WAKEUPS)
    db, now = app[keys.DB], app[keys.CLOCK].now()
    figures.claims_held.set(0 if worker is None else len(worker.held))
    if worker is not None and worker.looped_at is not None:
        figures.worker_loop_age.set(time.monotonic() - worker.looped_at)
    if wakeups is not None:
        figures.wakeups.labels(direction="received").set(wakeups.received)
        figures.wakeups.labels(direction="sent").set(wakeups.sent)
    outbox = await stuck_notifications(db, now)
    escalation = await stuck_items(db, now)
    for work, stuck in (("outbox", outbox), ("escalation", escalation)):
        figures.past_lease.labels(work=work).set(stuck["claims_past_lease"])
        figures.oldest_due.labels(work=work).set(stuck["oldest_due_seconds"] or 0)


class Metrics:
    """The app's Prometheus registry and the metric objects of its parts (one per app, so
    tests that build many apps never register a metric twice)."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Gauge, Info

        self.registry = r = CollectorRegistry()
        self.escalation = EscalationMetrics(r)
        self.notify = NotifyMetrics(r)
        # This node's figures (each node serves its own /metrics; `node` names it).
        self.node = Info("hotline_node", "This node", registry=r)
        self.claims_held = Gauge(
            "hotline_node_claims_held", "Notifications this node is sending", registry=r
        )
        self.worker_loop_age = Gauge(
            "hotline_node_worker_loop_age_seconds",
            "Since this node's delivery worker last went round its loop",
            registry=r,
        )
        self.wakeups = Gauge(
            "hotline_node_wakeups",
            "Wake-ups from and to other nodes (PostgreSQL LISTEN/NOTIFY) since start",
            ["direction"],
            registry=r,
        )
        # The cluster's, as this node sees them in the database.
        self.past_lease = Gauge(
            "hotline_claims_past_lease",
            "Claims whose lease has passed without an outcome (their node died)",
            ["work"],
            registry=r,
        )
        self.oldest_due = Gauge(
            "hotline_oldest_due_seconds",
            "How long the most overdue due message or escalation step has waited",
            ["work"],
            registry=r,
        )
