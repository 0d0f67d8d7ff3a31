"""The service with its background parts running, as `hotline serve` starts it: a call posted
through the API reaches a real SMTP server with nobody draining by hand, /healthz reports
the sweep and the outbox, and /metrics counts the sends."""

from __future__ import annotations

import asyncio

from hotline import keys
from hotline.accounts.auth import issue_token
from hotline.accounts.users import create_user
from hotline.app import create_app
from tests.helpers.calls import GOOD
from tests.helpers.servers import SmtpSink


async def test_a_call_is_delivered_by_the_running_service(settings, ruleset, aiohttp_client):
    async with SmtpSink() as smtp:
        app = create_app(
            settings.replace(smtp_host=smtp.host, smtp_port=smtp.port), rules=ruleset
        )  # background parts on, real clock
        client = await aiohttp_client(app)
        async with app[keys.DB].write() as session:
            user = await create_user(
                session, username="op", role="operator", now=app[keys.CLOCK].now()
            )
            token = await issue_token(session, user, name="t", now=app[keys.CLOCK].now())
        response = await client.post(
            "/api/v1/calls", json=GOOD, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status == 201
        agencies = {r["agency"]["code"] for r in (await response.json())["referrals"]}
        # The worker was woken at commit: wait for the messages, not for a timer.
        async with asyncio.timeout(20):
            while len(smtp.messages) < len(agencies):
                await asyncio.sleep(0.05)
        subjects = " ".join(str(m["Subject"]) for m in smtp.messages)
        assert "cha dượng" not in subjects  # the minimum leaves the system
        health = await (await client.get("/healthz")).json()
        assert health["node"] == app[keys.NODE]
        assert health["worker"]["ok"] is True and health["worker"]["node"] == app[keys.NODE]
        assert health["cluster"]["ok"] is True
        assert health["cluster"]["outbox"]["claims_past_lease"] == 0
        async with asyncio.timeout(20):
            while not (await (await client.get("/healthz")).json()).get("escalation", {}).get("ok"):
                await asyncio.sleep(0.05)
        metrics = await (await client.get("/metrics")).text()
        assert 'hotline_notification_sends_total{channel="email",result="delivered"}' in metrics
        assert "hotline_escalation_sweep_seconds_count" in metrics
        assert f'hotline_node_info{{node="{app[keys.NODE]}"}} 1.0' in metrics
