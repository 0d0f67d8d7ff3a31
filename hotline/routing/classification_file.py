"""Loading classification.yaml into a Classifier: every phrase checked and compiled, every
problem named with its file, line and field (hotline rules check prints them)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from hotline.routing.classification import SHORT, Classifier, Keyword, Negative, Target
from hotline.routing.tokens import words
from hotline.rules.schema import ClassificationFile, TermGroup
from hotline.rules.yamlfile import Problem, RulesError, YamlDoc

if TYPE_CHECKING:  # the type only: load_ruleset() calls this loader, not the reverse
    from hotline.rules.ruleset import RuleSet

Path_ = tuple[str | int, ...]
_SLOT = re.compile(r"\{(\w+)\}")


class _Loader:
    """One file's compilation: the classifier so far and the problems found."""

    def __init__(self, doc: YamlDoc, file: ClassificationFile, clf: Classifier) -> None:
        self.doc, self.file, self.clf = doc, file, clf
        self.problems: list[Problem] = []

    def problem(self, path: Path_, message: str) -> None:
        self.problems.append(self.doc.problem(path, message))

    def expand(self, path: Path_, phrase: str) -> list[str]:
        """A phrase with its {slots} filled in every way (none: the phrase itself)."""
        names = _SLOT.findall(phrase)
        for name in names:
            if name not in self.file.slots:
                self.problem(path, f"unknown slot {{{name}}} (slots: {', '.join(self.file.slots)})")
                return []
        out = [phrase]
        for name in dict.fromkeys(names):
            out = [p.replace(f"{{{name}}}", value) for p in out for value in self.file.slots[name]]
        return out

    def keyword(
        self, path: Path_, phrase: str, targets: list[tuple[Target, float]], group: TermGroup | None
    ) -> Keyword | None:
        found = words(phrase)
        if not found or "{" in phrase or "}" in phrase:
            self.problem(
                path,
                f"{phrase!r} has no letters or digits to match"
                if not found
                else f"{phrase!r}: a brace that is not a slot",
            )
            return None
        typed = tuple(w.typed for w in found)
        folded = tuple(w.folded for w in found)
        return Keyword(
            folded=folded,
            written=typed if typed != folded else None,
            strict=tuple(
                t == f and len(f) <= SHORT and f.isalpha()
                for t, f in zip(typed, folded, strict=True)
            ),
            targets=targets,
            window=group.window if group else 0,
            any_order=group.any_order if group else False,
            needs=group.needs if group else None,
        )

    def add_list(
        self,
        path: Path_,
        phrases: list[str],
        targets: list[tuple[Target, float]],
        group: TermGroup | None = None,
    ) -> None:
        seen: set[tuple[str, ...]] = set()
        for wi, phrase in enumerate(phrases):
            where = (*path, wi)
            expanded = self.expand(where, phrase)
            literal = len(expanded) == 1 and expanded[0] == phrase
            for one in expanded:
                keyword = self.keyword(where, one, targets, group)
                if keyword is None:
                    continue
                if keyword.folded in seen:
                    if literal:
                        self.problem(where, f"duplicate word {phrase!r} (after folding)")
                    continue
                seen.add(keyword.folded)
                self.clf.add(keyword)

    def add_groups(self, path: Path_, groups: list[TermGroup], target: Target) -> None:
        for gi, group in enumerate(groups):
            # Words score for their category too: a sub-category implies its category.
            targets = [(target, group.weight)]
            if target[1]:
                targets.append(((target[0], ""), group.weight))
            self.add_list((*path, "terms", gi, "words"), group.words, targets, group)


def load_classification(doc: YamlDoc, ruleset: RuleSet) -> Classifier:
    """Validate classification.yaml against the taxonomy and compile its keyword index."""
    file = doc.validate(ClassificationFile)
    tax = ruleset.taxonomy
    child_only: set[Target] = set()
    clf = Classifier(
        min_score=file.min_score,
        empty_narrative=file.empty_narrative,
        narrative_ages=file.narrative_ages,
        age_rules=list(file.age_rules),
        case_categories=tax.case_categories,
        child_age=file.child_age,
        negatives=[Negative(n.window, frozenset(n.cancels)) for n in file.negative_contexts],
        settings=file.model,
        parents=_parents(ruleset),
    )
    load = _Loader(doc, file, clf)
    if file.empty_narrative is not None and file.empty_narrative not in tax.categories:
        load.problem(("empty_narrative",), "unknown category")
    for name, values in file.slots.items():
        if not values:
            load.problem(("slots", name), "a slot needs at least one word")
    load.add_list(("child_words",), file.child_words, [(("", "child"), 1.0)])
    for ni, negative in enumerate(file.negative_contexts):
        for ci, code in enumerate(negative.cancels):
            if code not in tax.categories:
                load.problem(("negative_contexts", ni, "cancels", ci), f"unknown category {code!r}")
        load.add_list(
            ("negative_contexts", ni, "words"), negative.words, [(("", f"neg:{ni}"), 0.0)]
        )
    _load_categories(load, ruleset, child_only)
    _check_age_rules(load, ruleset)
    if load.problems:
        raise RulesError(load.problems)
    clf.child_only = frozenset(child_only)
    return clf


def _load_categories(load: _Loader, ruleset: RuleSet, child_only: set[Target]) -> None:
    tax = ruleset.taxonomy
    seen_cats: set[str] = set()
    for ci, cat in enumerate(load.file.categories):
        path: Path_ = ("categories", ci)
        if cat.code not in tax.categories:
            load.problem((*path, "code"), f"unknown category {cat.code!r}")
            continue
        if cat.code in seen_cats:
            load.problem((*path, "code"), f"duplicate category {cat.code!r}")
        seen_cats.add(cat.code)
        if cat.child_only:
            child_only.add((cat.code, ""))
        load.add_groups(path, cat.terms, (cat.code, ""))
        own = {s.code for s in tax.categories[cat.code].subcategories}
        seen_subs: set[str] = set()
        for si, sub in enumerate(cat.subcategories):
            sub_path = (*path, "subcategories", si)
            if sub.code not in own:
                load.problem((*sub_path, "code"), _not_under(sub.code, cat.code))
                continue
            if sub.code in seen_subs:
                load.problem((*sub_path, "code"), f"duplicate {sub.code!r}")
            seen_subs.add(sub.code)
            if sub.child_only:
                child_only.add((cat.code, sub.code))
            load.add_groups(sub_path, sub.terms, (cat.code, sub.code))


def _parents(ruleset: RuleSet) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for code, category in ruleset.taxonomy.categories.items():
        for sub in category.subcategories:
            out.setdefault(sub.code, set()).add(code)
    return {sub: frozenset(cats) for sub, cats in out.items()}


def _not_under(sub: str, cat: str) -> str:
    return f"{sub!r} is not a sub-category of {cat!r} (see taxonomy.yaml)"


def _check_age_rules(load: _Loader, ruleset: RuleSet) -> None:
    cats = ruleset.taxonomy.categories
    subs_of = {code: {s.code for s in c.subcategories} for code, c in cats.items()}
    ids: set[str] = set()
    for ri, rule in enumerate(load.file.age_rules):
        path: Path_ = ("age_rules", ri)
        if rule.id in ids:
            load.problem((*path, "id"), f"duplicate age rule id {rule.id!r}")
        ids.add(rule.id)
        for fi, code in enumerate(rule.from_categories):
            if code not in cats:
                load.problem((*path, "from_categories", fi), "unknown category")
        if rule.to_category not in cats:
            load.problem((*path, "to_category"), "unknown category")
            continue
        from_subs = set().union(*(subs_of.get(c, set()) for c in rule.from_categories))
        for key, value in rule.subcategory_map.items():
            if key not in from_subs:
                load.problem(
                    (*path, "subcategory_map", key),
                    f"{key!r} is not a sub-category of from_categories",
                )
            if value not in subs_of[rule.to_category]:
                load.problem((*path, "subcategory_map", key), _not_under(value, rule.to_category))
        for si, code in enumerate(rule.only_subcategories):
            if code not in from_subs:
                load.problem(
                    (*path, "only_subcategories", si),
                    f"{code!r} is not a sub-category of from_categories",
                )
        if rule.adult_age < rule.below_age:
            load.problem((*path, "adult_age"), "adult_age is below below_age")
        load.add_list((*path, "child_words"), rule.child_words, [(("", f"age:{ri}"), 1.0)])
