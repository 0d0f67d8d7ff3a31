"""A referral with its escalation plan on a real database, the sweep run at a chosen time, and
the escalation events it recorded."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from hotline.db.engine import Database
from hotline.escalation.policy import plan_referral
from hotline.escalation.sweep import sweep
from hotline.models import EscalationEvent
from hotline.routing.decide import kind_limits
from hotline.rules.ruleset import RuleSet
from tests.helpers.factories import T0, make_call, make_referral, make_user

M = timedelta(minutes=1)
H = timedelta(hours=1)


async def setup_referral(
    db: Database,
    ruleset: RuleSet,
    *,
    agency: str = "tham-van-tan-canh",
    urgency: str = "emergency",
    categories: tuple[str, ...] = ("child_abuse",),
    created: datetime = T0,
) -> tuple[int, int]:
    """A call taken by an operator with one planned referral, with the time limits rules.yaml
    gives the agency's kind; supervisors for Quảng Ngãi and Huế."""
    async with db.write() as session:
        operator = await make_user(session, role="operator")
        await make_user(session, role="supervisor", areas=["quang-ngai"])
        await make_user(session, role="supervisor", areas=["hue"])
        call = await make_call(
            session,
            urgency=urgency,
            categories=list(categories),
            received_at=created,
            taken_by_id=operator.id,
        )
        limits = kind_limits(
            ruleset,
            kind=ruleset.agencies[agency].kind,
            categories=categories,
            urgency=urgency,
        )
        plan = plan_referral(
            ruleset,
            categories=list(categories),
            urgency=urgency,
            limits={clock: str(limit.duration) for clock, limit in limits.items()},
            created_at=created,
        )
        referral = await make_referral(
            session,
            call,
            agency_code=agency,
            created_at=created,
            ack_due_at=plan.ack_due_at,
            resolve_due_at=plan.resolve_due_at,
            next_escalation_at=plan.next_escalation_at,
            policy=plan.policy,
        )
        return call.id or 0, referral.id or 0


async def events(db: Database, subject: str) -> list[tuple[int, str]]:
    async with db.read() as session:
        rows = await session.execute(
            select(EscalationEvent.step, EscalationEvent.action)
            .where(EscalationEvent.subject == subject)
            .order_by(EscalationEvent.id)
        )
        return [(s, a) for s, a in rows]


async def run(db: Database, ruleset: RuleSet, settings: Any, at: datetime, **kw: Any) -> Any:
    return await sweep(db, ruleset, now=at, settings=settings, node_id="test", **kw)


async def police_answered_then_a_day_later(
    client: Any, accounts: Any, clock: Any
) -> tuple[Any, Any]:
    """A call logged through the API (tests.helpers.calls.GOOD), the police acknowledging it
    within a minute and the other agencies silent, then the sweep a day later: every step of
    each ladder is past due, the police's skipped, the others' fired. Returns the call's 201
    body and the police's referral in it."""
    from hotline import keys
    from tests.helpers.calls import GOOD

    created = await client.post("/api/v1/calls", json=GOOD, headers=accounts["operator"].headers)
    call = await created.json()
    police = accounts["police"]
    [referral] = [r for r in call["referrals"] if r["agency"]["code"] == police.agency]
    clock.advance(1 * M)
    ack = await client.post(f"/api/v1/referrals/{referral['id']}/ack", headers=police.headers)
    assert ack.status == 200
    clock.advance(24 * H)
    app = client.app
    await run(app[keys.DB], app[keys.RULES].current, app[keys.SETTINGS], clock.now())
    return call, referral
