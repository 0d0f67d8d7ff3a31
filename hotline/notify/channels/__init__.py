"""Delivery channels: e-mail (SMTP or the local mailbox), webhook, SMS gateway."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp

from hotline.db.engine import Database
from hotline.notify.channels.base import Channel, SendResult, classify_http_status
from hotline.notify.channels.email import MailboxChannel, SmtpChannel
from hotline.notify.channels.sms import SmsGatewayChannel
from hotline.notify.channels.webhook import WebhookChannel, secret_resolver
from hotline.rules.ruleset import RuleSet
from hotline.settings import Settings

__all__ = [
    "Channel",
    "MailboxChannel",
    "SendResult",
    "SmsGatewayChannel",
    "SmtpChannel",
    "WebhookChannel",
    "build_channels",
    "classify_http_status",
]


def build_channels(
    settings: Settings,
    db: Database,
    *,
    http: aiohttp.ClientSession,
    ruleset: Callable[[], RuleSet | None] | RuleSet | None = None,
    webhook_timeout: float = 10.0,
) -> dict[str, Channel]:
    """The channel for each Notification.channel value, from the settings.

    Without an SMTP host (or an SMS gateway) messages go to the local mailbox table instead,
    so the demo and a fresh install lose nothing and show what would have been sent.
    """
    secret_for = secret_resolver(settings, ruleset)
    if settings.sender_process:  # the network sends in a child process (notify/sender.py)
        from hotline.notify.sender import ProcessChannel, SenderProcess

        sender = SenderProcess(settings, secret_for, webhook_timeout=webhook_timeout)
        email: Channel = ProcessChannel(sender, "email")
        sms: Channel = ProcessChannel(sender, "sms")
        webhook: Channel = ProcessChannel(sender, "webhook")
    else:
        email = SmtpChannel(settings)
        sms = SmsGatewayChannel(http, settings.sms_gateway_url)
        webhook = WebhookChannel(http, secret_for, timeout=webhook_timeout)
    return {
        "email": email if settings.smtp_host else MailboxChannel(db, "email"),
        "sms": sms if settings.sms_gateway_url else MailboxChannel(db, "sms"),
        "webhook": webhook,
    }
