"""Mirror the rule set's areas, lines and agencies into the database.

Calls and referrals reference these rows by code. A code that leaves the rules is marked
inactive, never deleted, so old calls keep the area and agency they had.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.models import Agency, Area, Line
from hotline.rules.ruleset import RuleSet


async def sync(session: AsyncSession, rules: RuleSet) -> None:
    await _sync_areas(session, rules)
    await session.flush()
    await _sync_lines(session, rules)
    await _sync_agencies(session, rules)
    await session.flush()


async def _sync_areas(session: AsyncSession, rules: RuleSet) -> None:
    areas = {a.code: a for a in (await session.execute(select(Area))).scalars()}
    for code, spec in rules.areas.items():
        row = areas.get(code) or Area(code=code, name=spec.name, kind=spec.kind)
        row.name, row.kind, row.parent_code = spec.name, spec.kind, spec.parent
        row.official_code, row.active = spec.official_code, True
        session.add(row)
    for code, row in areas.items():
        if code not in rules.areas:
            row.active = False


async def _sync_lines(session: AsyncSession, rules: RuleSet) -> None:
    lines = {x.code: x for x in (await session.execute(select(Line))).scalars()}
    for code, spec in rules.lines.items():
        row = lines.get(code) or Line(
            code=code, number=spec.number, display="", name="", level=spec.level
        )
        row.number, row.display = spec.number, spec.display or spec.number
        row.name, row.level, row.area_code, row.active = spec.name, spec.level, spec.area, True
        session.add(row)
    for code, row in lines.items():
        if code not in rules.lines:
            row.active = False


async def _sync_agencies(session: AsyncSession, rules: RuleSet) -> None:
    agencies = {x.code: x for x in (await session.execute(select(Agency))).scalars()}
    for code, spec in rules.agencies.items():
        row = agencies.get(code) or Agency(
            code=code, kind=spec.kind, name=spec.name, area_code=spec.area
        )
        row.kind, row.name, row.area_code = spec.kind, spec.name, spec.area
        row.beds, row.active = spec.beds, True
        session.add(row)
    for code, row in agencies.items():
        if code not in rules.agencies:
            row.active = False
