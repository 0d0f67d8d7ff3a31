"""Nothing is lost: outages, retries with backoff, dead letters and re-sends, webhook
failure modes, concurrent senders, and senders that crash holding a lease."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from sqlalchemy import select, update

from hotline.models import DeliveryAttempt, Notification, TimelineEvent
from hotline.notify.delivery import backoff, claim_due
from hotline.notify.metrics import NotifyMetrics, outbox_stats
from hotline.notify.outbox import OutboxError, dead_letters, referral_unreachable, resend
from tests.helpers.notify import agency_with, enqueue, make_worker
from tests.helpers.servers import GarbageServer, SmtpSink, WebhookReceiver


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def notification(db, nid: int) -> Notification:  # type: ignore[no-untyped-def]
    async with db.read() as session:
        row = await session.get(Notification, nid)
        assert row is not None
        return row


async def attempts(db, nid: int) -> list[str]:  # type: ignore[no-untyped-def]
    async with db.read() as session:
        rows = await session.scalars(
            select(DeliveryAttempt.outcome)
            .where(DeliveryAttempt.notification_id == nid)
            .order_by(DeliveryAttempt.id)
        )
        return list(rows.all())


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    rng = random.Random(1)
    for attempt, low, high in [
        (1, 15, 30),
        (2, 30, 60),
        (3, 60, 120),
        (9, 1800, 3600),
        (30, 1800, 3600),
    ]:
        delays = [backoff(attempt, rng).total_seconds() for _ in range(50)]
        assert low <= min(delays) and max(delays) <= high
        assert len(set(delays)) > 40  # jitter: senders that failed together spread out


async def test_smtp_outage_then_recovery_loses_nothing(db, ruleset, settings, clock, http):
    sink = SmtpSink()
    await sink.start()
    await sink.stop()  # the port is known, the server is down
    settings = settings.replace(smtp_host=sink.host, smtp_port=sink.port)
    agency = agency_with(ruleset, {"type": "email", "address": "bvte@dakto.test"})
    queued = [await enqueue(db, ruleset, settings, clock, agency) for _ in range(3)]
    worker = make_worker(db, settings, clock, http)

    first = await worker.drain()
    assert (first.claimed, first.retried, first.delivered) == (3, 3, 0)
    row = await notification(db, queued[0].ids[0])
    assert row.state == "pending" and row.attempts == 1 and "Connect" in (row.last_error or "")
    wait = row.next_attempt_at - clock.now()
    assert timedelta(seconds=15) <= wait <= timedelta(seconds=30)

    clock.advance(seconds=10)
    assert (await worker.drain()).claimed == 0  # not yet due: backoff is honoured

    clock.advance(seconds=30)
    assert (await worker.drain()).retried == 3  # still down: second attempt, longer wait
    row = await notification(db, queued[0].ids[0])
    assert timedelta(seconds=30) <= row.next_attempt_at - clock.now() <= timedelta(seconds=60)

    await sink.start()
    try:
        clock.advance(minutes=2)
        assert (await worker.drain()).delivered == 3
    finally:
        await sink.stop()
    assert sorted(m["X-Hotline-Notification"] for m in sink.messages) == sorted(
        str(q.ids[0]) for q in queued
    )
    assert await attempts(db, queued[0].ids[0]) == ["retry", "retry", "delivered"]
    stats = await outbox_stats(db, clock.now())
    assert stats["pending"] == 0 and stats["delivered"] == 3
    assert stats["sends"] == {"email": {"retry": 6, "delivered": 3}}


async def test_dead_letter_after_the_last_attempt_then_resend(db, ruleset, settings, clock, http):
    sink = SmtpSink()
    await sink.start()
    await sink.stop()
    settings = settings.replace(smtp_host=sink.host, smtp_port=sink.port)
    agency = agency_with(ruleset, {"type": "email", "address": "bvte@dakto.test"})
    queued = await enqueue(db, ruleset, settings, clock, agency)
    [nid] = queued.ids
    async with db.write() as session:
        await session.execute(update(Notification).values(max_attempts=3))
    worker = make_worker(db, settings, clock, http)

    for _ in range(3):
        await worker.drain()
        clock.advance(hours=2)
    row = await notification(db, nid)
    assert row.state == "dead" and row.attempts == 3 and row.next_attempt_at is None
    assert await attempts(db, nid) == ["retry", "retry", "retry"]
    stats = await outbox_stats(db, clock.now())
    assert stats["dead"] == 1 and stats["pending"] == 0
    async with db.read() as session:
        assert [n.id for n in await dead_letters(session)] == [nid]
        assert await referral_unreachable(session, queued.referral_id)
        kinds = (await session.scalars(select(TimelineEvent.kind))).all()
    assert "dead_letter" in kinds
    assert (await worker.drain()).claimed == 0  # a dead letter is not retried by itself

    async with db.write() as session:
        await resend(session, nid, now=clock.now(), actor="supervisor:minh")
    await sink.start()
    try:
        assert (await worker.drain()).delivered == 1
    finally:
        await sink.stop()
    assert len(sink.messages) == 1 and sink.messages[0]["X-Hotline-Notification"] == str(nid)
    row = await notification(db, nid)
    assert row.state == "delivered" and row.attempts == 1
    async with db.write() as session:
        with pytest.raises(OutboxError, match="not a dead letter"):
            await resend(session, nid, now=clock.now())


async def test_a_refused_mailbox_is_dead_at_once_and_a_deferral_retries(
    db, ruleset, settings, clock, http
):
    async with SmtpSink() as sink:
        sink.refuse.add("gone@dakto.test")
        sink.defer.add("full@dakto.test")
        settings = settings.replace(smtp_host=sink.host, smtp_port=sink.port)
        gone = await enqueue(
            db,
            ruleset,
            settings,
            clock,
            agency_with(ruleset, {"type": "email", "address": "gone@dakto.test"}),
        )
        full = await enqueue(
            db,
            ruleset,
            settings,
            clock,
            agency_with(ruleset, {"type": "email", "address": "full@dakto.test"}),
        )
        stats = await make_worker(db, settings, clock, http).drain()
    assert (stats.dead, stats.retried) == (1, 1)
    assert (await notification(db, gone.ids[0])).state == "dead"
    assert "550" in (await notification(db, gone.ids[0])).last_error
    assert (await notification(db, full.ids[0])).state == "pending"


async def test_smtp_login_and_a_wrong_password_is_retried_not_dropped(
    db, ruleset, settings, clock, http
):
    async with SmtpSink(login=("hotline", "s3cret")) as sink:
        agency = agency_with(ruleset, {"type": "email", "address": "bvte@dakto.test"})
        queued = await enqueue(db, ruleset, settings, clock, agency)
        wrong = settings.replace(
            smtp_host=sink.host, smtp_port=sink.port, smtp_user="hotline", smtp_password="typo"
        )
        assert (await make_worker(db, wrong, clock, http).drain()).retried == 1
        assert "login" in (await notification(db, queued.ids[0])).last_error
        right = wrong.replace(smtp_password="s3cret")
        clock.advance(minutes=1)
        assert (await make_worker(db, right, clock, http).drain()).delivered == 1
    assert len(sink.messages) == 1


@pytest.mark.parametrize(
    ("script", "outcome"),
    [
        ([500], "retry"),
        ([503], "retry"),
        ([429], "retry"),
        ([408], "retry"),
        ([410], "dead"),  # gone: will not get better
        ([400], "dead"),
        ([404], "dead"),
        ([201], "delivered"),
        (["hang"], "retry"),  # the client's timeout, not the receiver, decides
    ],
)
async def test_webhook_answers(db, ruleset, settings, clock, http, script, outcome):
    async with WebhookReceiver(script=list(script)) as hook:
        agency = agency_with(ruleset, {"type": "webhook", "address": hook.url})
        queued = await enqueue(db, ruleset, settings, clock, agency)
        worker = make_worker(db, settings, clock, http, webhook_timeout=0.3)
        stats = await worker.drain()
    assert stats.claimed == 1 and getattr(stats, {"retry": "retried"}.get(outcome, outcome)) == 1
    assert await attempts(db, queued.ids[0]) == [outcome]


async def test_webhook_garbage_and_refused_connections_retry_then_deliver(
    db, ruleset, settings, clock, http
):
    async with GarbageServer() as junk:
        agency = agency_with(ruleset, {"type": "webhook", "address": junk.url})
        queued = await enqueue(db, ruleset, settings, clock, agency)
        worker = make_worker(db, settings, clock, http, webhook_timeout=2)
        assert (await worker.drain()).retried == 1
        assert junk.connections >= 1
    clock.advance(minutes=1)
    assert (await worker.drain()).retried == 1  # nobody listening any more: refused
    # The agency fixes its endpoint (same port): the next attempt goes through.
    async with WebhookReceiver(port=junk.port) as hook:
        clock.advance(minutes=2)
        assert (await worker.drain()).delivered == 1
    assert hook.keys == [str(queued.ids[0])]
    assert await attempts(db, queued.ids[0]) == ["retry", "retry", "delivered"]


async def test_an_unresolvable_host_is_retried(db, ruleset, settings, clock, http):
    agency = agency_with(ruleset, {"type": "webhook", "address": "http://no-such-host.invalid/h"})
    await enqueue(db, ruleset, settings, clock, agency)
    assert (await make_worker(db, settings, clock, http).drain()).retried == 1


async def test_two_workers_send_each_notification_exactly_once(
    db_url, ruleset, settings, clock, http
):
    from hotline.db.engine import Database

    # Two Database objects: two engines and pools, as two app nodes would have.
    db_a, db_b = Database(db_url), Database(db_url)
    try:
        await db_a.ping()
        await db_b.ping()
        async with WebhookReceiver(delay=0.01) as hook:
            agency = agency_with(
                ruleset,
                {"type": "webhook", "address": hook.url},
                {"type": "email", "address": "x@dakto.test"},
            )
            for _ in range(30):
                await enqueue(db_a, ruleset, settings, clock, agency)
            a = make_worker(db_a, settings, clock, http, batch=4, concurrency=4)
            b = make_worker(db_b, settings, clock, http, batch=4, concurrency=4)
            sa, sb = await asyncio.gather(a.drain(), b.drain())
        assert sa.claimed > 0 and sb.claimed > 0  # both took part
        assert sa.claimed + sb.claimed == 60 == sa.delivered + sb.delivered
        assert len(hook.keys) == 30 and Counter(hook.keys).most_common(1)[0][1] == 1
        async with db_a.read() as session:
            counts = Counter((await session.scalars(select(DeliveryAttempt.notification_id))).all())
        assert len(counts) == 60 and set(counts.values()) == {1}
    finally:
        await db_a.dispose()
        await db_b.dispose()


async def test_concurrent_claims_take_at_most_their_limit_and_never_the_same_row(
    db_url, ruleset, settings, clock
):
    from hotline.db.engine import Database

    nodes = [Database(db_url) for _ in range(3)]
    try:
        agency = agency_with(ruleset, {"type": "email", "address": "x@dakto.test"})
        for _ in range(20):
            await enqueue(nodes[0], ruleset, settings, clock, agency)
        lease = timedelta(minutes=1)
        claims = await asyncio.gather(
            *(
                claim_due(node, now=clock.now(), limit=3, lease=lease)
                for node in nodes
                for _ in range(2)
            )
        )
        assert all(len(c) <= 3 for c in claims), [len(c) for c in claims]
        ids = [n.id for c in claims for n in c]
        assert len(ids) == len(set(ids)) == 18
    finally:
        for node in nodes:
            await node.dispose()


async def test_a_crashed_sender_lease_ends_and_the_same_key_is_sent_again(
    db, ruleset, settings, clock, http
):
    async with WebhookReceiver() as hook:
        agency = agency_with(ruleset, {"type": "webhook", "address": hook.url})
        queued = await enqueue(db, ruleset, settings, clock, agency)
        # A sender claims the row and dies before recording anything.
        [claimed] = await claim_due(db, now=clock.now(), limit=10, lease=timedelta(minutes=2))
        assert claimed.state == "sending" and claimed.attempts == 1
        worker = make_worker(db, settings, clock, http, lease=timedelta(minutes=2))
        assert (await worker.drain()).claimed == 0  # still leased
        clock.advance(minutes=1, seconds=59)
        assert (await worker.drain()).claimed == 0
        clock.advance(seconds=1)
        stats = await worker.drain()
    assert stats.delivered == 1
    assert hook.keys == [str(queued.ids[0])]
    assert hook.requests[0].json["notification_id"] == queued.ids[0]
    row = await notification(db, queued.ids[0])
    assert row.state == "delivered" and row.attempts == 2


async def test_a_late_outcome_from_an_expired_lease_does_not_clobber_the_new_claim(
    db, ruleset, settings, clock
):
    from hotline.notify.channels.base import SendResult
    from hotline.notify.delivery import record_outcome

    agency = agency_with(ruleset, {"type": "webhook", "address": "http://127.0.0.1:9/h"})
    queued = await enqueue(db, ruleset, settings, clock, agency)
    lease = timedelta(minutes=2)
    [old] = await claim_due(db, now=clock.now(), limit=1, lease=lease)
    [new] = await claim_due(db, now=clock.advance(minutes=3), limit=1, lease=lease)
    rng = random.Random(0)
    assert (
        await record_outcome(db, old, SendResult.retry("slow"), now=clock.now(), rng=rng) == "stale"
    )
    assert (await notification(db, queued.ids[0])).state == "sending"
    assert (
        await record_outcome(db, new, SendResult.delivered(), now=clock.now(), rng=rng)
        == "delivered"
    )
    # The slow sender did deliver after all: recorded, and nothing goes backwards.
    assert (
        await record_outcome(db, old, SendResult.delivered(), now=clock.now(), rng=rng) == "stale"
    )
    assert await attempts(db, queued.ids[0]) == ["retry", "delivered", "delivered"]


async def test_metrics_use_their_own_registry(db, ruleset, settings, clock, http):
    one, two = NotifyMetrics(), NotifyMetrics()  # no "Duplicated timeseries"
    agency = agency_with(ruleset, {"type": "email", "address": "bvte@dakto.test"})
    await enqueue(db, ruleset, settings, clock, agency)
    clock.advance(seconds=90)
    stats = await outbox_stats(db, clock.now())
    assert stats["pending"] == 1 and stats["oldest_pending_age_seconds"] == 90
    one.set_stats(stats)
    worker = make_worker(db, settings, clock, http, metrics=one)
    await worker.drain()
    assert one.registry.get_sample_value("hotline_outbox_pending") == 1
    assert (
        one.registry.get_sample_value(
            "hotline_notification_sends_total", {"channel": "email", "result": "delivered"}
        )
        == 1
    )
    assert (
        two.registry.get_sample_value(
            "hotline_notification_sends_total", {"channel": "email", "result": "delivered"}
        )
        is None
    )


async def test_a_dead_letter_makes_the_referral_due_for_escalation_at_once(
    db, ruleset, settings, clock
):
    from hotline.models import Referral
    from hotline.notify.channels.base import SendResult
    from hotline.notify.delivery import record_outcome

    agency = agency_with(ruleset, {"type": "webhook", "address": "http://127.0.0.1:9/h"})
    queued = await enqueue(db, ruleset, settings, clock, agency)
    async with db.write() as session:
        referral = await session.get(Referral, queued.referral_id)
        referral.next_escalation_at = clock.now() + timedelta(hours=4)
    [claimed] = await claim_due(db, now=clock.now(), limit=1, lease=timedelta(minutes=2))
    outcome = await record_outcome(
        db, claimed, SendResult.dead("410 Gone"), now=clock.now(), rng=random.Random(0)
    )
    assert outcome == "dead"
    async with db.read() as session:
        referral = await session.get(Referral, queued.referral_id)
    assert referral.next_escalation_at == clock.now()  # the next sweep looks at it now
