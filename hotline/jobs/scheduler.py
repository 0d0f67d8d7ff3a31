"""APScheduler 3.x as a trigger only: a handful of periodic jobs, the database decides.

One in-memory job store per process (APScheduler's FAQ: a persistent store cannot be shared
between nodes), `coalesce=True` so runs missed while the loop was busy collapse into one,
`max_instances=1` so a slow sweep is never run twice at once by one node, and a deliberate
`misfire_grace_time` (the default of 1 s would drop runs on any busy loop). Every node may
run every job: the sweeps claim rows in the database, so duplicate runs are harmless.

    app.cleanup_ctx.append(scheduler_context(lambda app: [escalation_job(...), ...]))
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from hotline.clock import Clock
from hotline.db.engine import Database
from hotline.escalation.metrics import EscalationMetrics
from hotline.escalation.sweep import sweep
from hotline.rules.ruleset import RuleSetHolder
from hotline.settings import Settings

log = logging.getLogger(__name__)
Job = Callable[[], Awaitable[Any]]


@dataclass(frozen=True)
class JobSpec:
    """A periodic coroutine: every `seconds`, or on a cron (`cron={"hour": 2}`)."""

    id: str
    func: Job
    seconds: float | None = None
    cron: dict[str, Any] = field(default_factory=dict)
    # Late by more than this (the loop was blocked, the machine slept): skip that run. None:
    # one interval for interval jobs (the next run does the same work), an hour for cron jobs.
    misfire_grace_time: int | None = None
    run_at_start: bool = False  # interval jobs: first run now (catch up after a restart)

    def __post_init__(self) -> None:
        if (self.seconds is None) == (not self.cron):
            raise ValueError(f"job {self.id}: give either seconds or cron")

    def trigger(self, timezone: str) -> IntervalTrigger | CronTrigger:
        if self.seconds is not None:
            return IntervalTrigger(seconds=self.seconds, timezone=timezone)
        return CronTrigger(timezone=timezone, **self.cron)

    def grace(self) -> int:
        if self.misfire_grace_time is not None:
            return self.misfire_grace_time
        return max(int(self.seconds), 1) if self.seconds is not None else 3600


def build_scheduler(jobs: list[JobSpec], *, timezone: str = "Asia/Ho_Chi_Minh") -> AsyncIOScheduler:
    """A scheduler with the jobs added, not started (tests inspect it)."""
    scheduler = AsyncIOScheduler(
        timezone=timezone,
        jobstores={"default": MemoryJobStore()},
        executors={"default": AsyncIOExecutor()},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
    )
    for spec in jobs:
        extra: dict[str, Any] = {}
        if spec.run_at_start and spec.seconds is not None:
            extra["next_run_time"] = datetime.now(UTC)
        scheduler.add_job(
            _logged(spec),
            spec.trigger(timezone),
            id=spec.id,
            name=spec.id,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=spec.grace(),
            replace_existing=True,
            **extra,
        )
    return scheduler


def _logged(spec: JobSpec) -> Job:
    async def run() -> None:
        try:
            await spec.func()
        except Exception:  # a failing run must not kill the schedule; the next run retries
            log.exception("scheduled job %s failed", spec.id)
        except asyncio.CancelledError:  # shutting down mid-run: the job's own task ends here
            log.info("scheduled job %s stopped by shutdown; its claims come back", spec.id)

    run.__name__ = f"job_{spec.id}"
    return run


def scheduler_context(
    jobs: list[JobSpec] | Callable[[Any], list[JobSpec]],
    *,
    timezone: str = "Asia/Ho_Chi_Minh",
    on_start: Callable[[Any, AsyncIOScheduler], None] | None = None,
) -> Callable[[Any], AsyncIterator[None]]:
    """An aiohttp cleanup context: start the scheduler after the earlier contexts (database,
    rules) are up, shut it down first on the way out. `jobs` may be a function of the app,
    so the jobs can close over what the earlier contexts put on it."""

    async def context(app: Any) -> AsyncIterator[None]:
        specs = jobs(app) if callable(jobs) else jobs
        scheduler = build_scheduler(specs, timezone=timezone)
        scheduler.start()
        if on_start is not None:
            on_start(app, scheduler)
        try:
            yield
        finally:
            scheduler.shutdown(wait=False)

    return context


def escalation_job(
    db: Database,
    holder: RuleSetHolder,
    settings: Settings,
    clock: Clock,
    *,
    metrics: EscalationMetrics | None = None,
    node_id: str | None = None,
    limit: int = 1000,
    after: Callable[[int], object] | None = None,
    backlog: Callable[[], object] | None = None,
) -> JobSpec:
    """The escalation sweep every settings.sweep_interval seconds, first run at start-up;
    `after(steps fired)` runs after each (the service wakes its worker for the messages)."""
    node = node_id or socket.gethostname()

    async def run() -> None:
        result = await sweep(
            db,
            holder,
            now=clock.now(),
            settings=settings,
            node_id=node,
            limit=limit,
            metrics=metrics,
            backlog=backlog,
        )
        if after is not None:
            after(result.fired)

    return JobSpec(id="escalation", func=run, seconds=settings.sweep_interval, run_at_start=True)
