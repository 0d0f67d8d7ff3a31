"""Category suggestions from the narrative's keywords and the people's ages (pure).

The keyword lists live in routing_rules/classification.yaml, compiled into an index when the
rules load (hotline.routing.classification). The operator decides; these only suggest, and
each suggestion carries the words that triggered it.
"""

from __future__ import annotations

from collections.abc import Sequence

from hotline.routing.classification import Classifier, PersonLike
from hotline.routing.facts import Suggestion
from hotline.rules.ruleset import RuleSet

__all__ = ["Suggestion", "suggest"]


def suggest(
    narrative: str, people: Sequence[PersonLike], ruleset: RuleSet
) -> tuple[Suggestion, ...]:
    """Categories first (best score first), then sub-categories. Empty when the rule set
    has no classification.yaml."""
    classifier: Classifier | None = ruleset.parts.get("classification")
    if classifier is None:
        return ()
    return classifier.suggest(narrative, people)
