"""The one source of "now". Everything takes a Clock so tests can travel in time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that moves only when told to (tests, `escalations run --now`)."""

    def __init__(self, at: datetime) -> None:
        self._at = as_utc(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = as_utc(at)

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self._at += delta if delta is not None else timedelta(**kwargs)
        return self._at


def as_utc(value: datetime) -> datetime:
    """Aware UTC; naive values are taken as UTC (that is how the database returns them)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
