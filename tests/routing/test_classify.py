"""The rule set's Classifier (classification.yaml): keywords folded on word boundaries, the
words that triggered each suggestion, and the age rule (a child's abuse is child_abuse)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from hotline.i18n.text import fold_words
from hotline.routing.decide import decide
from hotline.routing.facts import CallFacts, PersonFacts, Suggestion
from hotline.routing.tokens import ages_of, words
from hotline.routing.tokens import folded_words as tokens_of
from hotline.rules.ruleset import RuleSet


def suggest(
    narrative: str, people: Sequence[PersonFacts], ruleset: RuleSet
) -> tuple[Suggestion, ...]:
    """Categories first (best score first), then sub-categories."""
    assert ruleset.classification is not None  # the shipped rules have classification.yaml
    return ruleset.classification.suggest(narrative, people)


def cats(suggestions: tuple[Suggestion, ...]) -> list[str]:
    return [s.code for s in suggestions if s.kind == "category"]


def subs(suggestions: tuple[Suggestion, ...]) -> list[str]:
    return [s.code for s in suggestions if s.kind == "subcategory"]


def adult(sex: str = "female") -> tuple[PersonFacts, ...]:
    return (PersonFacts(30, sex),)


@pytest.mark.parametrize(
    "narrative",
    [
        "bị đánh đập",  # with diacritics
        "bi danh dap",  # without
        "BỊ ĐÁNH ĐẬP!!!",  # shouting, punctuation
        "bị  đánh\nđập",  # odd spacing
        "bi đanh đâp",  # half the marks typed
        "bị đánh đập",  # decomposed (NFD) input from another keyboard
    ],
)
def test_same_words_however_typed(ruleset: RuleSet, narrative: str) -> None:
    import unicodedata

    if narrative == "bị đánh đập":
        narrative = unicodedata.normalize("NFD", narrative)
    found = suggest(narrative, adult(), ruleset)
    assert cats(found) == ["gbv"]
    assert subs(found) == ["domestic_violence"]
    assert found[0].words  # quoted as typed
    assert all(fold_words(w) in fold_words(narrative) for w in found[0].words)


def test_words_are_quoted_as_typed(ruleset: RuleSet) -> None:
    # Lower case, single spaces, diacritics as the caller typed them (or did not).
    found = suggest("Chị ấy bị CHỒNG ĐÁNH suốt, rồi bi danh dap", adult(), ruleset)
    assert found[0].words == ("bị chồng đánh", "bi danh dap")


def test_whole_words_only(ruleset: RuleSet) -> None:
    # "hiếp" must not fire inside another word, nor "bán" inside "bánh".
    assert suggest("con bé thích ăn bánh sang trọng", (), ruleset) == ()
    assert cats(suggest("bị bán sang", (), ruleset)) == ["trafficking"]


def test_marks_typed_must_agree(ruleset: RuleSet) -> None:
    # "dâm" (in "hiếp dâm") folds like "đấm" (to punch) but is not it.
    found = suggest("em 14 tuổi bị hiếp dâm", (), ruleset)
    assert "physical_violence" not in subs(found)
    assert subs(found) == ["sexual_abuse"]


def test_child_under_16_makes_abuse_child_abuse(ruleset: RuleSet) -> None:
    found = suggest("bị hiếp dâm", (PersonFacts(13, "female"),), ruleset)
    assert cats(found) == ["child_abuse"]
    assert subs(found) == ["sexual_abuse"]
    assert found[0].words == ("bị hiếp dâm",)  # "bị hiếp" and "hiếp dâm", overlapping


def test_minor_of_16_or_17_stays_gbv(ruleset: RuleSet) -> None:
    found = suggest("bị hiếp dâm", (PersonFacts(16, "female"),), ruleset)
    assert cats(found) == ["gbv"]


def test_adult_with_child_keeps_both(ruleset: RuleSet) -> None:
    people = (PersonFacts(30, "female"), PersonFacts(5, "male"))
    found = suggest("chồng đánh cả hai mẹ con", people, ruleset)
    assert set(cats(found)) == {"child_abuse", "gbv"}
    assert cats(found)[0] == "child_abuse"


def test_ages_in_the_narrative_when_none_given(ruleset: RuleSet) -> None:
    assert cats(suggest("cháu 9 tuổi bị đánh đập", (), ruleset)) == ["child_abuse"]
    assert cats(suggest("a girl, 9 years old, is beaten by her husband", (), ruleset)) == [
        "child_abuse"
    ]
    # Given ages win over the text.
    assert cats(suggest("cháu 9 tuổi bị đánh đập", adult(), ruleset)) == ["gbv"]


@pytest.mark.parametrize(
    ("narrative", "ages"),
    [
        ("I'm 14 and my dad hits me", [14]),  # the short English way
        ("i am 9, my mom locks me out", [9]),
        ("a boy aged 7 sleeps in the stairwell", [7]),
        ("I'm 5 months pregnant and he hits me", []),  # a length of time, not an age
        ("I am 30 weeks along", []),
        ("em 13t, bị bố đánh", [13]),  # the Vietnamese forms still read
    ],
)
def test_ages_read_from_english_phrasings(narrative: str, ages: list[int]) -> None:
    assert ages_of((), words(narrative)) == ages


@pytest.mark.parametrize(
    ("narrative", "category"),
    [
        # Southern and Central verbs and step-parents ("quýnh", "choảng", "ba ghẻ").
        ("chồng tui quýnh tui bầm con mắt", "gbv"),
        ("chỉ bị thằng chồng choảng cái ghế vô lưng", "gbv"),
        ("ba ghẻ của con nhỏ quýnh nó hoài", "child_abuse"),
        # a grown son who beats his mother
        ("bà cụ 70 tuổi bị thằng con trai say rượu đánh", "gbv"),
        # an English child who gives their age the short way
        ("my dad hits me when he is drunk, I'm 10", "child_abuse"),
        ("my husband forbids me to work and controls my money", "gbv"),
        ("they took his passport and he must work off a debt", "trafficking"),
        # teen shorthand
        ("bn e 14 tuổi bị kéo vk", "child_abuse"),
        # `other`, silent calls and pranks have their own words now
        ("nhà tôi bị mất trộm chiếc xe máy", "other"),
        ("I wanted to thank the counsellor who helped us", "other"),
        ("the caller said nothing and hung up", "silent"),
        ("nói có bom ở trường rồi cười", "prank_or_abusive"),
    ],
)
def test_regional_english_and_shorthand_vocabulary(
    narrative: str, category: str, ruleset: RuleSet
) -> None:
    assert category in cats(suggest(narrative, (), ruleset))


def test_child_words_when_no_age_known(ruleset: RuleSet) -> None:
    assert cats(suggest("trẻ em bị đánh đập", (), ruleset)) == ["child_abuse"]
    assert cats(suggest("hàng xóm bị đánh đập", (), ruleset)) == ["gbv"]


def test_subcategory_words_imply_the_category(ruleset: RuleSet) -> None:
    found = suggest("tảo hôn", (), ruleset)
    assert cats(found) == ["child_abuse"] and subs(found) == ["child_marriage"]
    assert found[0].words == ("tảo hôn",)


def test_shared_subcategory_is_suggested_once(ruleset: RuleSet) -> None:
    found = suggest("bị ép cưới, rồi bị bán làm vợ", adult(), ruleset)
    assert set(cats(found)) == {"gbv", "trafficking"}
    assert subs(found).count("forced_marriage") == 1
    forced = next(s for s in found if s.code == "forced_marriage")
    assert set(forced.words) == {"ép cưới", "bị bán làm vợ"}


def test_weak_words_alone_suggest_nothing(ruleset: RuleSet) -> None:
    assert suggest("say rượu", (), ruleset) == ()  # weight 1, below min_score


def test_empty_narrative_is_silent(ruleset: RuleSet) -> None:
    assert cats(suggest("   ", (), ruleset)) == ["silent"]


def test_non_case_and_english(ruleset: RuleSet) -> None:
    assert cats(suggest("Cho hỏi số điện thoại tư vấn", (), ruleset))[0] in {
        "information",
        "counselling",
    }
    assert cats(suggest("prank call", (), ruleset)) == ["prank_or_abusive"]
    assert cats(suggest("my husband hits me", adult(), ruleset)) == ["gbv"]


def test_ranking_case_categories_first_on_ties(ruleset: RuleSet) -> None:
    found = suggest("tư vấn giúp, chồng đánh", adult(), ruleset)
    assert cats(found)[0] == "gbv"


def test_scores_and_suggestion_shape(ruleset: RuleSet) -> None:
    found = suggest("bị chồng đánh, dọa giết", adult(), ruleset)
    top = found[0]
    assert top.kind == "category" and top.score >= 5
    assert top.to_dict() == {
        "code": "gbv",
        "kind": "category",
        "score": top.score,
        "words": ["bị chồng đánh", "dọa giết"],
        "source": "rules",
        # where each quote stands in the narrative, and what found it
        "spans": [[0, 13], [15, 23]],
        "word_sources": ["rules", "rules"],
    }


def test_why_pairs_each_word_with_its_place_and_source(ruleset: RuleSet) -> None:
    (top, *_) = suggest("bị chồng đánh, dọa giết", adult(), ruleset)
    assert top.why() == [
        {"text": "bị chồng đánh", "start": 0, "end": 13, "source": "rules"},
        {"text": "dọa giết", "start": 15, "end": 23, "source": "rules"},
    ]


def test_tokens_match_text_fold(ruleset: RuleSet) -> None:
    text = "Xã Tân Cảnh, Đăk Tô: ĐƯỜNG dây nóng 111!"
    assert " ".join(tokens_of(text)) == fold_words(text)


def test_without_classification_file_nothing_is_suggested(ruleset: RuleSet) -> None:
    import dataclasses

    bare = dataclasses.replace(ruleset, classification=None, model=None)
    call = CallFacts(
        line="111",
        area=None,
        narrative="bị hiếp dâm",
        categories=(),
        subcategories=(),
        urgency="normal",
        needs=(),
        people=(),
        received_at=datetime(2026, 3, 10, 2, 0, tzinfo=UTC),
    )
    assert decide(call, bare).suggestions == ()
