"""The scheduler only triggers: its configuration is checked here, never its timing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from hotline.cli.escalations import run_once_cli
from hotline.clock import FrozenClock
from hotline.db.engine import Database
from hotline.escalation.policy import plan_referral
from hotline.escalation.sweep import heartbeat_status
from hotline.jobs.scheduler import JobSpec, build_scheduler, escalation_job, scheduler_context
from hotline.rules.ruleset import RuleSetHolder
from tests.helpers.factories import T0, make_call, make_referral


async def nothing() -> None:
    return None


def test_jobs_coalesce_run_alone_and_have_a_deliberate_grace_time() -> None:
    scheduler = build_scheduler(
        [
            JobSpec(id="sweep", func=nothing, seconds=30, run_at_start=True),
            JobSpec(id="report", func=nothing, cron={"day": 5, "hour": 6}),
            JobSpec(id="housekeeping", func=nothing, cron={"hour": 3}, misfire_grace_time=600),
        ]
    )
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"sweep", "report", "housekeeping"}
    assert all(job.coalesce and job.max_instances == 1 for job in jobs.values())
    assert isinstance(jobs["sweep"].trigger, IntervalTrigger)
    assert jobs["sweep"].misfire_grace_time == 30  # one interval: the next run does the work
    assert isinstance(jobs["report"].trigger, CronTrigger)
    assert jobs["report"].misfire_grace_time == 3600
    assert jobs["housekeeping"].misfire_grace_time == 600
    # Memory only: a persistent job store cannot be shared between nodes.
    assert list(scheduler._jobstores) == ["default"]  # noqa: SLF001
    assert type(scheduler._jobstores["default"]).__name__ == "MemoryJobStore"  # noqa: SLF001


def test_a_job_needs_exactly_one_trigger() -> None:
    with pytest.raises(ValueError, match="either seconds or cron"):
        JobSpec(id="x", func=nothing)
    with pytest.raises(ValueError, match="either seconds or cron"):
        JobSpec(id="x", func=nothing, seconds=5, cron={"hour": 1})


async def test_cleanup_context_starts_and_stops_the_scheduler() -> None:
    seen: dict[str, Any] = {}
    context = scheduler_context(
        lambda app: [JobSpec(id="sweep", func=nothing, seconds=3600)],
        on_start=lambda app, scheduler: seen.update(scheduler=scheduler),
    )
    steps = context({"app": True})
    await steps.__anext__()
    scheduler: AsyncIOScheduler = seen["scheduler"]
    assert scheduler.running and [j.id for j in scheduler.get_jobs()] == ["sweep"]
    with pytest.raises(StopAsyncIteration):
        await steps.__anext__()
    await asyncio.sleep(0)  # let the shutdown callback run
    assert not scheduler.running


async def test_a_failing_job_does_not_escape() -> None:
    async def boom() -> None:
        raise RuntimeError("the database is down")

    scheduler = build_scheduler([JobSpec(id="boom", func=boom, seconds=60)])
    job = scheduler.get_job("boom")
    await job.func()  # logged, not raised: the next run retries


async def test_escalation_job_sweeps_at_the_clock(db, ruleset, settings):  # type: ignore[no-untyped-def]
    clock = FrozenClock(T0)
    spec = escalation_job(db, RuleSetHolder(ruleset), settings, clock, node_id="n1")
    assert spec.seconds == settings.sweep_interval and spec.run_at_start
    await spec.func()
    status = await heartbeat_status(db, T0, settings.sweep_interval)
    assert status["healthy"] and status["detail"]["node"] == "n1"


def test_run_once_cli_sweeps_at_the_given_time(db_url, ruleset, settings):  # type: ignore[no-untyped-def]
    async def setup() -> int:
        db = Database(db_url)
        try:
            async with db.write() as session:
                call = await make_call(session, urgency="emergency", received_at=T0)
                plan = plan_referral(
                    ruleset, categories=["child_abuse"], urgency="emergency", created_at=T0
                )
                referral = await make_referral(
                    session,
                    call,
                    created_at=T0,
                    next_escalation_at=plan.next_escalation_at,
                    policy=plan.policy,
                )
                return referral.id or 0
        finally:
            await db.dispose()

    asyncio.run(setup())
    assert run_once_cli(settings, "2026-03-10T02:14:00Z").fired == 0
    result = run_once_cli(settings, "2026-03-10T02:31:00+00:00")
    assert result.fired == 2 and "fired 2" in result.summary()
