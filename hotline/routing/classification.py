"""classification.yaml: keyword and phrase lists compiled into a trie over words at load time.

Keywords and narratives are both folded (lower case, no diacritics, đ → d), so "bị đánh đập",
"BI DANH DAP" and "bi danh dap" are the same three tokens. A phrase matches only on whole
words. The trie maps each phrase, word by word, to the categories it scores for, so matching
a narrative costs a few dictionary look-ups per word however many keywords there are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from hotline.i18n.text import fold
from hotline.routing.facts import Suggestion
from hotline.rules.schema import AgeRule, ClassificationFile, TermGroup
from hotline.rules.yamlfile import Problem, RulesError, YamlDoc

if TYPE_CHECKING:  # the type only: load_ruleset() calls this loader, not the reverse
    from hotline.rules.ruleset import RuleSet

_WORD = re.compile(r"\w+")
_AGE = re.compile(r"\b(\d{1,2}) ?(?:tuoi|years? old|yrs? old|yo|y o)\b")

# A hit target: (category, sub-category or "") or ("", "age:<rule index>") for child words.
Target = tuple[str, str]
Span = tuple[int, int]  # the first and the last word of a phrase found in a narrative
Places = dict[Target, list[Span]]  # target -> where each of its keywords was found


@lru_cache(maxsize=50_000)
def _fold_word(word: str) -> str:
    """fold() of one word. Remembered: a language has few distinct words, and folding one
    costs more than the rest of its matching."""
    return fold(word)


def _words(text: str) -> tuple[list[str], list[str]]:
    """A text's words in lower case as typed (NFC), and the same words folded."""
    typed = _WORD.findall(unicodedata.normalize("NFC", text).lower())
    return typed, [_fold_word(word) for word in typed]


def tokens_of(text: str) -> list[str]:
    return _words(text)[1]


def _same_word(typed: str, keyword: str) -> bool:
    """Folding says they are the same letters; do the marks the caller typed agree?
    Unmarked letters match anything ("danh" matches "đánh"), so text typed without
    diacritics still matches, but "dâm" must not match the keyword "đấm"."""
    if typed == keyword or len(typed) != len(keyword):
        return True
    return all(a == b or a < "\x80" or b < "\x80" for a, b in zip(typed, keyword, strict=True))


def _marks_agree(
    keyword: _Keyword, typed: list[str], folded: list[str], start: int, end: int
) -> bool:
    """Do the words found, from `start` to `end`, agree with the marks of the keyword as
    written? Words typed without marks always do."""
    if keyword.written is None:  # the keyword has no marks
        return True
    words = slice(start, end + 1)
    return typed[words] == folded[words] or all(map(_same_word, typed[words], keyword.written))


class PersonLike(Protocol):
    @property
    def age(self) -> int | None: ...

    @property
    def sex(self) -> str | None: ...


@dataclass(eq=False)  # each keyword is its own: counted once per narrative
class _Keyword:
    written: tuple[str, ...] | None  # its words in lower case as written; None: no marks
    targets: list[tuple[Target, float]]  # what it scores for, with its weight


@dataclass
class _Node:
    """A trie node: the next words of the phrases so far, and the phrases ending here."""

    children: dict[str, _Node] = field(default_factory=dict)
    keywords: list[_Keyword] = field(default_factory=list)


@dataclass
class Classifier:
    min_score: float
    empty_narrative: str | None
    narrative_ages: bool
    age_rules: list[AgeRule]
    case_categories: frozenset[str]
    root: _Node = field(default_factory=_Node)  # the trie over folded words

    def add(self, word: str, targets: list[tuple[Target, float]]) -> None:
        typed, folded = _words(word)
        assert folded, "the loader adds only keywords with letters or digits"
        node = self.root
        for token in folded:
            node = node.children.setdefault(token, _Node())
        written = tuple(typed) if typed != folded else None
        node.keywords.append(_Keyword(written, targets))

    def suggest(self, narrative: str, people: Sequence[PersonLike]) -> tuple[Suggestion, ...]:
        """Categories first (best score first), then sub-categories."""
        if not narrative.strip():
            if self.empty_narrative:
                return (Suggestion(self.empty_narrative, "category", self.min_score, ()),)
            return ()
        typed, folded = _words(narrative)
        scores, places = self._match(typed, folded)
        ages = [p.age for p in people if p.age is not None]
        if not ages and self.narrative_ages:
            ages = [int(m.group(1)) for m in _AGE.finditer(" ".join(folded))]
        for index, rule in enumerate(self.age_rules):
            # A child: an age below the limit, or no age known and the rule's child words.
            if ages:
                child = any(age < rule.below_age for age in ages)
            else:
                child = ("", f"age:{index}") in scores
            if child:
                adult = any(age >= rule.adult_age for age in ages)
                _apply_age_rule(rule, scores, places, keep=rule.keep_when_adult and adult)
        return self._rank(scores, places, typed)

    def _match(self, typed: list[str], folded: list[str]) -> tuple[dict[Target, float], Places]:
        """Scores and where each target's keywords were found, each keyword counting once:
        from each word that starts a keyword, the trie is walked along the words after it."""
        scores: dict[Target, float] = {}
        places: Places = {}
        seen: set[_Keyword] = set()
        for start, word in enumerate(folded):
            node = self.root.children.get(word)
            end = start
            while node is not None:
                for keyword in node.keywords:
                    if keyword in seen or not _marks_agree(keyword, typed, folded, start, end):
                        continue
                    seen.add(keyword)
                    for target, weight in keyword.targets:
                        scores[target] = scores.get(target, 0.0) + weight
                        places.setdefault(target, []).append((start, end))
                end += 1
                node = node.children.get(folded[end]) if end < len(folded) else None
        return scores, places

    def _rank(
        self, scores: dict[Target, float], places: Places, typed: list[str]
    ) -> tuple[Suggestion, ...]:
        least = self.min_score
        cats = [
            Suggestion(cat, "category", round(score, 2), _quotes(typed, places[(cat, sub)]))
            for (cat, sub), score in scores.items()
            if cat and not sub and score >= least
        ]
        chosen = {s.code for s in cats}
        found: dict[str, tuple[float, list[Span]]] = {}  # sub-category -> score, places
        for (cat, sub), score in scores.items():
            if not sub or cat not in chosen or score < least:
                continue
            # A code under two categories (forced_marriage) is suggested once.
            if sub in found:
                best, where = found[sub]
                found[sub] = (max(best, round(score, 2)), where + places[(cat, sub)])
            else:
                found[sub] = (round(score, 2), places[(cat, sub)])
        subs = [
            Suggestion(sub, "subcategory", score, _quotes(typed, where))
            for sub, (score, where) in found.items()
        ]
        cats.sort(key=lambda s: (-s.score, s.code not in self.case_categories, s.code))
        subs.sort(key=lambda s: (-s.score, s.code))
        return (*cats, *subs)


def _quotes(typed: list[str], places: list[Span]) -> tuple[str, ...]:
    """The matched words as the caller typed them (lower case, single spaces): each phrase
    once, in narrative order; overlapping phrases make one quote ("bị đánh" and "đánh đập"
    make "bị đánh đập")."""
    if not places:
        return ()
    quotes: dict[str, None] = {}  # an ordered set
    spans = sorted(places)
    start, end = spans[0]
    for next_start, next_end in spans[1:]:
        if next_start <= end:  # overlaps the phrase so far: one longer phrase
            end = max(end, next_end)
        else:
            quotes[" ".join(typed[start : end + 1])] = None
            start, end = next_start, next_end
    quotes[" ".join(typed[start : end + 1])] = None
    return tuple(quotes)


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
