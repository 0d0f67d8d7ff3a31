"""The rule features of classification.yaml, each on a small file of its own: windows, either
order, slots, negative contexts, strict short keywords, age-aware words and categories; and
that `rules check` names the file and line of each mistake."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hotline.routing.facts import PersonFacts
from hotline.rules.ruleset import load_ruleset
from hotline.rules.yamlfile import RulesError
from tests.helpers.accounts import RULES_DIR

SMALL = """
min_score: 2
child_age: 18
child_words: [bé, con tôi, child]
slots:
  kin: [bố, mẹ, bố dượng]
negative_contexts:
  - id: animals
    words: [con chó]
    window: 2
    cancels: [child_abuse, gbv]
  - id: leaflets
    words: [tờ rơi, leaflets]
    cancels: [child_abuse]
categories:
  - code: child_abuse
    child_only: true
    subcategories:
      - code: physical_violence
        terms:
          - {weight: 3, window: 3, words: ["{kin} đánh"]}
      - code: child_marriage
        terms:
          - {weight: 3, needs: child, words: [lấy chồng]}
      - code: exploitation
        terms:
          - {weight: 3, window: 2, any_order: true, words: [bắt ăn xin]}
      - code: neglect
        terms:
          - {weight: 3, words: [child abuse prevention]}
  - code: gbv
    subcategories:
      - code: domestic_violence
        terms:
          - {weight: 2, words: [bị đánh, roi]}
  - code: information
    terms:
      - {weight: 2, words: [cho hỏi]}
"""


def rules_with(tmp_path: Path, text: str) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    (target / "classifier" / "model.json").unlink(missing_ok=True)  # the rules alone
    (target / "classification.yaml").write_text(text, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    clf = load_ruleset(rules_with(tmp_path_factory.mktemp("small"), SMALL)).classification
    assert clf is not None
    return clf


CHILD = (PersonFacts(9, "female"),)
ADULT = (PersonFacts(30, "female"),)
TEEN = (PersonFacts(15, "female"),)

CASES = [
    # (narrative, people, expected sub-categories)
    # window: up to three words between "bố dượng" and "đánh"
    ("bố dượng say rượu về đánh bé", CHILD, ["physical_violence"]),
    # window: four words between is one too many
    ("bố dượng say rượu về nhà đánh bé", CHILD, []),
    # a slot: every word of {kin} counts
    ("mẹ đánh bé", CHILD, ["physical_violence"]),
    # a window phrase is in order unless any_order: "đánh ... bố" is not "bố ... đánh"
    ("đánh bố", CHILD, []),
    # any_order: "bắt ăn xin" found as "ăn xin ... bắt"
    ("ăn xin thì bắt", CHILD, ["exploitation"]),
    # any_order still needs the words near each other
    ("ăn xin ngoài chợ, sáng nào cũng đi học rồi về bắt", CHILD, []),
    # negative context within its window cancels the hint (an animal)
    ("con chó bị đánh", ADULT, []),
    # ... but not beyond its window
    ("con chó sủa suốt, rồi chị ấy bị đánh", ADULT, ["domestic_violence"]),
    # a negative context without a window cancels its categories anywhere
    ("we need leaflets about child abuse prevention, my child is at school", (), []),
    # strict short keyword: unmarked "roi" does not match "rồi" ...
    ("rồi bị đánh", ADULT, ["domestic_violence"]),
    ("rồi rồi", ADULT, []),
    # ... and matches "roi" typed without marks (roi + bị đánh: 4)
    ("lay roi bi danh", ADULT, ["domestic_violence"]),
    # needs: child: a marriage word with a 15-year-old is a child marriage ...
    ("gia đình bắt lấy chồng", TEEN, ["child_marriage"]),
    # ... and nothing with an adult
    ("gia đình bắt lấy chồng", ADULT, []),
    # child_only: child abuse words about an adult are dropped
    ("bố đánh", ADULT, []),
    # child_only: with no age, a child word keeps it
    ("bố đánh bé", (), ["physical_violence"]),
    # child_only: with no age and no child word, dropped
    ("bố đánh", (), []),
    # typed without marks, a window phrase with its words apart drops its short marked words:
    # "me ... danh" may be "mẹ ... đánh" or "mê ... dành", so nothing ...
    ("me say ruou ve danh be", CHILD, []),
    # ... the same words adjacent still match ...
    ("me danh be", CHILD, ["physical_violence"]),
    # ... and typed with marks, apart, they match as ever
    ("mẹ say rượu về đánh bé", CHILD, ["physical_violence"]),
]


@pytest.mark.parametrize(("narrative", "people", "expected"), CASES)
def test_rule_features(small, narrative: str, people, expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    found = small.suggest(narrative, people)
    assert [s.code for s in found if s.kind == "subcategory"] == expected


def test_window_quotes_the_words_that_fired(small) -> None:  # type: ignore[no-untyped-def]
    narrative = "Bố dượng say rượu về đánh bé"
    found = small.suggest(narrative, CHILD)
    sub = next(s for s in found if s.code == "physical_violence")
    assert sub.words == ("bố dượng", "đánh")
    assert [narrative[a:b] for a, b in sub.spans] == ["Bố dượng", "đánh"]


def test_spans_point_into_the_narrative_as_typed(small) -> None:  # type: ignore[no-untyped-def]
    import unicodedata

    # decomposed marks, odd spacing, an emoji before: the spans still cut the caller's text
    narrative = "🙏  " + unicodedata.normalize("NFD", "Chị ấy BỊ   ĐÁNH")
    found = small.suggest(narrative, ADULT)
    (start, end) = found[0].spans[0]
    assert unicodedata.normalize("NFC", narrative[start:end]) == "BỊ   ĐÁNH"


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        # an unknown slot name
        (
            'words: ["{kin} đánh"]',
            "categories[0].subcategories[0].terms[0].words[0]",
            "unknown slot {kim}",
        ),
        # a negative context cancelling an unknown category
        (
            "cancels: [child_abuse, gbv]",
            "negative_contexts[0].cancels[1]",
            "unknown category 'gvb'",
        ),
        # needs takes child or adult
        ("needs: child", "categories[0].subcategories[1].terms[0].needs", "Input should be"),
    ],
)
def test_check_names_file_line_and_field(
    tmp_path: Path, edit: str, field: str, message: str
) -> None:
    broken = {
        'words: ["{kin} đánh"]': 'words: ["{kim} đánh"]',
        "cancels: [child_abuse, gbv]": "cancels: [child_abuse, gvb]",
        "needs: child": "needs: kids",
    }[edit]
    text = SMALL.replace(edit, broken)
    line = text.splitlines().index(next(x for x in text.splitlines() if broken in x)) + 1
    with pytest.raises(RulesError) as info:
        load_ruleset(rules_with(tmp_path, text))
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.field) == ("classification.yaml", line, field)
    assert message in problem.message


def test_shipped_rules_understand_callers(ruleset) -> None:  # type: ignore[no-untyped-def]
    """A few ways callers speak, through the shipped rules alone (no model)."""
    clf = ruleset.classification
    cases = [
        # operator shorthand
        ("NN nữ 14t nghi bị XHTD", (), "child_abuse"),
        ("vụ BLGĐ, chồng say rượu đánh vợ", ADULT, "gbv"),
        ("nghi MBN, mất liên lạc 3 tuần", (), "trafficking"),
        # Southern speech, a pronoun between
        ("ổng nhậu xỉn về quánh tui bầm mình", ADULT, "gbv"),
        # English
        ("my husband came home drunk and hit me again", ADULT, "gbv"),
    ]
    for narrative, people, category in cases:
        found = clf.suggest(narrative, people)
        assert found and found[0].code == category, narrative
    # "roi" (a cane) is not "rồi" (already); "chợ" is not "cho"
    assert clf.suggest("đi chợ rồi về", ADULT) == ()
    # not cases, typed without marks: a prank (its laughter, "cuoi", reads as "cưới"), a dog
    # the owner beat, threats aimed at the operator, a close friend ("ban than", not "bán thận")
    for narrative in (
        "may dua nho goi choc pha, noi bi bat coc roi cuoi",
        "con cho nha ben bi chu danh toi qua",
        "goi den chui boi, de doa tong dai vien",
        "em voi dua ban than gian nhau mot tuan roi",
    ):
        found = clf.suggest(narrative, ())
        assert not {s.code for s in found} & {"child_abuse", "gbv", "trafficking"}, narrative
    # the categories the rules learnt: threats, a custody dispute, financial support
    assert clf.suggest("chồng cũ nhắn tin dọa tạt axit em", ADULT)[0].code == "gbv"
    assert clf.suggest("ly hôn rồi chồng cũ giành quyền nuôi con", ADULT)[0].code == (
        "custody_dispute"
    )
    assert clf.suggest("mẹ đơn thân, không có tiền đóng học cho con", ADULT)[0].code == (
        "financial_support"
    )
