"""HOTLINE_SENDER_PROCESS: the sends happen in a child process, against the same real SMTP
server, webhook receiver and SMS gateway as in-process; a child that dies is replaced and
its sends are retried, never lost."""

from __future__ import annotations

import asyncio
import os
import signal

import aiohttp
from sqlalchemy import select

from hotline.models import Notification
from hotline.notify.channels.sms import FakeSmsGateway
from hotline.notify.channels.webhook import derive_secret, verify_signature
from hotline.notify.sender import ProcessChannel
from tests.helpers.notify import AGENCY, agency_with, enqueue, make_worker
from tests.helpers.servers import SmtpSink, WebhookReceiver


def _sender(worker):  # type: ignore[no-untyped-def]
    channel = worker.channels["webhook"]
    assert isinstance(channel, ProcessChannel)
    return channel.sender


async def test_every_channel_sends_from_the_child(db, ruleset, settings, clock):
    async with (
        aiohttp.ClientSession() as http,
        SmtpSink() as smtp,
        WebhookReceiver() as hook,
        FakeSmsGateway() as gateway,
    ):
        settings = settings.replace(
            sender_process=True,
            smtp_host=smtp.host,
            smtp_port=smtp.port,
            mail_from="hl@hotline.test",
            sms_gateway_url=gateway.url,
        )
        agency = agency_with(
            ruleset,
            {"type": "email", "address": "bvte@dakto.test"},
            {"type": "webhook", "address": hook.url},
            {"type": "sms", "address": "+84 912 000 111"},
        )
        queued = await enqueue(db, ruleset, settings, clock, agency)
        worker = make_worker(db, settings, clock, http, ruleset)
        try:
            stats = await worker.drain()
            child = _sender(worker)._proc
            assert child is not None and child.pid != os.getpid()
        finally:
            await worker.stop()
        assert child.returncode is not None  # stop() ended the child
    assert (stats.claimed, stats.delivered) == (3, 3)
    [mail] = smtp.messages
    assert mail["To"] == "bvte@dakto.test" and mail["From"] == "hl@hotline.test"
    assert mail["Subject"].startswith("[CAO] Chuyển gửi vụ việc T-")
    [req] = hook.requests
    assert req.headers["Idempotency-Key"] in {str(i) for i in queued.ids}
    assert verify_signature(  # the secret looked up in the parent signs in the child
        derive_secret(settings.secret_key, AGENCY),
        req.headers["X-Hotline-Timestamp"],
        req.body,
        req.headers["X-Hotline-Signature"],
    )
    [sms] = gateway.messages
    assert sms["to"] == "+84 912 000 111" and len(sms["text"]) <= 160


async def test_a_child_that_dies_is_replaced_and_its_sends_retried(db, ruleset, settings, clock):
    async with aiohttp.ClientSession() as http, WebhookReceiver(script=["hang"]) as hook:
        settings = settings.replace(sender_process=True)
        agency = agency_with(ruleset, {"type": "webhook", "address": hook.url})
        queued = await enqueue(db, ruleset, settings, clock, agency)
        worker = make_worker(db, settings, clock, http, ruleset)
        sender = _sender(worker)
        try:
            await sender.start()
            assert sender._proc is not None
            task = asyncio.create_task(worker.drain())
            while not hook.requests:  # the child is sending (and the receiver hangs)
                await asyncio.sleep(0.01)
            os.kill(sender._proc.pid, signal.SIGKILL)
            stats = await task
            assert (stats.claimed, stats.retried) == (1, 1)
            async with db.read() as session:
                row = await session.scalar(
                    select(Notification).where(Notification.id == queued.ids[0])
                )
            assert row is not None and row.state == "pending"
            assert row.last_error == "sender process exited"
            # Due again: a new child sends it, with the same idempotency key.
            retry = await worker.drain(row.next_attempt_at)
            assert retry.delivered == 1 and sender.started == 2
        finally:
            await worker.stop()
    assert hook.keys == [str(queued.ids[0])] * 2
