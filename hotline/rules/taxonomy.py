"""The taxonomy of taxonomy.yaml as routing and reports read it: categories, sub-categories
and the bilingual labels of every term group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Taxonomy:
    categories: dict[str, Any]
    subcategories: dict[str, str]  # sub-category code -> its category code
    labels: dict[str, dict[str, dict[str, str]]]  # group -> code -> {vi, en}
    case_categories: frozenset[str]

    def label(self, group: str, code: str, locale: str = "vi") -> str:
        entry = self.labels.get(group, {}).get(code)
        return entry.get(locale, entry["vi"]) if entry else code

    def codes(self, group: str) -> list[str]:
        return list(self.labels.get(group, {}))
