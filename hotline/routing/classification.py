"""classification.yaml: keyword phrases compiled into an index over words, and the matcher.

Keywords and narratives are both folded (lower case, no diacritics, đ → d), so "bị đánh đập",
"BI DANH DAP" and "bi danh dap" are the same three words, matched whole. Marks the caller
typed must agree with the keyword's ("dâm" is not "đấm"), and a short keyword written without
marks (three letters or fewer: "roi", a cane; "cho") matches only text typed without marks,
so it never fires on "rồi" (already) or "chợ" (market). A window phrase whose words stand
apart needs the marks on its short marked words ("ma ... dam" may be "mà không dám", not "má
... đấm").

Phrases of adjacent words sit in a trie (a few dictionary look-ups per word however many
keywords there are); phrases with a window ("bố dượng ... đánh", up to N words between) or
in either order are found from the positions of their words. Then, in order: negative
contexts cancel the hints near them (an animal, online selling, a request for leaflets); the
words that need a child count only when one is involved; the age rules move a child's abuse
to child_abuse; child-only categories go when no child is; what reaches min_score is
suggested, with the words that fired and where they stand in the narrative as typed.
The loader is hotline/routing/classification_file.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from hotline.routing.facts import Suggestion
from hotline.routing.tokens import PersonLike, Word, ages_of, words
from hotline.rules.schema import AgeRule, ModelSettings

# A hit target: (category, sub-category or ""); ("", "child") for the child words, ("",
# "age:<rule index>") for an age rule's child words, ("", "neg:<index>") for negative words.
Target = tuple[str, str]
Span = tuple[int, int]  # the first and the last word of a phrase found in a narrative
SHORT = 3  # an unmarked keyword word this long or shorter matches only unmarked text
CHILD: Target = ("", "child")


@dataclass(eq=False)  # each keyword is its own: counted once per narrative
class Keyword:
    folded: tuple[str, ...]
    written: tuple[str, ...] | None  # its words in lower case as written; None: no marks
    strict: tuple[bool, ...]  # per word: short and unmarked, so only unmarked text matches
    targets: list[tuple[Target, float]]  # what it scores for, with its weight
    window: int = 0
    any_order: bool = False
    needs: str | None = None  # "child" | "adult" | None


@dataclass
class _Node:
    """A trie node: the next words of the phrases so far, and the phrases ending here."""

    children: dict[str, _Node] = field(default_factory=dict)
    keywords: list[Keyword] = field(default_factory=list)


@dataclass(frozen=True)
class Negative:
    window: int | None
    cancels: frozenset[str]


@dataclass
class _Found:
    """What matching one narrative found, before scoring."""

    hits: list[tuple[Keyword, tuple[int, ...]]] = field(default_factory=list)
    scores: dict[Target, float] = field(default_factory=dict)
    places: dict[Target, list[Span]] = field(default_factory=dict)


def _same_word(typed: str, keyword: str) -> bool:
    """Folding says they are the same letters; do the marks the caller typed agree?
    Unmarked letters match anything ("danh" matches "đánh"), but "dâm" must not match the
    keyword "đấm"."""
    if typed == keyword or len(typed) != len(keyword):
        return True
    return all(a == b or a < "\x80" or b < "\x80" for a, b in zip(typed, keyword, strict=True))


def _marks_agree(keyword: Keyword, found: Sequence[Word], at: Sequence[int]) -> bool:
    for n, i in enumerate(at):
        word = found[i]
        if keyword.strict[n] and word.typed != word.folded:
            return False  # "roi" (a cane) against "rồi" (already)
        marked = keyword.written is not None and word.typed != word.folded
        if marked and not _same_word(word.typed, keyword.written[n]):  # type: ignore[index]
            return False
    return True


def _apart_agree(keyword: Keyword, found: Sequence[Word], at: Sequence[int]) -> bool:
    """A window phrase whose words stand apart, in text typed without marks: its short words
    written with marks ("má", "sờ", "bắt") are a guess there, so they do not match. "ma ...
    dam" is as likely "mà không dám" (dare not) as "má ... đấm" (mother punches); adjacent,
    the words match as in any other phrase."""
    if keyword.written is None or list(at) == list(range(at[0], at[-1] + 1)):
        return True
    for n, i in enumerate(at):
        short = len(keyword.folded[n]) <= SHORT and keyword.written[n] != keyword.folded[n]
        if short and found[i].typed == found[i].folded:
            return False
    return True


@dataclass
class Classifier:
    min_score: float
    empty_narrative: str | None
    narrative_ages: bool
    age_rules: list[AgeRule]
    case_categories: frozenset[str]
    child_age: int = 18
    settings: ModelSettings = field(default_factory=ModelSettings)
    parents: dict[str, frozenset[str]] = field(default_factory=dict)  # sub-category -> categories
    child_only: frozenset[Target] = frozenset()  # (category, "") or (category, sub)
    negatives: list[Negative] = field(default_factory=list)
    root: _Node = field(default_factory=_Node)  # the trie of adjacent phrases
    # word -> the window phrases it may start, each with all its words (see _match)
    spread: dict[str, list[tuple[frozenset[str], Keyword]]] = field(default_factory=dict)

    def add(self, keyword: Keyword) -> None:
        if keyword.window == 0 and not keyword.any_order:
            node = self.root
            for token in keyword.folded:
                node = node.children.setdefault(token, _Node())
            node.keywords.append(keyword)
            return
        firsts = set(keyword.folded) if keyword.any_order else {keyword.folded[0]}
        for first in firsts:
            self.spread.setdefault(first, []).append((frozenset(keyword.folded), keyword))

    def suggest(self, narrative: str, people: Sequence[PersonLike]) -> tuple[Suggestion, ...]:
        """Categories first (best score first), then sub-categories."""
        found = words(narrative)
        if not found:
            if self.empty_narrative and not narrative.strip():
                return (Suggestion(self.empty_narrative, "category", self.min_score, ()),)
            return ()
        ages = ages_of(people, found, from_text=self.narrative_ages)
        state = _Found(hits=self._match(found))
        self._cancel_negatives(state)
        child_hit = any(t == CHILD for k, _ in state.hits for t, _ in k.targets)
        child = any(age < self.child_age for age in ages) if ages else child_hit
        _score(state, child)
        for index, rule in enumerate(self.age_rules):
            # A child: an age below the limit, or no age known and the rule's child words.
            if ages:
                young = any(age < rule.below_age for age in ages)
            else:
                young = ("", f"age:{index}") in state.scores or (
                    child_hit and rule.below_age >= self.child_age
                )
            if young:
                adult = any(age >= rule.adult_age for age in ages)
                _apply_age_rule(rule, state, keep=rule.keep_when_adult and adult)
        if not child:
            for target in [t for t in state.scores if self._child_only(t)]:
                del state.scores[target]
        return self._rank(state, found)

    def _child_only(self, target: Target) -> bool:
        return target in self.child_only or (target[0], "") in self.child_only

    # --- matching --------------------------------------------------------------------------

    def _match(self, found: Sequence[Word]) -> list[tuple[Keyword, tuple[int, ...]]]:
        """Each keyword found once, with the word positions it matched."""
        folded = [w.folded for w in found]
        present = set(folded)
        hits: list[tuple[Keyword, tuple[int, ...]]] = []
        seen: set[int] = set()
        for start, word in enumerate(folded):
            node = self.root.children.get(word)
            end = start
            while node is not None:
                for keyword in node.keywords:
                    at = tuple(range(start, end + 1))
                    if id(keyword) not in seen and _marks_agree(keyword, found, at):
                        seen.add(id(keyword))
                        hits.append((keyword, at))
                end += 1
                node = node.children.get(folded[end]) if end < len(folded) else None
            for needed, keyword in self.spread.get(word, ()):
                # A window phrase one of whose words the narrative lacks cannot match: with
                # slots ("{kin} {hit}") a word starts dozens of phrases, and most stop here.
                if id(keyword) in seen or not needed <= present:
                    continue
                spread = _spread_match(keyword, folded, start)
                if (
                    spread is not None
                    and _marks_agree(keyword, found, spread)
                    and _apart_agree(keyword, found, spread)
                ):
                    seen.add(id(keyword))
                    hits.append((keyword, spread))
        return hits

    def _cancel_negatives(self, state: _Found) -> None:
        """Drop the targets of hits that a negative context near them cancels."""
        negatives = [
            (self.negatives[int(t[1][4:])], at)
            for keyword, at in state.hits
            for t, _ in keyword.targets
            if t[1].startswith("neg:")
        ]
        if not negatives:
            return
        kept: list[tuple[Keyword, tuple[int, ...]]] = []
        for keyword, at in state.hits:
            targets = [
                (t, w)
                for t, w in keyword.targets
                if not any(_cancels(neg, t, at, where) for neg, where in negatives)
            ]
            if targets:
                kept.append((_with_targets(keyword, targets), at))
        state.hits = kept

    # --- ranking ---------------------------------------------------------------------------

    def _rank(self, state: _Found, found: Sequence[Word]) -> tuple[Suggestion, ...]:
        least = self.min_score
        scores, places = state.scores, state.places
        cats = [
            _suggestion(cat, "category", score, places[(cat, sub)], found)
            for (cat, sub), score in scores.items()
            if cat and not sub and score >= least
        ]
        chosen = {s.code for s in cats}
        merged: dict[str, tuple[float, list[Span]]] = {}  # sub-category -> score, places
        for (cat, sub), score in scores.items():
            if not cat or not sub or cat not in chosen or score < least:
                continue
            # A code under two categories (forced_marriage) is suggested once.
            best, where = merged.get(sub, (0.0, []))
            merged[sub] = (max(best, score), where + places[(cat, sub)])
        subs = [
            _suggestion(sub, "subcategory", score, where, found)
            for sub, (score, where) in merged.items()
        ]
        cats.sort(key=lambda s: (-s.score, s.code not in self.case_categories, s.code))
        subs.sort(key=lambda s: (-s.score, s.code))
        return (*cats, *subs)


def _spread_match(keyword: Keyword, folded: Sequence[str], start: int) -> tuple[int, ...] | None:
    """Positions of a window phrase whose first (or, in either order, any) word is at start."""
    gap = keyword.window + 1
    if not keyword.any_order:
        at = [start]
        for token in keyword.folded[1:]:
            nxt = next(
                (
                    i
                    for i in range(at[-1] + 1, min(at[-1] + 1 + gap, len(folded)))
                    if folded[i] == token
                ),
                None,
            )
            if nxt is None:
                return None
            at.append(nxt)
        return tuple(at)
    # Either order: every word within a stretch of len(words) + window words around start;
    # the positions are returned in the keyword's order (its marks are checked word by word).
    reach = len(keyword.folded) - 1 + keyword.window
    lo, hi = max(0, start - reach), min(len(folded), start + reach + 1)
    chosen: list[int] = []
    for token in keyword.folded:
        if start not in chosen and token == folded[start]:
            chosen.append(start)
            continue
        options = [i for i in range(lo, hi) if folded[i] == token and i not in chosen]
        if not options:
            return None
        chosen.append(min(options, key=lambda i: abs(i - start)))
    if start not in chosen or max(chosen) - min(chosen) > reach:
        return None
    return tuple(chosen)


def _cancels(neg: Negative, target: Target, at: tuple[int, ...], where: tuple[int, ...]) -> bool:
    if target[0] not in neg.cancels:
        return False
    if neg.window is None:
        return True
    return min(where) - neg.window <= max(at) and min(at) <= max(where) + neg.window


def _with_targets(keyword: Keyword, targets: list[tuple[Target, float]]) -> Keyword:
    return Keyword(
        keyword.folded,
        keyword.written,
        keyword.strict,
        targets,
        keyword.window,
        keyword.any_order,
        keyword.needs,
    )


def _score(state: _Found, child: bool) -> None:
    for keyword, at in state.hits:
        if (keyword.needs == "child" and not child) or (keyword.needs == "adult" and child):
            continue
        for target, weight in keyword.targets:
            state.scores[target] = state.scores.get(target, 0.0) + weight
            state.places.setdefault(target, []).extend(_runs(at))


def _runs(at: tuple[int, ...]) -> list[Span]:
    """The words a phrase matched, as runs of neighbours: a window phrase quotes the words
    that fired ("bố dượng" ... "đánh"), not the words between them."""
    runs: list[Span] = []
    for i in sorted(at):
        if runs and i == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _suggestion(
    code: str, kind: str, score: float, places: list[Span], found: Sequence[Word]
) -> Suggestion:
    quotes, spans = quotes_of(found, places)
    return Suggestion(code, kind, round(score, 2), quotes, "rules", spans, ("rules",) * len(quotes))


def quotes_of(
    found: Sequence[Word], places: list[Span]
) -> tuple[tuple[str, ...], tuple[tuple[int, int], ...]]:
    """The matched words as the caller typed them (lower case, single spaces) and where they
    stand in the narrative (character offsets): each phrase once, in narrative order;
    overlapping phrases make one quote ("bị đánh" and "đánh đập" make "bị đánh đập")."""
    if not places:
        return (), ()
    merged: list[Span] = []
    for start, end in sorted(places):
        if merged and start <= merged[-1][1]:  # overlaps the phrase so far: one longer phrase
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    quotes: dict[str, tuple[int, int]] = {}  # an ordered set, first place of each quote
    for start, end in merged:
        text = " ".join(w.typed for w in found[start : end + 1])
        quotes.setdefault(text, (found[start].start, found[end].end))
    return tuple(quotes), tuple(quotes.values())


def _apply_age_rule(rule: AgeRule, state: _Found, *, keep: bool) -> None:
    """Abuse words about a child count for the child category (child_abuse), not gbv alone.
    With only_subcategories, just those move (a forced marriage of a minor is a child
    marriage), and their category's score moves with them."""
    scores, places = state.scores, state.places

    def add(target: Target, score: float, source: Target) -> None:
        scores[target] = scores.get(target, 0.0) + score
        places.setdefault(target, []).extend(places.get(source, []))

    for (cat, sub), score in list(scores.items()):
        if cat not in rule.from_categories:
            continue
        if rule.only_subcategories:
            if sub not in rule.only_subcategories:
                continue
            add((rule.to_category, rule.subcategory_map.get(sub, "")), score, (cat, sub))
            add((rule.to_category, ""), score, (cat, sub))
            if not keep:
                del scores[(cat, sub)]
                left = scores.get((cat, ""), 0.0) - score
                if left > 0:
                    scores[(cat, "")] = left
                else:
                    scores.pop((cat, ""), None)
            continue
        # Sub-category words already count in their category's total, so each hit moves once.
        target = (rule.to_category, rule.subcategory_map.get(sub, "") if sub else "")
        if target[1] or not sub:
            add(target, score, (cat, sub))
        if not keep:
            del scores[(cat, sub)]
