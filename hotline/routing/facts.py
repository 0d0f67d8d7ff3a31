"""The values decide() reads and returns. Immutable: a Decision is a record of what was decided.

What decide() makes on every call (Suggestion, MatchedRule, PlannedReferral, Decision) are
named tuples: as immutable as a frozen dataclass, with the same attributes and repr, and
several times cheaper to make (a frozen dataclass sets each field through
object.__setattr__). Code in hotline.routing makes them with `new(Cls, (fields...))`,
tuple.__new__ without the keyword handling of the generated constructor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

# Notice texts by code; {name} fields come from Notice.params. Vietnamese is the default.
NOTICE_TEXTS: dict[str, dict[str, str]] = {
    "internal_error": {
        "vi": "Lỗi khi định tuyến: chuyển giám sát viên phân loại.",
        "en": "Routing failed: sent to the supervisors' triage queue.",
    },
    "no_rules": {
        "vi": "Chưa nạp tệp rules.yaml: không có quy tắc định tuyến.",
        "en": "No rules.yaml loaded: there are no routing rules.",
    },
    "unknown_area": {
        "vi": "Địa bàn {area} không có trong danh mục.",
        "en": "Area {area} is not in the area tree.",
    },
    "unknown_line": {
        "vi": "Đường dây {line} không có trong danh mục.",
        "en": "Line {line} is not a known line.",
    },
    "line_area": {
        "vi": "Cuộc gọi chưa có địa bàn: dùng địa bàn của đường dây ({area}).",
        "en": "The call has no area: using the line's home area ({area}).",
    },
    "no_area": {
        "vi": "Chưa có địa bàn, đường dây không gắn địa bàn: chuyển giám sát viên phân loại.",
        "en": "No area and the line has no home area: sent to the supervisors' triage queue.",
    },
    "suggested": {
        "vi": "Phân loại lấy từ gợi ý: {codes}.",
        "en": "Categories taken from the suggestions: {codes}.",
    },
    "not_a_case": {
        "vi": "Cuộc gọi không phải vụ việc ({codes}): không chuyển gửi.",
        "en": "Not a case ({codes}): no referral.",
    },
    "unclassified": {
        "vi": "Chưa phân loại được cuộc gọi: chuyển giám sát viên phân loại.",
        "en": "The call could not be classified: sent to the supervisors' triage queue.",
    },
    "no_rule": {
        "vi": "Không quy tắc nào khớp: chuyển giám sát viên phân loại.",
        "en": "No rule matched: sent to the supervisors' triage queue.",
    },
    "no_agency": {
        "vi": "Không có cơ quan loại {kind} phụ trách {area} (quy tắc {rule}).",
        "en": "No {kind} agency serves {area} (rule {rule}).",
    },
    "safe_house_full": {
        "vi": "{agency} đã hết chỗ ({used}/{beds} giường): chuyển lên {chosen}.",
        "en": "{agency} is full ({used}/{beds} beds): referred up the tree to {chosen}.",
    },
    "safe_house_full_none": {
        "vi": "{agency} đã hết chỗ ({used}/{beds} giường).",
        "en": "{agency} is full ({used}/{beds} beds).",
    },
    "no_free_bed": {
        "vi": "Không còn nhà tạm lánh nào còn chỗ cho {area}: giám sát viên cần tìm chỗ.",
        "en": "No safe house with a free bed serves {area}: a supervisor must find a place.",
    },
    "after_hours": {
        "vi": "{agency} ngoài giờ làm việc: báo thêm {backup} (trực 24/7).",
        "en": "{agency} is closed: also referred to {backup} (open 24/7).",
    },
    "no_backup": {
        "vi": "{agency} ngoài giờ làm việc và không có cơ quan trực 24/7 phù hợp.",
        "en": "{agency} is closed and no suitable 24/7 agency serves the area.",
    },
}


_VI = {code: texts["vi"] for code, texts in NOTICE_TEXTS.items()}
NOTICE_MEMO_MAX = 1024


class Notice(str):
    """A notice for the supervisor: a Vietnamese sentence that also keeps its code and
    parameters, so explain_text() and the API can render it in another language.

    A value: equal codes and parameters give the same (shared) object, as decide() makes
    the same few notices over and over and making one costs more than the rest of a call's
    bookkeeping. Nothing changes a notice after it is made."""

    code: str
    params: Mapping[str, str]

    def __new__(cls, code: str, **params: str) -> Notice:
        key = (cls, code, *params.items())
        self = _NOTICES.get(key)
        if self is None:
            self = str.__new__(cls, _VI[code].format_map(params))
            self.code = code
            self.params = params
            if len(_NOTICES) >= NOTICE_MEMO_MAX:  # bounded: parameters come from the call
                _NOTICES.clear()
            _NOTICES[key] = self
        return self

    def render(self, locale: str = "vi") -> str:
        texts = NOTICE_TEXTS[self.code]
        return texts.get(locale, texts["vi"]).format_map(self.params)


_NOTICES: dict[tuple[object, ...], Notice] = {}


def notice(code: str, name: str, value: str) -> Notice:
    """Notice(code, name=value), faster: decide() makes one of these on most calls, and the
    remembered notice is found without the class call and its keyword arguments (the key is
    the one Notice.__new__ makes)."""
    found = _NOTICES.get((Notice, code, (name, value)))
    return found if found is not None else Notice(code, **{name: value})


new = tuple.__new__  # new(Decision, (...)): a named tuple from its fields, in order


def render_notice(notice: str, locale: str = "vi") -> str:
    return notice.render(locale) if isinstance(notice, Notice) else str(notice)


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


class Suggestion(NamedTuple):
    code: str
    kind: str  # "category" | "subcategory"
    score: float
    words: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "kind": self.kind,
            "score": self.score,
            "words": list(self.words),
        }


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "agency_code": self.agency_code,
            "agency_kind": self.agency_kind,
            "rule_id": self.rule_id,
            "reason": self.reason,
            "limits": dict(self.limits),
        }


class Decision(NamedTuple):
    suggestions: tuple[Suggestion, ...]
    categories: tuple[str, ...]
    matched_rules: tuple[MatchedRule, ...]
    referrals: tuple[PlannedReferral, ...]
    triage: bool
    notices: tuple[str, ...]
    ruleset_version: str

    def to_dict(self, locale: str = "vi") -> dict[str, Any]:
        """JSON-ready; notices rendered in `locale`."""
        return {
            "suggestions": [s.to_dict() for s in self.suggestions],
            "categories": list(self.categories),
            "matched_rules": [m.to_dict() for m in self.matched_rules],
            "referrals": [r.to_dict() for r in self.referrals],
            "triage": self.triage,
            "notices": [render_notice(n, locale) for n in self.notices],
            "ruleset_version": self.ruleset_version,
        }
