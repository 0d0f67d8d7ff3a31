"""The safe houses' beds in use: read before planning a call that may need a shelter."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from hotline.models import Agency, Referral
from hotline.routing.decide import CallFacts, shelter_in_play
from hotline.rules.ruleset import RuleSet

OCCUPYING = ("accepted", "in_progress")


async def bed_occupancy(session: AsyncSession, rules: RuleSet) -> dict[str, int]:
    """Beds in use per safe house: what the house reported plus cases it has accepted, in
    one query."""
    accepted = (
        select(func.count())
        .where(
            col(Referral.agency_code) == col(Agency.code),
            col(Referral.agency_kind) == "safe_house",
            col(Referral.status).in_(OCCUPYING),
        )
        .scalar_subquery()
    )
    found = dict(
        (
            await session.execute(
                select(col(Agency.code), col(Agency.beds_in_use) + accepted).where(
                    col(Agency.kind) == "safe_house"
                )
            )
        ).all()
    )
    codes = {a.code for a in rules.agencies.values() if a.kind == "safe_house"}
    return {code: int(found.get(code) or 0) for code in codes}


async def occupancy_for(
    session: AsyncSession, facts: CallFacts, rules: RuleSet
) -> Mapping[str, int]:
    """The occupancy when routing this call may look for a free bed, else nothing (no query:
    most calls need no bed)."""
    if not shelter_in_play(facts, rules):
        return {}
    return await bed_occupancy(session, rules)
