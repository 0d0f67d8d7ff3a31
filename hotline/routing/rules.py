"""rules.yaml compiled: conditions, rules, time limits, the after-hours backup and the index.

Rules are indexed by the most selective thing they name (an area, a line, a sub-category, a
category), so deciding a call looks at the few rules that could match it, not all of them.
hotline.routing.rules_file loads and checks the file and builds these.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from hotline.durations import Duration
from hotline.routing.facts import PersonFacts
from hotline.routing.schema import DAYS, Opening


def minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


@dataclass(slots=True)
class Context:
    """One call, as the conditions see it."""

    cats: frozenset[str]
    subs: frozenset[str]
    urgency: str
    needs: frozenset[str]
    line: str | None
    ancestors: tuple[str, ...]  # the call's area, then its parents
    people: tuple[PersonFacts, ...]
    weekday: int  # 0 = Monday, local time
    minute: int  # minutes since local midnight
    after_hours: bool  # outside office_hours


@dataclass(slots=True)
class Condition:
    categories: frozenset[str] | None = None
    subcategories: frozenset[str] | None = None
    urgency: frozenset[str] | None = None
    needs: frozenset[str] | None = None
    lines: frozenset[str] | None = None
    areas: frozenset[str] | None = None
    person: tuple[int | None, int | None, frozenset[str] | None] | None = None
    time: tuple[frozenset[int], int, int] | None = None
    after_hours: bool | None = None

    def matches(self, c: Context) -> bool:  # noqa: C901 - a flat list of checks
        if self.categories is not None and self.categories.isdisjoint(c.cats):
            return False
        if self.subcategories is not None and self.subcategories.isdisjoint(c.subs):
            return False
        if self.urgency is not None and c.urgency not in self.urgency:
            return False
        if self.needs is not None and self.needs.isdisjoint(c.needs):
            return False
        if self.lines is not None and c.line not in self.lines:
            return False
        if self.areas is not None and self.areas.isdisjoint(c.ancestors):
            return False
        if self.after_hours is not None and self.after_hours != c.after_hours:
            return False
        if self.person is not None and not any(self._person(p) for p in c.people):
            return False
        return self.time is None or _in_window(self.time, c.weekday, c.minute)

    def _person(self, p: PersonFacts) -> bool:
        assert self.person is not None
        lo, hi, sexes = self.person
        if (lo is not None or hi is not None) and p.age is None:
            return False
        if lo is not None and p.age is not None and p.age < lo:
            return False
        if hi is not None and p.age is not None and p.age > hi:
            return False
        return sexes is None or p.sex in sexes


def _in_window(window: tuple[frozenset[int], int, int], weekday: int, minute: int) -> bool:
    days, start, end = window
    if start < end:
        return weekday in days and start <= minute < end
    # Wraps past midnight: the early hours belong to the window opened the day before.
    return (weekday in days and minute >= start) or ((weekday - 1) % 7 in days and minute < end)


@dataclass(frozen=True, slots=True)
class Limit:
    clock: str
    duration: Duration
    kinds: frozenset[str] | None
    source: str

    @property
    def key(self) -> tuple[int, bool]:
        """Sort key, tightest first: a working day is at least a day long."""
        d = self.duration
        minutes = {"m": 1, "h": 60, "d": 1440, "wd": 1440}[d.unit] * d.amount
        return (minutes, d.working_days)


@dataclass(slots=True)
class Rule:
    order: int
    id: str
    description: str
    description_en: str | None
    condition: Condition
    refer: tuple[tuple[str, ...], ...]  # each entry: kinds to try in turn
    refer_if_found: tuple[str, ...]
    limits: tuple[Limit, ...]
    source: str


@dataclass(slots=True)
class TimeLimitRule:
    id: str
    condition: Condition
    limit: Limit


@dataclass(slots=True)
class AfterHoursRule:
    id: str
    description: str
    description_en: str | None
    condition: Condition
    backup: dict[str, tuple[str, ...]]
    default_backup: tuple[str, ...]
    source: str


@dataclass
class RoutingRules:
    """What decide() needs, precomputed: rules and their index, agencies by kind and area."""

    timezone: ZoneInfo
    rules: list[Rule]
    time_limits: list[TimeLimitRule]
    after_hours: AfterHoursRule | None
    by_key: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    unindexed: list[int] = field(default_factory=list)
    ancestors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    agencies: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # kind -> area -> codes
    hours: dict[str, tuple[tuple[frozenset[int], int, int], ...] | None] = field(
        default_factory=dict
    )  # agency -> openings; None = 24/7
    office_hours: tuple[tuple[frozenset[int], int, int], ...] = ()

    def candidates(self, c: Context) -> list[Rule]:
        """Rules that could match: those indexed under something the call has."""
        found: set[int] = set(self.unindexed)
        keys = [("area", a) for a in c.ancestors]
        keys += [("sub", s) for s in c.subs] + [("cat", k) for k in c.cats]
        if c.line:
            keys.append(("line", c.line))
        for key in keys:
            hit = self.by_key.get(key)
            if hit:
                found.update(hit)
        return [self.rules[i] for i in sorted(found)]

    def is_open(self, agency: str, weekday: int, minute: int) -> bool:
        openings = self.hours.get(agency, self.office_hours)
        if openings is None:
            return True
        return any(weekday in days and lo <= minute < hi for days, lo, hi in openings)

    def office_open(self, weekday: int, minute: int) -> bool:
        return any(weekday in d and lo <= minute < hi for d, lo, hi in self.office_hours)


def index_keys(cond: Condition) -> list[tuple[str, str]]:
    """The most selective dimension the rule names; the rule goes in each of its buckets."""
    for name, values in (
        ("area", cond.areas),
        ("line", cond.lines),
        ("sub", cond.subcategories),
        ("cat", cond.categories),
    ):
        if values:
            return [(name, v) for v in sorted(values)]
    return []


def openings(items: Iterable[Opening]) -> tuple[tuple[frozenset[int], int, int], ...]:
    return tuple(
        (frozenset(DAYS.index(d) for d in o.days), minutes(o.open), minutes(o.close)) for o in items
    )
