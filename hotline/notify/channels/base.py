"""What every channel returns, and the protocol a channel implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

from hotline.models import Notification

Outcome = Literal["delivered", "retry", "dead"]


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    detail: str | None = None

    @classmethod
    def delivered(cls, detail: str | None = None) -> SendResult:
        return cls("delivered", detail)

    @classmethod
    def retry(cls, error: str) -> SendResult:
        return cls("retry", error)

    @classmethod
    def dead(cls, error: str) -> SendResult:
        return cls("dead", error)


class Message(Protocol):
    """What the network channels (SMTP, webhook, SMS) read of a notification: the
    Notification row in the service, a plain copy of it in the sender process."""

    @property
    def id(self) -> int | None: ...

    @property
    def address(self) -> str: ...

    @property
    def payload(self) -> dict[str, Any]: ...


class Channel(Protocol):
    async def send(self, notification: Notification) -> SendResult:
        """Send once. Never raises for delivery problems: returns retry or dead instead."""
        ...


def classify_http_status(status: int) -> SendResult:
    """2xx delivered; 408, 429 and 5xx are worth retrying; anything else will not get better."""
    if 200 <= status < 300:
        return SendResult.delivered(f"HTTP {status}")
    if status in (408, 429) or status >= 500:
        return SendResult.retry(f"HTTP {status}")
    return SendResult.dead(f"HTTP {status}")
