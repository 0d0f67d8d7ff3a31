"""rules.yaml compiled: conditions, rules, time limits, the after-hours backup and the index.

Rules are indexed by the most selective thing they name (an area, a line, a sub-category, a
category), so deciding a call looks at the few rules that could match it, not all of them.
hotline.routing.rules_file loads and checks the file and builds these.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from hotline.routing.facts import MatchedRule, PersonFacts
from hotline.rules.schema import DAYS, Opening
from hotline.rules.taxonomy import Taxonomy
from hotline.timelimits.durations import Duration


def minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


class Context(NamedTuple):
    """One call, as the conditions see it. A named tuple: decide() makes one per call, and
    tuple.__new__ (facts.new) costs a fraction of a generated __init__."""

    cats: tuple[str, ...] | frozenset[str]  # small: tuples are cheaper to make than sets
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
SCALARS = ("urgency", "line")
MASK_MEMO_MAX = 4096  # remembered masks per RuleIndex dimension, agencies per kind and area


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

    def has_rest(self) -> bool:
        return self.after_hours is not None or self.person is not None or self.time is not None

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
    key: tuple[int, bool] = (0, False)  # tightest first: a working day is at least a day
    text: str = ""  # "15m"

    def __post_init__(self) -> None:
        d = self.duration
        minutes = {"m": 1, "h": 60, "d": 1440, "wd": 1440}[d.unit] * d.amount
        object.__setattr__(self, "key", (minutes, d.working_days))
        object.__setattr__(self, "text", str(d))


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
    # Worked out once from refer: whether decide() must check beds, and the MatchedRule the
    # rule always makes when every entry is a single kind and nothing is refer_if_found.
    houses: bool = field(init=False, default=False, repr=False, compare=False)
    fixed: MatchedRule | None = field(init=False, default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.houses = "safe_house" in self.refer_if_found or any(
            "safe_house" in kinds for kinds in self.refer
        )
        if not self.refer_if_found and all(len(kinds) == 1 for kinds in self.refer):
            self.fixed = MatchedRule(self.id, self.description, tuple(k for (k,) in self.refer))


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
    """What decide() needs, precomputed: rules and their index, agencies by kind and area."""

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
    # Worked out once per rule set by prepare(), for decide(): area -> {kind: the nearest
    # agency of that kind} (safe houses aside: beds are checked per call); the week of
    # office_hours (see _open).
    nearest_in: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    office_week: bytes = field(default=b"", repr=False)
    # decide()'s memo, (kind, time-limit rule orders, rule orders; -1 = after hours) ->
    # (clock -> "15m", first rule id, reasons). The same inputs give the same answer.
    referral_memo: dict[tuple[Any, ...], tuple[dict[str, str], str, str]] = field(
        default_factory=dict, repr=False, compare=False
    )
    # Area code -> RuleSet.area_path, for notices; openings -> their week (see _open).
    area_paths: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    weeks: dict[Openings, bytes] = field(default_factory=dict, repr=False, compare=False)

    def prepare(self) -> None:
        """Fill nearest_in and office_week, once ancestors, agencies and office_hours are."""
        self.office_week = _week(self.office_hours)
        self.nearest_in = {}
        for area, ancestors in self.ancestors.items():
            near: dict[str, str] = {}
            self.nearest_in[area] = near
            for kind, by_area in self.agencies.items():
                found = next((by_area[a][0] for a in ancestors if by_area.get(a)), None)
                if found is not None:
                    near[kind] = found

    def candidates(self, c: Context) -> list[Rule]:
        """Rules whose categories, sub-categories, urgency, needs, line and area all fit."""
        return self.index.candidates(c) if self.index else []

    def is_open(self, agency: str, c: Context) -> bool:
        """Open at the time of the call: 24/7, or inside its hours on a day that is not a
        public holiday."""
        openings = self.hours.get(agency, self.office_hours)
        if openings is None:
            return True
        return not c.day_off and self._open(openings, c.weekday, c.minute)

    def office_open(self, weekday: int, minute: int, day_off: bool = False) -> bool:
        return not day_off and self._open(self.office_hours, weekday, minute)

    def _open(self, openings: Openings, weekday: int, minute: int) -> bool:
        """Inside one of the openings. Each set of openings is turned once into a week of
        7 * 1440 bytes, 1 for a minute it is open, so a call costs one look-up."""
        week = self.weeks.get(openings)
        if week is None:
            week = self.weeks[openings] = _week(openings)
        if 0 <= weekday < 7 and 0 <= minute < 1440:
            return week[weekday * 1440 + minute] == 1
        return any(weekday in days and lo <= minute < hi for days, lo, hi in openings)


def _week(openings: Openings) -> bytes:
    grid = bytearray(7 * 1440)
    for days, lo, hi in openings:
        lo, hi = max(lo, 0), min(hi, 1440)
        for day in days:
            if 0 <= day < 7 and lo < hi:
                grid[day * 1440 + lo : day * 1440 + hi] = b"\x01" * (hi - lo)
    return bytes(grid)


class RuleIndex:
    """A bitset per condition value (bit i stands for rule i), and per dimension the rules
    that do not constrain it. A call's candidates are the AND over the dimensions of the
    rules naming one of its values or not caring: a few big-integer operations, 64 rules
    per machine word, where a scan would test every rule."""

    def __init__(self, rules: list[Any]) -> None:  # Rule or TimeLimitRule
        self.rules = rules
        self.all = (1 << len(rules)) - 1
        free: dict[str, int] = dict.fromkeys(DIMENSIONS, 0)
        by: dict[str, dict[str | None, int]] = {d: {} for d in DIMENSIONS}
        for rule in rules:
            bit = 1 << rule.order
            for dim in DIMENSIONS:
                values = getattr(rule.condition, dim)
                if values is None:
                    free[dim] |= bit
                    continue
                for value in values:
                    by[dim][value] = by[dim].get(value, 0) | bit
        # Only the dimensions some rule constrains cost anything at decide time. Each is
        # read from the Context by position: c[i] is cheaper than getattr(c, name).
        active = [
            (Context._fields.index(CONTEXT[d]), by[d], free[d])
            for d in DIMENSIONS
            if free[d] != self.all
        ]
        scalars = {Context._fields.index(name) for name in SCALARS}
        # A set dimension's mask for a call's values (an area's ancestors, a pair of needs)
        # is remembered: calls repeat the same few values, and with thousands of rules each
        # OR is a long integer.
        self.sets: list[tuple[int, dict[str | None, int], int, dict[Any, int]]] = [
            (*item, {}) for item in active if item[0] not in scalars
        ]
        self.scalars = [item for item in active if item[0] in scalars]
        self.rest = [r.condition.has_rest() for r in rules]
        # mask -> (its rules in order, whether any has conditions left to test): calls
        # share a few masks, and taking one apart costs a few operations per rule.
        self.picked: dict[int, tuple[list[Any], bool]] = {}

    def candidates(self, c: Context) -> list[Any]:
        return list(self.matching(c))

    def matching(self, c: Context) -> Sequence[Any]:
        """candidates(), without the copy: often a list shared by the calls with the same
        matches, which the caller must not change."""
        mask = self.all
        for field_at, by, fits, memo in self.sets:
            values: Any = c[field_at]
            got = memo.get(values)
            if got is None:
                got = _any_of(by, fits, values)
                if len(memo) >= MASK_MEMO_MAX:  # bounded against hostile input
                    memo.clear()
                memo[values] = got
            mask &= got
            if not mask:
                return []
        for field_at, by, fits in self.scalars:
            mask &= fits | by.get(c[field_at], 0)  # type: ignore[arg-type]
            if not mask:
                return []
        picked = self.picked.get(mask)
        if picked is None:
            picked = self._pick(mask)
        chosen, any_rest = picked
        if not any_rest:
            return chosen
        rest = self.rest
        return [r for r in chosen if not rest[r.order] or r.condition.matches_rest(c)]

    def _pick(self, mask: int) -> tuple[list[Any], bool]:
        chosen, rules, rest = [], self.rules, self.rest
        bits = mask
        while bits:
            low = bits & -bits
            chosen.append(rules[low.bit_length() - 1])
            bits ^= low
        picked = (chosen, any(rest[r.order] for r in chosen))
        if len(self.picked) >= MASK_MEMO_MAX:  # bounded against hostile input
            self.picked.clear()
        self.picked[mask] = picked
        return picked


def _any_of(by: dict[str | None, int], fits: int, values: Iterable[str]) -> int:
    """The rules naming one of `values`, or not caring (`fits`)."""
    for value in values:
        fits |= by.get(value, 0)
    return fits


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
