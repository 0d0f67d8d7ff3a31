"""The delivery worker: drains the outbox now (wake) and periodically (fallback).

`drain()` processes everything due and returns figures; tests call it at chosen times with a
FrozenClock. `run()` loops until `stop()`: it drains when woken (the intake handler calls
`wake()` right after a call commits, so the first send starts at once; on PostgreSQL the
other nodes are told too, see jobs/wakeups.py) or every `interval` seconds, which also picks
up retries and rows whose node died. While sends run, their short leases are renewed every
third of a lease (`_renew`), so only a node that stopped renewing loses its rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import TypedDict, Unpack

import aiohttp
from prometheus_client import CollectorRegistry

from hotline.clock import Clock
from hotline.db.engine import Database
from hotline.jobs.heartbeat import write_heartbeat
from hotline.models import Notification
from hotline.notify.channels import Channel, SendResult, build_channels
from hotline.notify.delivery import claim_due, renew_claims
from hotline.notify.metrics import NotifyMetrics
from hotline.notify.recorder import Recorder
from hotline.rules.ruleset import RuleSet
from hotline.settings import Settings

log = logging.getLogger(__name__)
HEARTBEAT_JOB = "outbox"
# The outbox's heartbeat row (last drain's figures, for admins and /metrics) is written at most
# this often while all goes well: /healthz judges the worker by its loop in memory, so a row
# per drain (one per call when calls come one at a time) bought nothing but a transaction.
HEARTBEAT_EVERY = 30.0


@dataclass
class DrainStats:
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    stale: int = 0  # outcome of a sender whose lease had run out (the row moved on)
    unrecorded: int = 0  # the outcome could not be written; the lease brings the row back

    def count(self, outcome: str) -> None:
        name = {"retry": "retried"}.get(outcome, outcome)
        setattr(self, name, getattr(self, name) + 1)

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class WorkerOptions(TypedDict, total=False):
    """DeliveryWorker's tuning, as worker_context() passes it on."""

    batch: int
    lease: timedelta
    interval: float
    concurrency: int
    rng: random.Random | None
    backoff_base: float
    backoff_cap: float
    node: str
    announce: Callable[[], None] | None


class DeliveryWorker:
    def __init__(
        self,
        db: Database,
        channels: Mapping[str, Channel],
        clock: Clock,
        *,
        batch: int = 200,
        lease: timedelta = timedelta(seconds=6),
        interval: float = 2.0,
        concurrency: int = 10,
        rng: random.Random | None = None,
        backoff_base: float = 30.0,
        backoff_cap: float = 3600.0,
        metrics: NotifyMetrics | None = None,
        node: str = "local",
        announce: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.node = node
        # Tells the other nodes that work was committed (PostgreSQL NOTIFY), or None.
        self.announce = announce
        self.channels = dict(channels)
        self.clock = clock
        self.batch = batch
        self.concurrency = concurrency
        self.lease = lease
        self.interval = interval
        self.rng = rng or random.Random()
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.metrics = metrics
        self.sending = 0  # sends started and not finished (waiting for a slot included)
        self.recorder = Recorder(
            db,
            self.rng,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
            in_flight=lambda: self.sending,
        )
        self._limit = asyncio.Semaphore(concurrency)
        self._event = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self.last_drain: datetime | None = None
        self._beat_at: float | None = None  # time.monotonic() of the last heartbeat written
        self._progress: set[asyncio.Event] = set()  # each drain's: a send finished, or wake()
        self.held: dict[int, int] = {}  # id -> attempts: claims whose outcome is not written
        self._renewer: asyncio.Task[None] | None = None
        self.looped_at: float | None = None  # time.monotonic() when run() last went round

    def wake(self, *, others: bool = True) -> None:
        """Drain now (call after a transaction that enqueued notifications has committed);
        `others`: tell the other nodes too, so an idle one takes its share at once."""
        self._event.set()
        for progress in self._progress:
            progress.set()
        if others and self.announce is not None:
            self.announce()

    async def drain(self, now: datetime | None = None) -> DrainStats:
        """Send every notification due at `now` (default: the clock's now).

        A window of up to `batch` claimed rows is kept in flight; the window is filled up
        again once fewer than `concurrency` of its rows wait for a send slot, so the slots
        never run dry, one slow receiver (a webhook hanging until its timeout) does not hold
        back the sends behind it, and a claim (a write transaction) takes many rows at once.
        A claim that found fewer rows than it asked for is not repeated before wake(): what
        comes due later (retries after their backoff, rows of a node that died) waits for
        the next drain, `interval` seconds on, instead of a claim each time the window
        empties (during an outage, one claim per few failed sends).
        """
        stats = DrainStats()
        running: set[asyncio.Task[asyncio.Future[str]]] = set()
        finished: list[asyncio.Task[asyncio.Future[str]]] = []
        outcomes = _Tally(stats)  # the recorder's, one per finished send
        # Each send says when it is done: waiting with asyncio.wait() on every send in flight
        # added and removed a callback on each of them per finished send.
        progress = asyncio.Event()
        self._progress.add(progress)

        def done(task: asyncio.Task[asyncio.Future[str]]) -> None:
            finished.append(task)
            # The loop has something to do only once the window runs low (claim more, or
            # end): waking it after every send of a full window cost a pass each.
            if len(running) - len(finished) < 2 * self.concurrency:
                progress.set()

        exhausted = False
        try:
            while True:
                for task in finished:
                    running.discard(task)
                    outcomes.add(task.result())
                finished.clear()
                outcomes.count_written()  # under steady load a drain never ends
                if self._event.is_set() and not self._stopping:
                    # wake() during the drain (a call committed): claim again now rather
                    # than after the sends in flight have all recorded their outcomes.
                    self._event.clear()
                    exhausted = False
                room = self.batch - len(running)
                low = len(running) < 2 * self.concurrency  # fewer than `concurrency` wait
                if not self._stopping and not exhausted and room > 0 and low:
                    at = now or self.clock.now()
                    claimed = await claim_due(
                        self.db, now=at, limit=room, lease=self.lease, node=self.node
                    )
                    exhausted = len(claimed) < room  # nothing more is due right now
                    stats.claimed += len(claimed)
                    for n in claimed:
                        self.held[n.id] = n.attempts
                        task = asyncio.create_task(self._deliver(n, now))
                        task.add_done_callback(done)
                        running.add(task)
                if not running:
                    break
                if not finished and not (self._event.is_set() and not self._stopping):
                    progress.clear()  # nothing finished since it was read: none is missed
                    await progress.wait()
        finally:
            self._progress.discard(progress)
            for task in running:  # cancelled (stop()): those rows come back with their lease
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            await outcomes.finish()  # written, or given up on, before the drain returns
        self.last_drain = now or self.clock.now()
        return stats

    async def _deliver(
        self, notification: Notification, now: datetime | None
    ) -> asyncio.Future[str]:
        """Send, then hand the outcome to the recorder without waiting for its write: the
        window of sends in flight and `concurrency` bound the sends, not the outcome writes
        (until written, the row stays "sending" under its lease: nobody else takes it)."""
        nid = notification.id
        assert nid is not None  # a claimed row
        self.sending += 1
        try:
            async with self._limit:
                started = time.perf_counter()
                result = await self._send(notification)
                seconds = time.perf_counter() - started
        except BaseException:  # cancelled (stop()): the lease, no longer renewed, brings it back
            self.held.pop(nid, None)
            raise
        finally:
            self.sending -= 1
        if self.metrics is not None:
            self.metrics.observe_send(notification.channel, result.outcome, seconds)
        outcome = self.recorder.submit(
            notification, result, now=now or self.clock.now(), duration_ms=int(seconds * 1000)
        )
        # Renewed until written: until then the row is "sending" and must stay ours.
        outcome.add_done_callback(lambda _: self.held.pop(nid, None))
        return outcome

    async def _send(self, notification: Notification) -> SendResult:
        if notification.attempts > notification.max_attempts:
            # Claimed again after its last attempt's sender vanished: stop here, visibly.
            return SendResult.dead("no outcome recorded for the last attempt (lease expired)")
        channel = self.channels.get(notification.channel)
        if channel is None:
            return SendResult.dead(f"no channel {notification.channel!r} configured")
        try:
            return await channel.send(notification)
        except Exception as exc:  # a bug in a channel must not stall the outbox
            log.exception(
                "channel %s failed on notification %s", notification.channel, notification.id
            )
            return SendResult.retry(f"{type(exc).__name__}: {exc}")

    async def _renew(self) -> None:
        """Every third of a lease, extend the leases of the rows this node is still sending
        (a slow webhook, an SMTP server taking its time): a living node keeps its rows, a
        dead one loses them within a lease."""
        every = self.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            held = list(self.held)
            if not held:
                continue
            try:
                await renew_claims(
                    self.db, held, now=self.clock.now(), lease=self.lease, node=self.node
                )
            except Exception:  # the next round tries again; the lease has two thirds left
                log.exception("renewing %d claims failed", len(held))

    async def run(self) -> None:
        """Drain on wake() or every `interval` seconds until stop()."""
        if self._renewer is None:
            self._renewer = asyncio.create_task(self._renew(), name="hotline-lease-renewal")
        while not self._stopping:
            self.looped_at = time.monotonic()
            self._event.clear()
            try:
                stats = await self.drain()
                if stats.claimed:
                    log.info("outbox drained: %s", stats.as_dict())
                await self._heartbeat(stats)
            except Exception:
                log.exception("outbox drain failed; retrying in %ss", self.interval)
            if self._stopping:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), self.interval)

    def start(self) -> asyncio.Task[None]:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self.run(), name="hotline-delivery-worker")
        return self._task

    async def stop(self, timeout: float = 10.0) -> None:
        """Finish the sends in flight (up to `timeout`), then stop. Rows still leased come
        back to another sender when their lease ends."""
        self._stopping = True
        self.wake()
        task, self._task = self._task, None
        try:
            if task is not None:
                await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError:
            assert task is not None  # only the wait for the task times out
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        finally:
            await self.recorder.close()
            renewer, self._renewer = self._renewer, None
            if renewer is not None:
                renewer.cancel()
                await asyncio.gather(renewer, return_exceptions=True)
            self.held.clear()
            for channel in self.channels.values():
                close = getattr(channel, "close", None)  # SMTP: the sessions kept open
                if close is not None:
                    await close()
            self._stopping = False  # drain() may still be called by hand (tests, CLI)

    async def _heartbeat(self, stats: DrainStats) -> None:
        """At most once every HEARTBEAT_EVERY seconds (or `interval`, if longer) unless
        something failed: woken after every call, the worker would otherwise add a write
        transaction to each one."""
        beat = time.monotonic()
        quiet = not (stats.dead or stats.unrecorded or stats.retried)
        every = max(self.interval, HEARTBEAT_EVERY)
        if quiet and self._beat_at is not None and beat - self._beat_at < every:
            return
        self._beat_at = beat
        await write_heartbeat(
            self.db, job=HEARTBEAT_JOB, now=self.clock.now(), detail=stats.as_dict(), node=self.node
        )

    def status(self) -> dict[str, object]:
        """This node's worker for /healthz: alive while its loop went round within three
        intervals (a drain in progress counts: its sends finish or time out)."""
        task = self._task
        running = task is not None and not task.done()
        age = None if self.looped_at is None else time.monotonic() - self.looped_at
        busy = bool(self._progress)  # a drain is running
        ok = running and (busy or (age is not None and age <= 3 * self.interval + 1))
        return {
            "ok": ok,
            "node": self.node,
            "running": running,
            "loop_age_seconds": None if age is None else round(age, 3),
            "claims_held": len(self.held),
        }


class _Tally:
    """One drain's outcomes (the recorder's futures), counted into its stats once written.
    Only those written are looked at: hundreds may wait for their group's write, and going
    over all of them after each finished send cost more than the rest of the loop."""

    def __init__(self, stats: DrainStats) -> None:
        self.stats = stats
        self.waiting: set[asyncio.Future[str]] = set()
        self.written: list[asyncio.Future[str]] = []  # since count_written() last ran

    def add(self, outcome: asyncio.Future[str]) -> None:
        self.waiting.add(outcome)
        outcome.add_done_callback(self.written.append)

    def count_written(self) -> None:
        for outcome in self.written:
            self.waiting.discard(outcome)
            _count(self.stats, outcome)
        self.written.clear()

    async def finish(self) -> None:
        """Wait for the rest to be written (or given up on) and count them."""
        if self.waiting:
            await asyncio.wait(self.waiting)
        for outcome in self.waiting:
            _count(self.stats, outcome)
        self.waiting.clear()
        self.written.clear()


def _count(stats: DrainStats, outcome: asyncio.Future[str]) -> None:
    """Count a recorded outcome."""
    error = outcome.exception()
    if error is None:
        stats.count(outcome.result())
    elif isinstance(error, RuntimeError):  # logged by the recorder; the lease brings it back
        stats.count("unrecorded")
    else:
        raise error


async def worker_context(
    db: Database,
    settings: Settings,
    clock: Clock,
    *,
    ruleset: Callable[[], RuleSet | None] | RuleSet | None = None,
    registry: CollectorRegistry | None = None,
    channels: Mapping[str, Channel] | None = None,
    metrics: NotifyMetrics | None = None,
    **options: Unpack[WorkerOptions],
) -> AsyncIterator[DeliveryWorker]:
    """Start a DeliveryWorker (and its HTTP client), yield it, stop it: for app.cleanup_ctx.

    async def notify_ctx(app):
        async for worker in worker_context(app[DB], settings, clock, ruleset=..., registry=...):
            app[WORKER] = worker
            yield
    """
    async with aiohttp.ClientSession() as http:
        built = channels or build_channels(settings, db, http=http, ruleset=ruleset)
        if metrics is None and registry is not None:
            metrics = NotifyMetrics(registry)
        for channel in {id(c): c for c in built.values()}.values():
            start = getattr(channel, "start", None)  # the sender process, when there is one
            if start is not None:
                await start()
        worker = DeliveryWorker(db, built, clock, metrics=metrics, **options)
        worker.start()
        try:
            yield worker
        finally:
            await worker.stop()
