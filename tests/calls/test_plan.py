"""plan_call() as a table: what a call means before anything is written (a pure function:
the same inputs always give the same plan)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest

from hotline.calls.parse import CallData, PersonData
from hotline.calls.plan import CallPlan, plan_call
from hotline.routing.decide import shelter_in_play
from hotline.rules.ruleset import RuleSet
from tests.helpers.factories import T0

GIRL_BEATEN = "Bé gái 9 tuổi bị cha dượng đánh đập nhiều ngày, có vết bầm trên tay."
WIFE_BEATEN = "Chị bị chồng đánh đập nhiều lần, muốn đi khỏi nhà ngay đêm nay."
NIGHT = T0 + timedelta(hours=14)  # 23:00 in Ho Chi Minh City: offices are closed


@dataclass
class Case:
    why: str
    data: dict[str, Any]
    categories: list[str]
    source: str | None
    kinds: set[str]  # the agency kinds referred to
    triage: bool = False
    notices: set[str] = field(default_factory=set)  # notice codes that must be there
    occupancy: dict[str, int] = field(default_factory=dict)
    now: datetime = T0


CASES = [
    Case(
        "the operator's categories are the call's",
        {"categories": ["child_abuse"], "subcategories": ["physical_violence"]},
        ["child_abuse"],
        "operator",
        {"police", "child_protection", "commune_committee"},
    ),
    Case(
        "left empty: the suggestions the rules accept become the call's categories",
        {},
        ["child_abuse"],
        "suggested",
        {"police", "child_protection", "commune_committee"},
        notices={"suggested"},
    ),
    Case(
        "nothing to go by: no category, the supervisors' triage queue",
        {"narrative": "zzzz qqqq", "people": []},
        [],
        None,
        set(),
        triage=True,
        notices={"unclassified"},
    ),
    Case(
        "a request for information, by suggestion: not a case, no referral",
        {"narrative": "Gọi hỏi thông tin.", "people": []},
        ["information"],
        "suggested",
        set(),
        notices={"not_a_case"},
    ),
    Case(
        "a woman who needs shelter, beds free: the district's safe house",
        {
            "narrative": WIFE_BEATEN,
            "people": [PersonData(age=30, sex="female")],
            "categories": ["gbv"],
            "subcategories": ["domestic_violence"],
            "needs": ["shelter"],
        },
        ["gbv"],
        "operator",
        {"safe_house", "police", "womens_union"},
    ),
    Case(
        "the same, the commune's house full: referred up the tree to the province's",
        {
            "narrative": WIFE_BEATEN,
            "people": [PersonData(age=30, sex="female")],
            "categories": ["gbv"],
            "subcategories": ["domestic_violence"],
            "needs": ["shelter"],
        },
        ["gbv"],
        "operator",
        {"safe_house", "police", "womens_union"},
        notices={"safe_house_full"},
        occupancy={"dia-chi-tin-cay-dak-to": 2},
    ),
    Case(
        "an emergency at night: a 24/7 agency stands in for the closed offices",
        {"categories": ["child_abuse"], "urgency": "emergency"},
        ["child_abuse"],
        "operator",
        {"police", "child_protection", "commune_committee", "social_work_centre"},
        notices={"after_hours"},
        now=NIGHT,
    ),
    Case(
        "a case on a national line with no area: triage",
        {"categories": ["child_abuse"], "area": None},
        ["child_abuse"],
        "operator",
        set(),
        triage=True,
        notices={"no_area"},
    ),
]


def plan(ruleset: RuleSet, case: Case) -> CallPlan:
    fields: dict[str, Any] = {
        "line": "111",
        "area": "qn-dak-to",
        "narrative": GIRL_BEATEN,
        "people": [PersonData(age=9, sex="female")],
        "urgency": "high",
        **case.data,
    }
    return plan_call(
        CallData(**fields),
        ruleset,
        case.now,
        case.occupancy,
        actor="operator",
        user_id=1,
        taken_by_id=1,
    )


@pytest.mark.parametrize("case", CASES, ids=[c.why for c in CASES])
def test_plan(ruleset: RuleSet, case: Case) -> None:
    got = plan(ruleset, case)
    assert got.call["categories"] == case.categories
    assert got.call["categories_source"] == case.source
    assert got.call["triage"] is case.triage
    assert {r.values["agency_kind"] for r in got.referrals} == case.kinds
    assert case.notices <= {n.code for n in got.decision.notices}
    assert set(got.codes) == set(got.call["categories"]) | set(got.call["subcategories"])
    # Every new referral has its limits and escalation snapshot, and a "routed" event.
    for i, referral in enumerate(got.referrals):
        assert referral.values["policy"], referral.values["agency_code"]
        assert any(e.kind == "routed" and e.new == i for e in got.events)
    assert got.call["status"] == ("referred" if case.kinds else "open")
    assert plan(ruleset, case) == got  # pure: the same inputs, the same plan


def test_a_full_safe_house_is_passed_over(ruleset: RuleSet) -> None:
    full = next(c for c in CASES if c.occupancy)
    chosen = {r.values["agency_code"] for r in plan(ruleset, full).referrals}
    assert "dia-chi-tin-cay-dak-to" not in chosen
    free = next(c for c in CASES if c.data.get("needs") == ["shelter"] and not c.occupancy)
    assert "dia-chi-tin-cay-dak-to" in {
        r.values["agency_code"] for r in plan(ruleset, free).referrals
    }


def test_the_occupancy_is_read_only_when_a_shelter_may_be_in_play(ruleset: RuleSet) -> None:
    from hotline.calls.plan import facts_of

    def facts(needs: list[str]) -> Any:
        return facts_of(
            {
                "line_code": "111",
                "area_code": "qn-dak-to",
                "narrative": WIFE_BEATEN,
                "categories": [],
                "subcategories": [],
                "urgency": "high",
                "needs": needs,
                "received_at": T0,
            },
            [],
        )

    assert shelter_in_play(facts(["shelter"]), ruleset)
    assert not shelter_in_play(facts(["medical"]), ruleset)
    assert not shelter_in_play(facts([]), ruleset)
