"""parse_call() then routing_facts(): the one way from a call body to what decide() reads
(intake, the web form, POST /api/v1/routing/explain, `hotline rules explain CALL.json`)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hotline.calls.parse import InvalidInput, parse_call, routing_facts
from hotline.routing.facts import PersonFacts
from hotline.rules.ruleset import RuleSet
from tests.helpers.factories import T0

# Tuesday 10 March 2026, 09:00 in Ho Chi Minh City.
NOW = T0 + timedelta(hours=1)


def test_routing_facts_from_a_call_body(ruleset: RuleSet) -> None:
    body = {
        "line": "0260 3862 991",
        "received_at": "2026-03-10T09:00:00+07:00",
        "caller": {"name": "A", "phone": "0912 345 678", "anonymous": False},
        "people": [{"age": 9, "sex": "female", "name": "B"}, {"age": "40"}],
        "area": "qn-dak-to",
        "address": "thôn 1",
        "narrative": "bé bị đánh",
        "urgency": "high",
        "needs": ["medical"],
    }
    facts = routing_facts(parse_call(body, ruleset, now=NOW), now=NOW)
    assert facts.line == "02603862991" and facts.received_at == T0
    assert facts.people == (PersonFacts(9, "female"), PersonFacts(40, None))
    assert facts.categories == () and facts.needs == ("medical",)
    # A wall-clock time without an offset is local time.
    naive = parse_call({**body, "received_at": "2026-03-10T09:00:00"}, ruleset, now=NOW)
    assert routing_facts(naive, now=NOW).received_at == T0
    with pytest.raises(InvalidInput) as info:
        parse_call(
            {
                "line": "999",
                "area": "x",
                "urgency": "urgent",
                "people": [{"age": -1, "sex": "robot"}],
                "categories": ["nope"],
            },
            ruleset,
            now=NOW,
        )
    # (The routing parser this replaces also named "received_at" when no time and no `now`
    # were given; parse_call always has a `now`, so a missing time is the time of the request.)
    assert set(info.value.fields) == {
        "line",
        "area",
        "urgency",
        "people[0].age",
        "people[0].sex",
        "categories",
    }
    # No received_at: the call rang now. (A line is required, as for every call body.)
    bare = parse_call({"line": "111", "narrative": ""}, ruleset, now=NOW)
    assert routing_facts(bare, now=NOW).received_at == NOW
