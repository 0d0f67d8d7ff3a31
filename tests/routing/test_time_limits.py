"""The law's time limits go to the agency kind the law gives them to, each with its source."""

from __future__ import annotations

import pytest

from hotline.routing.decide import CallFacts, PersonFacts, decide, explain_text, kind_limits
from hotline.rules.ruleset import RuleSet
from tests.helpers.factories import T0


def call(area: str, cats: tuple[str, ...], subs: tuple[str, ...] = (), **kw) -> CallFacts:  # type: ignore[no-untyped-def]
    return CallFacts(
        line="111",
        area=area,
        narrative="",
        categories=cats,
        subcategories=subs,
        urgency=kw.get("urgency", "normal"),
        needs=kw.get("needs", ()),
        people=kw.get("people", ()),
        received_at=T0,
    )


def limits_by_kind(decision) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    return {r.agency_kind: dict(r.limits) for r in decision.referrals}


# (why, call, agency kind, the limits it gets (clock -> duration), words of each source)
TABLE = [
    (
        "trafficking: the police verify in 3 days",
        call(
            "qn-dak-to", ("trafficking",), ("returned_victim",), people=(PersonFacts(20, "female"),)
        ),
        "police",
        {"acknowledge": "4h", "resolve": "3d"},
        {"resolve": "Luật Phòng, chống mua bán người 2024, điều 27"},
    ),
    (
        "trafficking: the Women's Union gets no verification limit",
        call(
            "qn-dak-to", ("trafficking",), ("returned_victim",), people=(PersonFacts(20, "female"),)
        ),
        "womens_union",
        {"acknowledge": "4h"},
        {"acknowledge": "Quy định của tổng đài"},
    ),
    (
        "trafficking with shelter: the safe house's support period, 120 days",
        call("qn-dak-to", ("trafficking",), needs=("shelter",)),
        "safe_house",
        {"acknowledge": "4h", "measure_end": "120d"},
        {"measure_end": "Nghị định 162/2025/NĐ-CP, điều 17"},
    ),
    (
        "child abuse: the lead drafts the plan in 5 working days, approved in 7",
        call("qn-dak-to", ("child_abuse",), ("physical_violence",), needs=("medical",)),
        "child_protection",
        {"acknowledge": "4h", "plan_approval": "7wd", "resolve": "5wd"},
        {"resolve": "Nghị định 56/2017/NĐ-CP, điều 28", "plan_approval": "7 ngày làm việc"},
    ),
    (
        "child abuse: health and the commune committee get no plan limit",
        call("qn-dak-to", ("child_abuse",), ("physical_violence",), needs=("medical",)),
        "health",
        {"acknowledge": "4h"},
        {},
    ),
    (
        "child abuse: the commune committee gets no plan limit either",
        call("qn-dak-to", ("child_abuse",), ("physical_violence",), needs=("medical",)),
        "commune_committee",
        {"acknowledge": "4h"},
        {},
    ),
    (
        "child abuse emergency: the lead, the commune and the police act within 12 hours",
        call("qn-dak-to", ("child_abuse",), urgency="emergency"),
        "commune_committee",
        {"acknowledge": "15m", "first_action": "12h"},
        {"first_action": "Nghị định 56/2017/NĐ-CP, điều 26"},
    ),
    (
        "a child in alternative care: the temporary separation ends in 15 days",
        call("qn-dak-to", ("child_abuse",), needs=("alternative_care",)),
        "social_work_centre",
        {"acknowledge": "4h", "measure_end": "15d"},
        {"measure_end": "Nghị định 56/2017/NĐ-CP, điều 32"},
    ),
    (
        "domestic violence, threats: police decide a no-contact order in 12h, 3 days at most",
        call("qn-dak-to", ("gbv",), ("domestic_violence", "threats")),
        "police",
        {"acknowledge": "4h", "first_action": "12h", "measure_end": "84h"},
        {
            "first_action": "Luật Phòng, chống bạo lực gia đình 2022, điều 25",
            "measure_end": "tối đa 3 ngày",
        },
    ),
    (
        "domestic violence: the Women's Union counsels, no order to decide",
        call("qn-dak-to", ("gbv",), ("domestic_violence", "threats")),
        "womens_union",
        {"acknowledge": "4h"},
        {},
    ),
]


@pytest.mark.parametrize(
    ("why", "facts", "kind", "limits", "sources"), TABLE, ids=[t[0] for t in TABLE]
)
def test_limits_per_kind_with_their_source(
    ruleset: RuleSet,
    why: str,
    facts: CallFacts,
    kind: str,
    limits: dict,
    sources: dict,  # type: ignore[type-arg]
) -> None:
    decision = decide(facts, ruleset)
    referral = next(r for r in decision.referrals if r.agency_kind == kind)
    assert dict(referral.limits) == limits
    assert set(referral.limit_sources) == set(limits)  # every limit says where it comes from
    for clock, words in sources.items():
        assert words in referral.limit_sources[clock]
    by_rules = kind_limits(
        ruleset,
        kind=kind,
        categories=facts.categories,
        subcategories=facts.subcategories,
        urgency=facts.urgency,
        needs=facts.needs,
    )
    assert {c: str(lim.duration) for c, lim in by_rules.items()} == limits


def test_threats_of_violence_go_to_the_police(ruleset: RuleSet) -> None:
    decision = decide(call("qn-kon-tum", ("gbv",), ("threats",)), ruleset)
    assert "gbv-police-threats" in {m.rule_id for m in decision.matched_rules}
    assert "ca-phuong-kon-tum" in {r.agency_code for r in decision.referrals}
    plain = decide(call("qn-kon-tum", ("gbv",), ("economic_violence",)), ruleset)
    assert "police" not in {r.agency_kind for r in plain.referrals}


def test_new_funnel_categories_route_and_have_labels(ruleset: RuleSet) -> None:
    tax = ruleset.taxonomy
    assert tax.label("category", "custody_dispute", "vi") == "Tranh chấp quyền nuôi con"
    assert tax.label("category", "financial_support", "en") == "Financial support"
    custody = decide(call("lc-binh-lu", ("custody_dispute",)), ruleset)
    assert {r.agency_code for r in custody.referrals} == {"so-y-te-lai-chau", "trogiup-lai-chau"}
    money = decide(call("lc-binh-lu", ("financial_support",)), ruleset)
    assert {r.agency_code for r in money.referrals} == {"so-y-te-lai-chau", "ubnd-xa-binh-lu"}
    walk = ruleset.crosswalks["vn111"]
    assert walk.groups_of(["custody_dispute"]) == {"custody_dispute"}
    assert walk.groups_of(["financial_support"]) == {"financial_support"}


def test_explain_shows_each_limit_with_its_source(ruleset: RuleSet) -> None:
    decision = decide(call("qn-dak-to", ("trafficking",)), ruleset)
    text = explain_text(decision, ruleset, locale="en")
    assert (
        "resolve 3d: Law on Human Trafficking Prevention and Combat 2024, article 27: "
        "first verification within at most 3 days"
    ) in text
    assert "Luật" not in text and "điều" not in text
    vi = explain_text(decision, ruleset)
    assert "hoàn thành 3d: Luật Phòng, chống mua bán người 2024, điều 27" in vi
