"""Response times of referrals: medians, 90th percentiles and "in time" shares.

The rules (docs/REPORTS.md explains them to supervisors):

* A referral belongs to the period in which it was **created**; withdrawn ones (the call was
  reclassified and the agency no longer needed) are left out entirely.
* Time to acknowledge = first of acknowledged_at / declined_at minus created_at: declining
  is an answer. Time to resolve = resolved_at minus created_at.
* Medians and p90 are over the referrals that have the time (closed intervals only), by
  linear interpolation between ranks (numpy's default, statistics.quantiles "inclusive").
* "In time" shares count every referral whose limit can be judged: answered or resolved
  (in time when at or before the due time), or still open **after** its due time (not in
  time). Open referrals not yet due are not judged; referrals without a limit neither.
* Declined referrals count for acknowledgement but are left out of the resolution measures
  (the case goes to another agency, whose referral carries its own clock).

Referrals are few (0.2% of calls are cases), so they are read exactly, not from a rollup.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from hotline.db.engine import Database
from hotline.models import Call, EscalationEvent, Referral
from hotline.reports.periods import UNKNOWN_AREA, UNTIL_BEFORE, ReportInputError, check_group
from hotline.reports.scope import Scope, narrow
from hotline.rules.ruleset import RuleSet

OPEN = ("pending", "notified", "acknowledged", "accepted", "in_progress")


@dataclass(frozen=True)
class Fact:
    """One referral reduced to what the statistics need."""

    id: int
    call_id: int
    agency: str
    agency_kind: str
    line: str
    area: str | None
    categories: tuple[str, ...]
    subcategories: tuple[str, ...]
    status: str
    created_at: datetime
    answered_at: datetime | None
    resolved_at: datetime | None
    ack_due_at: datetime | None
    resolve_due_at: datetime | None
    escalations: int  # ladder steps that fired (a step skipped, e.g. acknowledged in time, is not)

    @property
    def declined(self) -> bool:
        return self.status == "declined"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


@dataclass
class Row:
    key: str
    label: str
    referrals: int = 0
    acknowledged: int = 0
    ack_median: float | None = None  # seconds
    ack_p90: float | None = None
    resolved: int = 0
    resolve_median: float | None = None
    resolve_p90: float | None = None
    ack_judged: int = 0
    ack_in_time: int = 0
    resolve_judged: int = 0
    resolve_in_time: int = 0
    declined: int = 0
    open: int = 0
    escalated: int = 0  # referrals that reached at least one escalation step

    @property
    def ack_in_time_share(self) -> float | None:
        return self.ack_in_time / self.ack_judged if self.ack_judged else None

    @property
    def resolve_in_time_share(self) -> float | None:
        return self.resolve_in_time / self.resolve_judged if self.resolve_judged else None

    @property
    def ack_breaches(self) -> int:
        return self.ack_judged - self.ack_in_time

    @property
    def resolve_breaches(self) -> int:
        return self.resolve_judged - self.resolve_in_time

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(
            ack_in_time_share=self.ack_in_time_share,
            resolve_in_time_share=self.resolve_in_time_share,
            ack_breaches=self.ack_breaches,
            resolve_breaches=self.resolve_breaches,
        )
        return out


def quantile(ordered: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks; `ordered` must be sorted."""
    if not ordered:
        return None
    h = (len(ordered) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (h - lo) * (ordered[hi] - ordered[lo])


# The escalation steps that fired for a referral: its EscalationEvent rows (the unique key
# (subject, step) serves the lookup). Its escalation_level is only the ladder's cursor, which
# also moves past the steps skipped because the agency answered in time.
_FIRED = (
    sa.select(sa.func.count())
    .where(
        col(EscalationEvent.subject)
        == sa.literal("referral:") + sa.cast(col(Referral.id), sa.String)
    )
    .scalar_subquery()
)


async def referral_facts(
    db: Database,
    *,
    since: datetime,
    until: datetime,
    areas: Iterable[str] | None = None,
    line: str | None = None,
    scope: Scope | None = None,
) -> list[Fact]:
    """Referrals created in [since, until), withdrawn ones left out, of calls in `scope`."""
    query = (
        sa.select(
            col(Referral.id),
            col(Referral.call_id),
            col(Referral.agency_code),
            col(Referral.agency_kind),
            col(Call.line_code),
            col(Call.area_code),
            sa.cast(col(Call.categories), sa.Text),
            sa.cast(col(Call.subcategories), sa.Text),
            col(Referral.status),
            col(Referral.created_at),
            col(Referral.acknowledged_at),
            col(Referral.declined_at),
            col(Referral.resolved_at),
            col(Referral.ack_due_at),
            col(Referral.resolve_due_at),
            _FIRED,
        )
        .join(Call, col(Call.id) == Referral.call_id)
        .where(
            col(Referral.created_at) >= since,
            col(Referral.created_at) < until,
            col(Referral.status) != "withdrawn",
        )
    )
    query = narrow(query, areas=areas, line=line, scope=scope)
    cache: dict[str | None, tuple[str, ...]] = {}
    out = []
    async with db.read(offload=True) as session:
        for row in await session.execute(query):
            (rid, call_id, agency, kind, line_code, area, cats, subs, status) = row[:9]
            created, ack, declined, resolved, ack_due, resolve_due, fired = row[9:]
            assert rid is not None  # the model's id is None only before an insert
            for raw in (cats, subs):
                if raw not in cache:
                    cache[raw] = tuple(json.loads(raw) if raw else ())
            answered = min((t for t in (ack, declined) if t is not None), default=None)
            out.append(
                Fact(
                    rid,
                    call_id,
                    agency,
                    kind,
                    line_code,
                    area,
                    cache[cats],
                    cache[subs],
                    status,
                    created,
                    answered,
                    resolved,
                    ack_due,
                    resolve_due,
                    fired or 0,
                )
            )
    return out


def _judge(done_at: datetime | None, due: datetime | None, now: datetime) -> bool | None:
    """True in time, False late (or open past due), None not judged (yet)."""
    if due is None:
        return None
    if done_at is not None:
        return done_at <= due
    return False if now > due else None


def summarize(key: str, label: str, facts: Iterable[Fact], now: datetime) -> Row:
    row = Row(key=key, label=label)
    ack_times: list[float] = []
    resolve_times: list[float] = []
    for f in facts:
        row.referrals += 1
        row.declined += f.declined
        row.open += f.is_open
        row.escalated += f.escalations > 0
        if f.answered_at is not None:
            ack_times.append((f.answered_at - f.created_at).total_seconds())
        ack = _judge(f.answered_at, f.ack_due_at, now)
        if ack is not None:
            row.ack_judged += 1
            row.ack_in_time += ack
        if f.declined:
            continue
        if f.resolved_at is not None:
            resolve_times.append((f.resolved_at - f.created_at).total_seconds())
        res = _judge(f.resolved_at, f.resolve_due_at, now)
        if res is not None:
            row.resolve_judged += 1
            row.resolve_in_time += res
    ack_times.sort()
    resolve_times.sort()
    row.acknowledged, row.resolved = len(ack_times), len(resolve_times)
    row.ack_median, row.ack_p90 = quantile(ack_times, 0.5), quantile(ack_times, 0.9)
    row.resolve_median = quantile(resolve_times, 0.5)
    row.resolve_p90 = quantile(resolve_times, 0.9)
    return row


KeyFn = Callable[[Fact], Iterable[str]]


def key_function(
    group_by: str,
    ruleset: RuleSet | None = None,
    area_of: Callable[[str | None], str] | None = None,
) -> KeyFn:
    """The group(s) a referral falls in. A call with two categories counts in both."""
    check_group(group_by)
    if group_by == "total":
        return lambda f: ("all",)
    if group_by == "agency":
        return lambda f: (f.agency,)
    if group_by == "agency_kind":
        return lambda f: (f.agency_kind,)
    if group_by == "line":
        return lambda f: (f.line,)
    if group_by == "area":
        to_area = area_of or (lambda code: code or "")
        return lambda f: (to_area(f.area),)
    return lambda f: f.categories or ("",)


def label_for(group_by: str, key: str, ruleset: RuleSet | None, locale: str = "vi") -> str:
    if ruleset is None or not key:
        return key or ("(không rõ)" if locale == "vi" else "(unknown)")
    if group_by == "agency":
        return ruleset.agency_name(key, locale)
    if group_by == "agency_kind":
        return ruleset.taxonomy.label("agency_kind", key, locale)
    if group_by == "line":
        line = ruleset.lines.get(key)
        return (line.display or line.number) if line else key
    if group_by == "area":
        return ruleset.area_name(key, locale)
    if group_by == "category":
        return ruleset.taxonomy.label("category", key, locale)
    return "Tổng" if locale == "vi" else "Total"


def group_facts(facts: Iterable[Fact], key: KeyFn) -> dict[str, list[Fact]]:
    groups: dict[str, list[Fact]] = {}
    for f in facts:
        for k in key(f):
            groups.setdefault(k, []).append(f)
    return groups


def rows_for(
    facts: Iterable[Fact],
    group_by: str,
    *,
    now: datetime,
    ruleset: RuleSet | None = None,
    locale: str = "vi",
    area_of: Callable[[str | None], str] | None = None,
) -> list[Row]:
    groups = group_facts(facts, key_function(group_by, ruleset, area_of))
    return [
        summarize(k, label_for(group_by, k, ruleset, locale), fs, now)
        for k, fs in sorted(groups.items())
    ]


async def response_times(
    db: Database,
    *,
    since: datetime,
    until: datetime,
    group_by: str,
    now: datetime | None = None,
    ruleset: RuleSet | None = None,
    area: str | None = None,
    line: str | None = None,
    locale: str = "vi",
    scope: Scope | None = None,
) -> list[Row]:
    """Response-time statistics of the referrals created in [since, until), one Row per
    group (agency, agency_kind, category, line, area, or total). `now` decides which open
    referrals are already past due (default: the current time). With `area` (needs the
    rule set) only calls in that area and below count; only those in the reader's `scope`."""
    check_group(group_by)
    if until <= since:
        raise ReportInputError("until", UNTIL_BEFORE)
    areas = None
    if area is not None:
        if ruleset is None or area not in ruleset.areas:
            raise ReportInputError("area", UNKNOWN_AREA, value=area[:40])
        areas = subtree(ruleset, area)
    facts = await referral_facts(db, since=since, until=until, areas=areas, line=line, scope=scope)
    return rows_for(facts, group_by, now=now or datetime.now(UTC), ruleset=ruleset, locale=locale)


def subtree(ruleset: RuleSet, root: str) -> set[str]:
    """The area and every area below it."""
    out, todo = set(), [root]
    while todo:
        code = todo.pop()
        if code not in out:
            out.add(code)
            todo += ruleset.children.get(code, [])
    return out
