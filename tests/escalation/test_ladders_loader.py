"""escalation.yaml and holidays.yaml: the shipped files load; bad ones are rejected with the
file, line and field; a rules edit never changes a referral already planned."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hotline.escalation.ladders import EscalationRules
from hotline.escalation.policy import ladder_for, plan_referral
from hotline.rules.ruleset import OPTIONAL_FILES, load_ruleset
from hotline.rules.yamlfile import Problem, RulesError
from hotline.settings import PROJECT_ROOT
from tests.helpers.factories import T0

RULES = PROJECT_ROOT / "routing_rules"

GOOD_LADDER = """\
source: test
limits:
  emergency: {acknowledge: 15m}
  high: {acknowledge: 1h}
  normal: {acknowledge: 4h}
  low: {acknowledge: 1wd}
referral_ladders:
  - id: any
    steps:
      - {from: acknowledge, when: not_acknowledged, do: [renotify]}
      - {from: acknowledge, after: 30m, when: not_acknowledged, do: [notify_supervisors]}
call_ladders:
  - id: calls
    steps:
      - {after: 1h, when: never_referred, do: [notify_supervisors]}
"""


def rules_dir(tmp_path: Path, **files: str) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    for name, text in files.items():
        (target / f"{name}.yaml").write_text(text, encoding="utf-8")
    return target


def problems(tmp_path: Path, **files: str) -> list[Problem]:
    with pytest.raises(RulesError) as caught:
        load_ruleset(rules_dir(tmp_path, **files))
    return caught.value.problems


def test_the_ruleset_knows_both_files() -> None:
    assert {"escalation.yaml", "holidays.yaml"} <= set(OPTIONAL_FILES)


def test_shipped_rules_load(ruleset) -> None:  # type: ignore[no-untyped-def]
    rules = ruleset.ladders
    assert isinstance(rules, EscalationRules)
    assert rules.urgency_limits["emergency"]["acknowledge"] == "15m"
    assert rules.urgency_limits["low"]["acknowledge"] == "1wd"
    assert ruleset.holidays.days_off


LADDER_CASES = [
    # (the ladder's steps, line of the bad value in the file, field, words in the message)
    (
        "      - {after: 0m, when: not_acknowledged, do: [renotify]}\n",
        10,
        "referral_ladders[0].steps[0].after",
        "more than zero",
    ),  # zero delay
    (
        "      - {after: -5m, when: not_acknowledged, do: [renotify]}\n",
        10,
        "referral_ladders[0].steps[0].after",
        "not a duration",
    ),  # negative delay
    (
        "      - {after: 5m, when: not_acknowledged, do: [page_the_minister]}\n",
        10,
        "referral_ladders[0].steps[0].do[0]",
        "unknown action",
    ),  # unknown action
    (
        "      - {after: 5m, when: forgotten, do: [renotify]}\n",
        10,
        "referral_ladders[0].steps[0].when",
        "unknown `when`",
    ),  # unknown condition
    (
        "      - {after: 5m, when: never_referred, do: [renotify]}\n",
        10,
        "referral_ladders[0].steps[0].when",
        "unknown `when`",
    ),  # call condition on a referral
    (
        "      - {after: 1h, when: not_acknowledged, do: [renotify]}\n"
        "      - {after: 30m, when: not_acknowledged, do: [notify_supervisors]}\n",
        11,
        "referral_ladders[0].steps[1].after",
        "out of order",
    ),  # steps out of order
    (
        "      - {from: acknowledge, after: 2h, when: not_acknowledged, do: [renotify]}\n"
        "      - {after: 1h, when: not_acknowledged, do: [notify_supervisors]}\n",
        11,
        "referral_ladders[0].steps[1].after",
        "out of order",
    ),  # order counts the limit
    (
        "      - {from: plan, when: not_resolved, do: [renotify]}\n",
        10,
        "referral_ladders[0].steps[0].from",
        "not one of this ladder's limits",
    ),  # no such limit
    (
        "      - {after: 5m, when: not_acknowledged, do: [{add_kind: wizard}]}\n",
        10,
        "referral_ladders[0].steps[0].do[0].add_kind",
        "unknown agency kind",
    ),  # bad kind
    (
        "      - {after: 5m, when: not_acknowledged, do: [renotify],"
        " repeat: {every: 0h, max: 3}}\n",
        10,
        "referral_ladders[0].steps[0].repeat.every",
        "more than zero",
    ),  # zero repeat
    (
        "      - {after: 5m, when: not_acknowledged, do: [renotify],"
        " repeat: {every: 1h, max: 500}}\n",
        10,
        "referral_ladders[0].steps[0].repeat.max",
        "less than or equal",
    ),  # uncapped repeats
    (
        "      - {after: 5m, when: not_acknowledged, do: [renotify], wait: 5m}\n",
        10,
        "referral_ladders[0].steps[0].wait",
        "unknown field",
    ),  # misspelt field
]


@pytest.mark.parametrize(
    ("steps", "line", "field", "words"),
    LADDER_CASES,
    ids=[c[3] + f"-{i}" for i, c in enumerate(LADDER_CASES)],
)
def test_bad_ladders_are_rejected_with_file_line_and_field(
    tmp_path: Path, steps: str, line: int, field: str, words: str
) -> None:
    text = GOOD_LADDER.replace(
        "      - {from: acknowledge, when: not_acknowledged, do: [renotify]}\n"
        "      - {from: acknowledge, after: 30m, when: not_acknowledged, do: "
        "[notify_supervisors]}\n",
        steps,
    )
    found = problems(tmp_path, escalation=text)
    assert any(
        p.file == "escalation.yaml" and p.line == line and p.field == field and words in p.message
        for p in found
    ), found


def test_the_good_ladder_loads(tmp_path: Path) -> None:
    ruleset = load_ruleset(rules_dir(tmp_path, escalation=GOOD_LADDER))
    ladder = ladder_for(ruleset, categories=["gbv"], urgency="low")
    assert ladder is not None and ladder.id == "any"


def test_every_case_category_and_urgency_needs_a_ladder(tmp_path: Path) -> None:
    text = GOOD_LADDER.replace("  - id: any\n", "  - id: any\n    urgency: [emergency]\n")
    found = problems(tmp_path, escalation=text)
    assert any("no ladder for child_abuse at urgency high" in p.message for p in found)


def test_a_referral_ladder_needs_an_acknowledge_limit(tmp_path: Path) -> None:
    text = GOOD_LADDER.replace("  low: {acknowledge: 1wd}\n", "")
    found = problems(tmp_path, escalation=text)
    assert any("no `acknowledge` limit for urgency low" in p.message for p in found), found


def test_a_call_action_on_a_call_ladder_only(tmp_path: Path) -> None:
    text = GOOD_LADDER.replace("do: [notify_supervisors]}\n\n", "do: [notify_supervisors]}\n")
    text = text.replace(
        "when: never_referred, do: [notify_supervisors]", "when: never_referred, do: [reroute_up]"
    )
    found = problems(tmp_path, escalation=text)
    assert any(p.field == "call_ladders[0].steps[0].do[0]" and p.line == 15 for p in found), found


HOLIDAY_CASES = [
    # (holidays.yaml, field, words)
    (
        "source: s\nyears:\n  - {year: 2026, status: official, days_off: [{date: 2025-01-01, "
        "name: x}]}\n",
        "years[0].days_off[0]",
        "not in 2026",
    ),  # a date in the wrong year
    (
        "source: s\nyears:\n  - {year: 2026, status: official, days_off: [{from: 2026-02-20, "
        "to: 2026-02-14, name: x}]}\n",
        "years[0].days_off[0]",
        "`to` is before `from`",
    ),
    (
        "source: s\nyears:\n  - {year: 2026, status: official, work_days: [{date: 2026-03-10, "
        "name: x}]}\n",
        "years[0].work_days[0]",
        "not a weekend day",
    ),  # Tuesday as make-up day
    ("source: s\nyears:\n  - {year: 2026, status: guessed}\n", "years[0].status", "Input"),
    ("years: []\n", "source", "required"),  # the source is required
    ("source: s\ntimezone: Mars/Olympus\n", "timezone", "unknown time zone"),
]


@pytest.mark.parametrize(
    ("text", "field", "words"), HOLIDAY_CASES, ids=[c[2] for c in HOLIDAY_CASES]
)
def test_bad_holidays_are_rejected(tmp_path: Path, text: str, field: str, words: str) -> None:
    found = problems(tmp_path, holidays=text)
    assert any(
        p.file == "holidays.yaml" and p.line and p.field == field and words in p.message
        for p in found
    ), found


def test_a_rules_edit_does_not_change_referrals_in_flight(tmp_path: Path) -> None:
    before = load_ruleset(rules_dir(tmp_path))
    plan = plan_referral(before, categories=["gbv"], urgency="normal", created_at=T0)
    edited = (
        (RULES / "escalation.yaml")
        .read_text(encoding="utf-8")
        .replace("normal: {acknowledge: {value: 4h,", "normal: {acknowledge: {value: 8h,")
    )
    (tmp_path / "rules" / "escalation.yaml").write_text(edited, encoding="utf-8")
    after = load_ruleset(tmp_path / "rules")
    replanned = plan_referral(after, categories=["gbv"], urgency="normal", created_at=T0)
    assert plan.policy["limits"]["acknowledge"] == "4h"  # the snapshot keeps what it had
    assert replanned.policy["limits"]["acknowledge"] == "8h"
    assert plan.policy["ruleset"] != replanned.policy["ruleset"]
