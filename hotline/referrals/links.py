"""Signed, single-purpose, expiring links (acknowledge a referral without logging in).

A token is `<purpose>.<id>.<expiry>.<signature>`: expiry in unix seconds, signature the first
16 bytes of HMAC-SHA256 over the rest, base64url. Short on purpose: the link must fit in an
SMS. The key is derived from settings.secret_key for links only, so a token can never be
replayed as a session cookie or a webhook signature, and the purpose is signed too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import UTC, datetime, timedelta

ACK = "ack"
DEFAULT_ACK_TTL = timedelta(days=7)
ACK_PATH = "/ack/"  # the public route that takes a token: f"{base_url}/ack/{token}"
_TOKEN = re.compile(r"^([a-z_]{1,16})\.([0-9]{1,18})\.([0-9]{1,12})\.([A-Za-z0-9_\-]{22})$")


class LinkError(ValueError):
    """A link token that must be refused; `reason` is tampered | expired | wrong_purpose."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _mac(secret_key: str, text: str) -> str:
    if not secret_key:
        raise ValueError("secret_key is empty: signed links need HOTLINE_SECRET_KEY")
    key = hmac.new(secret_key.encode(), b"hotline/links/v1", hashlib.sha256).digest()
    digest = hmac.new(key, text.encode("ascii"), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def sign(secret_key: str, purpose: str, subject_id: int, expires: int) -> str:
    text = f"{purpose}.{int(subject_id)}.{int(expires)}"
    return f"{text}.{_mac(secret_key, text)}"


def unsign(secret_key: str, token: str) -> tuple[str, int, int]:
    """(purpose, id, expiry) of a token whose signature is good; expiry is not checked."""
    match = _TOKEN.match(token or "")
    if not match:
        raise LinkError("tampered", "liên kết không hợp lệ")
    purpose, subject_id, expires, mac = match.groups()
    expected = _mac(secret_key, f"{purpose}.{subject_id}.{expires}")
    if not hmac.compare_digest(mac, expected):
        raise LinkError("tampered", "liên kết không hợp lệ (chữ ký sai)")
    return purpose, int(subject_id), int(expires)


def make_ack_token(
    secret_key: str, referral_id: int, *, now: datetime, ttl: timedelta = DEFAULT_ACK_TTL
) -> str:
    """A token that acknowledges one referral until now + ttl."""
    return sign(secret_key, ACK, referral_id, int((now + ttl).timestamp()))


def verify_ack_token(secret_key: str, token: str, *, now: datetime) -> int:
    """The referral id of a valid ack token; LinkError when tampered, expired or not for ack."""
    purpose, referral_id, expires = unsign(secret_key, token)
    if purpose != ACK:
        raise LinkError("wrong_purpose", "liên kết này không dùng để xác nhận")
    if now.astimezone(UTC).timestamp() >= expires:
        raise LinkError("expired", "liên kết đã hết hạn")
    return referral_id


def ack_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + ACK_PATH + token


def referral_url(base_url: str, referral_id: int) -> str:
    """The referral in the agency inbox (after login)."""
    return f"{base_url.rstrip('/')}/agency/referrals/{referral_id}"
