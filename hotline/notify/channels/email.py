"""E-mail: SMTP through aiosmtplib, or the local mailbox table when no SMTP host is set."""

from __future__ import annotations

import asyncio
import socket
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate

import aiosmtplib
from sqlalchemy import select

from hotline.db import Database
from hotline.models import LocalMessage, Notification
from hotline.notify.channels.base import SendResult
from hotline.settings import Settings

# Long lines allowed: Python's folding of encoded words drops the space between two of them
# ("T-000001: Xâm" arrived as "T-000001:Xâm"), so a Vietnamese subject stays one word.
POLICY = SMTP.clone(max_line_length=998)


def build_message(notification: Notification, *, mail_from: str) -> EmailMessage:
    msg = EmailMessage(policy=POLICY)
    msg["From"] = mail_from
    msg["To"] = notification.address
    msg["Subject"] = notification.payload.get("subject", "")
    msg["Date"] = formatdate(localtime=False)
    # The same Message-ID on every attempt lets mail systems drop a duplicate delivery.
    domain = mail_from.rpartition("@")[2] or "hotline.local"
    msg["Message-ID"] = f"<notification-{notification.id}@{domain}>"
    msg["X-Hotline-Notification"] = str(notification.id)
    msg.set_content(notification.payload.get("text", ""), charset="utf-8", cte="quoted-printable")
    return msg


class SmtpChannel:
    def __init__(self, settings: Settings, *, timeout: float = 30.0) -> None:
        self.settings = settings
        self.timeout = timeout
        self._local_hostname: str | None = None

    async def local_hostname(self) -> str:
        # aiosmtplib calls socket.getfqdn() for every connection when not told the name; that
        # is a DNS lookup (100+ ms here) on each message. Look it up once.
        if self._local_hostname is None:
            loop = asyncio.get_running_loop()
            self._local_hostname = await loop.run_in_executor(None, socket.getfqdn)
        return self._local_hostname

    async def send(self, notification: Notification) -> SendResult:
        s = self.settings
        message = build_message(notification, mail_from=s.mail_from)
        local_hostname = await self.local_hostname()
        try:
            # Flattened here, not by aiosmtplib, which would re-fold with its own policy.
            await aiosmtplib.send(
                message.as_bytes(policy=POLICY),
                sender=s.mail_from,
                recipients=[notification.address],
                local_hostname=local_hostname,
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_user or None,
                password=s.smtp_password or None,
                use_tls=s.smtp_tls == "tls",
                start_tls=s.smtp_tls == "starttls",
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            text = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            if codes and all(code >= 500 for code in codes):
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
                select(LocalMessage.id).where(LocalMessage.notification_id == notification.id)
            )
            if seen.first() is None:
                session.add(
                    LocalMessage(
                        notification_id=notification.id,
                        channel=self.channel,
                        to=notification.address,
                        subject=notification.payload.get("subject", ""),
                        body=notification.payload.get("text", ""),
                        created_at=notification.created_at,
                    )
                )
        return SendResult.delivered("local mailbox")


async def local_messages(db: Database, *, limit: int = 100) -> list[LocalMessage]:
    """The newest messages kept by MailboxChannel (for the demo's mailbox page)."""
    async with db.read() as session:
        rows = await session.scalars(
            select(LocalMessage).order_by(LocalMessage.id.desc()).limit(limit)  # type: ignore[union-attr]
        )
        return list(rows.all())
