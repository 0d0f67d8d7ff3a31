"""The rules loader rejects broken files with file, line and field; a bad reload keeps the
rules in use. Each test mutates a copy of routing_rules/ in tmp_path."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from hotline.rules.ruleset import (
    CORE_FILES,
    OPTIONAL_FILES,
    RuleSetHolder,
    load_ruleset,
)
from hotline.rules.yamlfile import Problem, RulesError
from hotline.settings import PROJECT_ROOT

SHIPPED = PROJECT_ROOT / "routing_rules"


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(SHIPPED, target)
    return target


def edit(directory: Path, name: str, old: str, new: str) -> int:
    """Replace `old` (which must occur once) and return the line where `new` starts."""
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {name}"
    before = text.index(old)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[:before].count("\n") + 1 + new[: len(new) - len(new.lstrip("\n"))].count("\n")


def problems(directory: Path) -> list[Problem]:
    with pytest.raises(RulesError) as info:
        load_ruleset(directory)
    return info.value.problems


def only(directory: Path) -> Problem:
    found = problems(directory)
    assert len(found) == 1, found
    return found[0]


def test_every_shipped_file_validates() -> None:
    ruleset = load_ruleset(SHIPPED)
    present = {p.name for p in SHIPPED.glob("*.yaml")}
    assert present <= set(CORE_FILES) | set(OPTIONAL_FILES)
    assert {"classification.yaml", "rules.yaml"} <= present
    assert ruleset.classification is not None and ruleset.routing is not None


def test_typo_in_a_key(rules_dir: Path) -> None:
    line = edit(rules_dir, "rules.yaml", "    refer: [education]\n", "    refr: [education]\n")
    problem = next(p for p in problems(rules_dir) if "unknown field" in p.message)
    assert (problem.file, problem.line) == ("rules.yaml", line)
    assert problem.field.endswith(".refr") and problem.field.startswith("rules[")


def test_wrong_type(rules_dir: Path) -> None:
    line = edit(rules_dir, "classification.yaml", "min_score: 2\n", "min_score: many\n")
    problem = only(rules_dir)
    assert (problem.file, problem.line, problem.field) == ("classification.yaml", line, "min_score")


def test_unknown_agency_kind(rules_dir: Path) -> None:
    line = edit(rules_dir, "rules.yaml", "    refer: [legal_aid]\n", "    refer: [lawyer]\n")
    problem = only(rules_dir)
    assert (problem.file, problem.line) == ("rules.yaml", line)
    assert problem.field.endswith(".refer[0]")
    assert "unknown agency kind 'lawyer'" in problem.message


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        # Each unknown code names its field.
        (
            "when: {categories: [gbv], needs: [legal]}",
            "when: {categories: [gbv], needs: [lawyer]}",
            ".when.needs[0]",
            "unknown need",
        ),
        (
            "when: {categories: [gbv], needs: [legal]}",
            "when: {categories: [gvb], needs: [legal]}",
            ".when.categories[0]",
            "unknown category",
        ),
        (
            "when: {categories: [gbv], needs: [legal]}",
            "when: {categories: [gbv], needs: [legal], area: [ha-noi]}",
            ".when.area[0]",
            "unknown area",
        ),
        (
            "when: {categories: [gbv], needs: [legal]}",
            "when: {categories: [gbv], needs: [legal], line: ['113']}",
            ".when.line[0]",
            "unknown line",
        ),
        (
            "when: {categories: [gbv], needs: [legal]}",
            "when: {categories: [gbv], needs: [legal], urgency: [urgent]}",
            ".when.urgency[0]",
            "unknown urgency",
        ),
        (
            "when: {categories: [gbv], needs: [legal]}",
            "when: {categories: [gbv], subcategories: [rape]}",
            ".when.subcategories[0]",
            "unknown sub-category",
        ),
        (
            "when: {categories: [gbv], needs: [legal]}",
            "when: {categories: [gbv], person: {sex: [woman]}}",
            ".when.person.sex[0]",
            "unknown sex",
        ),
    ],
)
def test_unknown_codes(rules_dir: Path, old: str, new: str, field: str, message: str) -> None:
    line = edit(rules_dir, "rules.yaml", old, new)
    problem = only(rules_dir)
    assert (problem.file, problem.line) == ("rules.yaml", line)
    assert problem.field.endswith(field) and message in problem.message


def test_yaml_syntax_error(rules_dir: Path) -> None:
    line = edit(rules_dir, "rules.yaml", "    refer: [legal_aid]\n", "    refer: [legal_aid\n")
    problem = only(rules_dir)
    assert problem.file == "rules.yaml" and "YAML syntax" in problem.message
    assert problem.line is not None and line <= problem.line <= line + 2


def test_not_utf8(rules_dir: Path) -> None:
    path = rules_dir / "classification.yaml"
    data = path.read_bytes()
    index = data.index("tảo hôn".encode())
    path.write_bytes(data[:index] + "tảo hôn".encode("utf-16-le") + data[index + 10 :])
    problem = only(rules_dir)
    assert problem.file == "classification.yaml" and "not UTF-8" in problem.message
    assert problem.line == data[:index].count(b"\n") + 1


def test_empty_directory(tmp_path: Path) -> None:
    found = problems(tmp_path)
    assert {p.file for p in found} == set(CORE_FILES)
    assert all(p.message == "file is missing" for p in found)


def test_empty_rules_file(rules_dir: Path) -> None:
    (rules_dir / "rules.yaml").write_text("# nothing yet\n", encoding="utf-8")
    problem = only(rules_dir)
    assert (problem.file, problem.field) == ("rules.yaml", "rules")


def test_duplicate_rule_id(rules_dir: Path) -> None:
    line = edit(rules_dir, "rules.yaml", "  - id: gbv-legal\n", "  - id: gbv-shelter\n")
    problem = only(rules_dir)
    assert (problem.file, problem.line) == ("rules.yaml", line)
    assert problem.field.endswith(".id") and "duplicate rule id 'gbv-shelter'" in problem.message


def test_duplicate_yaml_key(rules_dir: Path) -> None:
    line = edit(
        rules_dir,
        "rules.yaml",
        "    refer: [legal_aid]\n",
        "    refer: [legal_aid]\n    refer: [police]\n",
    )
    problem = only(rules_dir)
    assert (problem.line, problem.message) == (line + 1, "duplicate key")


@pytest.mark.parametrize(
    ("new", "field", "message"),
    [
        # A sub-category under the wrong category.
        (
            "when: {categories: [gbv], subcategories: [child_marriage]}",
            ".when.subcategories[0]",
            "not a sub-category",
        ),
        # Contradictory ages.
        (
            "when: {categories: [gbv], person: {min_age: 18, max_age: 15}}",
            ".when.person.min_age",
            "min_age is above max_age",
        ),
        # Non-case calls are never referred.
        ("when: {categories: [counselling]}", ".when.categories", "non-case"),
        # An empty time window.
        (
            "when: {categories: [gbv], time: {start: '08:00', end: '08:00'}}",
            ".when.time.end",
            "window is empty",
        ),
    ],
)
def test_never_matching_rule(rules_dir: Path, new: str, field: str, message: str) -> None:
    line = edit(rules_dir, "rules.yaml", "when: {categories: [gbv], needs: [legal]}", new)
    problem = only(rules_dir)
    assert (problem.file, problem.line) == ("rules.yaml", line)
    assert problem.field.endswith(field) and message in problem.message
    assert "never" in problem.message


def test_limit_that_never_applies_and_bad_duration(rules_dir: Path) -> None:
    edit(
        rules_dir,
        "rules.yaml",
        "    refer: [legal_aid]\n",
        "    refer: [legal_aid]\n    limits:\n"
        "      - {clock: resolve, limit: 5wd, kinds: [police], source: x}\n"
        "      - {clock: acknowledge, limit: 0m, source: x}\n",
    )
    found = problems(rules_dir)
    assert [p.field.rsplit(".", 1)[-1] for p in found] == ["kinds", "limit"]
    assert "never applies" in found[0].message and "more than zero" in found[1].message


def test_rule_referring_nobody(rules_dir: Path) -> None:
    edit(rules_dir, "rules.yaml", "    refer: [legal_aid]\n", "")
    problem = only(rules_dir)
    assert problem.field.endswith(".refer") and "no agency kind" in problem.message


def test_safe_house_without_beds(rules_dir: Path) -> None:
    line = edit(rules_dir, "agencies.yaml", "    beds: 3\n", "")
    problem = only(rules_dir)
    assert problem.file == "agencies.yaml" and problem.field.endswith(".beds")
    assert "beds" in problem.message and problem.line is not None and problem.line < line


def test_classification_problems(rules_dir: Path) -> None:
    line = edit(
        rules_dir,
        "classification.yaml",
        "      - code: child_marriage\n",
        "      - code: forced_marriage\n",
    )
    problem = only(rules_dir)
    assert (problem.file, problem.line) == ("classification.yaml", line)
    assert problem.field.endswith(".code")
    assert "not a sub-category of 'child_abuse'" in problem.message


def test_classification_duplicate_word(rules_dir: Path) -> None:
    line = edit(rules_dir, "classification.yaml", "bj đánh,", "bj đánh, BI ĐÁNH,")
    problem = only(rules_dir)
    assert (problem.file, problem.line) == ("classification.yaml", line)
    assert "duplicate word" in problem.message


def test_unknown_timezone_and_unknown_file(rules_dir: Path) -> None:
    edit(rules_dir, "rules.yaml", "timezone: Asia/Ho_Chi_Minh", "timezone: Asia/Saigon_City")
    (rules_dir / "rule.yaml").write_text("rules: []\n", encoding="utf-8")
    found = problems(rules_dir)
    assert ("rule.yaml", "unknown rules file") in [(p.file, p.message) for p in found]


def test_problems_of_several_files_in_one_load(rules_dir: Path) -> None:
    edit(rules_dir, "rules.yaml", "    refer: [legal_aid]\n", "    refer: [lawyer]\n")
    edit(rules_dir, "classification.yaml", "min_score: 2\n", "min_score: -1\n")
    assert {p.file for p in problems(rules_dir)} == {"rules.yaml", "classification.yaml"}


def test_reload_keeps_the_good_rule_set(rules_dir: Path) -> None:
    holder = RuleSetHolder(load_ruleset(rules_dir))
    good = holder.current
    edit(rules_dir, "rules.yaml", "    refer: [legal_aid]\n", "    refer: [lawyer]\n")
    with pytest.raises(RulesError):
        holder.reload()
    assert holder.current is good and holder.last_error is not None
    edit(rules_dir, "rules.yaml", "    refer: [lawyer]\n", "    refer: [legal_aid, police]\n")
    fresh = holder.reload()
    assert holder.current is fresh and fresh.version != good.version
    assert holder.last_error is None


def test_a_new_deployment_edits_data_only(rules_dir: Path) -> None:
    # A rule on a line and an area subtree, at night, for a new kind of referral.
    edit(
        rules_dir,
        "rules.yaml",
        "rules:\n",
        """rules:
  - id: night-city-line-gbv
    description: Đêm, đường dây thành phố, bạo lực giới, báo công an.
    when: {categories: [gbv], line: ['02603915034'], area: [qn-kon-tum],
           time: {start: '22:00', end: '06:00'}}
    refer: [police]
    limits: [{clock: acknowledge, limit: 10m, source: local rule}]
    source: local rule
""",
    )
    from datetime import UTC, datetime

    from hotline.routing.decide import CallFacts, PersonFacts, decide

    ruleset = load_ruleset(rules_dir)
    at = datetime(2026, 3, 10, 16, 30, tzinfo=UTC)  # 23:30 local
    call = CallFacts(
        "02603915034",
        "qn-kon-tum",
        "bị chồng đánh",
        (),
        (),
        "normal",
        (),
        (PersonFacts(30, "female"),),
        at,
    )
    decision = decide(call, ruleset)
    police = next(r for r in decision.referrals if r.agency_kind == "police")
    assert police.rule_id == "night-city-line-gbv" and police.limits["acknowledge"] == "10m"
    day = decide(
        dataclasses.replace(call, received_at=datetime(2026, 3, 10, 5, tzinfo=UTC)), ruleset
    )
    assert "police" not in {r.agency_kind for r in day.referrals}


def test_one_source_with_two_english_forms(rules_dir: Path) -> None:
    old = 'source: "Quy định của tổng đài"\n    source_en: "The hotline\'s own rule"\n'
    text = (rules_dir / "rules.yaml").read_text(encoding="utf-8")
    first = text.index(old)
    line = text[:first].count("\n") + 2
    new = old.replace("own rule", "rule")
    (rules_dir / "rules.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    problem = only(rules_dir)
    assert (problem.file, problem.line) == ("rules.yaml", line)
    assert problem.field.endswith("source_en")
    assert "another English form of the same source" in problem.message


def test_an_empty_english_source(rules_dir: Path) -> None:
    line = edit(
        rules_dir,
        "rules.yaml",
        'source_en: "Decree 56/2017/ND-CP, article 26: emergency intervention within 12 hours"',
        'source_en: ""',
    )
    problem = only(rules_dir)
    assert (problem.file, problem.line) == ("rules.yaml", line)
    assert problem.field.startswith("time_limits[") and problem.field.endswith(".source_en")
