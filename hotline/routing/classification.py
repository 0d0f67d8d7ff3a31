"""classification.yaml: keyword and phrase lists compiled into a token index at load time.

Keywords and narratives are both folded (lower case, no diacritics, đ → d), so "bị đánh đập",
"BI DANH DAP" and "bi danh dap" are the same three tokens. A phrase matches only on whole
words. The index maps each phrase (a tuple of tokens) to the categories it scores for, and
each first token to the phrase lengths that start with it, so matching a narrative costs a
few dictionary look-ups per word however many keywords there are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Protocol

from hotline.i18n.text import fold
from hotline.routing.facts import Suggestion, new
from hotline.rules.schema import AgeRule, ClassificationFile, TermGroup
from hotline.rules.yamlfile import Problem, RulesError, YamlDoc

if TYPE_CHECKING:  # the type only: load_ruleset() calls this loader, not the reverse
    from hotline.rules.ruleset import RuleSet

_WORD = re.compile(r"\w+")
_AGE = re.compile(r"\b(\d{1,2}) ?(?:tuoi|years? old|yrs? old|yo|y o)\b")


# Narratives whose suggestions Classifier.suggest() remembers: the intake page asks again as
# the operator changes other fields, then saving decides once more. Kept small on purpose:
# these are victims' words held in memory, and only the last few calls ever repeat.
MEMO_MAX = 256
WORDS_MAX = 200_000  # distinct words remembered folded, bounded against hostile input


class _Folded(dict[str, str]):
    """Word as typed -> folded; a language has few distinct words, so nearly every word of
    a new narrative is already here and costs one look-up."""

    def __missing__(self, word: str) -> str:
        folded = fold(word)
        if len(self) < WORDS_MAX:
            self[word] = folded
        return folded


_FOLDED = _Folded()
_fold_all = _FOLDED.__getitem__


def _split(text: str) -> tuple[str, list[str], list[str]]:
    """(NFC text, its words in lower case as typed, the same words folded)."""
    original = text if text.isascii() else unicodedata.normalize("NFC", text)
    # The words are _WORD.findall(), faster: the regex engine costs over a microsecond a
    # word, while most pieces between spaces are a whole word (a regex word character is one
    # that is isalnum() or "_", and no space is one). "," and "." are the usual punctuation
    # and never part of a word: without them, often every piece is.
    typed = original.lower().replace(",", " ").replace(".", " ").split()
    if not "".join(typed).isalnum():
        pieces, typed = typed, []
        for piece in pieces:
            if piece.isalnum():
                typed.append(piece)
            else:
                typed += _WORD.findall(piece)
    return original, typed, list(map(_fold_all, typed))


def tokens_of(text: str) -> list[str]:
    return _split(text)[2]


def _same_word(typed: str, keyword: str) -> bool:
    """Folding says they are the same letters; do the marks the caller typed agree?
    Unmarked letters match anything ("danh" matches "đánh"), so text typed without
    diacritics still matches, but "dâm" must not match the keyword "đấm"."""
    if typed == keyword or len(typed) != len(keyword):
        return True
    key = (typed, keyword)
    same = _AGREE.get(key)
    if same is None:  # a generator over the letters costs some 20 times a look-up
        same = all(a == b or a < "\x80" or b < "\x80" for a, b in zip(typed, keyword, strict=True))
        if len(_AGREE) < WORDS_MAX:
            _AGREE[key] = same
    return same


_AGREE: dict[tuple[str, str], bool] = {}  # (word as typed, as written) -> _same_word()


class PersonLike(Protocol):
    @property
    def age(self) -> int | None: ...

    @property
    def sex(self) -> str | None: ...


# A hit target: (category, sub-category or "") or ("", "age:<rule index>") for child words.
Target = tuple[str, str]
# A keyword at a trie node: (id; as written: its word, or its list of words, or None when it
# has no marks at all; the targets it scores for with their weights).
Hit = tuple[int, str | list[str] | None, list[tuple[Target, float]]]
Places = dict[Target, list[tuple[int, int]]]  # target -> (first word, last word) of each hit


def _quotes(
    typed: list[str],
    places: list[tuple[int, int]],
    made: dict[tuple[tuple[int, int], ...], tuple[str, ...]],
) -> tuple[str, ...]:
    """The matched words as the caller typed them (lower case, single spaces): each phrase
    once, in narrative order; overlapping phrases make one quote ("bị đánh" and "đánh đập"
    make "bị đánh đập"). `made`: places -> quotes, as a sub-category's words are its
    category's too, so they often share."""
    if len(places) == 1:  # the usual case
        i, j = places[0]
        return (typed[i] if i == j else " ".join(typed[i : j + 1]),)
    key = tuple(places)
    found = made.get(key)
    if found is not None:
        return found
    out: dict[str, None] = {}
    start, end = -1, -2
    for i, j in sorted(places):
        if i <= end:
            if j > end:
                end = j
            continue
        if start >= 0:
            out[" ".join(typed[start : end + 1])] = None
        start, end = i, j
    if start >= 0:
        out[" ".join(typed[start : end + 1])] = None
    found = made[key] = tuple(out)
    return found


_AGE_OF = attrgetter("age")


@dataclass
class Classifier:
    min_score: float
    empty_narrative: str | None
    narrative_ages: bool
    age_rules: list[AgeRule]
    case_categories: frozenset[str]
    # A trie over folded words: {word: ({next word: (...)}, [hits of the phrase ending here])}.
    trie: dict[str, Any] = field(default_factory=dict)
    size: int = 0
    # (narrative, people's ages) -> suggestions. A call is often decided more than once
    # (the form's preview, saving, the API's explain) and the answer is a tuple of frozen
    # Suggestions, so sharing it is safe; cleared when full, bounded against hostile input.
    memo: dict[tuple[str, tuple[int, ...]], tuple[Suggestion, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def add(self, word: str, targets: list[tuple[Target, float]]) -> None:
        _, typed, toks = _split(word)
        children, hits = self.trie, None
        for tok in toks:
            node = children.get(tok)
            if node is None:
                node = children[tok] = ({}, [])
            children, hits = node
        assert hits is not None
        written: str | list[str] | None = None
        if typed != toks:
            written = typed[0] if len(toks) == 1 else typed
        hits.append((self.size, written, targets))
        self.size += 1
        self.memo.clear()  # what was remembered may now score differently

    def match(self, narrative: str) -> tuple[dict[Target, float], Places, list[str], list[str]]:
        """Scores and where each target's keywords were found, each keyword counting once;
        the narrative's words in lower case as typed, and folded."""
        _, typed, toks = _split(narrative)
        scores: dict[Target, float] = {}
        places: Places = {}
        seen: set[int] = set()
        toks.append("")  # a word no keyword goes on with: each walk ends without a bounds test
        for i, node in enumerate(map(self.trie.get, toks)):  # most words start no keyword
            if node is None:
                continue
            j = i
            while node is not None:
                children, hits = node
                for hid, written, targets in hits:
                    if hid in seen:
                        continue
                    if written is not None:  # the keyword has marks: do the typed ones agree?
                        # Nothing to check for words typed without marks, or as written.
                        if i == j:  # one word, the usual case
                            word = typed[i]
                            if (
                                word != toks[i]
                                and word != written
                                and not _same_word(word, written)  # type: ignore[arg-type]
                            ):
                                continue
                        else:
                            words = typed[i : j + 1]
                            if (
                                words != written
                                and words != toks[i : j + 1]
                                and not all(map(_same_word, words, written))  # type: ignore[arg-type]
                            ):
                                continue
                    seen.add(hid)
                    span = (i, j)
                    for target, weight in targets:
                        where = places.get(target)
                        if where is None:
                            scores[target] = 0.0 + weight  # a float, as weights may be ints
                            places[target] = [span]
                        else:
                            scores[target] += weight
                            where.append(span)
                j += 1
                node = children.get(toks[j])
        toks.pop()
        return scores, places, typed, toks

    def suggest(self, narrative: str, people: Sequence[PersonLike]) -> tuple[Suggestion, ...]:
        """Categories first (best score first), then sub-categories; the same narrative and
        ages give the same (shared, immutable) tuple."""
        ages = list(map(_AGE_OF, people))
        if None in ages:
            ages = [age for age in ages if age is not None]
        key = (narrative, tuple(ages))
        found = self.memo.get(key)
        if found is not None:
            return found
        if not narrative.strip():
            found = ()
            if self.empty_narrative:
                found = (Suggestion(self.empty_narrative, "category", self.min_score, ()),)
        else:
            scores, places, typed, folded = self.match(narrative)
            if not ages and self.narrative_ages:
                ages = [int(m.group(1)) for m in _AGE.finditer(" ".join(folded))]
            youngest, oldest = (min(ages), max(ages)) if ages else (None, None)
            for index, rule in enumerate(self.age_rules):
                # Any age below (at or above) the limit: the youngest (the oldest) is.
                if youngest is not None:
                    child = youngest < rule.below_age
                else:
                    child = ("", f"age:{index}") in scores
                if child:
                    adult = oldest is not None and oldest >= rule.adult_age
                    _apply_age_rule(rule, scores, places, keep=rule.keep_when_adult and adult)
            found = self._rank(scores, places, typed)
        if len(self.memo) >= MEMO_MAX:
            self.memo.clear()
        self.memo[key] = found
        return found

    def _rank(
        self, scores: dict[Target, float], places: Places, typed: list[str]
    ) -> tuple[Suggestion, ...]:
        least = self.min_score
        made: dict[tuple[tuple[int, int], ...], tuple[str, ...]] = {}  # see _quotes
        cats: list[Suggestion] = []
        chosen: set[str] = set()
        scored: list[tuple[Target, float]] = []  # sub-categories, kept if their category is
        for target, score in scores.items():  # one pass: most targets score too little
            if score < least:
                continue
            cat, sub = target
            if sub:
                scored.append((target, score))
            elif cat:
                rounded = score if score.is_integer() else round(score, 2)  # _round() inline
                cats.append(
                    new(
                        Suggestion, (cat, "category", rounded, _quotes(typed, places[target], made))
                    )
                )
                chosen.add(cat)
        found: dict[str, tuple[float, list[tuple[int, int]]]] = {}
        for target, score in scored:
            if target[0] in chosen:
                sub = target[1]
                # A code under two categories (forced_marriage) is suggested once.
                if sub in found:
                    best, where = found[sub]
                    found[sub] = (max(best, _round(score)), where + places[target])
                else:  # score >= least > 0, so max(0.0, ...) was the score itself
                    rounded = score if score.is_integer() else round(score, 2)  # _round()
                    found[sub] = (rounded, places[target])
        subs: list[Suggestion] = []  # a loop: a comprehension is a function call of its own
        for sub, (score, where) in found.items():
            subs.append(new(Suggestion, (sub, "subcategory", score, _quotes(typed, where, made))))
        if len(cats) > 1:
            case = self.case_categories
            cats.sort(key=lambda s: (-s.score, s.code not in case, s.code))
        if len(subs) > 1:
            subs.sort(key=lambda s: (-s.score, s.code))
        return (*cats, *subs)


def _round(score: float) -> float:
    """round(score, 2), which formats the number as text: scores are mostly whole."""
    return score if score.is_integer() else round(score, 2)


def _apply_age_rule(
    rule: AgeRule, scores: dict[Target, float], places: Places, *, keep: bool
) -> None:
    """Abuse words about a child count for the child category (child_abuse), not gbv alone."""
    from_categories, to_category = rule.from_categories, rule.to_category
    for (cat, sub), score in list(scores.items()):
        if cat not in from_categories:
            continue
        # Sub-category words already count in their category's total, so each hit moves once.
        target = (to_category, rule.subcategory_map.get(sub, "")) if sub else (to_category, "")
        if target[1] or not sub:
            scores[target] = scores.get(target, 0.0) + score
            places.setdefault(target, []).extend(places.get((cat, sub), []))
        if not keep:
            del scores[(cat, sub)]


# --- loading -------------------------------------------------------------------------------


def _phrase(
    doc: YamlDoc, path: tuple[str | int, ...], word: str, problems: list[Problem]
) -> tuple[str, ...]:
    toks = tuple(tokens_of(word))
    if not toks:
        problems.append(doc.problem(path, f"{word!r} has no letters or digits to match"))
    return toks


def _add_groups(
    clf: Classifier,
    doc: YamlDoc,
    path: tuple[str | int, ...],
    groups: list[TermGroup],
    target: Target,
    problems: list[Problem],
) -> None:
    seen: set[tuple[str, ...]] = set()
    for gi, group in enumerate(groups):
        for wi, word in enumerate(group.words):
            where = (*path, "terms", gi, "words", wi)
            toks = _phrase(doc, where, word, problems)
            if toks in seen:
                problems.append(doc.problem(where, f"duplicate word {word!r} (after folding)"))
            elif toks:
                seen.add(toks)
                # Words score for their category too: a sub-category implies its category.
                targets = [(target, group.weight)]
                if target[1]:
                    targets.append(((target[0], ""), group.weight))
                clf.add(word, targets)


def load_classification(doc: YamlDoc, ruleset: RuleSet) -> Classifier:
    """Validate classification.yaml against the taxonomy and compile its keyword index."""
    file = doc.validate(ClassificationFile)
    tax = ruleset.taxonomy
    problems: list[Problem] = []
    clf = Classifier(
        min_score=file.min_score,
        empty_narrative=file.empty_narrative,
        narrative_ages=file.narrative_ages,
        age_rules=list(file.age_rules),
        case_categories=tax.case_categories,
    )
    if file.empty_narrative is not None and file.empty_narrative not in tax.categories:
        problems.append(doc.problem(("empty_narrative",), "unknown category"))
    seen_cats: set[str] = set()
    for ci, cat in enumerate(file.categories):
        path: tuple[str | int, ...] = ("categories", ci)
        if cat.code not in tax.categories:
            problems.append(doc.problem((*path, "code"), f"unknown category {cat.code!r}"))
            continue
        if cat.code in seen_cats:
            problems.append(doc.problem((*path, "code"), f"duplicate category {cat.code!r}"))
        seen_cats.add(cat.code)
        _add_groups(clf, doc, path, cat.terms, (cat.code, ""), problems)
        own = {s.code for s in tax.categories[cat.code].subcategories}
        seen_subs: set[str] = set()
        for si, sub in enumerate(cat.subcategories):
            sub_path = (*path, "subcategories", si)
            if sub.code not in own:
                problems.append(doc.problem((*sub_path, "code"), _not_under(sub.code, cat.code)))
                continue
            if sub.code in seen_subs:
                problems.append(doc.problem((*sub_path, "code"), f"duplicate {sub.code!r}"))
            seen_subs.add(sub.code)
            _add_groups(clf, doc, sub_path, sub.terms, (cat.code, sub.code), problems)
    _check_age_rules(file, doc, ruleset, clf, problems)
    if problems:
        raise RulesError(problems)
    return clf


def _not_under(sub: str, cat: str) -> str:
    return f"{sub!r} is not a sub-category of {cat!r} (see taxonomy.yaml)"


def _check_age_rules(
    file: ClassificationFile, doc: YamlDoc, ruleset: RuleSet, clf: Classifier, problems: list[Any]
) -> None:
    cats = ruleset.taxonomy.categories
    subs_of = {code: {s.code for s in c.subcategories} for code, c in cats.items()}
    ids: set[str] = set()
    for ri, rule in enumerate(file.age_rules):
        path: tuple[str | int, ...] = ("age_rules", ri)
        if rule.id in ids:
            problems.append(doc.problem((*path, "id"), f"duplicate age rule id {rule.id!r}"))
        ids.add(rule.id)
        for fi, code in enumerate(rule.from_categories):
            if code not in cats:
                problems.append(doc.problem((*path, "from_categories", fi), "unknown category"))
        if rule.to_category not in cats:
            problems.append(doc.problem((*path, "to_category"), "unknown category"))
            continue
        from_subs = set().union(*(subs_of.get(c, set()) for c in rule.from_categories))
        for key, value in rule.subcategory_map.items():
            if key not in from_subs:
                problems.append(
                    doc.problem(
                        (*path, "subcategory_map", key),
                        f"{key!r} is not a sub-category of from_categories",
                    )
                )
            if value not in subs_of[rule.to_category]:
                problems.append(
                    doc.problem(
                        (*path, "subcategory_map", key), _not_under(value, rule.to_category)
                    )
                )
        if rule.adult_age < rule.below_age:
            problems.append(doc.problem((*path, "adult_age"), "adult_age is below below_age"))
        seen: set[tuple[str, ...]] = set()
        for wi, word in enumerate(rule.child_words):
            toks = _phrase(doc, (*path, "child_words", wi), word, problems)
            if toks and toks not in seen:
                seen.add(toks)
                clf.add(word, [(("", f"age:{ri}"), 1.0)])
