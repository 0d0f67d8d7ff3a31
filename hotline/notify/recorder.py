"""Group commit for delivery outcomes.

Each finished send hands its outcome to the Recorder; whatever has arrived while the previous
write ran (or while it waited for the write lock, or, for up to GATHER_SECONDS, for the sends
still running) goes into the next one, so N concurrent sends cost a few short write
transactions instead of N. That matters most on SQLite, where writers queue on one lock. If
a grouped write fails, each outcome is retried in a transaction of its own so one bad row
cannot hold the others back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hotline.db.engine import Database
from hotline.models import Notification
from hotline.notify.channels.base import SendResult
from hotline.notify.delivery import Outcome, record_many

log = logging.getLogger(__name__)
# At most this long for outcomes of sends in flight to join a group. A send's outcome waits
# at most this long more to be written (the row stays "sending" under its renewed lease); at
# 0.02 s a busy drain wrote groups of about 50, each a write transaction of 5 statements.
GATHER_SECONDS = 0.1


@dataclass
class _Item:
    notification: Notification
    result: SendResult
    now: datetime
    duration_ms: int | None
    future: asyncio.Future[str]


class Recorder:
    def __init__(
        self,
        db: Database,
        rng: random.Random,
        *,
        backoff_base: float,
        backoff_cap: float,
        max_group: int = 500,
        in_flight: Callable[[], int] = lambda: 0,
        gather: float = GATHER_SECONDS,
    ) -> None:
        self.db = db
        self.rng = rng
        self.backoff = {"backoff_base": backoff_base, "backoff_cap": backoff_cap}
        self.max_group = max_group
        self.in_flight = in_flight  # sends still running, whose outcomes may join the group
        self.gather = gather
        self._queue: list[_Item] = []
        self._arrived = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def submit(
        self,
        notification: Notification,
        result: SendResult,
        *,
        now: datetime,
        duration_ms: int | None = None,
    ) -> asyncio.Future[str]:
        """Hand the outcome over; the future says delivered | retry | dead | stale once it is
        committed (RuntimeError when it could not be)."""
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._queue.append(_Item(notification, result, now, duration_ms, future))
        self._arrived.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="hotline-outbox-recorder")
        return future

    async def close(self) -> None:
        """Wait for the outcomes already handed over to be written."""
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _gather(self) -> None:
        """Wait a moment for the sends still running, so their outcomes share the write: a
        group's write costs about the same for 4 outcomes as for 40. The senders do not wait
        for it (their slot is free once the send is done), only the row's state does."""
        loop = asyncio.get_running_loop()
        until = loop.time() + self.gather
        while len(self._queue) < self.max_group and self.in_flight() > 0:
            left = until - loop.time()
            if left <= 0:
                return
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(left):
                    await self._arrived.wait()

    async def _run(self) -> None:
        while self._queue:
            await self._gather()
            group: list[_Item] = []
            outcomes: list[str | None]
            try:
                async with self.db.write() as session:
                    # Taken once the write lock is ours: what arrived meanwhile joins in.
                    group = self._take()
                    outcomes = list(await self._record(session, group))
            except Exception:  # the group's write failed (or the write lock never came)
                group = group or self._take()
                outcomes = await self._one_by_one(group)
            for item, outcome in zip(group, outcomes, strict=True):
                if item.future.done():
                    continue
                if outcome is None:
                    item.future.set_exception(RuntimeError("outcome not recorded"))
                else:
                    item.future.set_result(outcome)

    def _take(self) -> list[_Item]:
        group, self._queue = self._queue[: self.max_group], self._queue[self.max_group :]
        return group

    async def _record(self, session: AsyncSession, group: list[_Item]) -> list[str]:
        outcomes = [Outcome(i.notification, i.result, i.now, i.duration_ms) for i in group]
        return await record_many(session, outcomes, rng=self.rng, **self.backoff)

    async def _write(self, group: list[_Item]) -> list[str]:
        async with self.db.write() as session:
            return await self._record(session, group)

    async def _one_by_one(self, group: list[_Item]) -> list[str | None]:
        outcomes: list[str | None] = []
        for item in group:
            try:
                outcomes += await self._write([item])
            except Exception:
                log.exception("recording outcome of notification %s failed", item.notification.id)
                outcomes.append(None)
        return outcomes
