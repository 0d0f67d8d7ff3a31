"""rules.yaml compiled: conditions, rules, time limits, the after-hours backup and the index.

Rules are indexed by the values their conditions name (areas, lines, categories,
sub-categories, urgencies, needs), so deciding a call looks at the few rules that could match
it, not all of them. hotline.routing.rules_file loads and checks the file and builds these.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from hotline.routing.facts import PersonFacts
from hotline.rules.schema import DAYS, Opening
from hotline.rules.taxonomy import Taxonomy
from hotline.timelimits.durations import Duration


def minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


class Context(NamedTuple):
    """One call, as the conditions see it."""

    cats: tuple[str, ...] | frozenset[str]
    subs: tuple[str, ...] | frozenset[str]
    urgency: str
    needs: tuple[str, ...] | frozenset[str]
    line: str | None
    ancestors: tuple[str, ...]  # the call's area, then its parents
    people: tuple[PersonFacts, ...]
    weekday: int  # 0 = Monday, local time
    minute: int  # minutes since local midnight
    after_hours: bool  # outside office_hours (a public holiday is all outside)
    day_off: bool = False  # a public holiday (holidays.yaml days_off): offices are closed


# The conditions RuleIndex answers; the rest (person, time, after_hours) are tested after.
DIMENSIONS = ("categories", "areas", "subcategories", "urgency", "needs", "lines")
# The Context field each dimension reads; urgency and line are single values.
CONTEXT = {
    "categories": "cats",
    "subcategories": "subs",
    "urgency": "urgency",
    "needs": "needs",
    "lines": "line",
    "areas": "ancestors",
}
SCALARS = ("urgency", "lines")


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

    def matches(self, c: Context) -> bool:
        """Every condition holds for the call (one rule at a time; RuleIndex finds the
        matching rules among many)."""
        return self.matches_indexed(c) and self.matches_rest(c)

    def matches_indexed(self, c: Context) -> bool:
        """The conditions RuleIndex answers: the call has one of the values named."""
        return (
            _one_of(self.categories, c.cats)
            and _one_of(self.subcategories, c.subs)
            and _one_of(self.urgency, (c.urgency,))
            and _one_of(self.needs, c.needs)
            and _one_of(self.lines, (c.line,))
            and _one_of(self.areas, c.ancestors)
        )

    def matches_rest(self, c: Context) -> bool:
        """The conditions RuleIndex does not answer."""
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


def _one_of(named: frozenset[str] | None, values: Iterable[str | None]) -> bool:
    """No condition (None), or one of the values is named."""
    return named is None or not named.isdisjoint(values)


def _in_window(window: tuple[frozenset[int], int, int], weekday: int, minute: int) -> bool:
    days, start, end = window
    if start < end:
        return weekday in days and start <= minute < end
    # Wraps past midnight: the early hours belong to the window opened the day before.
    return (weekday in days and minute >= start) or ((weekday - 1) % 7 in days and minute < end)


MINUTES_PER_UNIT = {"m": 1, "h": 60, "d": 1440, "wd": 1440}


@dataclass(frozen=True, slots=True)
class Limit:
    clock: str
    duration: Duration
    kinds: frozenset[str] | None
    source: str

    @property
    def key(self) -> tuple[int, bool]:
        """Sorts the tightest first: by minutes, a day before a working day (which is at
        least a day)."""
        minutes = MINUTES_PER_UNIT[self.duration.unit] * self.duration.amount
        return minutes, self.duration.working_days


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
    reason: str = ""  # "id: description", for the referrals it makes


@dataclass(slots=True)
class TimeLimitRule:
    order: int
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


Openings = tuple[tuple[frozenset[int], int, int], ...]  # (weekdays, open and close minute)


@dataclass
class RoutingRules:
    """What decide() needs, worked out when the rules load: rules and their index, agencies
    by kind and area, opening hours."""

    timezone: ZoneInfo
    rules: list[Rule]
    time_limits: list[TimeLimitRule]
    after_hours: AfterHoursRule | None
    index: RuleIndex | None = None
    limits_index: RuleIndex | None = None
    parents: dict[str, frozenset[str]] = field(default_factory=dict)  # sub-category -> categories
    ancestors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    agencies: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # kind -> area -> codes
    # agency -> openings; None = 24/7
    hours: dict[str, Openings | None] = field(default_factory=dict)
    office_hours: Openings = ()

    def is_open(self, agency: str, c: Context) -> bool:
        """Open at the time of the call: 24/7, or inside its hours (office hours unless it
        has its own) on a day that is not a public holiday."""
        openings = self.hours.get(agency, self.office_hours)
        if openings is None:
            return True
        return not c.day_off and inside(openings, c.weekday, c.minute)


def inside(openings: Openings, weekday: int, minute: int) -> bool:
    """Inside one of the openings (weekdays, open minute, close minute)."""
    return any(weekday in days and start <= minute < end for days, start, end in openings)


@dataclass(frozen=True)
class Dimension:
    """One condition RuleIndex answers, as bitsets: bit i stands for rule i."""

    reads: str  # the Context field it reads
    scalar: bool  # the field holds one value (urgency, line), not several
    naming: dict[str | None, int]  # value -> the rules naming it
    free: int  # the rules that do not constrain it

    def fits(self, c: Context) -> int:
        """The rules that let the call through on this dimension."""
        value = getattr(c, self.reads)
        fits = self.free
        for one in (value,) if self.scalar else value:
            fits |= self.naming.get(one, 0)
        return fits


def _dimension(name: str, rules: Sequence[Any]) -> Dimension:
    naming: dict[str | None, int] = {}
    free = 0
    for i, rule in enumerate(rules):
        values = getattr(rule.condition, name)
        if values is None:
            free |= 1 << i
            continue
        for value in values:
            naming[value] = naming.get(value, 0) | 1 << i
    return Dimension(CONTEXT[name], name in SCALARS, naming, free)


class RuleIndex:
    """A bitset per condition value, and per dimension the rules that do not constrain it.
    A call's candidates are the AND over the dimensions of the rules naming one of its
    values or not caring: a few big-integer operations, 64 rules per machine word, where a
    scan would test every rule. The conditions the index does not answer (person, time,
    after_hours) are then tested on the candidates."""

    def __init__(self, rules: Sequence[Any]) -> None:  # Rule or TimeLimitRule, in order
        self.rules = list(rules)
        self.all = (1 << len(rules)) - 1
        every = (_dimension(name, rules) for name in DIMENSIONS)
        # Only the dimensions some rule constrains cost anything at decide time.
        self.dimensions = [d for d in every if d.free != self.all]

    def matching(self, c: Context) -> list[Any]:
        """The rules whose conditions all hold for the call, in order."""
        mask = self.all
        for dimension in self.dimensions:
            mask &= dimension.fits(c)
            if not mask:
                return []
        return [self.rules[i] for i in _bits(mask) if self.rules[i].condition.matches_rest(c)]


def _bits(mask: int) -> Iterator[int]:
    """The positions of the bits set in `mask`, lowest first."""
    while mask:
        lowest = mask & -mask
        yield lowest.bit_length() - 1
        mask ^= lowest


def openings(items: Iterable[Opening]) -> Openings:
    return tuple(
        (frozenset(DAYS.index(d) for d in o.days), minutes(o.open), minutes(o.close)) for o in items
    )


def subcategory_parents(taxonomy: Taxonomy) -> dict[str, frozenset[str]]:
    """Sub-category code -> the categories it is under (forced_marriage has two)."""
    parents: dict[str, set[str]] = {}
    for cat in taxonomy.categories.values():
        for sub in cat.subcategories:
            parents.setdefault(sub.code, set()).add(cat.code)
    return {sub: frozenset(cats) for sub, cats in parents.items()}
