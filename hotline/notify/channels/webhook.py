"""Webhook: a signed JSON POST that receivers can verify and deduplicate.

Headers: `X-Hotline-Timestamp` (unix seconds), `X-Hotline-Signature: sha256=<hex>` where the
hex is HMAC-SHA256(secret, f"{timestamp}.{body}"), and `Idempotency-Key` (the notification id,
the same on every attempt). The body is the JSON rendered at enqueue time, serialised the same
way each time. The secret is the channel's `secret` in agencies.yaml, or one derived from
HOTLINE_SECRET_KEY and the agency code (webhook_secret()).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import aiohttp

from hotline.notify.channels.base import Message, SendResult, classify_http_status
from hotline.rules.ruleset import RuleSet
from hotline.rules.schema import AgencyDef
from hotline.settings import Settings

SecretFor = Callable[[Message], str]


def document(notification: Message) -> dict[str, Any]:
    """The JSON document rendered at enqueue time, with the notification's id (the
    idempotency key, known only once the row is inserted)."""
    return {**notification.payload.get("body", {}), "notification_id": notification.id}


def body_bytes(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def derive_secret(secret_key: str, agency_code: str) -> str:
    if not secret_key:
        raise ValueError("secret_key is empty: webhook signing needs HOTLINE_SECRET_KEY")
    msg = f"hotline/webhook/v1/{agency_code}".encode()
    return hmac.new(secret_key.encode(), msg, hashlib.sha256).hexdigest()


def webhook_secret(settings: Settings, agency: AgencyDef, address: str | None = None) -> str:
    """The signing secret of an agency's webhook (shown to the agency's administrator)."""
    for channel in agency.channels:
        wanted = address is None or channel.address == address
        if channel.type == "webhook" and wanted and channel.secret:
            return channel.secret
    return derive_secret(settings.secret_key, agency.code)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    header: str,
    *,
    now: float | None = None,
    tolerance: float = 300.0,
) -> bool:
    """What a receiver does: a good signature over a timestamp no older than `tolerance`."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(signature(secret, timestamp, body), header)


def secret_resolver(
    settings: Settings, ruleset: Callable[[], RuleSet | None] | RuleSet | None
) -> SecretFor:
    """Looks the secret up in the rules in use at send time, so a rotated secret applies."""

    def secret_for(notification: Message) -> str:
        code = str(notification.payload.get("agency") or "")
        rules = ruleset() if callable(ruleset) else ruleset
        agency = rules.agencies.get(code) if rules is not None else None
        if agency is not None:
            return webhook_secret(settings, agency, notification.address)
        return derive_secret(settings.secret_key, code)

    return secret_for


class WebhookChannel:
    def __init__(
        self, http: aiohttp.ClientSession, secret_for: SecretFor, *, timeout: float = 10.0
    ) -> None:
        self.http = http
        self.secret_for = secret_for
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def send(self, notification: Message) -> SendResult:
        body = body_bytes(document(notification))
        timestamp = str(int(time.time()))  # the receiver's wall clock judges freshness
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "hotline-notify/1",
            "Idempotency-Key": str(notification.id),
            "X-Hotline-Timestamp": timestamp,
            "X-Hotline-Signature": signature(self.secret_for(notification), timestamp, body),
        }
        return await post(self.http, notification.address, body, headers, self.timeout)


async def post(
    http: aiohttp.ClientSession,
    url: str,
    body: bytes | None,
    headers: dict[str, str],
    timeout: aiohttp.ClientTimeout,
    *,
    method: str = "POST",
) -> SendResult:
    """Send and classify: timeouts, refused connections, DNS failures and bad replies retry."""
    try:
        async with http.request(
            method, url, data=body, headers=headers, timeout=timeout, allow_redirects=False
        ) as response:
            await response.content.read(64 * 1024)
            return classify_http_status(response.status)
    except TimeoutError:
        return SendResult.retry(f"timed out after {timeout.total}s")
    except (aiohttp.ClientError, OSError) as exc:
        return SendResult.retry(f"{type(exc).__name__}: {exc}")
