"""The supervisor dashboard's figures, in one call: dashboard(db, ruleset, since=, until=).

Call counts come from the daily_stat rollup (plus live counts for the days it does not
cover yet, see rollups.read_counts); referral figures are read exactly from `referral`.
Category counts give a call with two categories to both, so they may add up to more than
the calls received; line, area and hour counts add up exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVarTuple

import sqlalchemy as sa
from sqlmodel import col

from hotline.db.engine import Database
from hotline.models import Call, EscalationEvent, Notification, Referral, TimelineEvent
from hotline.reports.periods import (
    DEFAULT_TZ,
    ONE_OF,
    UNKNOWN_AREA,
    UNKNOWN_LINE,
    UNTIL_BEFORE,
    ReportInputError,
)
from hotline.reports.rollups import Counts, Filters, Key, read_counts
from hotline.reports.scope import Scope, narrow
from hotline.reports.statistics import (
    OPEN,
    Row,
    referral_facts,
    rows_for,
    subtree,
    summarize,
)
from hotline.reports.suggestions import suggestion_confirmations
from hotline.rules.ruleset import RuleSet

_Row = TypeVarTuple("_Row")  # the column types of a query's rows

FUNNEL = (
    ("received", "Cuộc gọi tiếp nhận", "Calls received"),
    ("counselled", "Được tư vấn (kể cả chuyên sâu)", "Counselled (incl. in-depth)"),
    ("cases", "Mở hồ sơ trường hợp", "Case file opened"),
    ("referred", "Chuyển gửi, hỗ trợ can thiệp", "Referred for support and intervention"),
    ("resolved", "Đã giải quyết", "Resolved"),
)
AGE_BUCKETS = (
    ("lt_1h", timedelta(hours=1), "Dưới 1 giờ", "Under 1 hour"),
    ("1h_4h", timedelta(hours=4), "1–4 giờ", "1–4 hours"),
    ("4h_24h", timedelta(days=1), "4–24 giờ", "4–24 hours"),
    ("1d_3d", timedelta(days=3), "1–3 ngày", "1–3 days"),
    ("3d_7d", timedelta(days=7), "3–7 ngày", "3–7 days"),
    ("7d_30d", timedelta(days=30), "7–30 ngày", "7–30 days"),
    ("gt_30d", None, "Trên 30 ngày", "Over 30 days"),
)
NONE_LABEL = {"vi": "(không rõ)", "en": "(unknown)"}


@dataclass
class Dashboard:
    since: datetime
    until: datetime
    area: str | None
    line: str | None
    now: datetime
    calls: int
    calls_by_line: list[dict[str, Any]]
    calls_by_category: list[dict[str, Any]]
    calls_by_area: list[dict[str, Any]]
    calls_by_hour: list[int]
    funnel: list[dict[str, Any]]
    response_total: Row
    response_by_agency_kind: list[Row]
    escalations: dict[str, Any]
    open_referrals_by_age: list[dict[str, Any]]
    dead_letters: int
    # Calls received in the period that were classified by their suggestions: still so, and
    # confirmed or changed by an operator since.
    classification: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Per category: calls given it as a suggestion, and the share whose operator chose it.
    suggestions_confirmed: list[dict[str, Any]] = field(default_factory=list)
    areas_as: str = "today"  # areas grouped as today's map, or as the calls were logged
    scope: Scope | None = None  # the reader's lines and areas, when the figures are limited

    @property
    def breaches(self) -> dict[str, int]:
        return {
            "acknowledge": self.response_total.ack_breaches,
            "resolve": self.response_total.resolve_breaches,
        }

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for name in ("since", "until", "now"):
            out[name] = getattr(self, name).isoformat()
        out["response_total"] = self.response_total.to_dict()
        out["response_by_agency_kind"] = [r.to_dict() for r in self.response_by_agency_kind]
        out["breaches"] = self.breaches
        out["scope"] = self.scope.to_dict() if self.scope else None
        return out


def funnel_counts(counts: dict[Key, Counts], ruleset: RuleSet) -> dict[str, int]:
    """received → counselled (counselling or a case category) → cases → referred → resolved."""
    case = ruleset.taxonomy.case_categories
    out = dict.fromkeys(("received", "counselled", "cases", "referred", "resolved"), 0)
    for (_line, _area, cats), c in counts.items():
        codes = set(cats.split("+")) if cats else set()
        out["received"] += c.calls
        if codes & case:
            out["cases"] += c.calls
        if codes & case or "counselling" in codes:
            out["counselled"] += c.calls
        out["referred"] += c.referred
        out["resolved"] += c.resolved
    return out


# How reports group calls by area: by today's areas (an old call counts where its area went),
# or by the area each call was logged with.
AREAS_AS = ("today", "logged")


def area_mapper(ruleset: RuleSet, root: str | None, areas_as: str = "logged") -> Any:
    """Maps an area code to the child of `root` that holds it (root itself stays root). With
    areas_as="today" an area of the old map goes to the group of its successor; an area split
    across groups goes to the group with the largest share, or stays apart (its own code)
    where the shares are not known (area_spread() divides the counts)."""
    spread = area_spread(ruleset, root, areas_as)

    def to_child(code: str | None) -> str:
        parts = spread(code)
        return max(parts, key=lambda p: p[1])[0]

    return to_child


def area_spread(ruleset: RuleSet, root: str | None, areas_as: str = "logged") -> Any:
    """Maps an area code to [(group, share)]: one group with share 1, except, in today's
    areas, an old area split across groups with known shares, which is divided."""
    top = root or next(code for code, a in ruleset.areas.items() if a.parent is None)

    def child(code: str) -> str:
        chain = ruleset.ancestors(code)
        if top not in chain:
            return code
        i = chain.index(top)
        return chain[i - 1] if i > 0 else top

    def resolve(code: str, share: float, out: dict[str, float]) -> None:
        """Follow the successors while they tell where the calls went: one group, or parts
        with known shares; else the area is listed apart, with what came to it."""
        area = ruleset.areas[code]
        groups = {child(part) for part, _share in ruleset.current(code)}
        successors = area.successor_list()
        if ruleset.is_live(code) or not successors or len(groups) == 1:
            group = groups.pop() if len(groups) == 1 else child(code)
            out[group] = out.get(group, 0.0) + share
        elif len(successors) > 1 and any(s.share is None for s in successors):
            out[code] = out.get(code, 0.0) + share  # listed apart under its old name
        else:
            for s in successors:
                resolve(s.code, share * ((s.share or 0.0) if len(successors) > 1 else 1.0), out)

    def spread(code: str | None) -> list[tuple[str, float]]:
        if not code:
            return [("", 1.0)]
        if areas_as != "today" or code not in ruleset.areas or ruleset.is_live(code):
            return [(child(code), 1.0)]
        out: dict[str, float] = {}
        resolve(code, 1.0, out)
        return list(out.items())

    return spread


def apportion(n: int, shares: Sequence[float]) -> list[int]:
    """n split by shares into whole numbers that add up to n (largest remainder first)."""
    total = sum(shares) or 1.0
    exact = [n * s / total for s in shares]
    whole = [int(x) for x in exact]
    order = sorted(range(len(shares)), key=lambda i: exact[i] - whole[i], reverse=True)
    for i in order[: n - sum(whole)]:
        whole[i] += 1
    return whole


def area_label(ruleset: RuleSet, code: str, none: str, locale: str = "vi") -> str:
    """An area's name; an area of the old map says until when it existed."""
    area = ruleset.areas.get(code)
    if area is None:
        return none
    name = ruleset.area_name(code, locale)
    if area.valid_to is not None:
        return f"{name} (–{area.valid_to.strftime('%d/%m/%Y')})"
    return name


def _tally(counts: dict[Key, Counts], key: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for k, c in counts.items():
        for g in key(k):
            out[g] = out.get(g, 0) + c.calls
    return out


def _listing(
    tally: dict[str, int], label: Any, order: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    keys = list(order or []) + sorted(k for k in tally if k not in set(order or []))
    return [{"key": k, "label": label(k), "calls": tally.get(k, 0)} for k in keys if k in tally]


def _filters(query: sa.Select[*_Row], filters: Filters) -> sa.Select[*_Row]:
    """The query (over Call) narrowed to the areas and the line asked for, and the scope."""
    areas, line, scope = filters
    return narrow(query, areas=areas, line=line, scope=scope)


async def classification_figures(
    db: Database, since: datetime, until: datetime, filters: Filters
) -> dict[str, int]:
    """By suggestion: calls received in [since, until) whose categories were the suggested
    ones when logged; of which still unconfirmed, confirmed as they were, or changed."""
    in_period = (col(Call.received_at) >= since, col(Call.received_at) < until)
    async with db.read(offload=True) as session:
        still = await session.scalar(
            _filters(
                sa.select(sa.func.count())
                .select_from(Call)
                .where(*in_period, col(Call.categories_source) == "suggested"),
                filters,
            )
        )
        later = await session.execute(
            _filters(
                sa.select(col(TimelineEvent.call_id), col(TimelineEvent.detail))
                .join(Call, col(Call.id) == TimelineEvent.call_id)
                .where(*in_period, col(TimelineEvent.kind) == "classified")
                .order_by(col(TimelineEvent.id)),
                filters,
            )
        )
        outcome: dict[int, str] = {}
        for call_id, detail in later:  # a call's first classification by an operator counts
            outcome.setdefault(call_id, detail.get("outcome"))
    confirmed = sum(1 for o in outcome.values() if o == "confirmed")
    changed = sum(1 for o in outcome.values() if o == "changed")
    pending = int(still or 0)
    return {
        "by_suggestion": pending + confirmed + changed,
        "unconfirmed": pending,
        "confirmed": confirmed,
        "changed": changed,
    }


async def _side_figures(
    db: Database,
    since: datetime,
    until: datetime,
    now: datetime,
    filters: Filters,
    locale: str,
) -> tuple[dict[str, Any], list[dict[str, Any]], int]:
    async with db.read(offload=True) as session:
        esc = _filters(
            sa.select(col(EscalationEvent.step), sa.func.count())
            .join(Call, col(Call.id) == EscalationEvent.call_id)
            .where(col(EscalationEvent.fired_at) >= since, col(EscalationEvent.fired_at) < until)
            .group_by(col(EscalationEvent.step)),
            filters,
        )
        by_step = {int(s): int(n) for s, n in await session.execute(esc)}
        opened = _filters(
            sa.select(col(Referral.created_at))
            .join(Call, col(Call.id) == Referral.call_id)
            .where(col(Referral.status).in_(OPEN)),
            filters,
        )
        ages = [now - t for (t,) in await session.execute(opened)]
        dead = _filters(
            sa.select(sa.func.count())
            .select_from(Notification)
            .join(Call, col(Call.id) == Notification.call_id, isouter=True)
            .where(col(Notification.state) == "dead"),
            filters,
        )
        dead_letters = int(await session.scalar(dead) or 0)
    buckets: list[dict[str, Any]] = []
    for code, limit, vi, en in AGE_BUCKETS:
        lower = buckets[-1]["_limit"] if buckets else timedelta(0)
        n = sum(1 for a in ages if a >= lower and (limit is None or a < limit))
        buckets.append(
            {"key": code, "label": vi if locale == "vi" else en, "count": n, "_limit": limit}
        )
    for b in buckets:
        del b["_limit"]
    escalations = {
        "total": sum(by_step.values()),
        "by_step": [{"step": s, "count": n} for s, n in sorted(by_step.items())],
    }
    return escalations, buckets, dead_letters


def check_filters(
    ruleset: RuleSet, area: str | None, line: str | None, areas_as: str = "logged"
) -> set[str] | None:
    if line is not None and line not in ruleset.lines:
        found = ruleset.find_line(line)
        if found is None:
            raise ReportInputError("line", UNKNOWN_LINE, value=line[:40])
    if area is None:
        return None
    if area not in ruleset.areas:
        raise ReportInputError("area", UNKNOWN_AREA, value=area[:40])
    if areas_as not in AREAS_AS:
        raise ReportInputError("areas", ONE_OF, choices=", ".join(AREAS_AS))
    # Today's areas: the calls of the old map whose areas went there count too.
    return ruleset.subtree(area) if areas_as == "today" else subtree(ruleset, area)


async def dashboard(
    db: Database,
    ruleset: RuleSet,
    *,
    since: datetime,
    until: datetime,
    area: str | None = None,
    line: str | None = None,
    now: datetime | None = None,
    locale: str = "vi",
    tz: str = DEFAULT_TZ,
    areas_as: str = "today",
    scope: Scope | None = None,
) -> Dashboard:
    """Every figure of the supervisor dashboard for calls received in [since, until), areas
    grouped as today's map (default) or as the calls were logged (areas_as="logged"), of
    the calls in the reader's `scope` only."""
    if until <= since:
        raise ReportInputError("until", UNTIL_BEFORE)
    if areas_as not in AREAS_AS:
        raise ReportInputError("areas", ONE_OF, choices=", ".join(AREAS_AS))
    areas = check_filters(ruleset, area, line, areas_as)
    if line is not None and line not in ruleset.lines:
        found = ruleset.find_line(line)
        assert found is not None  # check_filters raised otherwise
        line = found.code
    now = now or datetime.now(UTC)
    counts = await read_counts(db, since, until, tz=tz, areas=areas, line=line, scope=scope)
    tax = ruleset.taxonomy
    spread = area_spread(ruleset, area, areas_as)
    none = NONE_LABEL[locale]
    by_line = _tally(counts, lambda k: (k[0],))
    by_cat = _tally(counts, lambda k: k[2].split("+") if k[2] else ("",))
    by_area: dict[str, int] = {}
    for k, c in counts.items():
        parts = spread(k[1])
        for (g, _share), n in zip(parts, apportion(c.calls, [s for _, s in parts]), strict=True):
            by_area[g] = by_area.get(g, 0) + n
    hours = [0] * 24
    for c in counts.values():
        hours = [a + b for a, b in zip(hours, c.hours, strict=True)]
    funnel = funnel_counts(counts, ruleset)
    facts = await referral_facts(db, since=since, until=until, areas=areas, line=line, scope=scope)
    filters = (areas, line, scope)
    escalations, ages, dead = await _side_figures(db, since, until, now, filters, locale)
    classification = await classification_figures(db, since, until, filters)

    def line_label(k: str) -> str:
        ln = ruleset.lines.get(k)
        return (ln.display or ln.number) if ln else k

    return Dashboard(
        since=since,
        until=until,
        area=area,
        line=line,
        now=now,
        calls=funnel["received"],
        calls_by_line=_listing(by_line, line_label, ruleset.lines),
        calls_by_category=_listing(
            by_cat, lambda k: tax.label("category", k, locale) if k else none, tax.categories
        ),
        calls_by_area=_listing(by_area, lambda k: area_label(ruleset, k, none, locale)),
        calls_by_hour=hours,
        funnel=[
            {"key": k, "label": vi if locale == "vi" else en, "count": funnel[k]}
            for k, vi, en in FUNNEL
        ],
        response_total=summarize("all", "Tổng" if locale == "vi" else "Total", facts, now),
        response_by_agency_kind=rows_for(
            facts, "agency_kind", now=now, ruleset=ruleset, locale=locale
        ),
        escalations=escalations,
        open_referrals_by_age=ages,
        dead_letters=dead,
        classification=classification,
        suggestions_confirmed=await suggestion_confirmations(
            db,
            ruleset,
            since=since,
            until=until,
            areas=areas,
            line=line,
            locale=locale,
            scope=scope,
        ),
        areas_as=areas_as,
        scope=scope,
    )
