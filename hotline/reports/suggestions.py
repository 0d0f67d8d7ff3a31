"""How often operators confirm the suggested categories: per category, of the calls of a
period that were given it as a suggestion, the share whose operator chose it too.

A suggestion counts as confirmed when the call's categories are the operator's
(`categories_source` is "operator": chosen, or confirmed after routing by suggestion) and
include it. A call still classified by its suggestions counts as not confirmed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import col

from hotline.models import Call
from hotline.reports.scope import Scope, narrow

if TYPE_CHECKING:
    from hotline.db.engine import Database
    from hotline.rules.ruleset import RuleSet


def confirmation_counts(
    calls: Iterable[tuple[list[str], list[dict[str, Any]]]],
) -> dict[str, tuple[int, int]]:
    """Category -> (calls given it as a suggestion, calls whose operator chose it too), from
    each call's chosen codes and stored suggestions."""
    out: dict[str, tuple[int, int]] = {}
    for chosen, suggested in calls:
        for code in {s.get("code") for s in suggested or [] if s.get("kind") == "category"}:
            if not isinstance(code, str):
                continue
            given, confirmed = out.get(code, (0, 0))
            out[code] = (given + 1, confirmed + (code in (chosen or [])))
    return out


async def suggestion_confirmations(
    db: Database,
    ruleset: RuleSet,
    *,
    since: datetime,
    until: datetime,
    areas: set[str] | None = None,
    line: str | None = None,
    locale: str = "vi",
    scope: Scope | None = None,
) -> list[dict[str, Any]]:
    """Rows for the dashboard: code, label, suggested, confirmed, share (per cent)."""
    query = sa.select(col(Call.categories), col(Call.suggested), col(Call.categories_source)).where(
        col(Call.received_at) >= since, col(Call.received_at) < until
    )
    query = narrow(query, areas=areas, line=line, scope=scope)
    async with db.read(offload=True) as session:
        rows = await session.execute(query)
        counts = confirmation_counts(
            (cats if source == "operator" else [], sugg) for cats, sugg, source in rows
        )
    tax = ruleset.taxonomy
    out: list[dict[str, Any]] = [
        {
            "code": code,
            "label": tax.label("category", code, locale),
            "suggested": given,
            "confirmed": confirmed,
            "share": round(100 * confirmed / given, 1) if given else 0.0,
        }
        for code, (given, confirmed) in counts.items()
    ]
    out.sort(key=lambda r: (-r["suggested"], r["code"]))
    return out
