"""Properties of decide() (hypothesis): it never raises on a well-formed call, every agency
it picks serves the call's area (or the line's home area), safe houses have a free bed, and
the rule index finds exactly the rules a scan would."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.routing.decide import CallFacts, Decision, PersonFacts, decide
from hotline.rules.ruleset import RuleSet


def codes(decision: Decision) -> list[str]:
    return [getattr(n, "code", "") for n in decision.notices]


def _strategies(ruleset: RuleSet):  # type: ignore[no-untyped-def]
    tax = ruleset.taxonomy
    words = st.sampled_from(
        [
            "bị",
            "đánh",
            "đập",
            "chồng",
            "hiếp",
            "dâm",
            "bán",
            "trẻ",
            "em",
            "bé",
            "12",
            "tuổi",
            "child",
            "abuse",
            "tư vấn",
            "!",
            "\u0301",
            "",
        ]
    )
    person = st.builds(
        PersonFacts, st.none() | st.integers(0, 120), st.none() | st.sampled_from(tax.codes("sex"))
    )
    return st.builds(
        CallFacts,
        line=st.none() | st.sampled_from(list(ruleset.lines)),
        area=st.none() | st.sampled_from(list(ruleset.areas)),
        narrative=st.lists(words, max_size=12).map(" ".join) | st.text(max_size=40),
        categories=st.lists(st.sampled_from(list(tax.categories)), max_size=3).map(tuple),
        subcategories=st.lists(st.sampled_from(list(tax.subcategories)), max_size=3).map(tuple),
        urgency=st.sampled_from(tax.codes("urgency")),
        needs=st.lists(st.sampled_from(tax.codes("need")), max_size=3).map(tuple),
        people=st.lists(person, max_size=3).map(tuple),
        received_at=st.datetimes(
            datetime(2025, 1, 1), datetime(2028, 12, 31), timezones=st.just(UTC)
        ),
    )


@pytest.fixture(scope="module")
def calls(ruleset: RuleSet):  # type: ignore[no-untyped-def]
    return _strategies(ruleset)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_decide_never_raises_and_stays_in_the_tree(ruleset: RuleSet, calls, data) -> None:  # type: ignore[no-untyped-def]
    call = data.draw(calls)
    occupancy = data.draw(
        st.dictionaries(
            st.sampled_from(
                ["nha-tam-lanh-kon-tum", "dia-chi-tin-cay-dak-to", "nha-tam-lanh-quang-ngai"]
            ),
            st.integers(0, 6),
        )
    )
    decision = decide(call, ruleset, occupancy=occupancy)
    assert "internal_error" not in codes(decision)
    home = call.area if call.area in ruleset.areas else ruleset.line_area(call.line or "")
    if decision.referrals:
        assert home is not None
        # An area of the old map is served where it went (all its parts, where it was split).
        homes = [home] if ruleset.is_live(home) else [c for c, _ in ruleset.current(home)]
        for referral in decision.referrals:
            agency = ruleset.agencies[referral.agency_code]
            assert any(ruleset.contains(agency.area, h) for h in homes)
            assert agency.kind == referral.agency_kind
            if agency.kind == "safe_house":
                assert (agency.beds or 0) - occupancy.get(agency.code, 0) > 0
    else:
        case = set(decision.categories) & ruleset.taxonomy.case_categories
        assert decision.triage == bool(case or not decision.categories)
    assert len({r.agency_code for r in decision.referrals}) == len(decision.referrals)
    json.dumps(decision.to_dict())


EXTRA_RULES = """
  - id: x-area-line
    description: x
    when: {categories: [gbv, trafficking], area: [qn-dak-to, qn-kon-tum], line: ['02603915034']}
    refer: [police]
    source: test
  - id: x-night
    description: x
    when: {subcategories: [sexual_abuse], time: {days: [fri, sat], start: '22:00', end: '05:00'}}
    refer: [health]
    source: test
  - id: x-after-hours-needs
    description: x
    when: {needs: [legal, school], after_hours: true, urgency: [high, low]}
    refer: [legal_aid]
    source: test
  - id: x-everything
    description: x
    when: {person: {min_age: 10, max_age: 20, sex: [female]}}
    refer: [commune_committee]
    source: test
"""


@pytest.fixture(scope="module")
def rulesets(ruleset: RuleSet, tmp_path_factory: pytest.TempPathFactory) -> list[RuleSet]:
    """The shipped rules, and the same with rules on areas, lines, times and hours."""
    import shutil

    from hotline.rules.ruleset import load_ruleset

    target = tmp_path_factory.mktemp("rules") / "rules"
    shutil.copytree(ruleset.directory, target)
    with (target / "rules.yaml").open("a", encoding="utf-8") as f:
        f.write(EXTRA_RULES)
    return [ruleset, load_ruleset(target)]


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_rule_index_finds_exactly_what_a_scan_finds(rulesets: list[RuleSet], data) -> None:  # type: ignore[no-untyped-def]
    from hotline.routing.rules import Context

    ruleset = data.draw(st.sampled_from(rulesets))
    tax, routing = ruleset.taxonomy, ruleset.routing
    some = lambda values: st.lists(st.sampled_from(sorted(values)), max_size=3)  # noqa: E731
    area = data.draw(st.sampled_from(sorted(ruleset.areas)))
    ctx = Context(
        cats=frozenset(data.draw(some(tax.categories))),
        subs=frozenset(data.draw(some(tax.subcategories))),
        urgency=data.draw(st.sampled_from(tax.codes("urgency"))),
        needs=frozenset(data.draw(some(tax.codes("need")))),
        line=data.draw(st.none() | st.sampled_from(sorted(ruleset.lines))),
        ancestors=routing.ancestors[area],
        people=tuple(
            data.draw(
                st.lists(
                    st.builds(
                        PersonFacts,
                        st.none() | st.integers(0, 90),
                        st.sampled_from(["female", "male"]),
                    ),
                    max_size=2,
                )
            )
        ),
        weekday=data.draw(st.integers(0, 6)),
        minute=data.draw(st.integers(0, 1439)),
        after_hours=data.draw(st.booleans()),
    )
    scan = [r for r in routing.rules if r.condition.matches(ctx)]
    assert routing.index.matching(ctx) == scan
    limits = [t for t in routing.time_limits if t.condition.matches(ctx)]
    assert routing.limits_index.matching(ctx) == limits
