"""Two `hotline serve` processes on one PostgreSQL database; one is killed with SIGKILL while
it holds claims, and the other takes its work within the takeover target (a claim lease plus
a poll), doing every notification and escalation step once.

Both nodes start; B is frozen (SIGSTOP) while A takes the calls' notifications, whose
webhook sends hang at the receiver (they stay claimed, A renewing their leases); escalation
items are claimed in A's name as its sweep leaves them when it dies between a claim and its
processing (the claim is written directly: a sweep's claim lasts milliseconds, too short to
kill it in). Then A is killed, B resumes, the receiver answers again, and B must deliver A's
messages and fire the steps.

Real processes and a real clock: this test waits (up to the target), it does not sleep.
PostgreSQL only (SQLite is one node).
"""

from __future__ import annotations

import asyncio
import copy
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
import yaml
from sqlalchemy import func, select
from sqlmodel import col

from hotline.accounts.auth import issue_token
from hotline.accounts.users import create_user
from hotline.db.engine import Database
from hotline.models import DeliveryAttempt, EscalationEvent, Notification, Referral
from hotline.settings import PROJECT_ROOT
from tests.helpers.calls import GOOD
from tests.helpers.servers import WebhookReceiver

TAKEOVER_TARGET = 10.0  # seconds from the kill until the dead node's work is done
LEASE = 6.0  # HOTLINE_CLAIM_LEASE's default

pytestmark = pytest.mark.skipif(
    not os.environ.get("HOTLINE_TEST_DATABASE_URL"), reason="several nodes need PostgreSQL"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rules_with_webhooks(target: Path, url: str) -> None:
    """routing_rules/ copied, every agency given a webhook channel to the test's receiver."""
    shutil.copytree(PROJECT_ROOT / "routing_rules", target)
    path = target / "agencies.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for agency in data["agencies"]:
        agency.setdefault("channels", []).append({"type": "webhook", "address": url})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


class Node:
    """`python -m hotline serve` in a process of its own, logging to a file."""

    def __init__(self, name: str, env: dict[str, str], log: Path) -> None:
        self.name, self.port, self.log = name, _free_port(), log
        self.url = f"http://127.0.0.1:{self.port}"
        with log.open("wb") as out:  # the child keeps its own copy
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "hotline", "serve", "--port", str(self.port)],
                env={**env, "HOTLINE_NODE_ID": name},
                stdout=subprocess.DEVNULL,
                stderr=out,
            )

    async def ready(self, http: aiohttp.ClientSession) -> None:
        async with asyncio.timeout(60):
            while True:
                assert self.proc.poll() is None, self.log.read_text()
                try:
                    async with http.get(f"{self.url}/healthz") as response:
                        if (await response.json())["worker"]["ok"]:
                            return
                except (aiohttp.ClientError, KeyError):
                    pass
                await asyncio.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _earlier(at: str, *, hours: int) -> str:
    return (datetime.fromisoformat(at) - timedelta(hours=hours)).isoformat()


async def _until(check, timeout: float) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.05)


async def test_a_killed_node_s_claims_are_taken_over_once_within_the_target(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    calls = 4
    async with WebhookReceiver() as hook, aiohttp.ClientSession() as http:
        _rules_with_webhooks(tmp_path / "rules", hook.url)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")},
            "PYTHONPATH": str(PROJECT_ROOT),
            "HOTLINE_DATABASE_URL": db_url,
            "HOTLINE_SECRET_KEY": "cluster-test-secret-0123456789abcdef",
            "HOTLINE_RULES_DIR": str(tmp_path / "rules"),
            "HOTLINE_BASE_URL": "http://hotline.test",
            "HOTLINE_AUTO_MIGRATE": "false",
        }
        async with db.write() as session:
            user = await create_user(session, username="op", role="operator", now=datetime.now(UTC))
            token = await issue_token(session, user, name="t", now=datetime.now(UTC))
        a = Node("node-a", env, tmp_path / "a.log")
        b = Node("node-b", env, tmp_path / "b.log")
        try:
            await a.ready(http)
            await b.ready(http)
            b.proc.send_signal(signal.SIGSTOP)  # B takes nothing until A holds it all
            hook.script = ["hang"] * 1000  # every webhook send hangs, until A is gone
            for _ in range(calls):
                async with http.post(
                    f"{a.url}/api/v1/calls",
                    json=GOOD,
                    headers={"Authorization": f"Bearer {token}"},
                ) as response:
                    assert response.status == 201
            async with db.read() as session:
                webhooks = set(
                    (
                        await session.scalars(
                            select(Notification.id).where(Notification.channel == "webhook")
                        )
                    ).all()
                )
                referrals = list((await session.scalars(select(Referral.id))).all())
            assert webhooks and referrals

            async def a_holds_them() -> bool:
                async with db.read() as session:
                    held = await session.scalar(
                        select(func.count()).where(
                            col(Notification.channel) == "webhook",
                            col(Notification.state) == "sending",
                            col(Notification.claimed_by) == "node-a",
                        )
                    )
                return held == len(webhooks)

            await _until(a_holds_them, 8)  # before A's sends time out (10 s)
            # A's sweep dies between its claim of these referrals and their processing. Their
            # early steps are due: their schedule moved six hours back.
            now = datetime.now(UTC)
            async with db.write() as session:
                for referral in (
                    await session.scalars(select(Referral).where(col(Referral.id).in_(referrals)))
                ).all():
                    policy = copy.deepcopy(referral.policy)
                    for step in policy["steps"]:
                        step["at"] = [_earlier(at, hours=6) for at in step["at"]]
                    referral.policy = policy
                    referral.created_at -= timedelta(hours=6)
                    referral.next_escalation_at = now
                    referral.escalation_lease_until = now + timedelta(seconds=LEASE)
                    referral.escalation_claimed_by = "node-a"
            in_flight = set(hook.keys)  # what A had sent when it died
            a.proc.kill()  # SIGKILL, holding its claims
            killed = time.time()
            a.proc.wait()
            hook.script = []  # the receiver answers 200 from now on
            b.proc.send_signal(signal.SIGCONT)

            async def all_done() -> bool:
                # The steps first: each statement sees what was committed when it began, and a
                # step's event commits with the reminders it sends, so counting the open
                # notifications after the events cannot miss a step's reminders.
                async with db.read() as session:
                    fired = await session.scalar(
                        select(func.count(func.distinct(EscalationEvent.referral_id)))
                    )
                    open_ = await session.scalar(
                        select(func.count()).where(col(Notification.state) != "delivered")
                    )
                return fired == len(referrals) and open_ == 0

            await _until(all_done, TAKEOVER_TARGET + 20)  # measured below against the target
            async with db.read() as session:
                rows = (
                    await session.execute(
                        select(Notification.id, Notification.delivered_at, Notification.claimed_by)
                    )
                ).all()
                attempts = Counter(
                    (
                        await session.scalars(
                            select(DeliveryAttempt.notification_id).where(
                                DeliveryAttempt.outcome == "delivered"
                            )
                        )
                    ).all()
                )
                events = (
                    await session.execute(
                        select(
                            EscalationEvent.subject, EscalationEvent.step, EscalationEvent.fired_at
                        )
                    )
                ).all()
                nodes = {
                    detail.get("node")
                    for detail in (await session.scalars(select(EscalationEvent.detail))).all()
                }
        finally:
            a.proc.kill()
            a.proc.wait()
            b.proc.send_signal(signal.SIGCONT)
            b.stop()
    # Every notification delivered once (one delivered attempt each), A's webhooks by B.
    assert all(count == 1 for count in attempts.values()) and len(attempts) == len(rows)
    taken = [r for r in rows if r.id in webhooks]
    assert {r.claimed_by for r in taken} == {"node-b"}
    late = [(r.delivered_at.timestamp() - killed) for r in taken]
    assert max(late) <= TAKEOVER_TARGET, late
    # Escalation: every claimed referral's due steps fired once (the unique key), by B, in time.
    assert len(events) == len(set((s, n) for s, n, _ in events))
    assert {s for s, _, _ in events} >= {f"referral:{r}" for r in referrals}
    assert max(at.timestamp() - killed for _, _, at in events) <= TAKEOVER_TARGET
    assert nodes == {"node-b"}
    # The receiver: repeats only of the sends A had in flight, with the same Idempotency-Key.
    repeats = {key for key, n in Counter(hook.keys).items() if n > 1}
    assert repeats <= in_flight
    assert {str(i) for i in webhooks} <= set(hook.keys)
    for log in (tmp_path / "a.log", tmp_path / "b.log"):
        assert " ERROR " not in log.read_text(encoding="utf-8", errors="replace"), log
