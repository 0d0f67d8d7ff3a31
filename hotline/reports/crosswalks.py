"""routing_rules/crosswalks.yaml: our category codes in other frameworks' groupings.

Reports can be produced in the Child Helpline International data framework, GBVIMS
incident types or the national 111 line's intervention types without touching the records:
each framework lists its groups and maps category codes ("gbv") and sub-category codes
("gbv.sexual_violence") onto them. load_crosswalks() compiles the file into the Crosswalks
that load_ruleset() keeps as RuleSet.crosswalks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import Field

from hotline.rules.schema import CODE, Label, Strict
from hotline.rules.yamlfile import Problem, RulesError, YamlDoc

if TYPE_CHECKING:  # the type only: load_ruleset() calls this loader, not the reverse
    from hotline.rules.ruleset import RuleSet

FILE = "crosswalks.yaml"
# Calls of a category the framework neither maps nor excludes (say, one added to
# taxonomy.yaml later) land here, so totals stay complete and the gap shows in the report.
UNMAPPED = "unmapped"
UNMAPPED_LABEL = {"vi": "Chưa đối chiếu", "en": "Not mapped", "external": "(not mapped)"}


class GroupDef(Strict):
    code: str = Field(pattern=CODE, max_length=64)
    label: Label
    # The framework's own code or name, as its documents write it.
    external: str | None = Field(default=None, max_length=200)


class FrameworkDef(Strict):
    code: str = Field(pattern=CODE, max_length=32)
    label: Label
    source: str | None = None
    groups: list[GroupDef] = Field(min_length=1)
    # "category" or "category.subcategory" -> group code. Sub-categories win over their
    # category; a category neither mapped nor excluded counts as "unmapped".
    map: dict[str, str] = Field(min_length=1)
    # Calls of these top-level categories are left out of this framework's tables
    # (GBVIMS counts GBV incidents only).
    exclude: list[str] = Field(default_factory=list)


class CrosswalksFile(Strict):
    frameworks: list[FrameworkDef] = Field(min_length=1)


@dataclass(frozen=True)
class Crosswalk:
    code: str
    label: dict[str, str]
    source: str | None
    groups: dict[str, dict[str, str]]  # group code -> {vi, en, external}
    mapping: dict[str, str]
    exclude: frozenset[str]

    def group_label(self, code: str, locale: str = "vi") -> str:
        entry = self.groups.get(code)
        return entry.get(locale) or entry["vi"] if entry else code

    def groups_of(self, categories: Iterable[str], subcategories: Iterable[str] = ()) -> set[str]:
        """The framework groups a call falls in. A call's sub-categories are looked up
        under each of its categories; a category with no mapped sub-category falls back
        to the category's own group."""
        cats = [c for c in categories if c not in self.exclude]
        subs = list(subcategories)
        out: set[str] = set()
        for cat in cats:
            hits = {self.mapping[f"{cat}.{s}"] for s in subs if f"{cat}.{s}" in self.mapping}
            out |= hits or {self.mapping.get(cat, UNMAPPED)}
        return out


def _check(fw: FrameworkDef, index: int, doc: YamlDoc, ruleset: RuleSet) -> list[Problem]:
    tax = ruleset.taxonomy
    groups = {g.code for g in fw.groups}
    where = ("frameworks", index)
    problems = []
    for key, group in fw.map.items():
        cat, _, sub = key.partition(".")
        known = cat in tax.categories and (
            not sub or any(s.code == sub for s in tax.categories[cat].subcategories)
        )
        if not known:
            problems.append(
                doc.problem(where + ("map", key), f"unknown category or sub-category {key!r}")
            )
        if group not in groups:
            problems.append(
                doc.problem(where + ("map", key), f"{group!r} is not a group of {fw.code!r}")
            )
    for cat in fw.exclude:
        if cat not in tax.categories:
            problems.append(doc.problem(where + ("exclude",), f"unknown category {cat!r}"))
    return problems


def load_crosswalks(doc: YamlDoc, ruleset: RuleSet) -> dict[str, Crosswalk]:
    """Validate crosswalks.yaml against the taxonomy: each framework by its code."""
    file = doc.validate(CrosswalksFile)
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, fw in enumerate(file.frameworks):
        if fw.code in seen:
            problems.append(
                doc.problem(("frameworks", index, "code"), f"duplicate framework {fw.code!r}")
            )
        seen.add(fw.code)
        problems += _check(fw, index, doc, ruleset)
    if problems:
        raise RulesError(problems)
    return {
        fw.code: Crosswalk(
            code=fw.code,
            label=fw.label.model_dump(),
            source=fw.source,
            groups={
                **{
                    g.code: {**g.label.model_dump(), "external": g.external or g.code}
                    for g in fw.groups
                },
                UNMAPPED: UNMAPPED_LABEL,
            },
            mapping=dict(fw.map),
            exclude=frozenset(fw.exclude),
        )
        for fw in file.frameworks
    }
