"""One ranked list of suggestions from the rules (classification.yaml) and the model
(classifier/model.json), each with its reason and its source.

A category the rules suggest keeps its place as today and ranks by the model's probability
plus a bonus (`model.rules_bonus` in classification.yaml). When the model gives the case
categories together at least `category_at` (chosen when it was trained), it suggests the
likeliest of them first and the next likeliest too when it has at least CASE_SECOND; any
other category it suggests from `other_at`. Those are labelled "model", with the narrative's
words that weighed most for them; both: "rules+model". Within each suggested category the
model adds its likeliest sub-categories. Pure: no clock, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hotline.routing.classification import Classifier, quotes_of
from hotline.routing.facts import Suggestion
from hotline.routing.model import LinearModel, Span
from hotline.routing.tokens import PersonLike, Word, ages_of, words
from hotline.rules.schema import ModelSettings

# Within a suggested category, a sub-category the model finds at least this likely (given
# the category) is suggested; at most two per category.
SUBCATEGORY_SHARE = 0.35
# When the model finds a case likely, the second likeliest case category is suggested too from
# this probability: which case it is (a child's abuse or a woman's, trafficking or not) is
# where the model hesitates most, and the operator then sees both.
CASE_SECOND = 0.1


def suggest(
    narrative: str,
    people: Sequence[PersonLike],
    rules: Classifier | None,
    model: LinearModel | None,
) -> tuple[Suggestion, ...]:
    """Categories first (best first), then sub-categories (best first)."""
    by_rules = rules.suggest(narrative, people) if rules else ()
    found = words(narrative)
    if model is None or not found:
        return by_rules
    settings = rules.settings if rules else ModelSettings()
    ages = ages_of(people, found, from_text=rules.narrative_ages if rules else True)
    folded = [w.folded for w in found]
    text = model.text_features(folded)  # once: the probabilities and every explanation use them
    probs = model.probabilities(folded, ages, text)
    by_cat: dict[str, float] = {}
    for category, p in zip(model.categories, probs, strict=True):
        by_cat[category] = by_cat.get(category, 0.0) + p
    rule_cats = {s.code: s for s in by_rules if s.kind == "category"}
    least = rules.min_score if rules else 0.0
    case = rules.case_categories if rules else frozenset()

    likely_cases = _likely_cases(by_cat, case, model.category_at)

    def by_model(code: str) -> bool:
        """Would the model suggest this category on its own?"""
        if code in case:
            return code in likely_cases
        return by_cat.get(code, 0.0) >= model.other_at

    ranked: list[tuple[float, str]] = []
    for code in {*rule_cats, *filter(by_model, by_cat)}:
        p = by_cat.get(code, 0.0)
        rule = rule_cats.get(code)
        if rule is not None and p < settings.veto_below and rule.score < 2 * least:
            continue  # one weak keyword against a confident model
        ranked.append((p + (settings.rules_bonus if rule else 0.0), code))
    # The likeliest case category first when the model finds a case likely: a rules bonus
    # for another category must not push the case down the list.
    first = likely_cases[0] if likely_cases else None
    ranked.sort(key=lambda item: (item[1] != first, -item[0], item[1] not in case, item[1]))
    ranked = ranked[: settings.max_categories]
    chosen = [code for _, code in ranked]
    cats = [
        _combined(
            code,
            "category",
            score,
            rule_cats.get(code),
            by_model(code),
            _labels(model, code),
            model,
            found,
            text,
        )
        for score, code in ranked
    ]
    subs = _subcategories(
        [c for c in chosen if by_model(c)],
        chosen,
        by_rules,
        rules,
        model,
        probs,
        by_cat,
        found,
        text,
    )
    return (*cats, *subs)


def _likely_cases(by_cat: Mapping[str, float], case: frozenset[str], at: float) -> list[str]:
    """The case categories the model suggests, likeliest first: when they have `at` together,
    the likeliest, and the next when it has CASE_SECOND."""
    cases = sorted((p, code) for code, p in by_cat.items() if code in case)[::-1]
    if not cases or sum(p for p, _ in cases) < at:
        return []
    return [cases[0][1]] + [code for p, code in cases[1:2] if p >= CASE_SECOND]


def _labels(model: LinearModel, category: str, sub: str | None = None) -> list[int]:
    wanted = category if sub is None else f"{category}/{sub}"
    return [
        k
        for k, label in enumerate(model.labels)
        if (label == wanted if sub is not None else model.categories[k] == category)
    ]


def _combined(
    code: str,
    kind: str,
    score: float,
    rule: Suggestion | None,
    by_model: bool,
    labels: list[int],
    model: LinearModel,
    found: Sequence[Word],
    text: Mapping[str, list[Span]],
) -> Suggestion:
    """One suggestion: the rules' words first, then the model's that the rules did not name."""
    texts = list(rule.words) if rule else []
    spans = list(rule.spans) if rule else []
    sources = ["rules"] * len(texts)
    if by_model:
        quotes, places = quotes_of(found, model.evidence(found, labels, text=text))
        for quote, span in zip(quotes, places, strict=True):
            if not any(s[0] <= span[0] and span[1] <= s[1] for s in spans):
                texts.append(quote)
                spans.append(span)
                sources.append("model")
    source = "rules+model" if rule and by_model else "rules" if rule else "model"
    return Suggestion(
        code, kind, round(score, 2), tuple(texts), source, tuple(spans), tuple(sources)
    )


def _subcategories(
    modelled: list[str],
    chosen: list[str],
    by_rules: tuple[Suggestion, ...],
    rules: Classifier | None,
    model: LinearModel,
    probs: list[float],
    by_cat: dict[str, float],
    found: Sequence[Word],
    text: Mapping[str, list[Span]],
) -> list[Suggestion]:
    parents = rules.parents if rules else {}
    rule_subs = {
        s.code: s
        for s in by_rules
        if s.kind == "subcategory"
        and (not parents or parents.get(s.code, frozenset()) & set(chosen))
    }
    scored: dict[str, tuple[float, bool]] = {
        code: (s.score and 1.0, False) for code, s in rule_subs.items()
    }
    for category in modelled:
        total = by_cat.get(category, 0.0)
        shares = sorted(
            (
                (probs[k] / total, model.labels[k].partition("/")[2])
                for k in _labels(model, category)
            ),
            reverse=True,
        )
        for share, sub in shares[:2]:
            if sub and share >= SUBCATEGORY_SHARE:
                best, _ = scored.get(sub, (0.0, False))
                scored[sub] = (best + share, True)
    out = []
    for sub, (score, by_model) in scored.items():
        category = next(
            (c for c in chosen if f"{c}/{sub}" in model.labels), chosen[0] if chosen else ""
        )
        out.append(
            _combined(
                sub,
                "subcategory",
                score,
                rule_subs.get(sub),
                by_model,
                _labels(model, category, sub),
                model,
                found,
                text,
            )
        )
    out.sort(key=lambda s: (-s.score, s.code))
    return out
