"""Write the classifier's labelled corpus: routing_rules/classifier/corpus/{train,test}.yaml.

    .venv/bin/python scripts/corpus/generate.py [--seed 17] [--out routing_rules/classifier/corpus]

The narratives come from the scenes in scenes.py, scenes_more.py, scenes_third.py,
scenes_fourth.py and scenes_fifth.py (templates written for this project; each later batch draws from its own
random stream) filled from vocab.py, then retold the ways callers and operators write: without diacritics, SMS and
teen code, Southern and Central speech, operator shorthand (XHTD, BLGĐ, MBN), English mixed
in. The split is by template: a template's narratives are all in train or all in test, so the
test figures measure wording the model has not seen, not slot fillers it has.
Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import unicodedata
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scenes import SCENES, Scene  # noqa: E402
from scenes_fifth import SCENES_FIFTH  # noqa: E402
from scenes_fourth import SCENES_FOURTH  # noqa: E402
from scenes_more import SCENES_MORE  # noqa: E402
from scenes_third import SCENES_THIRD  # noqa: E402
from vocab import SLOTS, SLOTS_EN  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
# Narratives per label; the rest of the labels get DEFAULT.
COUNTS = {
    "counselling": 170,
    "information": 190,
    "other": 150,
    "silent": 70,
    "prank_or_abusive": 90,
    "trafficking": 70,
}
DEFAULT = 100
# The second batch (scenes_more.py): narratives per scene, by label; the rest get MORE_DEFAULT.
MORE_COUNTS = {
    "counselling": 90,
    "information": 130,
    "other": 140,
    "silent": 40,
    "prank_or_abusive": 60,
    "gbv/threats": 80,
    "custody_dispute": 80,
    "financial_support": 70,
}
MORE_DEFAULT = 45
# The third batch (scenes_third.py): narratives per scene, by label; the rest get THIRD_DEFAULT.
THIRD_COUNTS = {
    "custody_dispute": 110,
    "financial_support": 110,
    "counselling": 130,
    "other": 90,
    "trafficking/organ_removal": 25,
}
THIRD_DEFAULT = 60
# The fourth batch (scenes_fourth.py): narratives per scene, by label; the rest get
# FOURTH_DEFAULT. It is the batch with English for every category, so it draws English more
# often (FOURTH_ENGLISH_SHARE).
FOURTH_COUNTS = {
    "gbv/domestic_violence": 160,
    "child_abuse/physical_violence": 110,
    "other": 160,
    "information": 90,
    "counselling": 100,
    "trafficking": 70,
    "custody_dispute": 60,
    "financial_support": 60,
    "silent": 40,
    "prank_or_abusive": 60,
}
FOURTH_DEFAULT = 45
# The fifth batch (scenes_fifth.py): how callers really tell it (the person and the act far
# apart, regional and SMS writing, shorthand, euphemisms, custody and money, hard negatives);
# narratives per scene, by label; the rest get FIFTH_DEFAULT.
FIFTH_COUNTS = {
    "child_abuse/physical_violence": 80,
    "child_abuse/emotional_violence": 55,
    "child_abuse/sexual_abuse": 60,
    "gbv/domestic_violence": 85,
    "custody_dispute": 65,
    "financial_support": 65,
    "information": 70,
    "other": 45,
    "counselling": 40,
    "silent": 25,
    "prank_or_abusive": 30,
}
FIFTH_DEFAULT = 36
# It is the batch that measures wording the rules and the model never saw, so it keeps more of
# its templates for testing: every third instead of every fourth.
FIFTH_TEST_EVERY = 3
ENGLISH_SHARE = 0.2
FIFTH_ENGLISH_SHARE = 0.3
FOURTH_ENGLISH_SHARE = 0.45

# Operator shorthand notes, as staff type them during a call.
NOTES: dict[str, list[str]] = {
    "child_abuse/physical_violence": [
        "TE {age}t bi {kin} danh, nghi BLTE",
        "NN {age}t, BLGĐ, bố dượng đánh",
    ],
    "child_abuse/sexual_abuse": [
        "NN nữ {age}t nghi bị XHTD, đối tượng là {outsider}",
        "TE {age}t bị XHTD bởi người quen",
    ],
    "child_abuse/neglect": ["TE {age}t bị bỏ mặc, ko ai chăm sóc"],
    "child_abuse/child_marriage": ["NN {age}t, nguy cơ tảo hôn"],
    "gbv/domestic_violence": ["BLGĐ, NN nữ {age}t bị ck đánh", "vụ BLGĐ, chồng say rượu đánh vợ"],
    "gbv/sexual_violence": ["NN nữ {age}t bị hiếp, cần CA vào cuộc"],
    "trafficking": ["nghi MBN, NN mất liên lạc"],
    "trafficking/sexual_exploitation": ["MBN, NN bị ép bán dâm tại {country}"],
    "trafficking/forced_labour": ["MBN - cưỡng bức LĐ ở {country}, bị giữ HC"],
    "trafficking/returned_victim": ["NN MBN trở về, cần hỗ trợ"],
    "information": ["hỏi thông tin về dịch vụ", "xin số ĐT hội PN"],
    "silent": ["CG im lặng", "cuộc gọi ko tiếng"],
}

TEEN = [
    ("không", ["ko", "k", "hk", "khum"]),
    ("được", ["đc", "dc", "dk"]),
    ("gì", ["j", "gi"]),
    ("bị", ["bj", "bi"]),
    ("chồng", ["ck"]),
    ("vợ", ["vk"]),
    ("mình", ["mk", "mik"]),
    ("em", ["e"]),
    ("anh", ["a"]),
    ("rồi", ["r", "roài"]),
    ("biết", ["bik", "bít"]),
    ("với", ["vs", "với"]),
    ("quá", ["wá", "qá"]),
    ("người", ["ng"]),
    ("yêu", ["iu"]),
    ("vậy", ["v", "zậy"]),
    ("làm", ["lm"]),
    ("trước", ["trc"]),
    ("nhiều", ["nh"]),
    ("muốn", ["mún"]),
    ("gia đình", ["gđ"]),
    ("bạn", ["bn"]),
    ("thương", ["thw"]),
    ("điện thoại", ["đt"]),
    ("facebook", ["fb"]),
    ("tin nhắn", ["tn"]),
]
SOUTH = [
    ("không", ["hông", "hổng"]),
    ("tôi", ["tui"]),
    ("đánh", ["quánh", "uýnh"]),
    ("ông ấy", ["ổng"]),
    ("bà ấy", ["bả"]),
    ("anh ấy", ["ảnh"]),
    ("chị ấy", ["chỉ"]),
    ("mẹ", ["má"]),
    ("bố", ["ba", "tía"]),
    ("vậy", ["dzậy"]),
    ("rất", ["quá trời"]),
    ("say rượu", ["xỉn"]),
    ("uống rượu", ["nhậu"]),
    ("đâu", ["đâu có"]),
]
CENTRAL = [
    ("gì", ["chi"]),
    ("sao", ["răng"]),
    ("thế", ["rứa"]),
    ("đâu", ["mô"]),
    ("bây giờ", ["chừ"]),
    ("tôi", ["tui", "tau"]),
    ("mẹ", ["mạ", "mệ"]),
    ("bố", ["bọ"]),
    ("nó", ["hắn"]),
    ("này", ["ni"]),
    ("kia", ["tê"]),
    ("không", ["khôn", "không"]),
]
MIX = [
    " stress lắm",
    " sorry chị",
    " help em với",
    " toxic lắm",
    " nó block em rồi",
    " ok",
    " thật sự rất scary",
    " em depressed lắm",
    " please help",
]


def strip_marks(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def swap(text: str, pairs: list[tuple[str, list[str]]], rng: random.Random, rate: float) -> str:
    for word, alternatives in pairs:
        pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)

        def pick(match: re.Match[str], alternatives: list[str] = alternatives) -> str:
            return rng.choice(alternatives) if rng.random() < rate else match.group(0)

        text = pattern.sub(pick, text)
    return text


def fill(template: str, slots: dict[str, list[str]], rng: random.Random, age: int | None) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "age":
            return str(age if age is not None else rng.randint(8, 15))
        return fill(rng.choice(slots[name]), slots, rng, age)

    return re.sub(r"\{(\w+)\}", one, template)


def split_of(index: int, count: int, every: int = 4) -> str:
    """Every fourth template (`every`) is for testing; a list of two or three tests its last."""
    if index % every == every - 1 or (count in (2, 3) and index == count - 1):
        return "test"
    return "train"


def retell(text: str, rng: random.Random) -> tuple[str, list[str]]:
    """A Vietnamese narrative as some caller or operator would type it."""
    tags = []
    roll = rng.random()
    if roll < 0.15:
        text, tags = swap(text, SOUTH, rng, 0.8), ["southern"]
    elif roll < 0.25:
        text, tags = swap(text, CENTRAL, rng, 0.8), ["central"]
    if rng.random() < 0.15:
        text, tags = swap(text, TEEN, rng, 0.7), [*tags, "teen"]
    if rng.random() < 0.07:
        text, tags = text + rng.choice(MIX), [*tags, "mixed"]
    if rng.random() < 0.35:
        text, tags = strip_marks(text), [*tags, "no_diacritics"]
    if rng.random() < 0.1:
        text = text.upper() if rng.random() < 0.3 else text.capitalize()
    return text, tags


def narratives(
    scene: Scene,
    rng: random.Random,
    count: int,
    batch: str = "",
    english_share: float = ENGLISH_SHARE,
    test_every: int = 4,
) -> list[dict[str, object]]:
    """`batch` prefixes the template names (the cross-validation groups) of a later batch of
    scenes; the operator notes come with the first batch only. `english_share` is how often a
    narrative is drawn from the English templates (changing it draws no more random numbers,
    so an earlier batch's narratives stay the same). Every `test_every`-th template is a test one."""
    label = scene.label
    category, _, sub = label.partition("/")
    pool = [("vi", t, split_of(i, len(scene.vi), test_every), i) for i, t in enumerate(scene.vi)]
    pool += [("en", t, split_of(i, len(scene.en), test_every), i) for i, t in enumerate(scene.en)]
    notes = NOTES.get(label, []) if not batch else []
    pool += [("note", t, split_of(i, len(notes)), i) for i, t in enumerate(notes)]
    out: list[dict[str, object]] = []
    seen: set[str] = set()
    for _attempt in range(count * 6):
        if len(out) >= count:
            break
        english = rng.random() < english_share and scene.en
        kinds = ["en"] if english else ["vi", "note"] if rng.random() < 0.08 and notes else ["vi"]
        lang, template, split, number = rng.choice([p for p in pool if p[0] in kinds])
        age = rng.randint(*scene.ages) if scene.ages else None
        slots = {**SLOTS, **SLOTS_EN}
        if lang == "vi":  # how the caller opens and closes, as they please
            template = "{intro}" + template + "{ask}"
        text = fill(template, slots, rng, age)
        tags = ["english"] if lang == "en" else ["shorthand"] if lang == "note" else []
        if lang != "en":
            text, more = retell(text, rng)
            tags += more
        text = text[0].upper() + text[1:] if text and rng.random() < 0.5 else text
        if text in seen:
            continue
        seen.add(text)
        item: dict[str, object] = {"narrative": text, "category": category}
        if sub:
            item["subcategory"] = sub
        if age is not None and rng.random() < 0.5:
            item["ages"] = [age]
        if tags:
            item["tags"] = tags
        item["group"] = f"{label}:{batch}{lang}{number}"  # the template: cross-validation folds
        item["split"] = split
        out.append(item)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--out", default=str(ROOT / "routing_rules/classifier/corpus"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    items: list[dict[str, object]] = []
    for scene in SCENES:
        items += narratives(scene, rng, COUNTS.get(scene.label, DEFAULT))
    # The second batch draws from its own stream: the first batch's narratives stay as they were.
    more = random.Random(f"{args.seed}-more")
    for number, scene in enumerate(SCENES_MORE):
        count = MORE_COUNTS.get(scene.label, MORE_DEFAULT)
        items += narratives(scene, more, count, batch=f"b{number}")
    # The third batch: a third stream, so neither earlier batch changes.
    third = random.Random(f"{args.seed}-third")
    for number, scene in enumerate(SCENES_THIRD):
        count = THIRD_COUNTS.get(scene.label, THIRD_DEFAULT)
        items += narratives(scene, third, count, batch=f"c{number}")
    # The fourth batch: a fourth stream, so none of the first three changes.
    fourth = random.Random(f"{args.seed}-fourth")
    for number, scene in enumerate(SCENES_FOURTH):
        count = FOURTH_COUNTS.get(scene.label, FOURTH_DEFAULT)
        share = FOURTH_ENGLISH_SHARE
        items += narratives(scene, fourth, count, batch=f"d{number}", english_share=share)
    # The fifth batch: a fifth stream, so none of the first four changes.
    fifth = random.Random(f"{args.seed}-fifth")
    for number, scene in enumerate(SCENES_FIFTH):
        count = FIFTH_COUNTS.get(scene.label, FIFTH_DEFAULT)
        share = FIFTH_ENGLISH_SHARE
        items += narratives(
            scene,
            fifth,
            count,
            batch=f"e{number}",
            english_share=share,
            test_every=FIFTH_TEST_EVERY,
        )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for split in ("train", "test"):
        chosen = [
            {k: v for k, v in i.items() if k != "split"} for i in items if i["split"] == split
        ]
        head = (
            f"# The classifier's {split} corpus: written by scripts/corpus/generate.py "
            f"(seed {args.seed}); docs/CLASSIFIER.md describes the format.\n"
        )
        text = yaml.safe_dump(chosen, allow_unicode=True, sort_keys=False, width=1000)
        (out / f"{split}.yaml").write_text(head + text, encoding="utf-8")
        print(f"{split}: {len(chosen)} narratives")


if __name__ == "__main__":
    main()
