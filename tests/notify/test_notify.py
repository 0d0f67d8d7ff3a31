"""Notifications: content per channel, personal data only on secure channels, signatures."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import select

from hotline.models import LocalMessage, Notification, Referral, TimelineEvent
from hotline.notify.channels.sms import FakeSmsGateway
from hotline.notify.channels.webhook import derive_secret, verify_signature
from hotline.notify.outbox import (
    OutboxBatch,
    agency_reachable,
    enqueue_for_referral,
    referral_unreachable,
)
from hotline.referrals.links import verify_ack_token
from tests.helpers.factories import make_call, make_referral, make_user
from tests.helpers.notify import AGENCY, agency_with, enqueue, make_worker
from tests.helpers.servers import SmtpSink, WebhookReceiver

PERSONAL = ("Nguyễn Thị Lan", "0912 345 678", "Trần Thị Hoa", "bố dượng", "Thôn 3")


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpSink]:
    async with SmtpSink() as sink:
        yield sink


@pytest.fixture
async def hook() -> AsyncIterator[WebhookReceiver]:
    async with WebhookReceiver() as receiver:
        yield receiver


def smtp_settings(settings, smtp: SmtpSink):  # type: ignore[no-untyped-def]
    return settings.replace(smtp_host=smtp.host, smtp_port=smtp.port, mail_from="hl@hotline.test")


async def timeline_kinds(db, call_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    async with db.read() as session:
        rows = await session.scalars(
            select(TimelineEvent.kind)
            .where(TimelineEvent.call_id == call_id)
            .order_by(TimelineEvent.id)
        )
        return list(rows.all())


async def test_email_carries_the_minimum_and_a_working_ack_link(
    db, ruleset, settings, clock, http, smtp
):
    settings = smtp_settings(settings, smtp)
    agency = agency_with(ruleset, {"type": "email", "address": "bvte@dakto.test"})
    queued = await enqueue(db, ruleset, settings, clock, agency)

    stats = await make_worker(db, settings, clock, http).drain()

    assert stats.delivered == 1 and stats.claimed == 1
    [msg] = smtp.messages
    subject, body = msg["Subject"], msg.get_content()
    assert msg["To"] == "bvte@dakto.test" and msg["From"] == "hl@hotline.test"
    assert subject.startswith("[CAO] Chuyển gửi vụ việc T-")
    assert subject.endswith(": Xâm hại trẻ em – Xã Đăk Tô")
    assert f"<notification-{queued.ids[0]}@hotline.test>" == msg["Message-ID"]
    assert "Hạn xác nhận:      10:00 10/03/2026" in body  # 03:00 UTC shown in Ho Chi Minh time
    for secret in PERSONAL:
        assert secret not in body and secret not in subject
    ack = next(line for line in body.splitlines() if "/ack/" in line).strip()
    assert ack.startswith("http://hotline.test/ack/")
    token = ack.rsplit("/", 1)[1]
    assert verify_ack_token(settings.secret_key, token, now=clock.now()) == queued.referral_id
    assert f"http://hotline.test/agency/referrals/{queued.referral_id}" in body

    async with db.read() as session:
        referral = await session.get(Referral, queued.referral_id)
        assert referral is not None
        assert referral.status == "notified" and referral.notified_at == clock.now()
    assert await timeline_kinds(db, queued.call_id) == ["notified", "delivered"]


async def test_secure_email_carries_personal_data(db, ruleset, settings, clock, http, smtp):
    settings = smtp_settings(settings, smtp)
    agency = agency_with(ruleset, {"type": "email", "address": "secure@dakto.test", "secure": True})
    await enqueue(db, ruleset, settings, clock, agency)
    await make_worker(db, settings, clock, http).drain()
    body = smtp.messages[0].get_content()
    for secret in PERSONAL:
        assert secret in body


async def test_webhook_is_signed_and_keyed_and_minimal(db, ruleset, settings, clock, http, hook):
    agency = agency_with(ruleset, {"type": "webhook", "address": hook.url})
    queued = await enqueue(db, ruleset, settings, clock, agency)

    await make_worker(db, settings, clock, http, ruleset).drain()

    [req] = hook.requests
    secret = derive_secret(settings.secret_key, AGENCY)
    headers = req.headers
    assert verify_signature(
        secret, headers["X-Hotline-Timestamp"], req.body, headers["X-Hotline-Signature"]
    )
    assert not verify_signature(
        "another-secret", headers["X-Hotline-Timestamp"], req.body, headers["X-Hotline-Signature"]
    )
    assert not verify_signature(
        secret, headers["X-Hotline-Timestamp"], req.body + b" ", headers["X-Hotline-Signature"]
    )
    assert headers["Idempotency-Key"] == str(queued.ids[0])
    doc = req.json
    assert doc["event"] == "referral.created"
    assert doc["notification_id"] == queued.ids[0]
    assert doc["referral"]["id"] == queued.referral_id
    assert doc["call"]["categories"] == ["child_abuse"] and doc["call"]["urgency"] == "high"
    assert doc["referral"]["ack_due_at"] == "2026-03-10T03:00:00Z"
    assert "personal" not in doc["call"]
    for secret_text in PERSONAL:
        assert secret_text not in req.body.decode()


async def test_webhook_secret_from_channel_config_and_personal_data_when_secure(
    db, ruleset, settings, clock, http, hook
):
    channel = {
        "type": "webhook",
        "address": hook.url,
        "secure": True,
        "secret": "agency-own-secret-0123456789",
    }
    agency = agency_with(ruleset, channel)
    rules = ruleset.__class__(
        **{**ruleset.__dict__, "agencies": {**ruleset.agencies, AGENCY: agency}}
    )
    await enqueue(db, ruleset, settings, clock, agency)
    await make_worker(db, settings, clock, http, rules).drain()
    [req] = hook.requests
    assert verify_signature(
        "agency-own-secret-0123456789",
        req.headers["X-Hotline-Timestamp"],
        req.body,
        req.headers["X-Hotline-Signature"],
    )
    personal = req.json["call"]["personal"]
    assert personal["caller_name"] == "Nguyễn Thị Lan"
    assert personal["people"] == [{"name": "Trần Thị Hoa", "age": 9, "sex": "female"}]


async def test_sms_through_the_gateway_fits_one_message(db, ruleset, settings, clock, http):
    async with FakeSmsGateway() as gateway:
        settings = settings.replace(sms_gateway_url=gateway.url)
        agency = agency_with(ruleset, {"type": "sms", "address": "+84 912 000 111"})
        queued = await enqueue(db, ruleset, settings, clock, agency, urgency="emergency")
        await make_worker(db, settings, clock, http).drain()
    [sms] = gateway.messages
    assert sms["to"] == "+84 912 000 111" and sms["key"] == str(queued.ids[0])
    text = sms["text"]
    assert len(text) <= 160, text
    assert text.isascii() and "/ack/ack." in text
    assert "Lan" not in text and "Hoa" not in text


async def test_sms_gateway_url_template_is_fetched_with_get(db, ruleset, settings, clock, http):
    async with FakeSmsGateway() as gateway:
        url = gateway.url + "?phone={to}&msg={text}&ref={id}"
        settings = settings.replace(sms_gateway_url=url)
        agency = agency_with(ruleset, {"type": "sms", "address": "+84912000111"})
        queued = await enqueue(db, ruleset, settings, clock, agency)
        assert (await make_worker(db, settings, clock, http).drain()).delivered == 1
    [sms] = gateway.messages
    assert sms["phone"] == "+84912000111" and sms["ref"] == str(queued.ids[0])
    assert "XN: http://hotline.test/ack/ack." in sms["msg"]


async def test_without_smtp_host_mail_goes_to_the_local_mailbox(db, ruleset, settings, clock, http):
    agency = agency_with(ruleset, {"type": "email", "address": "bvte@dakto.test"})
    queued = await enqueue(db, ruleset, settings, clock, agency)
    stats = await make_worker(db, settings, clock, http).drain()
    assert stats.delivered == 1
    async with db.read() as session:
        [kept] = (await session.scalars(select(LocalMessage))).all()
    assert kept.notification_id == queued.ids[0] and kept.to == "bvte@dakto.test"
    assert "/ack/" in kept.body and kept.subject


async def test_agency_without_channels_is_recorded_as_unreachable(db, ruleset, settings, clock):
    agency = agency_with(ruleset)
    assert not agency_reachable(agency)
    assert agency_reachable(ruleset.agencies[AGENCY])
    queued = await enqueue(db, ruleset, settings, clock, agency)
    assert queued.ids == []
    assert await timeline_kinds(db, queued.call_id) == ["unreachable"]
    async with db.read() as session:
        assert await referral_unreachable(session, queued.referral_id)


async def test_one_row_per_channel_in_the_callers_transaction(db, ruleset, settings, clock):
    agency = agency_with(
        ruleset,
        {"type": "email", "address": "a@dakto.test"},
        {"type": "webhook", "address": "http://127.0.0.1:9/hook"},
        {"type": "sms", "address": "0912000111"},
    )
    with pytest.raises(RuntimeError):
        async with db.write() as session:
            call = await make_call(session)
            referral = await make_referral(session, call)
            rows = await enqueue_for_referral(
                session,
                call=call,
                referral=referral,
                agency=agency,
                ruleset=ruleset,
                settings=settings,
                now=clock.now(),
            )
            assert [n.channel for n in rows] == ["email", "webhook", "sms"]
            raise RuntimeError("the handler fails after enqueueing")
    async with db.read() as session:  # rolled back with the call: nothing half-written
        assert (await session.scalars(select(Notification))).all() == []


async def test_supervisors_get_mail_without_personal_data(db, ruleset, settings, clock, http, smtp):
    settings = smtp_settings(settings, smtp)
    async with db.write() as session:
        call = await make_call(session)
        boss = await make_user(session, display_name="Giám sát Minh", email="minh@hotline.test")
        nomail = await make_user(session, email=None)
        batch = OutboxBatch(session, ruleset=ruleset, settings=settings, now=clock.now())
        ids, told = batch.for_users(
            users=[boss, nomail],
            call=call,
            purpose="shelter_shortage",
            detail={"message": "Không còn giường trống ở nhà tạm lánh gần nhất."},
        )
        await batch.write()
        rows = (await session.scalars(select(Notification).where(Notification.id.in_(ids)))).all()
    assert told == [boss]
    assert [n.address for n in rows] == ["minh@hotline.test"]
    await make_worker(db, settings, clock, http).drain()
    [msg] = smtp.messages
    body = msg.get_content()
    assert "Thiếu chỗ tạm lánh" in msg["Subject"]
    assert "Giám sát Minh" in body and "Không còn giường trống" in body
    assert f"http://hotline.test/calls/{call.id}" in body
    for secret in PERSONAL:
        assert secret not in body


def _mail(nid: int, subject: str, text: str = "Nội dung.\nDòng hai.") -> Notification:
    return Notification(
        id=nid,
        channel="email",
        address="bvte@dakto.test",
        purpose="referral",
        payload={"subject": subject, "text": text},
    )


async def test_smtp_reuses_its_sessions_and_survives_a_server_restart(settings, smtp):
    from hotline.notify.channels.email import SmtpChannel

    channel = SmtpChannel(smtp_settings(settings, smtp))
    try:
        for nid in range(1, 6):  # one after another: one session carries them all
            assert (await channel.send(_mail(nid, f"Thư {nid}"))).outcome == "delivered"
        assert smtp.sessions_opened == 1 and len(smtp.messages) == 5

        await smtp.crash()  # the kept session is cut; the server comes back on the same port
        await smtp.start()
        result = await channel.send(_mail(6, "Sau khi khởi động lại"))
        assert result.outcome == "delivered"  # on a new session, not a retry for later
        assert smtp.sessions_opened == 2
        assert [m["X-Hotline-Notification"] for m in smtp.messages] == [str(n) for n in range(1, 7)]
    finally:
        await channel.close()


async def test_smtp_subject_of_any_length_arrives_exactly_as_written(settings, smtp):
    from hotline.notify.channels.email import SmtpChannel, build_message

    subjects = [
        "[KHẨN CẤP] Chuyển gửi vụ việc T-000123: Xâm hại trẻ em – Xã Đắk Trăm, huyện Đắk Tô,"
        " tỉnh Kon Tum – cần xác nhận trong 2 giờ",
        "ASCII only: T-000001",
        "Trẻ em " * 40,
        "Dòng một\r\nBcc: attacker@example.test",  # a header injection attempt
    ]
    channel = SmtpChannel(smtp_settings(settings, smtp))
    try:
        for nid, subject in enumerate(subjects, start=1):
            raw = build_message(_mail(nid, subject), mail_from="hl@hotline.test")
            assert all(len(line) <= 78 for line in raw.split(b"\r\n\r\n")[0].split(b"\r\n"))
            assert (await channel.send(_mail(nid, subject))).outcome == "delivered"
    finally:
        await channel.close()
    got = [str(m["Subject"]) for m in smtp.messages]
    assert got[:3] == subjects[:3]
    assert got[3] == "Dòng một Bcc: attacker@example.test"
    assert all(m["Bcc"] is None for m in smtp.messages)
    # The text as rendered, then the id the sender adds (the idempotency key, known only once
    # the row is inserted).
    assert smtp.messages[0].get_content() == (
        "Nội dung.\r\nDòng hai.\r\n\r\n"
        "Mã thông báo: 1 (nếu nhận được hai lần cùng một mã, chỉ cần xử lý một lần)\r\n"
    )
