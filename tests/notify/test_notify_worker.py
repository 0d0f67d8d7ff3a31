"""The worker loop: wake() starts delivery at once; the periodic fallback picks up retries;
stop() ends cleanly; worker_context() is shaped for aiohttp's cleanup_ctx."""

from __future__ import annotations

import asyncio
import contextlib
import random
from datetime import timedelta

import aiohttp
import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import select

from hotline.clock import SystemClock
from hotline.db import engine as db_module
from hotline.models import Heartbeat, Notification
from hotline.notify.channels.base import SendResult
from hotline.notify.recorder import Recorder
from hotline.notify.worker import HEARTBEAT_JOB, worker_context
from tests.helpers.notify import agency_with, enqueue, make_worker
from tests.helpers.servers import WebhookReceiver


async def _until(predicate, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


async def test_wake_delivers_at_once_and_stop_ends_the_loop(db, ruleset, settings, clock):
    async with aiohttp.ClientSession() as http, WebhookReceiver() as hook:
        agency = agency_with(ruleset, {"type": "webhook", "address": hook.url})
        # An hour between periodic runs: only wake() can explain a prompt delivery.
        worker = make_worker(db, settings, clock, http, interval=3600)
        worker.start()
        try:
            await _until(lambda: worker.last_drain is not None)  # first, empty pass done
            queued = await enqueue(db, ruleset, settings, clock, agency)
            worker.wake()
            await _until(lambda: len(hook.requests) == 1)
        finally:
            await worker.stop()
        assert hook.keys == [str(queued.ids[0])]
        async with db.read() as session:
            beat = await session.scalar(select(Heartbeat).where(Heartbeat.job == HEARTBEAT_JOB))
        # Written by the first pass, not again by the woken one: once an interval at most,
        # so that a busy hotline does not pay a write transaction per call for it.
        assert beat is not None and beat.detail["claimed"] == 0


async def test_periodic_fallback_sends_retries_without_a_wake(db, ruleset, settings):
    clock = SystemClock()
    async with aiohttp.ClientSession() as http, WebhookReceiver(script=[503]) as hook:
        agency = agency_with(ruleset, {"type": "webhook", "address": hook.url})
        await enqueue(db, ruleset, settings, clock, agency)  # type: ignore[arg-type]
        worker = make_worker(
            db,
            settings,
            clock,
            http,
            interval=0.05,  # type: ignore[arg-type]
            backoff_base=0.1,
            backoff_cap=0.1,
        )
        worker.start()
        try:
            await _until(lambda: len(hook.requests) == 2)
        finally:
            await worker.stop()
    assert hook.keys[0] == hook.keys[1]  # the same notification, the same key


async def test_worker_context_starts_and_stops(db, ruleset, settings, clock):
    registry = CollectorRegistry()
    async with WebhookReceiver() as hook:
        agency = agency_with(ruleset, {"type": "webhook", "address": hook.url})
        queued = await enqueue(db, ruleset, settings, clock, agency)
        context = worker_context(
            db, settings, clock, ruleset=lambda: ruleset, registry=registry, interval=3600
        )
        worker = await anext(context)
        worker.wake()
        await _until(lambda: len(hook.requests) == 1)
        # What aiohttp does at cleanup: resume the generator to its end.
        with contextlib.suppress(StopAsyncIteration):
            await anext(context)
        assert worker._task is None
    assert hook.keys == [str(queued.ids[0])]
    assert (
        registry.get_sample_value(
            "hotline_notification_sends_total", {"channel": "webhook", "result": "delivered"}
        )
        == 1
    )


async def test_stop_with_a_send_in_flight_leaves_the_row_to_its_lease(db, ruleset, settings, clock):
    async with aiohttp.ClientSession() as http, WebhookReceiver(script=["hang"]) as hook:
        agency = agency_with(ruleset, {"type": "webhook", "address": hook.url})
        await enqueue(db, ruleset, settings, clock, agency)
        worker = make_worker(
            db, settings, clock, http, interval=3600, webhook_timeout=30, lease=timedelta(minutes=2)
        )
        worker.start()
        await _until(lambda: len(hook.requests) == 1)
        await worker.stop(timeout=0.1)  # the send is cancelled, nothing recorded
        clock.advance(minutes=3)
        hook.script.clear()
        stats = await worker.drain()
    assert stats.delivered == 1 and len(hook.requests) == 2
    assert hook.keys[0] == hook.keys[1]


async def test_a_hanging_receiver_does_not_hold_back_the_others(db, ruleset, settings, clock):
    async with (
        aiohttp.ClientSession() as http,
        WebhookReceiver(script=["hang"]) as slow,
        WebhookReceiver() as fast,
    ):
        await enqueue(
            db,
            ruleset,
            settings,
            clock,
            agency_with(ruleset, {"type": "webhook", "address": slow.url}),
        )
        for _ in range(6):
            await enqueue(
                db,
                ruleset,
                settings,
                clock,
                agency_with(ruleset, {"type": "webhook", "address": fast.url}),
            )
        worker = make_worker(db, settings, clock, http, batch=4, concurrency=4, webhook_timeout=5)
        drain = asyncio.create_task(worker.drain())
        # All six fast ones arrive while the slow one still waits for its 5 s timeout.
        await _until(lambda: len(fast.requests) == 6, timeout=4)
        assert not drain.done()
        slow._release.set()  # the slow receiver answers at last (503: retried later)
        stats = await drain
    assert (stats.claimed, stats.delivered, stats.retried) == (7, 6, 1)


async def test_an_outcome_that_cannot_be_written_fails_its_sender_not_the_recorder(
    db, clock, monkeypatch
):
    """The write lock never comes (SQLite's writers' queue times out): the outcome's future
    says so, and the recorder goes on with the next one."""
    if not db.is_sqlite:
        pytest.skip("the in-process writers' queue is SQLite's")
    holding, release = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with db.write():
            holding.set()
            await release.wait()

    holder = asyncio.create_task(hold())
    await holding.wait()
    monkeypatch.setattr(db_module, "WRITE_QUEUE_TIMEOUT", 0.05)
    recorder = Recorder(db, random.Random(1), backoff_base=30.0, backoff_cap=3600.0)
    row = Notification(id=1, channel="email", address="a@b.test", created_at=clock.now())
    outcome = recorder.submit(row, SendResult.delivered(), now=clock.now())
    with pytest.raises(RuntimeError):
        await asyncio.wait_for(outcome, 5)
    release.set()
    await holder
    await recorder.close()
