"""Demo data: the mix, the referrals' shapes, and rollups that agree with live counts."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from hotline.demo.history import generate
from hotline.demo.progress import ProgressBar
from hotline.models import Call, CallCategory, EscalationEvent, Referral
from hotline.reports import rollups
from hotline.reports.dashboard import dashboard
from hotline.reports.periods import custom_period, parse_period

START = datetime(2025, 1, 1, tzinfo=UTC)
END = datetime(2026, 1, 1, tzinfo=UTC)


async def test_generate_makes_a_realistic_history(db, ruleset):
    seen: list[tuple[int, int]] = []
    counts = await generate(
        db,
        ruleset,
        calls=20_000,
        seed=7,
        start=START,
        end=END,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert counts["calls"] == 20_000
    assert seen[-1] == (20_000, 20_000)
    async with db.read() as s:
        n = await s.scalar(sa.select(sa.func.count(Call.id)))
        first, last = (
            await s.execute(sa.select(sa.func.min(Call.received_at), sa.func.max(Call.received_at)))
        ).one()
        cases = await s.scalar(
            sa.select(sa.func.count(sa.distinct(CallCategory.call_id))).where(
                CallCategory.code.in_(["child_abuse", "gbv", "trafficking"])
            )
        )
        statuses = set((await s.scalars(sa.select(Referral.status).distinct())).all())
        late = await s.scalar(sa.select(sa.func.count(EscalationEvent.id)))
    assert n == 20_000
    assert first >= START and last < END
    assert 15 <= cases <= 70  # about 0.2%
    assert {"resolved", "declined"} <= statuses
    assert late > 0
    # Generating again adds calls after the existing ids.
    more = await generate(db, ruleset, calls=500, seed=8, start=START, end=END)
    assert more["calls"] == 500


async def test_demo_rollups_agree_with_live_counts(db, ruleset):
    await generate(db, ruleset, calls=5_000, seed=3, start=START, end=END)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    # Whole months (monthly_stat), months with days around them, and a partial day.
    for period in (
        parse_period("2025-H2", now=now),
        custom_period("2025-07-15", "2025-10-10"),
        custom_period("2025-03-03T10:00", "2025-03-20"),
    ):
        rolled = await dashboard(db, ruleset, since=period.since, until=period.until, now=now)
        async with db.read() as s:
            counted = await rollups.aggregate(s, period.since, period.until)
        live = [c for keys in counted.values() for c in keys.values()]
        assert rolled.calls == sum(c.calls for c in live)
        assert rolled.calls_by_hour == [sum(c.hours[h] for c in live) for h in range(24)]
    period = parse_period("2025-H2", now=now)
    rolled = await dashboard(db, ruleset, since=period.since, until=period.until, now=now)
    funnel = {f["key"]: f["count"] for f in rolled.funnel}
    assert funnel["counselled"] / funnel["received"] > 0.07
    evening = sum(rolled.calls_by_hour[18:22])
    night = sum(rolled.calls_by_hour[1:5])
    assert evening > 5 * night


def test_progress_bar_renders():
    import io

    out = io.StringIO()
    bar = ProgressBar(100, label="calls", stream=out)
    bar.update(50, 100)
    bar.update(100, 100)
    bar.close()
    assert "50.0%" in out.getvalue() and "100/100" in out.getvalue()


def test_demo_data_command(settings, capsys):
    from hotline.cli.demo import demo_data_command

    assert demo_data_command(settings, calls=2_000, years=0.5, progress=False) == 0
    assert "calls: 2,000" in capsys.readouterr().err
