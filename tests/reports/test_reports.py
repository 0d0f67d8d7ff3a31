"""Reports: statistics against a hand-computed fixture, report tables and exports, periods,
time zones, rollups after reclassification, and an empty year."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from hotline.i18n.translation import load_catalogs
from hotline.models import Call, CallCategory, DailyStat, MonthlyStat
from hotline.reports.dashboard import dashboard
from hotline.reports.export import write_csv, write_xlsx
from hotline.reports.periodic import build_report
from hotline.reports.periods import (
    PeriodError,
    ReportInputError,
    custom_period,
    local_midnight,
    parse_instant,
    parse_period,
    period_from_params,
)
from hotline.reports.rollups import refresh_rollups
from hotline.reports.statistics import quantile, response_times
from tests.helpers.factories import T0, add_call, make_referral

NOW = datetime(2026, 3, 20, 0, 0, tzinfo=UTC)
MARCH = parse_period("2026-03", now=NOW)
H, D = 3600, 86400


async def seed_referrals(db) -> None:  # type: ignore[no-untyped-def]
    """Seven referrals at one child-protection office and one at the police.

    ack limit 1 h, resolve limit 5 days, from created_at = T0; now = 20 March:
      r1 ack 10 min, resolved 2 d         ack in time, resolve in time
      r2 ack 30 min, resolved 6 d         ack in time, resolve late
      r3 ack 2 h,    resolved 1 d         ack late,    resolve in time
      r4 ack 50 min, still open           ack in time, resolve judged late (due 15 March)
      r5 declined after 20 min            ack in time, left out of resolve measures
      r6 pending, made 30 min before now  judged on nothing yet
      r7 withdrawn                        left out entirely
      r8 police: ack 5 min, resolved 1 h
    """
    async with db.write() as s:
        c1 = await add_call(s, received_at=T0)
        c2 = await add_call(s, received_at=T0, line_code="02603862991")
        late = NOW - timedelta(minutes=30)
        c3 = await add_call(s, received_at=late)

        def at(seconds: float) -> datetime:
            return T0 + timedelta(seconds=seconds)

        common = {"agency_code": "so-y-te-quang-ngai", "created_at": T0}
        await make_referral(
            s, c1, **common, status="resolved", acknowledged_at=at(600), resolved_at=at(2 * D)
        )
        await make_referral(
            s, c1, **common, status="resolved", acknowledged_at=at(1800), resolved_at=at(6 * D)
        )
        await make_referral(
            s, c1, **common, status="resolved", acknowledged_at=at(2 * H), resolved_at=at(1 * D)
        )
        await make_referral(s, c1, **common, status="in_progress", acknowledged_at=at(3000))
        await make_referral(s, c1, **common, status="declined", declined_at=at(1200))
        await make_referral(
            s,
            c3,
            agency_code="so-y-te-quang-ngai",
            created_at=late,
            ack_due_at=late + timedelta(hours=1),
            resolve_due_at=late + timedelta(days=5),
        )
        await make_referral(s, c1, **common, status="withdrawn", withdrawn_at=at(60))
        await make_referral(
            s,
            c2,
            agency_code="ca-xa-dak-to",
            created_at=T0,
            status="resolved",
            acknowledged_at=at(300),
            resolved_at=at(H),
        )


async def test_response_times_match_hand_computed_figures(db, ruleset):
    await seed_referrals(db)
    rows = await response_times(
        db, since=MARCH.since, until=MARCH.until, group_by="agency_kind", now=NOW, ruleset=ruleset
    )
    by_kind = {r.key: r for r in rows}
    cp = by_kind["child_protection"]
    assert cp.referrals == 6  # r1..r6; the withdrawn r7 is left out
    assert cp.acknowledged == 5  # the decline counts as an answer
    assert cp.ack_median == 1800  # of 600, 1200, 1800, 3000, 7200
    assert cp.ack_p90 == pytest.approx(5520)  # 3000 + 0.6 * (7200 - 3000)
    assert (cp.ack_judged, cp.ack_in_time, cp.ack_in_time_share) == (5, 4, 0.8)
    assert cp.resolved == 3
    assert cp.resolve_median == 2 * D  # of 1 d, 2 d, 6 d
    assert cp.resolve_p90 == pytest.approx(2 * D + 0.8 * 4 * D)
    # r1, r3 in time; r2 late; r4 open past its due time; r5 declined; r6 not yet due.
    assert (cp.resolve_judged, cp.resolve_in_time, cp.resolve_in_time_share) == (4, 2, 0.5)
    assert (cp.declined, cp.open, cp.ack_breaches, cp.resolve_breaches) == (1, 2, 1, 2)
    police = by_kind["police"]
    assert (police.referrals, police.ack_median, police.resolve_median) == (1, 300, H)
    assert police.label == "Công an"


async def test_response_times_groups_and_filters(db, ruleset):
    await seed_referrals(db)
    kw = {"since": MARCH.since, "until": MARCH.until, "now": NOW, "ruleset": ruleset}
    (total,) = await response_times(db, group_by="total", **kw)
    assert total.referrals == 7
    lines = {r.key: r.referrals for r in await response_times(db, group_by="line", **kw)}
    assert lines == {"111": 6, "02603862991": 1}
    agencies = {r.key for r in await response_times(db, group_by="agency", **kw)}
    assert agencies == {"so-y-te-quang-ngai", "ca-xa-dak-to"}
    cats = {r.key: r.referrals for r in await response_times(db, group_by="category", **kw)}
    assert cats == {"child_abuse": 7}
    (area,) = await response_times(db, group_by="area", area="qn-dak-to", **kw)
    assert (area.key, area.referrals) == ("qn-dak-to", 7)
    assert await response_times(db, group_by="area", area="lai-chau", **kw) == []
    with pytest.raises(ReportInputError) as err:
        await response_times(db, group_by="weekday", **kw)
    assert err.value.field == "group_by"


def test_quantile_interpolates_between_ranks():
    assert quantile([], 0.5) is None
    assert quantile([5.0], 0.9) == 5.0
    assert quantile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert quantile([10.0, 20.0], 0.9) == pytest.approx(19.0)


@pytest.mark.parametrize(
    ("text", "since", "until"),
    [
        # Local midnight in Ho Chi Minh City is 17:00 UTC the day before.
        ("2026-H1", datetime(2025, 12, 31, 17, tzinfo=UTC), datetime(2026, 6, 30, 17, tzinfo=UTC)),
        ("2026-H2", datetime(2026, 6, 30, 17, tzinfo=UTC), datetime(2026, 12, 31, 17, tzinfo=UTC)),
        ("2026", datetime(2025, 12, 31, 17, tzinfo=UTC), datetime(2026, 12, 31, 17, tzinfo=UTC)),
        ("2026-12", datetime(2026, 11, 30, 17, tzinfo=UTC), datetime(2026, 12, 31, 17, tzinfo=UTC)),
        # NOW is 07:00 on 20 March locally.
        ("today", datetime(2026, 3, 19, 17, tzinfo=UTC), datetime(2026, 3, 20, 17, tzinfo=UTC)),
        ("week", datetime(2026, 3, 13, 17, tzinfo=UTC), datetime(2026, 3, 20, 17, tzinfo=UTC)),
        ("month", datetime(2026, 2, 18, 17, tzinfo=UTC), datetime(2026, 3, 20, 17, tzinfo=UTC)),
        # the pickers' presets (local days, first .. end exclusive): 20 March 2026 is a Friday
        ("yesterday", local_midnight(date(2026, 3, 19)), local_midnight(date(2026, 3, 20))),
        ("this-week", local_midnight(date(2026, 3, 16)), local_midnight(date(2026, 3, 21))),
        ("this-month", local_midnight(date(2026, 3, 1)), local_midnight(date(2026, 3, 21))),
        ("last-month", local_midnight(date(2026, 2, 1)), local_midnight(date(2026, 3, 1))),
        # six months back, today included
        ("6months", local_midnight(date(2025, 9, 21)), local_midnight(date(2026, 3, 21))),
        ("this-year", local_midnight(date(2026, 1, 1)), local_midnight(date(2026, 3, 21))),
    ],
)
def test_named_periods_are_local_days(text, since, until):
    period = parse_period(text, now=NOW)
    assert (period.since, period.until) == (since, until)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: parse_period("2026-H3", now=NOW), "period"),
        (lambda: parse_period("2026-13", now=NOW), "period"),
        (lambda: parse_period("last year", now=NOW), "period"),
        (lambda: custom_period("2026-03-10", "2026-03-01"), "until"),
        (lambda: custom_period("2026-02-30", "2026-03-01"), "since"),
        (lambda: parse_instant("yesterday", field="until"), "until"),
        (lambda: period_from_params({"since": "2026-03-01", "until": "x"}, now=NOW), "until"),
        (lambda: period_from_params({"period": "custom"}, now=NOW), "since"),  # no dates
    ],
)
def test_bad_periods_name_the_field(call, field):
    with pytest.raises(PeriodError) as err:
        call()
    assert err.value.field == field
    assert isinstance(err.value, ValueError)


def test_a_period_error_speaks_the_readers_language():
    with pytest.raises(PeriodError) as err:
        custom_period("2026-03-10", "2026-03-01")
    assert err.value.message == "The end date must be on or after the start date."
    vi = load_catalogs().get("vi").gettext
    assert err.value.text(vi) == "Ngày kết thúc phải bằng hoặc sau ngày bắt đầu."
    with pytest.raises(PeriodError) as err:
        parse_period("2026-H3", now=NOW)
    assert err.value.text(vi).startswith("'2026-H3' không phải là một kỳ (2026-H1")


@pytest.mark.parametrize(
    ("params", "label"),
    [
        ({"period": "week", "since": "2026-01-01"}, "week"),  # a preset wins over stale dates
        (
            {"period": "custom", "since": "2026-03-01", "until": "2026-03-02"},
            "2026-03-01..2026-03-02",
        ),
        ({"since": "2026-03-01", "until": "2026-03-02"}, "2026-03-01..2026-03-02"),  # the API's
        ({}, "month"),
    ],
)
def test_the_pickers_choice_decides_between_preset_and_dates(params, label):
    assert period_from_params(params, now=NOW).label == label


def test_custom_period_includes_the_until_day():
    period = period_from_params({"since": "2026-03-01", "until": "2026-03-01"}, now=NOW)
    assert period.since == datetime(2026, 2, 28, 17, tzinfo=UTC)
    assert period.until == datetime(2026, 3, 1, 17, tzinfo=UTC)


async def test_a_call_at_2330_utc_counts_on_the_next_local_day(db, ruleset):
    late = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # 06:30 on 11 March locally
    async with db.write() as s:
        await add_call(s, received_at=late, categories=["silent"], subcategories=[])
    day10 = custom_period("2026-03-10", "2026-03-10")
    day11 = custom_period("2026-03-11", "2026-03-11")
    for refreshed in (False, True):  # live aggregation, then from the rollup
        if refreshed:
            await refresh_rollups(db, days=None, now=NOW)
        d10 = await dashboard(db, ruleset, since=day10.since, until=day10.until, now=NOW)
        d11 = await dashboard(db, ruleset, since=day11.since, until=day11.until, now=NOW)
        assert (d10.calls, d11.calls) == (0, 1)
        assert d11.calls_by_hour[6] == 1
    async with db.read() as s:
        (stat,) = (await s.execute(sa.select(DailyStat))).scalars().all()
    assert (stat.day, stat.h06, stat.categories) == (date(2026, 3, 11), 1, "silent")


async def seed_calls(db) -> None:  # type: ignore[no-untyped-def]
    async with db.write() as s:
        c1 = await add_call(s, received_at=T0)
        c2 = await add_call(
            s,
            received_at=T0 + timedelta(hours=1),
            categories=["child_abuse", "gbv"],
            subcategories=["sexual_abuse", "sexual_violence"],
            area_code="qn-kon-tum",
        )
        await add_call(
            s, received_at=T0, categories=["counselling"], subcategories=[], area_code="lc-binh-lu"
        )
        await add_call(s, received_at=T0, categories=["silent"], subcategories=[])
        await add_call(s, received_at=T0, categories=["silent"], subcategories=[], area_code=None)
        await make_referral(
            s,
            c1,
            created_at=T0,
            status="resolved",
            acknowledged_at=T0 + timedelta(minutes=10),
            resolved_at=T0 + timedelta(days=1),
        )
        c1.status = "resolved"
        await make_referral(
            s,
            c2,
            agency_code="ca-phuong-kon-tum",
            created_at=T0,
            acknowledged_at=T0 + timedelta(hours=2),
            status="acknowledged",
        )


async def test_dashboard_figures(db, ruleset):
    await seed_calls(db)
    d = await dashboard(db, ruleset, since=MARCH.since, until=MARCH.until, now=NOW)
    assert [(f["key"], f["count"]) for f in d.funnel] == [
        ("received", 5),
        ("counselled", 3),
        ("cases", 2),
        ("referred", 2),
        ("resolved", 1),
    ]
    cats = {c["key"]: c["calls"] for c in d.calls_by_category}
    assert cats == {"child_abuse": 2, "gbv": 1, "counselling": 1, "silent": 2}
    areas = {a["key"]: a["calls"] for a in d.calls_by_area}
    assert areas == {"quang-ngai": 3, "lai-chau": 1, "": 1}
    assert sum(d.calls_by_hour) == 5 and d.calls_by_hour[9] == 4
    assert d.response_total.referrals == 2
    # The police referral: acknowledged after 2 h (limit 1 h), open past its 5-day limit.
    assert d.breaches == {"acknowledge": 1, "resolve": 1}
    assert sum(b["count"] for b in d.open_referrals_by_age) == 1
    assert d.dead_letters == 0
    assert d.to_dict()["response_total"]["ack_breaches"] == 1
    kt = await dashboard(
        db, ruleset, since=MARCH.since, until=MARCH.until, now=NOW, area="quang-ngai"
    )
    assert kt.calls == 3
    assert {a["key"] for a in kt.calls_by_area} == {"qn-dak-to", "qn-kon-tum"}
    with pytest.raises(ReportInputError) as err:
        await dashboard(db, ruleset, since=MARCH.since, until=MARCH.until, area="atlantis")
    assert err.value.field == "area"


async def test_report_columns_totals_and_exports(db, ruleset):
    await seed_calls(db)
    report = await build_report(db, ruleset, period="2026-H1", now=NOW)
    assert not report.empty
    areas = report.section("areas")
    calls = areas.column("calls")
    assert sum(r[calls] for r in areas.rows) == areas.total[calls] == 5
    cats = report.section("categories")
    by_code = {r[0]: r for r in cats.rows}
    assert by_code["child_abuse"][cats.column("calls")] == 2
    assert cats.total[cats.column("calls")] == 5  # each call once
    funnel = {r[0]: r[2] for r in report.section("funnel").rows}
    assert funnel == {"received": 5, "counselled": 3, "cases": 2, "referred": 2, "resolved": 1}
    interventions = {r[0]: r[2] for r in report.section("interventions").rows}
    assert interventions["sexual_abuse"] == 1 and interventions["violence"] == 1
    kinds = report.section("agency_kinds")
    (total,) = await response_times(
        db, since=report.period.since, until=report.period.until, group_by="total", now=NOW
    )
    assert kinds.total[kinds.column("referrals")] == total.referrals == 2
    assert kinds.total[kinds.column("ack_median")] == total.ack_median

    out = io.BytesIO()
    write_xlsx(report, out)
    wb = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    assert wb.sheetnames[:3] == ["Tổng hợp", "Địa bàn", "Loại vụ việc"]
    sheet = wb["Cơ quan"]
    header = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "Mã")
    last = list(sheet.iter_rows(values_only=True))[-1]
    assert last[1] == "Tổng cộng"
    assert last[header.index("Lượt chuyển gửi")] == total.referrals
    median = last[header.index("Thời gian tiếp nhận – trung vị")]
    assert median.total_seconds() == pytest.approx(total.ack_median, abs=1)
    cell = sheet.cell(row=sheet.max_row, column=header.index("Tỷ lệ tiếp nhận kịp thời") + 1)
    assert cell.number_format == "0.0%"

    raw = io.BytesIO()
    write_csv(report, raw, "areas")
    assert raw.getvalue().startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.getvalue().decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mã", "Địa bàn", "Cuộc gọi tiếp nhận"]
    assert rows[-1][1] == "Tổng cộng" and rows[-1][2] == "5"
    with pytest.raises(ReportInputError):
        write_csv(report, io.StringIO(), "nonsense")


@pytest.mark.parametrize("framework", ["chi", "gbvims", "vn111"])
async def test_report_in_framework_groupings(db, ruleset, framework):
    await seed_calls(db)
    report = await build_report(db, ruleset, period="2026", framework=framework, now=NOW)
    cats = report.section("categories")
    walk = ruleset.crosswalks[framework]
    assert {r[0] for r in cats.rows} <= set(walk.groups)
    if framework == "gbvims":  # only the two case calls are GBVIMS incidents
        assert cats.total[cats.column("calls")] == 2
        codes = {r[0] for r in cats.rows}
        assert codes == {"sexual_assault", "physical_assault"}
    if framework == "chi":  # every call is covered once
        assert cats.total[cats.column("calls")] == 5
    with pytest.raises(ReportInputError):
        await build_report(db, ruleset, period="2026", framework="nope", now=NOW)


async def test_a_year_without_data_says_so(db, ruleset):
    report = await build_report(db, ruleset, period="2031", now=NOW)
    assert report.empty
    assert "Không có dữ liệu" in report.notes[0]
    assert report.section("areas").rows == []
    assert report.section("summary").rows[0][2] == 0
    out = io.BytesIO()
    write_xlsx(report, out)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["Tổng hợp"]
    assert any("Không có dữ liệu" in str(r[0]) for r in sheet.iter_rows(values_only=True))


async def test_rollups_follow_a_reclassification(db, ruleset):
    async with db.write() as s:
        call = await add_call(s, received_at=T0, categories=["silent"], subcategories=[])
    await refresh_rollups(db, days=None, now=NOW)
    day = custom_period("2026-03-10", "2026-03-10")

    async def categories() -> dict[str, int]:
        d = await dashboard(db, ruleset, since=day.since, until=day.until, now=NOW)
        return {c["key"]: c["calls"] for c in d.calls_by_category}

    assert await categories() == {"silent": 1}
    later = NOW + timedelta(hours=1)
    async with db.write() as s:
        row = await s.get(Call, call.id)
        row.categories, row.subcategories, row.updated_at = ["gbv"], ["domestic_violence"], later
        await s.execute(sa.delete(CallCategory).where(CallCategory.call_id == call.id))
        s.add_all([CallCategory(call_id=call.id, code=c) for c in ("gbv", "domestic_violence")])
    # Not refreshed yet: the rollup still has the old class (bounded staleness).
    assert await categories() == {"silent": 1}
    assert await refresh_rollups(db, days=None, now=later + timedelta(minutes=1)) == 1
    assert await categories() == {"gbv": 1}
    async with db.read() as s:
        stats = (await s.execute(sa.select(DailyStat))).scalars().all()
    assert [(x.categories, x.calls) for x in stats] == [("gbv", 1)]
    async with db.read() as s:
        months = (await s.execute(sa.select(MonthlyStat))).scalars().all()
    assert [(x.month, x.categories, x.calls) for x in months] == [(date(2026, 3, 1), "gbv", 1)]
    march = await dashboard(db, ruleset, since=MARCH.since, until=MARCH.until, now=NOW)
    assert {c["key"]: c["calls"] for c in march.calls_by_category} == {"gbv": 1}
    # Refreshing again changes nothing.
    await refresh_rollups(db, days=[date(2026, 3, 10)], now=later)
    assert await categories() == {"gbv": 1}


def test_reports_due_ahead_of_their_deadlines():
    from hotline.reports.schedule import due_reports

    assert due_reports(datetime(2026, 5, 20, tzinfo=UTC)) == []
    ((deadline, due, period),) = due_reports(datetime(2026, 6, 3, 3, tzinfo=UTC))
    assert (deadline.name, due) == ("6-thang", date(2026, 6, 10))
    assert period.first_day == date(2025, 12, 1) and period.last_day == date(2026, 5, 31)
    ((deadline, due, period),) = due_reports(datetime(2026, 12, 10, 3, tzinfo=UTC))
    assert deadline.name == "nam"
    assert period.first_day == date(2025, 12, 1) and period.last_day == date(2026, 11, 30)


async def test_prepare_due_reports_writes_xlsx(db, ruleset, tmp_path):
    from hotline.reports.schedule import prepare_due_reports

    await seed_calls(db)
    paths = await prepare_due_reports(
        db,
        ruleset,
        now=datetime(2026, 6, 5, tzinfo=UTC),
        out_dir=tmp_path,
        areas=[None, "quang-ngai"],
    )
    assert [p.name for p in paths] == [
        "bao-cao-6-thang-2025-12_2026-05-toan-bo.xlsx",
        "bao-cao-6-thang-2025-12_2026-05-quang-ngai.xlsx",
    ]
    wb = openpyxl.load_workbook(paths[0])
    assert "Tổng hợp" in wb.sheetnames


def test_report_command_writes_xlsx_and_csv(db_url, settings, tmp_path, capsys):
    import asyncio

    from hotline.cli.reports import refresh_rollups_command, report_command
    from hotline.db.engine import Database

    async def seed_it() -> None:
        database = Database(db_url)
        try:
            await seed_calls(database)
        finally:
            await database.dispose()

    asyncio.run(seed_it())
    out = tmp_path / "r.xlsx"
    assert report_command(settings, period="2026-H1", area="quang-ngai", out=str(out)) == 0
    assert openpyxl.load_workbook(out)["Địa bàn"]
    assert report_command(settings, period="2026-H1", format="csv", section="funnel") == 0
    assert "Cuộc gọi tiếp nhận,5" in capsys.readouterr().out
    assert report_command(settings, period="2026-H9", out=str(out)) == 2
    assert "period:" in capsys.readouterr().err
    assert refresh_rollups_command(settings, full=True) == 0
