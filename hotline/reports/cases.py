"""Case calls (those with a case category) read one by one: they are few (0.2% of calls),
and the intervention types and framework groupings need their sub-categories, which the
daily rollup does not keep."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col

from hotline.db.engine import Database
from hotline.models import Call, CallCategory, Referral, table_of
from hotline.reports.crosswalks import UNMAPPED, Crosswalk
from hotline.reports.rollups import RESOLVED, Counts, Key
from hotline.reports.scope import Scope, narrow
from hotline.reports.tables import Column, Section
from hotline.rules.ruleset import RuleSet

ID_CHUNK = 5000  # ids per IN (...) list: well under SQLite's and asyncpg's parameter limits


@dataclass(frozen=True)
class CaseCall:
    id: int
    line: str
    area: str | None
    categories: tuple[str, ...]
    subcategories: tuple[str, ...]
    status: str
    referred: bool

    @property
    def key(self) -> Key:
        return (self.line, self.area or "", "+".join(sorted(set(self.categories))))


async def case_calls(
    db: Database,
    ruleset: RuleSet,
    *,
    since: datetime,
    until: datetime,
    areas: set[str] | None = None,
    line: str | None = None,
    scope: Scope | None = None,
) -> list[CaseCall]:
    """Calls received in [since, until) with a case category.

    Two steps on purpose: the ids of case calls come from call_category's code index (0.2%
    of calls), then the calls by primary key. Joined in one query, SQLite's planner walked
    every call of the period instead (1.3 s for a year at 500,000 calls)."""
    codes = sorted(ruleset.taxonomy.case_categories)
    referred = (
        sa.exists()
        .where(col(Referral.call_id) == Call.id, col(Referral.status) != "withdrawn")
        .correlate(table_of(Call))
    )
    ids = sa.select(col(CallCategory.call_id)).where(col(CallCategory.code).in_(codes))
    query = sa.select(
        col(Call.id),
        col(Call.line_code),
        col(Call.area_code),
        sa.cast(col(Call.categories), sa.Text),
        sa.cast(col(Call.subcategories), sa.Text),
        col(Call.status),
        referred,
    ).where(
        col(Call.id).in_(ids),
        col(Call.received_at) >= since,
        col(Call.received_at) < until,
    )
    query = narrow(query, areas=areas, line=line, scope=scope)
    out: dict[int, CaseCall] = {}
    async with db.read(offload=True) as session:
        for cid, line_code, area, cats, subs, status, ref in await session.execute(query):
            assert cid is not None  # the model's id is None only before an insert
            out[cid] = CaseCall(
                cid,
                line_code,
                area,
                tuple(json.loads(cats or "[]")),
                tuple(json.loads(subs or "[]")),
                status,
                bool(ref),
            )
    return list(out.values())


def framework_counts(
    walk: Crosswalk, counts: dict[Key, Counts], calls: list[CaseCall], ruleset: RuleSet
) -> tuple[dict[str, dict[Key, Counts]], dict[Key, Counts]]:
    """Call counts per framework group, and all the calls the framework covers (once each).
    Non-case calls come from the rollup (mapped by category), case calls one by one (mapped
    by sub-category)."""
    case = ruleset.taxonomy.case_categories
    by_group: dict[str, dict[Key, Counts]] = {}
    included: dict[Key, Counts] = {}

    def put(groups: set[str], key: Key, c: Counts) -> None:
        if not groups:
            return
        included.setdefault(key, Counts()).add(c)
        for g in groups:
            by_group.setdefault(g, {}).setdefault(key, Counts()).add(c)

    for key, c in counts.items():
        cats = key[2].split("+") if key[2] else []
        if not set(cats) & case:
            put(walk.groups_of(cats), key, c)
    for call in calls:
        resolved = int(call.referred and call.status in RESOLVED)
        put(
            walk.groups_of(call.categories, call.subcategories),
            call.key,
            Counts(1, int(call.referred), resolved),
        )
    return by_group, included


def interventions(calls: list[CaseCall], walk: Crosswalk | None) -> Section:
    """Support and intervention cases (case calls referred to an agency) by the national
    line's intervention types (crosswalks.yaml, framework vn111)."""
    columns = [
        Column("code", "Mã", "Code", "text"),
        Column("type", "Loại can thiệp", "Intervention type", "text"),
        Column("count", "Số trường hợp", "Cases"),
    ]
    section = Section(
        "interventions",
        "Trường hợp hỗ trợ, can thiệp theo loại",
        "Support and intervention cases by type",
        columns,
    )
    referred = [c for c in calls if c.referred]
    if walk is None:
        section.note = "crosswalks.yaml has no vn111 framework"
        section.total = ["", "Tổng cộng", len(referred)]
        return section
    tally: dict[str, int] = dict.fromkeys(walk.groups, 0)
    for call in referred:
        for group in walk.groups_of(call.categories, call.subcategories) or {"other"}:
            tally[group] = tally.get(group, 0) + 1
    section.rows = [[g, walk.group_label(g), n] for g, n in tally.items() if n or g != UNMAPPED]
    section.total = ["", "Tổng cộng", len(referred)]
    section.note = "Một trường hợp có thể thuộc nhiều loại; dòng tổng đếm mỗi trường hợp một lần."
    return section
