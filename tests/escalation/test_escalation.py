"""Escalation: pure decisions (tables), then the sweep on a real database at chosen times.

Nothing here waits on APScheduler or sleeps: the sweep is called with `now`.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from hotline.db.engine import Database
from hotline.escalation.metrics import EscalationMetrics
from hotline.escalation.policy import ItemState, next_step, plan_call, plan_referral, plan_visit
from hotline.escalation.sweep import heartbeat_status, wake
from hotline.models import Call, EscalationEvent, Notification, Referral, TimelineEvent
from hotline.rules.ruleset import RuleSet
from tests.helpers.escalation import H, M, events, run, setup_referral
from tests.helpers.factories import T0, make_call, make_user

# --- pure: which step, when ----------------------------------------------------------------


@pytest.fixture(scope="module")
def ca_policy(ruleset: RuleSet) -> dict[str, Any]:
    """child-abuse-emergency from T0 for the lead agency: acknowledge 15m; steps at 15m, 30m,
    1h, 2h15 (+2h x3), first action 12h, resolve 5wd, plan approved 7wd (rules.yaml)."""
    limits = {"first_action": "12h", "resolve": "5wd", "plan_approval": "7wd"}
    return plan_referral(
        ruleset, categories=["child_abuse"], urgency="emergency", limits=limits, created_at=T0
    ).policy


def st(**kw: Any) -> ItemState:
    return ItemState(created_at=T0, **kw)


NEXT_CASES = [
    # (state, minutes after T0, expected (step number, actions) or None, why)
    (st(), 14, None, "nothing before the acknowledge limit"),
    (st(), 15, (0, ["renotify", "notify_operator"]), "the limit passes: remind, tell operator"),
    (st(level=1), 29, None, "the cursor has passed step 0; step 1 not yet due"),
    (st(level=1), 30, (1, ["notify_supervisors"]), "15m after the limit: supervisors"),
    (st(acknowledged_at=T0 + 14 * M), 15, None, "acknowledged a moment before: nothing"),
    (
        st(acknowledged_at=T0 + 14 * M, level=3),
        12 * 60,
        (7, ["notify_supervisors", "mark_overdue"]),
        "acknowledged but not accepted within 12h",
    ),
    (st(accepted_at=T0 + H, level=3), 12 * 60, None, "accepted in time: no first-action step"),
    (st(resolved_at=T0 + H), 15, None, "resolved: the ladder is over"),
    (st(declined_at=T0 + H), 15, None, "declined: this referral climbs no further"),
    (st(finished=True), 15, None, "withdrawn or call closed: over"),
    (st(level=99), 10**6, None, "cursor past the end (a bad level) is clamped"),
]


@pytest.mark.parametrize(
    ("state", "minutes", "expected", "why"), NEXT_CASES, ids=[c[3] for c in NEXT_CASES]
)
def test_next_step(
    ca_policy: dict[str, Any],
    state: ItemState,
    minutes: int,
    expected: tuple[int, list[str]] | None,
    why: str,
) -> None:
    step = next_step(state, ca_policy, T0 + minutes * M)
    got = (step.n, [a.name for a in step.actions]) if step else None
    assert got == expected


VISIT_CASES = [
    # (state, minutes, reachable, expected fired numbers, new level, why)
    (
        st(),
        9 * 60,
        True,
        [0, 1, 2, 6],
        7,
        "down 9 hours: each missed step fires once, in order; the 4 reminders coalesce into one",
    ),
    (
        st(),
        5,
        False,
        [0, 1],
        2,
        "agency unreachable: operator and supervisors at once, no pointless reminder",
    ),
    (
        st(level=2),
        31,
        False,
        [2],
        3,
        "still unreachable after the supervisors: the re-route comes forward",
    ),
    (
        st(acknowledged_at=T0),
        9 * 60,
        True,
        [],
        7,
        "acknowledged: every not_acknowledged step is passed over",
    ),
]


@pytest.mark.parametrize(
    ("state", "minutes", "reachable", "fired", "level", "why"),
    VISIT_CASES,
    ids=[c[5] for c in VISIT_CASES],
)
def test_plan_visit(
    ca_policy: dict[str, Any],
    state: ItemState,
    minutes: int,
    reachable: bool,
    fired: list[int],
    level: int,
    why: str,
) -> None:
    visit = plan_visit(state, ca_policy, T0 + minutes * M, reachable=reachable)
    assert [s.n for s in visit.fire] == fired
    assert visit.level == level
    if not reachable:
        assert all(a.name != "renotify" for s in visit.fire for a in s.actions)


PLAN_CASES = [
    # (categories, urgency, limits from the rule, ack due, resolve due, ladder, why)
    (
        ["child_abuse"],
        "emergency",
        {"first_action": "12h", "resolve": "5wd"},
        T0 + 15 * M,
        datetime(2026, 3, 17, 2, tzinfo=UTC),
        "child-abuse-emergency",
        "15m to acknowledge, the lead's support plan in 5 working days",
    ),
    (
        ["child_abuse"],
        "emergency",
        {},
        T0 + 15 * M,
        None,
        "child-abuse-emergency",
        "the same call's health referral: no support-plan limit",
    ),
    (["gbv"], "high", {}, T0 + H, None, "urgent", "1h to acknowledge, no resolve limit"),
    (["gbv"], "normal", {}, T0 + 4 * H, None, "routine", "4h to acknowledge"),
    (["gbv"], "low", {}, T0 + 24 * H, None, "routine", "1 working day (Tue -> Wed)"),
    (
        ["trafficking"],
        "normal",
        {"resolve": "3d"},
        T0 + 4 * H,
        T0 + 72 * H,
        "trafficking",
        "the police's verification within 3 days",
    ),
    (
        ["trafficking"],
        "normal",
        {},
        T0 + 4 * H,
        None,
        "trafficking",
        "the Women's Union of a trafficking call: no verification limit",
    ),
    (
        ["trafficking"],
        "high",
        {"acknowledge": "2h", "resolve": "1d"},
        T0 + 2 * H,
        T0 + 24 * H,
        "trafficking",
        "a routing rule's limits override the ladder's",
    ),
]


@pytest.mark.parametrize(
    ("cats", "urgency", "limits", "ack", "resolve", "ladder", "why"),
    PLAN_CASES,
    ids=[c[6] for c in PLAN_CASES],
)
def test_plan_referral(
    ruleset: RuleSet,
    cats: list[str],
    urgency: str,
    limits: dict[str, str],
    ack: datetime,
    resolve: datetime | None,
    ladder: str,
    why: str,
) -> None:
    plan = plan_referral(ruleset, categories=cats, urgency=urgency, limits=limits, created_at=T0)
    assert (plan.ack_due_at, plan.resolve_due_at) == (ack, resolve)
    assert plan.policy["ladder"] == ladder
    assert plan.next_escalation_at == ack  # every shipped ladder starts at the limit


def test_referrals_of_one_call_get_equal_policies_not_one_shared(ruleset: RuleSet) -> None:
    # Each row owns its policy: changing one referral's must not change its sibling's.
    first, second = (
        plan_referral(ruleset, categories=["gbv"], urgency="high", created_at=T0) for _ in range(2)
    )
    assert first.policy == second.policy
    assert first.policy is not second.policy
    assert first.policy["steps"][0] is not second.policy["steps"][0]
    assert first.policy["due"] is not second.policy["due"]


def test_unreachable_agency_is_due_at_once(ruleset: RuleSet) -> None:
    plan = plan_referral(
        ruleset, categories=["gbv"], urgency="normal", created_at=T0, reachable=False
    )
    assert plan.next_escalation_at == T0


def test_call_plans(ruleset: RuleSet) -> None:
    assert (
        plan_call(
            ruleset, categories=["counselling"], urgency="low", created_at=T0, case=False
        ).policy
        == {}
    )
    plan = plan_call(ruleset, categories=["gbv"], urgency="emergency", created_at=T0)
    assert plan.policy["ladder"] == "case-call-emergency"
    assert plan.next_escalation_at == T0 + 10 * M


# --- the sweep on a database -------------------------------------------------------------


async def test_each_step_fires_at_its_time_and_not_before(db, ruleset, settings):  # type: ignore[no-untyped-def]
    call_id, ref_id = await setup_referral(db, ruleset)
    subject = f"referral:{ref_id}"
    assert (await run(db, ruleset, settings, T0 + 15 * M - timedelta(seconds=1))).fired == 0
    assert await events(db, subject) == []
    result = await run(db, ruleset, settings, T0 + 15 * M)
    assert result.fired == 1 and result.actions == {"renotify": 1, "notify_operator": 1}
    assert (await run(db, ruleset, settings, T0 + 29 * M)).fired == 0
    await run(db, ruleset, settings, T0 + 30 * M)
    assert await events(db, subject) == [(0, "notify_operator"), (1, "notify_supervisors")]
    async with db.read() as session:
        referral = await session.get(Referral, ref_id)
        assert referral is not None
        assert referral.escalation_level == 2 and referral.next_escalation_at == T0 + H
        purposes = (
            await session.scalars(
                select(Notification.purpose)
                .where(Notification.call_id == call_id)
                .order_by(Notification.id)
            )
        ).all()
        timeline = (
            await session.scalars(
                select(TimelineEvent.detail).where(
                    TimelineEvent.call_id == call_id, TimelineEvent.kind == "escalated"
                )
            )
        ).all()
    # A reminder to the agency, a mail to the operator, then the Kon Tum supervisor only.
    assert purposes == ["reminder", "escalation", "escalation"]
    assert [t["action"] for t in timeline] == ["renotify", "notify_operator", "notify_supervisors"]
    assert len(timeline[2]["users"]) == 1 and timeline[2]["reached"] is True


async def test_acknowledgement_stops_the_ladder(db, ruleset, settings):  # type: ignore[no-untyped-def]
    _, ref_id = await setup_referral(db, ruleset)
    async with db.write() as session:
        await session.execute(
            update(Referral)
            .where(Referral.id == ref_id)
            .values(acknowledged_at=T0 + 14 * M, status="acknowledged")
        )
    for minutes in (15, 30, 60, 5 * 60, 11 * 60):
        await run(db, ruleset, settings, T0 + minutes * M)
    assert await events(db, f"referral:{ref_id}") == []
    # Acknowledged is not accepted: the 12-hour first-action limit still holds.
    await run(db, ruleset, settings, T0 + 12 * H)
    assert await events(db, f"referral:{ref_id}") == [(7, "notify_supervisors")]
    async with db.read() as session:
        referral = await session.get(Referral, ref_id)
        assert referral is not None and referral.overdue_at == T0 + 12 * H


async def test_clock_jump_fires_each_missed_step_once_in_order(db, ruleset, settings):  # type: ignore[no-untyped-def]
    call_id, ref_id = await setup_referral(db, ruleset)
    result = await run(db, ruleset, settings, T0 + 9 * H)  # the server was down since T0
    assert [s for s, _ in await events(db, f"referral:{ref_id}")] == [0, 1, 2, 6]
    assert result.skipped == 3  # three missed reminders coalesced
    async with db.read() as session:
        reminders = await session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.referral_id == ref_id, Notification.purpose == "reminder")
        )
    assert reminders == 2  # one from step 0, one from the coalesced repeats: no flood
    assert (await run(db, ruleset, settings, T0 + 9 * H)).fired == 0  # a re-run does nothing


async def test_reroute_up_picks_the_province_when_the_district_is_silent(db, ruleset, settings):  # type: ignore[no-untyped-def]
    call_id, ref_id = await setup_referral(db, ruleset, agency="tham-van-tan-canh")
    await run(db, ruleset, settings, T0 + H)
    async with db.read() as session:
        referrals = (
            await session.scalars(
                select(Referral).where(Referral.call_id == call_id).order_by(Referral.id)
            )
        ).all()
        notified = (
            await session.scalars(
                select(Notification.address).where(Notification.referral_id == referrals[-1].id)
            )
        ).all()
    assert [r.agency_code for r in referrals] == ["tham-van-tan-canh", "so-y-te-quang-ngai"]
    original, rerouted = referrals
    assert original.status == "pending"  # the original stays open
    assert rerouted.policy["ladder"] == "child-abuse-emergency"  # its own snapshot
    assert rerouted.ack_due_at == T0 + H + 15 * M and rerouted.next_escalation_at is not None
    assert rerouted.rule_id == "escalation:child-abuse-emergency"
    assert notified == ["bvte@syt.quangngai.example"]
    # The province's referral climbs its own ladder; at the top, re-routing tells supervisors.
    await run(db, ruleset, settings, T0 + 2 * H + 15 * M)
    top = await events(db, f"referral:{rerouted.id}")
    assert top == [(0, "notify_operator"), (1, "notify_supervisors"), (2, "reroute_up")]
    async with db.read() as session:
        count = await session.scalar(
            select(func.count()).select_from(Referral).where(Referral.call_id == call_id)
        )
        last = (
            await session.scalars(
                select(TimelineEvent.detail)
                .where(TimelineEvent.referral_id == rerouted.id, TimelineEvent.kind == "escalated")
                .order_by(TimelineEvent.id.desc())
            )
        ).first()  # type: ignore[union-attr]
    assert count == 2 and last is not None
    assert last["to"] is None and last["instead"] == "notify_supervisors" and last["reached"]


async def test_dead_lettered_agency_escalates_at_once(db, ruleset, settings):  # type: ignore[no-untyped-def]
    call_id, ref_id = await setup_referral(db, ruleset)
    async with db.write() as session:
        session.add(
            Notification(
                referral_id=ref_id,
                call_id=call_id,
                channel="email",
                address="x@example.org",
                state="dead",
                created_at=T0,
            )
        )
        await wake(session, referral_id=ref_id, now=T0 + 5 * M)
    result = await run(db, ruleset, settings, T0 + 5 * M)
    assert await events(db, f"referral:{ref_id}") == [
        (0, "notify_operator"),
        (1, "notify_supervisors"),
    ]
    assert result.actions.get("renotify") is None


async def test_agency_without_channels_escalates_at_once(db, ruleset, settings):  # type: ignore[no-untyped-def]
    silent = ruleset.agencies["tham-van-tan-canh"].model_copy(update={"channels": []})
    rules = dataclasses.replace(ruleset, agencies={**ruleset.agencies, "tham-van-tan-canh": silent})
    call_id, _ = await setup_referral(db, rules)
    async with db.write() as session:
        await session.execute(update(Referral).values(next_escalation_at=T0))  # as planned
    await run(db, rules, settings, T0)
    async with db.read() as session:
        kinds = (
            await session.scalars(
                select(TimelineEvent.detail).where(
                    TimelineEvent.call_id == call_id, TimelineEvent.kind == "escalated"
                )
            )
        ).all()
    assert [k["action"] for k in kinds] == ["notify_operator", "notify_supervisors"]


async def test_two_concurrent_sweeps_apply_each_step_once(db_url, ruleset, settings):  # type: ignore[no-untyped-def]
    one, two = Database(db_url), Database(db_url)
    try:
        for _ in range(12):
            await setup_referral(one, ruleset)
        results = await asyncio.gather(
            run(one, ruleset, settings, T0 + H, limit=5),
            run(two, ruleset, settings, T0 + H, limit=5),
            run(one, ruleset, settings, T0 + H),
            run(two, ruleset, settings, T0 + H),
        )
        async with one.read() as session:
            keys = (
                await session.execute(select(EscalationEvent.subject, EscalationEvent.step))
            ).all()
            rerouted = await session.scalar(
                select(func.count())
                .select_from(Referral)
                .where(Referral.agency_code == "so-y-te-quang-ngai")
            )
            reminders = await session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.purpose == "reminder")
            )
    finally:
        await one.dispose()
        await two.dispose()
    assert len(keys) == len(set(keys)) == 12 * 3  # steps 0, 1, 2 for each referral, once
    assert sum(r.fired for r in results) == 36
    assert rerouted == 12 and reminders == 12


async def test_the_unique_step_key_stops_a_second_firing(db, ruleset, settings):  # type: ignore[no-untyped-def]
    """Even if a cursor were lost (a run whose lease ran out), the event key holds."""
    _, ref_id = await setup_referral(db, ruleset)
    await run(db, ruleset, settings, T0 + 15 * M)
    async with db.write() as session:
        await session.execute(
            update(Referral)
            .where(Referral.id == ref_id)
            .values(escalation_level=0, next_escalation_at=T0)
        )
    result = await run(db, ruleset, settings, T0 + 15 * M)
    assert result.duplicates == 1 and result.fired == 0
    async with db.read() as session:
        reminders = await session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.referral_id == ref_id, Notification.purpose == "reminder")
        )
    assert reminders == 1


async def test_a_restart_mid_ladder_resumes(db_url, ruleset, settings):  # type: ignore[no-untyped-def]
    first = Database(db_url)
    _, ref_id = await setup_referral(first, ruleset)
    await run(first, ruleset, settings, T0 + 20 * M)
    await first.dispose()  # the node stops; another starts later with nothing in memory
    second = Database(db_url)
    try:
        await run(second, ruleset, settings, T0 + 40 * M)
        assert await events(second, f"referral:{ref_id}") == [
            (0, "notify_operator"),
            (1, "notify_supervisors"),
        ]
    finally:
        await second.dispose()


async def test_a_crashed_claim_comes_back_after_its_lease(db, ruleset, settings):  # type: ignore[no-untyped-def]
    _, ref_id = await setup_referral(db, ruleset)
    async with db.write() as session:  # a node claimed it at 15m and died
        await session.execute(
            update(Referral).where(Referral.id == ref_id).values(escalation_lease_until=T0 + 17 * M)
        )
    assert (await run(db, ruleset, settings, T0 + 16 * M)).claimed == 0
    assert (await run(db, ruleset, settings, T0 + 18 * M)).fired == 1


async def test_a_call_never_referred_reaches_the_supervisor(db, ruleset, settings):  # type: ignore[no-untyped-def]
    async with db.write() as session:
        operator = await make_user(session, role="operator")
        boss = await make_user(session, role="supervisor", lines=["111"])
        plan = plan_call(ruleset, categories=["gbv"], urgency="high", created_at=T0)
        call = await make_call(
            session,
            categories=["gbv"],
            urgency="high",
            area_code=None,
            triage=True,
            taken_by_id=operator.id,
            next_escalation_at=plan.next_escalation_at,
            escalation_policy=plan.policy,
        )
    assert (await run(db, ruleset, settings, T0 + 59 * M)).fired == 0
    await run(db, ruleset, settings, T0 + H)
    assert await events(db, f"call:{call.id}") == [(0, "notify_supervisors")]
    async with db.read() as session:
        addresses = set(
            (
                await session.scalars(
                    select(Notification.address).where(Notification.call_id == call.id)
                )
            ).all()
        )
    assert addresses == {boss.email, operator.email}
    # After a working day still nobody: overdue (the all_declined reminders were passed over).
    await run(db, ruleset, settings, T0 + 25 * H)
    async with db.read() as session:
        stored = await session.get(Call, call.id)
        assert stored is not None and stored.overdue_at == T0 + 25 * H


async def test_a_call_whose_agencies_all_declined_reaches_the_supervisor(db, ruleset, settings):  # type: ignore[no-untyped-def]
    call_id, ref_id = await setup_referral(db, ruleset, urgency="high", categories=("gbv",))
    plan = plan_call(ruleset, categories=["gbv"], urgency="high", created_at=T0)
    async with db.write() as session:
        await session.execute(
            update(Call)
            .where(Call.id == call_id)
            .values(next_escalation_at=plan.next_escalation_at, escalation_policy=plan.policy)
        )
        await session.execute(
            update(Referral)
            .where(Referral.id == ref_id)
            .values(status="declined", declined_at=T0 + 30 * M)
        )
    await run(db, ruleset, settings, T0 + 2 * H)
    assert await events(db, f"call:{call_id}") == [(1, "notify_supervisors")]
    assert await events(db, f"referral:{ref_id}") == []  # a declined referral stops climbing


async def test_heartbeat_and_metrics(db, ruleset, settings):  # type: ignore[no-untyped-def]
    assert (await heartbeat_status(db, T0, 30))["healthy"] is False  # never ran
    await setup_referral(db, ruleset)
    metrics = EscalationMetrics()
    await run(db, ruleset, settings, T0 + 15 * M, metrics=metrics)
    status = await heartbeat_status(db, T0 + 15 * M + 89 * timedelta(seconds=1), 30)
    assert status["healthy"] is True and status["detail"]["fired"] == 1
    assert (await heartbeat_status(db, T0 + 17 * M, 30))["healthy"] is False  # > 3 intervals
    value = metrics.registry.get_sample_value
    assert value("hotline_escalations_total", {"action": "renotify"}) == 1
    assert value("hotline_escalation_due_items") == 1
    assert value("hotline_escalation_sweep_seconds_count") == 1
    EscalationMetrics()  # a second app in the process registers its own objects


async def test_one_broken_item_does_not_hold_back_its_batch(db, ruleset, settings, caplog):  # type: ignore[no-untyped-def]
    _, good = await setup_referral(db, ruleset)
    _, bad = await setup_referral(db, ruleset)
    broken = {"steps": [{"when": "bogus", "do": ["renotify"], "at": ["2026-03-10T02:15:00Z"]}]}
    async with db.write() as session:
        await session.execute(update(Referral).where(Referral.id == bad).values(policy=broken))
    result = await run(db, ruleset, settings, T0 + 15 * M)
    assert result.fired == 1 and result.errors == 1
    assert await events(db, f"referral:{good}") == [(0, "notify_operator")]
    assert "escalation of referral" in caplog.text
    async with db.read() as session:
        stored = await session.get(Referral, bad)
        assert stored is not None and stored.escalation_lease_until is not None  # retried later
