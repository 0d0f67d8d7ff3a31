"""Each node answerable for itself: claims name their node and last a short lease that only
the holder renews; heartbeats are per job and node and written by upsert; the cluster's stuck
work makes /healthz fail; SQLite warns when a second process serves the same file."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import select

from hotline import keys
from hotline.app import create_app
from hotline.jobs.heartbeat import write_heartbeat
from hotline.jobs.wakeups import single_node_guard
from hotline.models import Heartbeat, Notification
from hotline.notify.delivery import claim_due, renew_claims
from hotline.reports.rollups import refresh_rollups
from tests.helpers.factories import T0
from tests.helpers.notify import agency_with, enqueue

LEASE = timedelta(seconds=6)


async def test_a_claim_names_its_node_and_only_its_holder_renews_it(db, ruleset, settings, clock):
    agency = agency_with(ruleset, {"type": "webhook", "address": "http://127.0.0.1:9/hook"})
    queued = await enqueue(db, ruleset, settings, clock, agency)
    [row] = await claim_due(db, now=T0, limit=10, lease=LEASE, node="node-a")
    assert row.claimed_by == "node-a" and row.lease_until == T0 + LEASE
    # Another node (or node-a restarted under its name, not holding the row) renews nothing.
    assert (
        await renew_claims(db, [row.id], now=T0 + timedelta(seconds=2), lease=LEASE, node="b") == 0
    )
    assert (
        await renew_claims(db, [row.id], now=T0 + timedelta(seconds=4), lease=LEASE, node="node-a")
        == 1
    )
    # Not due to anyone while renewed; due to the others once the holder stopped renewing.
    assert await claim_due(db, now=T0 + timedelta(seconds=9), limit=10, lease=LEASE, node="b") == []
    [taken] = await claim_due(db, now=T0 + timedelta(seconds=11), limit=10, lease=LEASE, node="b")
    assert taken.id == queued.ids[0] and taken.claimed_by == "b" and taken.attempts == 2


async def test_heartbeats_are_per_node_and_simultaneous_first_writes_do_not_fail(db):
    await asyncio.gather(
        *(write_heartbeat(db, job="outbox", now=T0, detail={}, node=n) for n in ("a", "b", "a"))
    )
    # The rollups' cluster row: two nodes refreshing at once both write it (an upsert).
    await asyncio.gather(*(refresh_rollups(db, days=None, now=T0) for _ in range(2)))
    async with db.read() as session:
        rows = (await session.execute(select(Heartbeat.job, Heartbeat.node))).all()
    assert sorted(rows) == [("outbox", "a"), ("outbox", "b"), ("rollups", "")]


async def test_healthz_fails_when_due_work_waits_past_the_threshold(
    settings, ruleset, clock, aiohttp_client
):
    app = create_app(settings, clock=clock, rules=ruleset, background=False)
    # The cluster probe alone (the background parts are off): as jobs/background.py adds it.
    from hotline.jobs.background import _cluster_health

    app[keys.HEALTH_CHECKS]["cluster"] = lambda: _cluster_health(app)
    client = await aiohttp_client(app)
    async with app[keys.DB].write() as session:
        session.add(
            Notification(
                channel="email",
                address="a@example.org",
                payload={},
                state="sending",  # claimed by a node that died: its lease ended at T0
                claimed_by="dead",
                created_at=T0 - timedelta(minutes=5),
                next_attempt_at=T0,
                lease_until=T0,
            )
        )
    clock.advance(timedelta(seconds=30))
    body = await (await client.get("/healthz")).json()
    assert body["node"] == app[keys.NODE] and body["status"] == "ok"
    assert body["cluster"]["outbox"] == {"claims_past_lease": 1, "oldest_due_seconds": 30.0}
    clock.advance(timedelta(seconds=31))
    response = await client.get("/healthz")
    assert response.status == 503
    assert (await response.json())["cluster"]["ok"] is False


def test_sqlite_warns_when_a_second_process_serves_the_same_file(tmp_path, caplog):
    url = f"sqlite:///{tmp_path}/hotline.sqlite3"
    first = single_node_guard(url)
    assert first is not None
    try:
        with caplog.at_level(logging.WARNING, logger="hotline.jobs.wakeups"):
            assert single_node_guard(url) is None  # flock is per open file: as a 2nd process
        assert "SQLite runs one node" in caplog.text
    finally:
        first.close()
    assert single_node_guard("sqlite:///:memory:") is None
