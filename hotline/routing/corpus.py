"""Labelled narratives for training and evaluating the classifier, in YAML.

A corpus file is a list; each item is one narrative:

    - narrative: "Cháu bé 8 tuổi bị bố dượng đánh, bầm tím"   # as typed (required)
      category: child_abuse             # the expected category code (required)
      subcategory: physical_violence    # the expected sub-category (optional)
      ages: [8]                         # the ages of the people at risk, as the form has them
      tags: [no_diacritics, southern]   # free labels for breakdowns (optional)
      group: physical_violence-3        # narratives of one group share a fold (optional)

docs/CLASSIFIER.md documents the format; problems name the file, the line and the field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, RootModel

from hotline.rules.schema import Strict
from hotline.rules.taxonomy import Taxonomy
from hotline.rules.yamlfile import Problem, RulesError, read_yaml


class CorpusItem(Strict):
    narrative: str = Field(max_length=20_000)
    category: str
    subcategory: str | None = None
    ages: list[int] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    group: str | None = Field(default=None, max_length=200)


class CorpusFile(RootModel[list[CorpusItem]]):
    pass


@dataclass(frozen=True)
class Example:
    narrative: str
    category: str
    subcategory: str | None = None
    ages: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    group: str | None = None  # cross-validation keeps a group in one fold

    @property
    def label(self) -> str:
        """The model's label: "category/sub-category", or the category alone."""
        return f"{self.category}/{self.subcategory}" if self.subcategory else self.category


def read_corpus(path: Path, taxonomy: Taxonomy | None = None) -> list[Example]:
    """The examples of one corpus file, checked against the taxonomy when given."""
    doc = read_yaml(path, name=str(path))
    items = doc.validate(CorpusFile).root
    problems: list[Problem] = []
    for index, item in enumerate(items):
        if taxonomy is None:
            continue
        category = taxonomy.categories.get(item.category)
        if category is None:
            problems.append(doc.problem((index, "category"), f"unknown {item.category!r}"))
        elif item.subcategory and item.subcategory not in {s.code for s in category.subcategories}:
            problems.append(
                doc.problem(
                    (index, "subcategory"),
                    f"{item.subcategory!r} is not a sub-category of {item.category!r}",
                )
            )
        if any(not 0 <= age <= 120 for age in item.ages):
            problems.append(doc.problem((index, "ages"), "ages are from 0 to 120"))
    if problems:
        raise RulesError(problems)
    return [
        Example(
            i.narrative, i.category, i.subcategory or None, tuple(i.ages), tuple(i.tags), i.group
        )
        for i in items
    ]


def known_labels(taxonomy: Taxonomy) -> set[str]:
    """The labels a model may have: each category, and each "category/sub-category"."""
    out = set(taxonomy.categories)
    for code, category in taxonomy.categories.items():
        out |= {f"{code}/{s.code}" for s in category.subcategories}
    return out


_PHONE = re.compile(r"\+?\d[\d .\-]{6,}\d")


def redact(narrative: str, names: Iterable[str]) -> str:
    """A narrative without the names given (caller and people, matched whole, with or without
    diacritics) and without phone numbers: what `classify train --from-db` learns from."""
    text = _PHONE.sub("[số]", narrative)
    for name in {n.strip() for n in names if n and n.strip()}:
        for part in [name, *name.split()] if len(name.split()) > 1 else [name]:
            if len(part) < 2:
                continue
            pattern = re.compile(rf"(?<!\w){re.escape(part)}(?!\w)", re.IGNORECASE)
            text = pattern.sub("[tên]", text)
            plain = strip_marks(part)
            if plain != part:
                text = re.compile(rf"(?<!\w){re.escape(plain)}(?!\w)", re.IGNORECASE).sub(
                    "[tên]", text
                )
    return text


def strip_marks(text: str) -> str:
    """The text as typed on a keyboard without Vietnamese input: no diacritics, đ → d."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
