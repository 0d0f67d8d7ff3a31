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
    assert bad.status == 400 and 'aria-describedby="err-period"' in await bad.text()
    unknown = await client.get("/supervisor/dashboard.csv?chart=pie&period=month")
    assert unknown.status == 422 and "chart" in await unknown.text()


async def test_a_wrong_period_is_named_in_the_readers_language_and_the_form_kept(client, accounts):
    await login(client, "supervisor")
    query = "period=custom&since=2026-03-10&until=2026-03-01&line=111"
    page = await client.get(f"/supervisor/dashboard?{query}")
    html = await page.text()
    assert page.status == 400
    assert 'aria-invalid="true" aria-describedby="err-until"' in html
    assert "Đến: Ngày kết thúc phải bằng hoặc sau ngày bắt đầu." in html
    assert 'value="2026-03-10"' in html and 'value="2026-03-01"' in html  # kept as typed
    assert '<option value="custom" selected' in html
    assert 'id="calls_by_line"' not in html  # no figures for a period that is not one
    english = await client.get(f"/supervisor/dashboard?{query}&lang=en")
    text = await english.text()
    assert english.status == 400
    assert "To: The end date must be on or after the start date." in text
    assert "Ngày" not in text


async def test_a_preset_shows_its_days_in_the_date_boxes(client, accounts):
    await login(client, "supervisor")
    html = await (await client.get("/supervisor/dashboard?period=last-month")).text()
    # the test clock stands in March 2026: last month is February
    assert 'name="since" id="since" value="2026-02-01"' in html
    assert 'name="until" id="until" value="2026-02-28"' in html
    assert '<option value="last-month" selected' in html


async def test_a_wrong_report_period_shows_the_dashboard_with_the_report_form_kept(
    client, accounts
):
    await login(client, "supervisor")
    response = await client.get(
        "/supervisor/report?period=custom&since=2026-05-01&until=2026-04-01&format=csv&area=qn-dak-to"
    )
    html = await response.text()
    assert response.status == 400
    assert 'aria-invalid="true" aria-describedby="err-report-until"' in html
    assert "Đến: Ngày kết thúc phải bằng hoặc sau ngày bắt đầu." in html
    assert 'id="report-since" value="2026-05-01"' in html
    assert '<option value="csv" selected' in html
    assert 'id="calls_by_line"' in html  # the dashboard itself is fine
    assert '<input type="hidden" name="area" value="qn-dak-to">' in html


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
