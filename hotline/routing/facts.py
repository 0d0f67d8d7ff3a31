"""The values decide() reads and returns. Immutable: a Decision is a record of what was decided.

A Notice is a code and its parameters; its text is a message of the gettext catalogs
(hotline/locale), rendered in the reader's language when it is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from hotline.i18n.translation import lazy, translations

# Notice code -> its message id; %(name)s fields come from the notice's parameters.
NOTICE_MESSAGES: dict[str, str] = {
    "internal_error": lazy("Routing failed: sent to the supervisors' triage queue."),
    "no_rules": lazy("No rules.yaml loaded: there are no routing rules."),
    "unknown_area": lazy("Area %(area)s is not in the area tree."),
    "unknown_line": lazy("Line %(line)s is not a known line."),
    "line_area": lazy("The call has no area: using the line's home area (%(area)s)."),
    "no_area": lazy(
        "No area and the line has no home area: sent to the supervisors' triage queue."
    ),
    "suggested": lazy("Categories taken from the suggestions: %(codes)s."),
    "not_a_case": lazy("Not a case (%(codes)s): no referral."),
    "unclassified": lazy(
        "The call could not be classified: sent to the supervisors' triage queue."
    ),
    "no_rule": lazy("No rule matched: sent to the supervisors' triage queue."),
    "no_agency": lazy("No %(kind)s agency serves %(area)s (rule %(rule)s)."),
    "safe_house_full": lazy(
        "%(agency)s is full (%(used)s/%(beds)s beds): referred up the tree to %(chosen)s."
    ),
    "safe_house_full_none": lazy("%(agency)s is full (%(used)s/%(beds)s beds)."),
    "no_free_bed": lazy(
        "No safe house with a free bed serves %(area)s: a supervisor must find a place."
    ),
    "after_hours": lazy("%(agency)s is closed: also referred to %(backup)s (open 24/7)."),
    "no_backup": lazy("%(agency)s is closed and no suitable 24/7 agency serves the area."),
    "area_successor": lazy("Area %(old)s existed until %(since)s: the call is placed on %(new)s."),
    "area_split": lazy(
        "Area %(old)s existed until %(since)s and was split into %(choices)s: routed to "
        "%(area)s until the operator chooses one."
    ),
}


def notice_text(code: str, params: Mapping[str, object], locale: str | None = "vi") -> str:
    """A notice's text in `locale`. KeyError: an unknown code, or a parameter its text
    names is missing (a notice stored by another version)."""
    return translations(locale).gettext(NOTICE_MESSAGES[code]) % params


@dataclass(frozen=True)
class Notice:
    """A notice for the supervisor: what happened (a code) and its parameters. str() is its
    text in the default language (Vietnamese), as the timeline stores it."""

    code: str
    params: tuple[tuple[str, str], ...] = ()  # (name, value), in the order given

    @classmethod
    def of(cls, code: str, **params: str) -> Notice:
        return cls(code, tuple(params.items()))

    def render(self, locale: str | None = "vi") -> str:
        return notice_text(self.code, dict(self.params), locale)

    def __str__(self) -> str:
        return self.render()


@dataclass(frozen=True, slots=True)
class PersonFacts:
    age: int | None
    sex: str | None


@dataclass(frozen=True, slots=True)
class CallFacts:
    line: str | None
    area: str | None
    narrative: str
    categories: tuple[str, ...]
    subcategories: tuple[str, ...]
    urgency: str
    needs: tuple[str, ...]
    people: tuple[PersonFacts, ...]
    received_at: datetime  # aware, UTC
    # The retired area code the caller gave, when parse placed the call on its successor.
    area_given: str | None = None


class Suggestion(NamedTuple):
    code: str
    kind: str  # "category" | "subcategory"
    score: float
    words: tuple[str, ...]  # why: the words that fired (rules), the words that weighed (model)
    source: str = "rules"  # "rules" | "model" | "rules+model"
    # Where each of `words` stands in the narrative as typed: [start, end) character offsets,
    # and which part found it ("rules" or "model").
    spans: tuple[tuple[int, int], ...] = ()
    word_sources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """As stored with the call. The narrative's own text is only in `words` (redaction and
        the agencies' views drop it); `spans` are offsets, `word_sources` what found each."""
        return {
            "code": self.code,
            "kind": self.kind,
            "score": self.score,
            "words": list(self.words),
            "source": self.source,
            "spans": [list(span) for span in self.spans],
            "word_sources": list(self.word_sources),
        }

    def why(self) -> list[dict[str, Any]]:
        """Each word with where it stands in the narrative and what found it (the intake
        form marks them)."""
        return [
            {"text": text, "start": span[0], "end": span[1], "source": source}
            for text, span, source in zip(self.words, self.spans, self.word_sources, strict=False)
        ]


class MatchedRule(NamedTuple):
    rule_id: str
    description: str
    kinds: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "description": self.description, "kinds": list(self.kinds)}


class PlannedReferral(NamedTuple):
    agency_code: str
    agency_kind: str
    rule_id: str
    reason: str
    limits: Mapping[str, str]  # clock -> duration, e.g. {"acknowledge": "15m"}
    # clock -> where its limit comes from (the law, or the deployment's own rule)
    limit_sources: Mapping[str, str] = {}

    def to_dict(self) -> dict[str, Any]:
        return {
            "agency_code": self.agency_code,
            "agency_kind": self.agency_kind,
            "rule_id": self.rule_id,
            "reason": self.reason,
            "limits": dict(self.limits),
            "limit_sources": dict(self.limit_sources),
        }


# Where a call's categories came from: the operator chose them, or the suggestions the rules
# accepted stood in for them (the operator may confirm them later, which makes them "operator").
OPERATOR, SUGGESTED = "operator", "suggested"


class Decision(NamedTuple):
    suggestions: tuple[Suggestion, ...]
    categories: tuple[str, ...]  # in effect: the operator's, else the accepted suggestions
    matched_rules: tuple[MatchedRule, ...]
    referrals: tuple[PlannedReferral, ...]
    triage: bool
    notices: tuple[Notice, ...]
    ruleset_version: str
    subcategories: tuple[str, ...] = ()  # in effect, as categories
    source: str | None = None  # OPERATOR, SUGGESTED, or None when there is no category

    def to_dict(self, locale: str = "vi") -> dict[str, Any]:
        """JSON-ready; notices rendered in `locale`."""
        return {
            "suggestions": [s.to_dict() for s in self.suggestions],
            "categories": list(self.categories),
            "subcategories": list(self.subcategories),
            "categories_source": self.source,
            "matched_rules": [m.to_dict() for m in self.matched_rules],
            "referrals": [r.to_dict() for r in self.referrals],
            "triage": self.triage,
            "notices": [n.render(locale) for n in self.notices],
            "ruleset_version": self.ruleset_version,
        }
