"""The shapes of the files in routing_rules/ (pydantic). docs/RULES.md documents each field."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

CODE = r"^[a-z0-9][a-z0-9_\-]*$"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ALL_DAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
AGENCY_KINDS = (
    "police",
    "health",
    "womens_union",
    "safe_house",
    "child_protection",
    "social_work_centre",
    "commune_committee",
    "legal_aid",
    "education",
    "court",
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(Strict):
    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)


# --- areas.yaml ---------------------------------------------------------------------------


class Successor(Strict):
    """Where part of a retired area went: its code, and the share of the old area (its
    population, 0 < share <= 1) when the old area was split and the share is known."""

    code: str
    share: float | None = Field(default=None, gt=0, le=1)


class AreaDef(Strict):
    code: str = Field(pattern=CODE, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = None
    kind: str = Field(pattern=CODE, max_length=32)
    parent: str | None = None
    official_code: str | None = Field(default=None, max_length=32)
    # An area's life: the first and the last day it exists (none: always, still). A retired
    # area (valid_to set) names where it went; calls logged on it keep it.
    valid_from: date | None = None
    valid_to: date | None = None
    successors: list[str | Successor] = Field(default_factory=list)
    source: str | None = Field(default=None, max_length=500)  # the act that made or ended it

    def successor_list(self) -> list[Successor]:
        return [Successor(code=s) if isinstance(s, str) else s for s in self.successors]

    def live_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class AreasFile(Strict):
    areas: list[AreaDef] = Field(min_length=1)


# --- lines.yaml ---------------------------------------------------------------------------


class LineDef(Strict):
    number: str = Field(pattern=r"^[0-9]{3,15}$")
    display: str | None = None
    name: str = Field(min_length=1)
    name_en: str | None = None
    level: Literal["national", "provincial", "city", "district", "commune"]
    area: str | None = None
    free: bool = False
    hours: str | None = None

    @property
    def code(self) -> str:
        return self.number


class LinesFile(Strict):
    lines: list[LineDef] = Field(min_length=1)


# --- agencies.yaml ------------------------------------------------------------------------


class Opening(Strict):
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(min_length=1)
    open: str = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    close: str = Field(pattern=r"^([01][0-9]|2[0-4]):[0-5][0-9]$")


Hours = Literal["24/7"] | list[Opening]


class Channel(Strict):
    type: Literal["email", "webhook", "sms"]
    address: str = Field(min_length=3, max_length=500)
    # A secure channel may carry the call's personal data; others get the minimum.
    secure: bool = False
    # Webhooks only: the HMAC signing key; when absent one is derived from the secret key.
    secret: str | None = Field(default=None, min_length=16, max_length=200)

    @field_validator("address")
    @classmethod
    def _address_fits_type(cls, value: str, info):
        kind = info.data.get("type")
        if kind == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError("not an e-mail address")
        if kind == "webhook" and not re.match(r"^https?://", value):
            raise ValueError("a webhook address is an http:// or https:// URL")
        if kind == "sms" and not re.fullmatch(r"\+?[0-9 .\-]{6,20}", value):
            raise ValueError("not a phone number")
        return value


class AgencyDef(Strict):
    code: str = Field(pattern=CODE, max_length=64)
    kind: str
    area: str
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = None
    channels: list[Channel] = Field(default_factory=list)
    hours: Hours | None = None
    beds: int | None = Field(default=None, ge=0)
    operated_by: str | None = None
    # Two live agencies of one kind in one area: the lower priority is chosen first.
    priority: int | None = Field(default=None, ge=0, le=1000)
    source: str | None = Field(default=None, max_length=500)  # the act that set the body up
    source_en: str | None = Field(default=None, min_length=1, max_length=500)  # in English


class AgenciesFile(Strict):
    office_hours: list[Opening] = Field(default_factory=list)
    agencies: list[AgencyDef] = Field(min_length=1)


# --- taxonomy.yaml ------------------------------------------------------------------------


class SubcategoryDef(Strict):
    code: str = Field(pattern=CODE)
    label: Label


class CategoryDef(Strict):
    code: str = Field(pattern=CODE)
    label: Label
    case: bool
    subcategories: list[SubcategoryDef] = Field(default_factory=list)


class TermDef(Strict):
    code: str = Field(pattern=CODE)
    label: Label


class TaxonomyFile(Strict):
    categories: list[CategoryDef] = Field(min_length=1)
    urgencies: list[TermDef] = Field(min_length=1)
    needs: list[TermDef] = Field(default_factory=list)
    relations: list[TermDef] = Field(default_factory=list)
    sexes: list[TermDef] = Field(default_factory=list)
    agency_kinds: list[TermDef] = Field(min_length=1)
    area_kinds: list[TermDef] = Field(default_factory=list)


# --- classification.yaml ------------------------------------------------------------------


class TermGroup(Strict):
    weight: float = Field(gt=0, le=100)
    words: list[str] = Field(min_length=1)
    # Up to this many other words may stand between the words of a phrase ("bố dượng say
    # rượu về đánh" matches "bố dượng đánh" with window 4).
    window: int = Field(default=0, ge=0, le=10)
    # The words of a phrase may come in either order ("đánh ... bố dượng").
    any_order: bool = False
    # "child": the words count only when a child is involved (an age under child_age, or with
    # no age known, a child word); "adult": only when no child is.
    needs: Literal["child", "adult"] | None = None


class SubcategoryTerms(Strict):
    code: str
    terms: list[TermGroup] = Field(min_length=1)
    child_only: bool = False


class CategoryTerms(Strict):
    code: str
    terms: list[TermGroup] = Field(default_factory=list)
    subcategories: list[SubcategoryTerms] = Field(default_factory=list)
    # Suggested only when a child is involved (see TermGroup.needs).
    child_only: bool = False


class NegativeContext(Strict):
    """Words that cancel the hints of some categories near them: an animal, online selling,
    a request for leaflets are not a case."""

    id: str = Field(pattern=CODE, max_length=80)
    words: list[str] = Field(min_length=1)
    # Hints within this many words either side are cancelled; none: anywhere in the narrative.
    window: int | None = Field(default=None, ge=0, le=50)
    cancels: list[str] = Field(min_length=1)  # category codes


class AgeRule(Strict):
    id: str = Field(pattern=CODE, max_length=80)
    below_age: int = Field(ge=1, le=30)
    from_categories: list[str] = Field(min_length=1)
    to_category: str
    subcategory_map: dict[str, str] = Field(default_factory=dict)
    # Only these sub-categories of from_categories move (none listed: all of them).
    only_subcategories: list[str] = Field(default_factory=list)
    child_words: list[str] = Field(default_factory=list)
    keep_when_adult: bool = True
    adult_age: int = Field(default=18, ge=1, le=30)
    source: str = Field(min_length=1)


class ModelSettings(Strict):
    """How the model's suggestions join the rules' (classifier/model.json)."""

    # A category the rules suggest ranks as if the model had given it this much more.
    rules_bonus: float = Field(default=0.5, ge=0, le=1)
    # A category the rules suggest is dropped when the model gives it less than this and the
    # rules' score is below twice min_score (a weak keyword against a confident model).
    veto_below: float = Field(default=0.0, ge=0, le=1)
    max_categories: int = Field(default=3, ge=1, le=10)


class ClassificationFile(Strict):
    min_score: float = Field(default=2, gt=0)
    empty_narrative: str | None = None
    narrative_ages: bool = True
    # Under this age a person is a child for `needs: child` and `child_only`.
    child_age: int = Field(default=18, ge=1, le=30)
    child_words: list[str] = Field(default_factory=list)
    # Named word lists a phrase may use as {name}: "{kin} đánh" is "bố đánh", "mẹ đánh", ...
    slots: dict[str, list[str]] = Field(default_factory=dict)
    negative_contexts: list[NegativeContext] = Field(default_factory=list)
    model: ModelSettings = Field(default_factory=ModelSettings)
    age_rules: list[AgeRule] = Field(default_factory=list)
    categories: list[CategoryTerms] = Field(min_length=1)


# --- rules.yaml ---------------------------------------------------------------------------

HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
# acknowledge: the agency confirms it has the referral; first_action: safety assessed or the
# victim reached; resolve: the referral's own deliverable (plan drafted, report verified);
# plan_approval: the support plan approved; measure_end: the protective measure the referral
# starts ends unless renewed (temporary separation, no-contact order, support period).
CLOCKS = ("acknowledge", "first_action", "resolve", "plan_approval", "measure_end")
ClockName = Literal["acknowledge", "first_action", "resolve", "plan_approval", "measure_end"]


class PersonCondition(Strict):
    min_age: int | None = Field(default=None, ge=0, le=130)
    max_age: int | None = Field(default=None, ge=0, le=130)
    sex: list[str] | None = Field(default=None, min_length=1)


class TimeWindow(Strict):
    days: list[Day] = Field(default_factory=lambda: list(ALL_DAYS), min_length=1)
    start: str = Field(pattern=HHMM)
    end: str = Field(pattern=HHMM)


class When(Strict):
    categories: list[str] | None = Field(default=None, min_length=1)
    subcategories: list[str] | None = Field(default=None, min_length=1)
    urgency: list[str] | None = Field(default=None, min_length=1)
    needs: list[str] | None = Field(default=None, min_length=1)
    line: list[str] | None = Field(default=None, min_length=1)
    area: list[str] | None = Field(default=None, min_length=1)
    person: PersonCondition | None = None
    time: TimeWindow | None = None
    after_hours: bool | None = None


class LimitDef(Strict):
    clock: ClockName
    limit: str
    kinds: list[str] | None = Field(default=None, min_length=1)
    source: str = Field(min_length=1)
    source_en: str | None = Field(default=None, min_length=1, max_length=500)  # in English


class OneOf(Strict):
    one_of: list[str] = Field(min_length=2)


class RuleDef(Strict):
    id: str = Field(pattern=CODE, max_length=100)
    description: str = Field(min_length=1, max_length=300)
    description_en: str | None = Field(default=None, max_length=300)
    when: When = Field(default_factory=When)
    refer: list[str | OneOf] = Field(default_factory=list)
    refer_if_found: list[str] = Field(default_factory=list)
    limits: list[LimitDef] = Field(default_factory=list)
    source: str = Field(min_length=1)
    source_en: str | None = Field(default=None, min_length=1, max_length=500)  # in English


class TimeLimitDef(LimitDef):
    id: str = Field(pattern=CODE, max_length=100)
    when: When = Field(default_factory=When)


class AfterHours(Strict):
    id: str = Field(default="after-hours", pattern=CODE, max_length=100)
    description: str = Field(min_length=1, max_length=300)
    description_en: str | None = Field(default=None, max_length=300)
    when: When = Field(default_factory=When)
    backup: dict[str, list[str]] = Field(default_factory=dict)
    default_backup: list[str] = Field(min_length=1)
    source: str = Field(min_length=1)
    source_en: str | None = Field(default=None, min_length=1, max_length=500)  # in English


class RulesFile(Strict):
    timezone: str = "Asia/Ho_Chi_Minh"
    time_limits: list[TimeLimitDef] = Field(default_factory=list)
    after_hours: AfterHours | None = None
    rules: list[RuleDef] = Field(min_length=1)
