"""E-mail: SMTP through aiosmtplib, or the local mailbox table when no SMTP host is set.

Messages are written out by hand (plain text, UTF-8, quoted-printable): the email package's
default policy parsed and refolded every header, some 4 ms a message, more than the send.
SMTP sessions are kept open for the next message (a new one costs a TCP connect, EHLO and,
with a real relay, STARTTLS and AUTH: 40-120 ms here), a few at a time.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import quopri
import socket
import time
from email.utils import formataddr, formatdate, parseaddr
from typing import Any

import aiosmtplib
from aiosmtplib import SMTPStatus
from sqlalchemy import Select, select
from sqlmodel import col

from hotline.db.engine import Database
from hotline.models import LocalMessage, Notification
from hotline.notify.channels.base import Message, SendResult
from hotline.settings import Settings

IDLE_SECONDS = 10.0  # reuse an open session only this long: servers drop idle ones (RFC 5321)
MESSAGES_PER_SESSION = 100  # then QUIT and open another: some relays cap a session
KEEP_OPEN = 20  # idle sessions kept: at least the worker's concurrent sends (10; the bench's 20)
_ENCODED_WORD_BYTES = 42  # 56 base64 characters: with "Subject: " a line stays under 78


def _one_line(value: str) -> str:
    """No CR or LF inside a header: they would start a header of the sender's choosing."""
    return " ".join(value.split()) if ("\r" in value or "\n" in value) else value


def encode_header(value: str) -> str:
    """RFC 2047: ASCII as it is, anything else as UTF-8 base64 encoded words of at most 75
    characters, folded. Words are cut between characters, never inside one, and readers join
    adjacent encoded words without the folding space, so the text comes back exactly."""
    value = _one_line(value)
    if value.isascii():
        return value
    raw = value.encode("utf-8")
    words = []
    while raw:
        cut = min(len(raw), _ENCODED_WORD_BYTES)
        while cut < len(raw) and raw[cut] & 0xC0 == 0x80:  # inside a character: back up
            cut -= 1
        words.append(raw[:cut])
        raw = raw[cut:]
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(w).decode('ascii')}?=" for w in words)


@functools.lru_cache(maxsize=1024)  # a few agencies' addresses, parsed for every message
def _address(value: str) -> str:
    name, addr = parseaddr(_one_line(value))
    return formataddr((name, addr), charset="utf-8") if name else addr


@functools.lru_cache(maxsize=1024)
def _envelope(value: str) -> bytes:
    """The address of a MAIL FROM or RCPT TO command, `<someone@example.org>`, as aiosmtplib
    would write it (aiosmtplib parses it again for every command)."""
    return f"<{parseaddr(_one_line(value))[1]}>".encode("ascii")


def message_text(notification: Message) -> str:
    """The text as rendered at enqueue time, with the notification's id added: the id is the
    idempotency key, known only once the row is inserted."""
    text = notification.payload.get("text", "").replace("\r\n", "\n").replace("\r", "\n")
    return f"{text.rstrip()}\n\n{FOOTER.format(id=notification.id)}\n"


# Agencies' staff read Vietnamese; the line tells them a repeat is the same message.
FOOTER = "Mã thông báo: {id} (nếu nhận được hai lần cùng một mã, chỉ cần xử lý một lần)"


def build_message(notification: Message, *, mail_from: str) -> bytes:
    """The whole message, ready for DATA (CRLF line ends; aiosmtplib adds the dot-stuffing)."""
    domain = mail_from.rpartition("@")[2].rstrip(">") or "hotline.local"
    text = message_text(notification)
    body = quopri.encodestring(text.encode("utf-8")).replace(b"\n", b"\r\n")
    headers = [
        f"From: {_address(mail_from)}",
        f"To: {_address(notification.address)}",
        f"Subject: {encode_header(notification.payload.get('subject', ''))}",
        f"Date: {formatdate(usegmt=True)}",
        # The same Message-ID on every attempt lets mail systems drop a duplicate delivery.
        f"Message-ID: <notification-{notification.id}@{domain}>",
        f"X-Hotline-Notification: {notification.id}",
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: quoted-printable",
    ]
    head = "\r\n".join(headers).encode("ascii")
    return head + b"\r\n\r\n" + body + (b"" if body.endswith(b"\r\n") else b"\r\n")


class _Session:
    __slots__ = ("smtp", "sent", "last_used")

    def __init__(self, smtp: aiosmtplib.SMTP) -> None:
        self.smtp = smtp
        self.sent = 0
        self.last_used = time.monotonic()


class SmtpChannel:
    def __init__(self, settings: Settings, *, timeout: float = 30.0) -> None:
        self.settings = settings
        self.timeout = timeout
        self._local_hostname: str | None = None
        self._idle: list[_Session] = []

    async def local_hostname(self) -> str:
        # aiosmtplib calls socket.getfqdn() for every connection when not told the name; that
        # is a DNS lookup (100+ ms here) on each message. Look it up once.
        if self._local_hostname is None:
            loop = asyncio.get_running_loop()
            self._local_hostname = await loop.run_in_executor(None, socket.getfqdn)
        return self._local_hostname

    async def _open(self) -> _Session:
        s = self.settings
        smtp = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            local_hostname=await self.local_hostname(),
            username=s.smtp_user or None,
            password=s.smtp_password or None,
            use_tls=s.smtp_tls == "tls",
            start_tls=s.smtp_tls == "starttls",
            timeout=self.timeout,
        )
        await smtp.connect()
        try:
            if smtp.is_ehlo_or_helo_needed:  # connect() greets only for STARTTLS or AUTH
                try:
                    await smtp.ehlo()
                except aiosmtplib.SMTPHeloError:  # a server from before ESMTP
                    await smtp.helo()
        except BaseException:
            smtp.close()
            raise
        return _Session(smtp)

    def _reusable(self) -> _Session | None:
        now = time.monotonic()
        while self._idle:
            session = self._idle.pop()  # the most recently used: the likeliest still open
            if session.smtp.is_connected and now - session.last_used < IDLE_SECONDS:
                return session
            session.smtp.close()
        return None

    async def _release(self, session: _Session, *, ok: bool) -> None:
        session.sent += 1
        session.last_used = time.monotonic()
        if ok and session.sent < MESSAGES_PER_SESSION and len(self._idle) < KEEP_OPEN:
            self._idle.append(session)
        elif ok and session.smtp.is_connected:
            try:
                await session.smtp.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                session.smtp.close()
        else:  # after an error the session's state is unknown: drop it
            session.smtp.close()

    async def _send_on(self, session: _Session, to: str, message: bytes) -> None:
        """One message on an open session: MAIL, RCPT, DATA, within one timeout for the three.
        Not SMTP.sendmail, which for one recipient parsed both addresses four times, rewrote
        the line ends of the whole message twice (build_message already writes CRLF) and set
        a timer per command; after an error the session is dropped, so its RSET is not
        needed."""
        smtp = session.smtp
        sender = self.settings.mail_from
        size = [f"SIZE={len(message)}".encode()] if smtp.supports_extension("size") else []
        try:
            async with asyncio.timeout(self.timeout):
                reply = await smtp.execute_command(
                    b"MAIL", b"FROM:" + _envelope(sender), *size, timeout=None
                )
                if reply.code != SMTPStatus.completed:
                    raise aiosmtplib.SMTPSenderRefused(reply.code, reply.message, sender)
                reply = await smtp.execute_command(b"RCPT", b"TO:" + _envelope(to), timeout=None)
                if reply.code not in (SMTPStatus.completed, SMTPStatus.will_forward):
                    raise aiosmtplib.SMTPRecipientRefused(reply.code, reply.message, to)
                await smtp.data(message, timeout=None)
        except BaseException:
            await self._release(session, ok=False)
            raise
        await self._release(session, ok=True)

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for session in idle:
            session.smtp.close()

    async def send(self, notification: Message) -> SendResult:
        s = self.settings
        message = build_message(notification, mail_from=s.mail_from)
        try:
            session = self._reusable()
            if session is not None:
                try:
                    await self._send_on(session, notification.address, message)
                except (aiosmtplib.SMTPServerDisconnected, ConnectionError):
                    # The server closed the kept session: once more on a new one. Should
                    # it have taken the message first, the same Message-ID marks the copy.
                    session = None
            if session is None:
                await self._send_on(await self._open(), notification.address, message)
        except aiosmtplib.SMTPRecipientRefused as exc:
            text = f"{exc.code} {exc.message}"
            if exc.code >= 500:
                return SendResult.dead(f"recipient refused: {text}")
            return SendResult.retry(f"recipient deferred: {text}")
        except aiosmtplib.SMTPAuthenticationError as exc:
            # A configuration problem an administrator can fix: keep trying meanwhile.
            return SendResult.retry(f"SMTP login failed: {exc.code} {exc.message}")
        except aiosmtplib.SMTPResponseException as exc:
            if exc.code >= 500:
                return SendResult.dead(f"SMTP {exc.code} {exc.message}")
            return SendResult.retry(f"SMTP {exc.code} {exc.message}")
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            return SendResult.retry(f"{type(exc).__name__}: {exc}")
        return SendResult.delivered(f"{s.smtp_host}:{s.smtp_port}")


class MailboxChannel:
    """Keeps the message in the local_message table instead of sending it."""

    def __init__(self, db: Database, channel: str = "email") -> None:
        self.db = db
        self.channel = channel

    async def send(self, notification: Notification) -> SendResult:
        async with self.db.write() as session:
            # A re-send after a crash must not file the same message twice.
            seen = await session.scalars(
                select(col(LocalMessage.id)).where(
                    col(LocalMessage.notification_id) == notification.id
                )
            )
            if seen.first() is None:
                session.add(
                    LocalMessage(
                        notification_id=notification.id,
                        channel=self.channel,
                        to=notification.address,
                        subject=notification.payload.get("subject", ""),
                        body=message_text(notification),
                        created_at=notification.created_at,
                    )
                )
        return SendResult.delivered("local mailbox")


async def local_messages(
    db: Database, *, limit: int = 100, among_calls: Select[Any] | None = None
) -> list[LocalMessage]:
    """The newest messages kept by MailboxChannel (for the demo's mailbox page); among_calls:
    only the notifications of these calls (a query of call ids: a supervisor's scope)."""
    query = select(LocalMessage)
    if among_calls is not None:
        query = query.where(
            col(LocalMessage.notification_id).in_(
                select(col(Notification.id)).where(col(Notification.call_id).in_(among_calls))
            )
        )
    async with db.read() as session:
        rows = await session.scalars(query.order_by(col(LocalMessage.id).desc()).limit(limit))
        return list(rows.all())
