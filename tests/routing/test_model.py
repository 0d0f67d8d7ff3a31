"""The category model: trained deterministically on a small corpus, saved and read back with
the same scores, refused when broken (the model in use stays), joined with the rules into one
list whose reasons point into the narrative as typed; and never an error on odd input."""

from __future__ import annotations

import json
import shutil
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hotline.routing import model as model_file
from hotline.routing.corpus import read_corpus
from hotline.routing.decide import decide
from hotline.routing.facts import CallFacts, PersonFacts
from hotline.routing.model import LinearModel, text_features
from hotline.routing.suggest import _likely_cases, suggest
from hotline.routing.tokens import folded_words, words
from hotline.routing.training import train
from hotline.rules.ruleset import RuleSet, RuleSetHolder, load_ruleset
from hotline.rules.yamlfile import RulesError
from tests.helpers.accounts import PROJECT_ROOT, RULES_DIR

CORPUS = PROJECT_ROOT / "tests" / "helpers" / "classifier_corpus.yaml"
WHEN = "2026-03-10T02:00:00+00:00"


@pytest.fixture(scope="module")
def small_model() -> LinearModel:
    return train(read_corpus(CORPUS), trained_at=WHEN, thresholds=(0.4, 0.5))


def test_training_is_deterministic(small_model: LinearModel) -> None:
    again = train(read_corpus(CORPUS), trained_at=WHEN, thresholds=(0.4, 0.5))
    assert model_file.to_json(again) == model_file.to_json(small_model)
    assert again.info.version == small_model.info.version


def test_cross_word_grams_span_the_words_they_join() -> None:
    found = text_features(["bo", "duong", "danh", "a", "b"], (4, 5))
    cross = {f: places for f, places in found.items() if f.startswith("x")}
    # the 4- and 5-grams around the space between "bo" and "duong", from word 0 to word 1
    assert cross["xo du"] == cross["xbo du"] == cross["x bo d"] == [(0, 1)]
    # a gram that runs over a one-letter word reaches the word after it
    assert cross["xh a b"] == [(2, 4)]
    # each gram once, from the first space it crosses
    assert "xa b" not in cross and cross["x a b"] == [(3, 4)]
    # without cross_ns (models trained before them) the features are the words' alone
    assert not any(f.startswith("x") for f in text_features(["bo", "duong"]))


def test_a_weights_file_without_cross_grams_is_served_without_them(
    small_model: LinearModel,
) -> None:
    data = model_file.to_json(small_model)
    assert data["cross_ns"] == [4, 5]
    del data["cross_ns"]  # as files trained before them were written
    assert model_file.from_json(data).cross_ns == ()


@pytest.mark.parametrize(
    ("probabilities", "at", "expected"),
    [
        # cases together 0.9: the likeliest first, the next as it has 0.1 or more
        ({"gbv": 0.5, "child_abuse": 0.4, "other": 0.1}, 0.85, ["gbv", "child_abuse"]),
        # the next has less than 0.1: the likeliest alone
        ({"gbv": 0.85, "child_abuse": 0.05, "other": 0.1}, 0.85, ["gbv"]),
        # cases together below the threshold: none, however the rest is shared
        ({"gbv": 0.45, "child_abuse": 0.35, "other": 0.2}, 0.85, []),
        # a third case category is never added
        (
            {"gbv": 0.4, "child_abuse": 0.3, "trafficking": 0.25, "other": 0.05},
            0.85,
            ["gbv", "child_abuse"],
        ),
    ],
)
def test_likely_case_categories(
    probabilities: dict[str, float], at: float, expected: list[str]
) -> None:
    case = frozenset({"gbv", "child_abuse", "trafficking"})
    assert _likely_cases(probabilities, case, at) == expected


def test_saved_weights_give_the_same_scores(small_model: LinearModel, tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    model_file.save(small_model, path)
    loaded = model_file.load(path)
    assert loaded.labels == small_model.labels
    for example in read_corpus(CORPUS):
        text = folded_words(example.narrative)
        before = small_model.probabilities(text, example.ages)
        after = loaded.probabilities(text, example.ages)
        # the file keeps three decimals: the same ranking, probabilities within 0.01
        assert max(abs(a - b) for a, b in zip(before, after, strict=True)) < 0.01
        assert before.index(max(before)) == after.index(max(after))
    # saved again, the file is the same bytes
    model_file.save(loaded, tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == path.read_bytes()


def test_model_learns_the_corpus(small_model: LinearModel) -> None:
    for narrative, category in [
        ("ck đánh vợ", "gbv"),
        ("bị bán sang trung quoc", "trafficking"),
        ("cho hỏi số điện thoại", "information"),
    ]:
        probs = small_model.probabilities(folded_words(narrative), ())
        best = small_model.labels[probs.index(max(probs))]
        assert best.split("/")[0] == category, narrative


def test_model_evidence_points_into_the_text_as_typed(small_model: LinearModel) -> None:
    # decomposed marks (another keyboard), capitals, an emoji
    narrative = "😢 " + unicodedata.normalize("NFD", "Chồng ĐÁNH vợ")
    found = suggest(narrative, (), None, small_model)
    top = found[0]
    assert top.code == "gbv" and top.source == "model"
    assert top.spans and all(0 <= a < b <= len(narrative) for a, b in top.spans)
    marked = [unicodedata.normalize("NFC", narrative[a:b]).lower() for a, b in top.spans]
    assert marked == list(top.words)
    assert any("đánh" in w for w in top.words)


def shipped_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    return target


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not JSON"),
        ('{"format": "something-else"}', "not a model file"),
        # a label the taxonomy does not have
        (
            '{"format": "hotline-linear-1", "labels": ["gbv", "ufo"], "bias": [0, 0],'
            ' "weights": {}}',
            "not in taxonomy.yaml: ufo",
        ),
        # a weight that is not a number
        (
            '{"format": "hotline-linear-1", "labels": ["gbv", "other"], "bias": [0, 0],'
            ' "weights": {"w x": [0, "heavy"]}}',
            "pairs of a label index and a finite weight",
        ),
        # n-grams across words of a length the model cannot have
        (
            '{"format": "hotline-linear-1", "labels": ["gbv", "other"], "bias": [0, 0],'
            ' "weights": {}, "cross_ns": [1]}',
            "n-gram lengths from 2 to 8",
        ),
        # one bias too few
        (
            '{"format": "hotline-linear-1", "labels": ["gbv", "other"], "bias": [0],'
            ' "weights": {}}',
            "2 finite numbers are required",
        ),
    ],
)
def test_broken_weights_are_refused_and_the_model_in_use_stays(
    tmp_path: Path, small_model: LinearModel, content: str, reason: str
) -> None:
    rules_dir = shipped_copy(tmp_path)
    path = rules_dir / "classifier" / "model.json"
    model_file.save(small_model, path)
    holder = RuleSetHolder(load_ruleset(rules_dir))
    assert holder.current.model is not None
    before = holder.current.model.info.version
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RulesError) as info:
        holder.reload()
    (problem,) = info.value.problems
    assert problem.file == "classifier/model.json" and reason in str(problem)
    assert holder.current.model is not None and holder.current.model.info.version == before


def test_reload_swaps_a_good_model(tmp_path: Path, small_model: LinearModel) -> None:
    rules_dir = shipped_copy(tmp_path)
    holder = RuleSetHolder(load_ruleset(rules_dir))
    model_file.save(small_model, rules_dir / "classifier" / "model.json")
    before = holder.current.version
    holder.reload()
    assert holder.current.model is not None
    assert holder.current.model.info.version == small_model.info.version
    assert holder.current.version != before  # the rule-set version covers the weights


def test_rules_and_model_make_one_list(ruleset: RuleSet, small_model: LinearModel) -> None:
    narrative = "chị ấy bị chồng đánh bầm tím"
    found = suggest(narrative, (PersonFacts(30, "female"),), ruleset.classification, small_model)
    top = found[0]
    assert (top.code, top.source) == ("gbv", "rules+model")
    assert "rules" in top.word_sources
    assert all(narrative[a:b].lower() == w for w, (a, b) in zip(top.words, top.spans, strict=True))
    # at most one entry per code and kind
    assert len({(s.code, s.kind) for s in found}) == len(found)


ODD = [
    "x" * 20_000,  # very long
    "bị chồng đánh " * 2_000,  # very long, with keywords all along
    "😀😢🙏" * 50,  # only emoji
    "0123456789 111 18001567",  # only digits
    "Чоng đánh 妻子 بزن وَ",  # mixed scripts
    "bị \ud800 đánh \udfff",  # lone surrogates (JSON allows them)
    "",  # empty
    "   \n\t ",  # only spaces
    "e\u0301\u0301\u0301 \u200b\ufeff",  # stacked marks, zero-width characters
]


@pytest.mark.parametrize("narrative", ODD)
def test_odd_input_never_errors(ruleset: RuleSet, narrative: str) -> None:
    call = CallFacts(
        line="111",
        area="kon-tum",
        narrative=narrative,
        categories=(),
        subcategories=(),
        urgency="normal",
        needs=(),
        people=(),
        received_at=datetime(2026, 3, 10, 2, tzinfo=UTC),
    )
    decision = decide(call, ruleset)
    assert "internal_error" not in {n.code for n in decision.notices}
    json.dumps(decision.to_dict())  # the API can send it
    for s in decision.suggestions:
        assert all(0 <= a < b <= len(narrative) for a, b in s.spans)
    assert len(words(narrative)) <= 5_000


def test_shipped_model_loads_with_the_rules(ruleset: RuleSet) -> None:
    assert ruleset.model is not None, "routing_rules/classifier/model.json ships with the rules"
    assert ruleset.model.info.figures  # its test figures, for the admin page
