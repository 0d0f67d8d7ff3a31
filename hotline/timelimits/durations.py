"""Time limits as written in routing_rules/: "15m", "4h", "3d" (clock) or "5wd" (working days).

Parsing lives here so the routing rules and the escalation ladders read limits the same way;
turning a limit into a due time (weekends, holidays) is hotline.timelimits.workdays' job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

_PATTERN = re.compile(r"^\s*(\d+)\s*(m|h|d|wd)\s*$")
UNITS = {"m": "minutes", "h": "hours", "d": "days", "wd": "working days"}


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: str  # m | h | d | wd

    @property
    def working_days(self) -> bool:
        return self.unit == "wd"

    def as_timedelta(self) -> timedelta:
        """The clock length; working days need a calendar (hotline.timelimits.workdays)."""
        if self.unit == "m":
            return timedelta(minutes=self.amount)
        if self.unit == "h":
            return timedelta(hours=self.amount)
        if self.unit == "d":
            return timedelta(days=self.amount)
        raise ValueError("working days have no fixed length; use hotline.timelimits.workdays")

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


def parse_duration(text: str | int) -> Duration:
    """ "15m" -> Duration(15, "m"). Zero and negative limits are refused: a limit of
    nothing would escalate before anyone could act."""
    match = _PATTERN.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a duration like 15m, 4h, 3d or 5wd")
    amount = int(match.group(1))
    if amount <= 0:
        raise ValueError(f"{text!r}: a duration must be more than zero")
    return Duration(amount, match.group(2))
