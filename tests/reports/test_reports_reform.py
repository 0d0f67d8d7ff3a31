"""Reports across the 2025 reform: a 6-month report spanning 1 July 2025 puts the calls of the
old map and of today's map together in today's areas (or apart, as logged, when asked)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import openpyxl

from hotline.reports.dashboard import apportion, dashboard
from hotline.reports.export import write_xlsx
from hotline.reports.periodic import build_report
from hotline.reports.periods import custom_period
from hotline.reports.rollups import refresh_rollups
from tests.helpers.factories import add_call

BEFORE = datetime(2025, 5, 12, 2, tzinfo=UTC)  # 09:00 local, on the old map
AFTER = datetime(2025, 8, 12, 2, tzinfo=UTC)  # on today's map
NOW = datetime(2025, 10, 15, 2, tzinfo=UTC)
SIX_MONTHS = custom_period("2025-04-01", "2025-09-30")

# (area the call was logged with, when, how many)
CALLS = [
    ("tan-canh", BEFORE, 3),  # merged into Xã Đăk Tô
    ("tt-dak-to", BEFORE, 1),  # merged into Xã Đăk Tô
    ("qn-dak-to", AFTER, 2),
    ("quang-trung", BEFORE, 1),  # merged into Phường Kon Tum
    ("qn-kon-tum", AFTER, 1),
    ("dak-to", BEFORE, 2),  # the district: split, shares unknown
    ("thua-thien-hue", BEFORE, 1),  # a province renamed a city
    ("hue-an-cuu", AFTER, 1),
    ("lai-chau", BEFORE, 1),  # unchanged
    ("tp-hue", BEFORE, 10),  # split in two districts with known shares, then in wards
]


async def seed(db) -> None:  # type: ignore[no-untyped-def]
    async with db.write() as s:
        for area, at, n in CALLS:
            for i in range(n):
                await add_call(s, received_at=at + timedelta(minutes=i), area_code=area)


def calls_by_key(section) -> dict[str, int]:  # type: ignore[no-untyped-def]
    calls = section.column("calls")
    return {row[0]: row[calls] for row in section.rows}


async def test_six_months_across_1_july_2025_by_todays_areas(db, ruleset) -> None:  # type: ignore[no-untyped-def]
    await seed(db)
    await refresh_rollups(db, days=None, now=NOW)
    total = sum(n for _, _, n in CALLS)
    # The country: one row per province of today; Kon Tum's calls are Quảng Ngãi's.
    country = await build_report(db, ruleset, period=SIX_MONTHS, now=NOW)
    assert calls_by_key(country.section("areas")) == {"quang-ngai": 10, "hue": 12, "lai-chau": 1}
    assert country.section("areas").total[country.section("areas").column("calls")] == total
    # Quảng Ngãi: old and new calls of Đăk Tô together; the district, split without known
    # shares, is listed apart under its old name.
    qn = await build_report(db, ruleset, period=SIX_MONTHS, area="quang-ngai", now=NOW)
    rows = calls_by_key(qn.section("areas"))
    assert rows == {"qn-kon-tum": 2, "qn-dak-to": 6, "dak-to": 2}
    labels = {row[0]: row[1] for row in qn.section("areas").rows}
    assert labels["dak-to"] == "Huyện Đăk Tô (–30/06/2025)"
    # Huế: Thừa Thiên Huế's province-level call stays at the city; the old city of Huế's
    # 10 calls are divided by the known shares of its two districts (4 and 6), each
    # district's wards unknown, so listed apart under the district.
    hue = await build_report(db, ruleset, period=SIX_MONTHS, area="hue", now=NOW)
    assert calls_by_key(hue.section("areas")) == {
        "hue": 1,
        "hue-an-cuu": 1,
        "hue-q-phu-xuan": 4,
        "hue-q-thuan-hoa": 6,
    }
    assert hue.section("areas").total[hue.section("areas").column("calls")] == 12
    # The XLSX says which map the areas are of.
    out = io.BytesIO()
    write_xlsx(qn, out)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["Địa bàn"]
    text = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
    assert "theo bản đồ hiện hành" in text and "Huyện Đăk Tô (–30/06/2025)" in text


async def test_the_same_months_by_the_areas_as_logged(db, ruleset) -> None:  # type: ignore[no-untyped-def]
    await seed(db)
    logged = await build_report(db, ruleset, period=SIX_MONTHS, areas_as="logged", now=NOW)
    rows = calls_by_key(logged.section("areas"))
    assert rows == {"kon-tum": 7, "quang-ngai": 3, "thua-thien-hue": 11, "hue": 1, "lai-chau": 1}
    assert any("as each call was logged" in note for note in logged.notes)
    out = io.BytesIO()
    write_xlsx(logged, out)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["Địa bàn"]
    text = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
    assert "theo địa bàn lúc ghi nhận" in text


async def test_the_dashboard_groups_by_todays_areas_too(db, ruleset) -> None:  # type: ignore[no-untyped-def]
    await seed(db)
    p = SIX_MONTHS
    today = await dashboard(db, ruleset, since=p.since, until=p.until, area="quang-ngai", now=NOW)
    assert {a["key"]: a["calls"] for a in today.calls_by_area} == {
        "qn-kon-tum": 2,
        "qn-dak-to": 6,
        "dak-to": 2,
    }
    assert today.calls == 10
    logged = await dashboard(
        db, ruleset, since=p.since, until=p.until, area="kon-tum", now=NOW, areas_as="logged"
    )
    assert {a["key"]: a["calls"] for a in logged.calls_by_area} == {
        "tp-kon-tum": 1,
        "dak-to": 6,
    }


def test_apportion_keeps_the_total() -> None:
    assert apportion(10, [0.406, 0.594]) == [4, 6]
    assert apportion(1, [0.406, 0.594]) == [0, 1]
    assert sum(apportion(7, [1 / 3, 1 / 3, 1 / 3])) == 7
