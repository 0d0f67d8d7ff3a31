"""A call given an area of the old map (before the 2025 reform): placed on its successor with
a notice in the answer and on the timeline, or refused with the parts to choose from; a
stored call keeps its area and, routed again, reaches today's agencies."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from hotline.calls.parse import InvalidInput, parse_call, routing_facts
from hotline.routing.decide import decide
from hotline.rules.ruleset import RuleSet
from tests.helpers.calls import GOOD
from tests.helpers.factories import T0

# (area given, kind of change, area the call is placed on, police reached, notice expected)
TABLE = [
    ("tan-canh", "merged", "qn-dak-to", "ca-xa-dak-to", True),
    ("quang-trung", "merged", "qn-kon-tum", "ca-phuong-kon-tum", True),
    ("dak-cam", "renamed (commune made a ward)", "qn-dak-cam", "ca-tinh-quang-ngai", True),
    ("thua-thien-hue", "renamed (province made a city)", "hue", "ca-hue", True),
    ("lai-chau", "unchanged", "lai-chau", "ca-tinh-lai-chau", False),
    ("qn-dak-to", "today's map", "qn-dak-to", "ca-xa-dak-to", False),
]


@pytest.mark.parametrize(
    ("given", "change", "placed", "police", "notice"), TABLE, ids=[f"{t[1]}: {t[0]}" for t in TABLE]
)
async def test_an_old_code_is_placed_on_its_successor(
    client, accounts, given, change, placed, police, notice
):  # type: ignore[no-untyped-def]
    body = GOOD | {"area": given}
    response = await client.post("/api/v1/calls", json=body, headers=accounts["operator"].headers)
    assert response.status == 201, await response.text()
    call = await response.json()
    assert call["area"] == placed
    assert police in {r["agency"]["code"] for r in call["referrals"]}
    notices = [
        n
        for e in call["timeline"]
        if e["kind"] == "notice"
        for n in e["detail"]["notices"]
        if n["code"] == "area_successor"
    ]
    assert bool(notices) == notice
    if notice:
        assert notices[0]["params"]["new"].startswith(
            {"qn-dak-to": "Xã Đăk Tô", "qn-kon-tum": "Phường Kon Tum"}.get(placed, "")
        )
        assert "2025" in notices[0]["text"] or "2024" in notices[0]["text"]


async def test_a_split_area_answers_422_naming_the_parts(client, accounts):  # type: ignore[no-untyped-def]
    response = await client.post(
        "/api/v1/calls", json=GOOD | {"area": "dak-to"}, headers=accounts["operator"].headers
    )
    assert response.status == 422
    error = (await response.json())["error"]
    assert "area" in error["fields"]
    choices = error["choices"]["area"]
    assert [c["code"] for c in choices] == ["qn-dak-to", "qn-kon-dao", "qn-ngok-tu"]
    assert choices[0]["name"] == "Xã Đăk Tô, Tỉnh Quảng Ngãi"


def test_a_call_of_the_day_before_keeps_the_old_area(ruleset: RuleSet) -> None:
    """Typed in late for a call taken on 30 June 2025 (the old map's last day)."""
    now = datetime(2025, 7, 2, 3, tzinfo=UTC)
    body = GOOD | {"area": "tan-canh", "received_at": "2025-06-30T20:00:00+07:00"}
    data = parse_call(body, ruleset, now=now)
    assert data.area == "tan-canh" and data.area_given is None
    with pytest.raises(InvalidInput) as info:
        parse_call(GOOD | {"area": "dak-to"}, ruleset, now=T0)
    assert info.value.choices["area"][1]["code"] == "qn-kon-dao"


def test_a_stored_call_of_the_old_map_routes_to_today(ruleset: RuleSet) -> None:
    """Routed again (an edit, a reroute), a call logged on Tân Cảnh in 2024 keeps its area
    and reaches the agencies of Xã Đăk Tô; one logged on the district of Đăk Tô reaches the
    province, and the notice asks the operator to choose the commune."""
    old = routing_facts(parse_call(GOOD, ruleset, now=T0), now=T0)
    merged = decide(replace(old, area="tan-canh"), ruleset)
    assert "ca-xa-dak-to" in {r.agency_code for r in merged.referrals}
    assert [n.code for n in merged.notices if n.code.startswith("area_")] == ["area_successor"]
    split = decide(replace(old, area="dak-to"), ruleset)
    assert "ca-tinh-quang-ngai" in {r.agency_code for r in split.referrals}
    notice = next(n for n in split.notices if n.code == "area_split")
    assert "Xã Kon Đào" in str(notice) and "Tỉnh Quảng Ngãi" in str(notice)
    assert "was split into" in notice.render("en")
