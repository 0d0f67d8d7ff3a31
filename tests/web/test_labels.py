"""Labels, never codes: the call page, its referrals' reasons and its timeline, and the
agency's referral page, in English and in Vietnamese."""

from __future__ import annotations

import re
from html import unescape

from hotline.routing.facts import Notice
from hotline.web.present import notice_params, render_stored_notice, sentence
from tests.helpers.accounts import login
from tests.helpers.calls import GOOD


def visible(html: str) -> str:
    """The page's main text as a reader sees it (tags and attributes dropped)."""
    main = html[html.index("<main") :]
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


async def test_the_english_call_page_shows_labels(client, accounts):
    created = await client.post("/api/v1/calls", json=GOOD, headers=accounts["operator"].headers)
    call = await created.json()
    await login(client, "supervisor")
    text = visible(await (await client.get(f"/calls/{call['id']}?lang=en")).text())
    assert "Đăk Tô Commune, Quảng Ngãi Province" in text
    assert "111 · National child protection hotline" in text
    assert "Đăk Tô Commune Police (Police)" in text  # the timeline: agency and its kind
    # the rules' English reasons, one per line, without their ids or a ".;"
    assert "Child abuse with emergency or high urgency also goes to the police." in text
    assert ".;" not in text and "child-abuse-police" not in text
    assert "acknowledge 1 hour" in text and "resolve 5 working days" in text
    assert "operator:" not in text and "Công an xã" not in text
    # each time limit's legal source in English, a law's name as cited
    assert "The hotline's own rule" in text and "Decree 56/2017/ND-CP, article 28" in text
    assert "Nghị định" not in text and "Quy định" not in text
    vi = visible(await (await client.get(f"/calls/{call['id']}?lang=vi")).text())
    assert "Xã Đăk Tô, Tỉnh Quảng Ngãi" in vi and "tiếp nhận 1 giờ" in vi
    assert "Quy định của tổng đài" in vi and "The hotline" not in vi
    assert "Xâm hại trẻ em khẩn cấp hoặc mức độ cao, báo công an." in vi and ".;" not in vi


async def test_the_agency_page_says_why_in_the_readers_language(client, accounts):
    created = await client.post("/api/v1/calls", json=GOOD, headers=accounts["operator"].headers)
    referral = next(
        r for r in (await created.json())["referrals"] if r["agency"]["code"] == "ca-xa-dak-to"
    )
    await login(client, "police")
    text = visible(await (await client.get(f"/agency/referrals/{referral['id']}?lang=en")).text())
    assert "Physical violence that injured a child goes to the police." in text
    assert "child-abuse" not in text and "Đăk Tô Commune, Quảng Ngãi Province" in text


def test_stored_notices_name_categories_kinds_and_places(ruleset):
    suggested = Notice.of("suggested", codes="child_abuse, physical_violence")
    stored = {"code": suggested.code, "params": dict(suggested.params), "text": str(suggested)}
    assert render_stored_notice(stored, "en", ruleset) == (
        "Categories taken from the suggestions: Child abuse, Physical violence."
    )
    assert "child_abuse" not in render_stored_notice(stored, "vi", ruleset)
    params = notice_params(
        {"kind": "police", "area": "Xã Đăk Tô, Tỉnh Quảng Ngãi", "rule": "r"}, ruleset, "en"
    )
    assert params == {"kind": "Police", "area": "Đăk Tô Commune, Quảng Ngãi Province", "rule": "r"}


async def test_the_coverage_page_names_agencies_and_sources_in_english(client, accounts):
    await login(client, "admin")
    page = unescape(await (await client.get("/admin/rules/coverage?lang=en")).text())
    assert "Đăk Tô Commune Police" in page and "Quảng Ngãi Province" in page
    assert "title=\"Commune police (Law on the People's Public Security;" in page
    assert "Công an xã" not in page and "Luật" not in page
    vi = unescape(await (await client.get("/admin/rules/coverage?lang=vi")).text())
    assert "Công an xã Đăk Tô" in vi and 'title="Công an cấp xã (Luật Công an nhân dân;' in vi


def test_a_field_message_reads_as_a_sentence_on_a_page():
    assert sentence("a reason is required to decline") == "A reason is required to decline."
    assert sentence("cần nêu lý do từ chối") == "Cần nêu lý do từ chối."
    assert sentence("đã là câu.") == "Đã là câu."  # a full stop is not doubled
    assert sentence("Not a date (YYYY-MM-DD)") == "Not a date (YYYY-MM-DD)."
    assert sentence("") == ""
