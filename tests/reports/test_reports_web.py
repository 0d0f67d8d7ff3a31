"""The supervisor dashboard page, its CSV downloads, report downloads and the
response-times API."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl

from hotline import keys
from tests.helpers.accounts import login
from tests.helpers.factories import T0, add_call, make_referral


async def seed(client) -> None:  # type: ignore[no-untyped-def]
    async with client.app[keys.DB].write() as s:
        call = await add_call(s, received_at=T0)
        await add_call(s, received_at=T0, categories=["silent"], subcategories=[])
        await make_referral(
            s, call, created_at=T0, status="acknowledged", acknowledged_at=T0 + timedelta(minutes=5)
        )


async def test_dashboard_page_has_charts_tables_and_csv(client, accounts):
    await seed(client)
    await login(client, "supervisor")
    page = await client.get("/supervisor/dashboard?period=month")
    assert page.status == 200
    html = await page.text()
    assert "<svg" in html and "Cuộc gọi theo giờ trong ngày" in html
    assert "cdn" not in html.lower()
    csv_response = await client.get(
        "/supervisor/dashboard.csv?chart=calls_by_category&period=month"
    )
    assert csv_response.status == 200
    body = await csv_response.read()
    assert body.startswith(b"\xef\xbb\xbf")
    assert "Xâm hại trẻ em,1" in body.decode("utf-8-sig")
    bad = await client.get("/supervisor/dashboard?period=2026-H3")
    assert bad.status == 400 and "period" in await bad.text()


async def test_operators_cannot_see_the_dashboard(client, accounts):
    await login(client, "operator")
    response = await client.get("/supervisor/dashboard", allow_redirects=False)
    assert response.status in (302, 303, 403)


async def test_report_download_and_response_times_api(client, accounts):
    await seed(client)
    await login(client, "supervisor")
    response = await client.get("/supervisor/report?period=2026-H1&format=xlsx")
    assert response.status == 200
    wb = openpyxl.load_workbook(io.BytesIO(await response.read()))
    assert "Tổng hợp" in wb.sheetnames
    api = await client.get("/api/v1/stats/response-times?period=2026-03&group_by=agency_kind")
    assert api.status == 200
    body = await api.json()
    assert body["rows"][0]["key"] == "child_protection"
    assert body["rows"][0]["ack_median"] == 300
    bad = await client.get("/api/v1/stats/response-times?group_by=weekday")
    assert bad.status == 422  # invalid input, as everywhere in the API
    assert "group_by" in (await bad.json())["error"]["fields"]


async def test_dashboard_api(client, accounts):
    await seed(client)
    await login(client, "supervisor")
    response = await client.get("/api/v1/stats/dashboard?period=2026-03&area=qn-dak-to")
    assert response.status == 200
    body = await response.json()
    assert body["calls"] == 2 and body["period"]["label"] == "2026-03"
    assert body["funnel"][0] == {"key": "received", "label": "Cuộc gọi tiếp nhận", "count": 2}
    bad = await client.get("/api/v1/stats/dashboard?since=2026-03-10&until=2026-03-01")
    assert bad.status == 422
    assert "until" in (await bad.json())["error"]["fields"]


async def test_dashboard_shows_the_share_of_suggestions_confirmed(client, accounts):
    def suggested(*codes: str) -> list[dict[str, object]]:
        return [{"code": c, "kind": "category", "score": 1.0, "words": []} for c in codes]

    async with client.app[keys.DB].write() as s:
        # gbv suggested three times, chosen by the operator twice; child_abuse suggested once,
        # routed on the suggestion and not confirmed since
        mine = {"received_at": T0, "categories_source": "operator"}
        await add_call(s, **mine, categories=["gbv"], suggested=suggested("gbv"))
        await add_call(s, **mine, categories=["gbv"], suggested=suggested("gbv", "counselling"))
        await add_call(s, **mine, categories=["trafficking"], suggested=suggested("gbv"))
        await add_call(
            s,
            received_at=T0,
            categories=["child_abuse"],
            categories_source="suggested",
            subcategories=[],
            suggested=suggested("child_abuse"),
        )
    await login(client, "supervisor")
    html = await (await client.get("/supervisor/dashboard?period=month")).text()
    section = html[html.index('id="suggestions_confirmed"') :]
    section = section[: section.index("</section>")]
    rows = [
        [cell.split(">")[-1] for cell in row.split("</td>")[:-1]]
        for row in section.split("<tr>")[2:]
    ]
    assert rows == [
        ["Bạo lực trên cơ sở giới", "3", "2", "66.7 %"],
        ["Xâm hại trẻ em", "1", "0", "0.0 %"],
        ["Tư vấn", "1", "0", "0.0 %"],
    ]
