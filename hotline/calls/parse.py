"""Turning a call as typed (form or JSON) into clean values, or errors that name each field.

The one parser of a call body: intake, the web form, PATCH, POST /api/v1/routing/explain and
`hotline rules explain CALL.json` all go through parse_call(); routing_facts() hands the
result to decide(). Messages are English message ids; the web layer translates them for the
reader. Nothing here touches the database: codes are checked against the rule set in use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any

import phonenumbers

from hotline.i18n.text import nfc
from hotline.i18n.translation import lazy as _
from hotline.routing.facts import CallFacts, PersonFacts
from hotline.rules.ruleset import RuleSet

MAX_NARRATIVE = 20_000
MAX_PEOPLE = 30
MAX_AGE = 120
WITHHELD = {"", "withheld", "an so", "ẩn số", "private", "unknown", "khong ro", "không rõ"}
TOP_FIELDS = {
    "line",
    "received_at",
    "caller",
    "people",
    "area",
    "address",
    "narrative",
    "categories",
    "subcategories",
    "urgency",
    "needs",
    "taken_by",
    "emergency_processing",
}
CALLER_FIELDS = {"name", "phone", "relation", "anonymous"}
PERSON_FIELDS = {"age", "age_approximate", "sex", "name"}
LIMITS = {"address": 500, "caller.name": 200, "caller.phone": 40, "person.name": 200}
# Ids are checked against the smallest id column (PostgreSQL INTEGER) before any query: a
# larger number names nothing, and the database would refuse it with an error, not a miss.
MAX_ID = 2**31 - 1
# Dates outside these years are typing mistakes or probes; they would also overflow time
# zone arithmetic at the edges of the calendar (year 1 at +14:00).
FIRST_YEAR, LAST_YEAR = 1970, 2100
# A call is three levels deep; 1,000 levels would exhaust the JSON decoder's recursion.
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _STEP)


class InvalidInput(ValueError):
    """Bad input: `fields` maps a field path ("people[0].age") to a message id."""

    def __init__(
        self,
        fields: Mapping[str, str],
        code: str = "invalid",
        choices: Mapping[str, list[dict[str, str]]] | None = None,
    ) -> None:
        self.fields = dict(fields)
        self.code = code
        # field -> the values to choose from (an old area split in two or more)
        self.choices = dict(choices or {})
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.fields.items()))


@dataclass
class PersonData:
    age: int | None = None
    age_approximate: bool = False
    sex: str | None = None
    name: str | None = None


@dataclass
class CallData:
    line: str
    received_at: datetime | None = None
    caller_name: str | None = None
    caller_phone: str | None = None
    caller_phone_e164: str | None = None
    caller_relation: str | None = None
    caller_anonymous: bool = False
    people: list[PersonData] = field(default_factory=list)
    area: str | None = None
    area_given: str | None = None  # the retired code given, when `area` is its successor
    address: str | None = None
    narrative: str = ""
    categories: list[str] = field(default_factory=list)
    subcategories: list[str] = field(default_factory=list)
    urgency: str = "normal"
    needs: list[str] = field(default_factory=list)
    taken_by: str | None = None
    emergency_processing: bool | None = None


def json_depth(raw: bytes) -> int:
    """How deeply a JSON text nests arrays and objects, counted without parsing it (brackets
    inside strings do not count)."""
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def bad_characters(text: str) -> bool:
    """True when text holds a NUL (PostgreSQL cannot store it) or a lone UTF-16 surrogate
    (what a browser's .slice() leaves of an emoji cut in half; no database can store it)."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def text_errors(value: Any, where: str = "") -> dict[str, str]:
    """Every string in a decoded JSON value (keys too) that bad_characters() refuses, by its
    field path ("caller.name", "people[0].name"); field names are made printable."""
    errors: dict[str, str] = {}
    stack: list[tuple[str, Any]] = [(where, value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if bad_characters(item):
                errors[printable(path) or "body"] = _("contains characters that are not allowed")
        elif isinstance(item, Mapping):
            for key, child in item.items():
                name = f"{path}.{key}" if path else str(key)
                if bad_characters(str(key)):
                    errors[printable(name)] = _("contains characters that are not allowed")
                else:
                    stack.append((name, child))
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", child) for i, child in enumerate(item))
    return errors


def printable(name: str) -> str:
    """A field name safe to echo in an error: control characters and lone surrogates become
    U+FFFD."""
    return "".join("\ufffd" if ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF else c for c in name)


def parse_datetime(raw: Any, *, tz: str = "Asia/Ho_Chi_Minh") -> datetime:
    """An ISO date-time as UTC (naive ones are local time in `tz`); ValueError with a message
    id when it is not one or falls outside FIRST_YEAR..LAST_YEAR."""
    if not isinstance(raw, str):
        raise ValueError(_("not a date and time"))
    try:
        when = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(_("not a date and time")) from None
    if not FIRST_YEAR <= when.year <= LAST_YEAR:
        raise ValueError(_("must be between 1970 and 2100"))
    if when.tzinfo is None:
        from zoneinfo import ZoneInfo

        when = when.replace(tzinfo=ZoneInfo(tz))
    return when.astimezone(UTC)


def normalise_phone(typed: str | None) -> tuple[str | None, str | None, str | None]:
    """(as typed, E.164 or None, error). Vietnamese numbers in any written form; "withheld"
    and empty are accepted as no number."""
    text = (typed or "").strip()
    if text.lower() in WITHHELD:
        return (text or None), None, None
    try:
        number = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException:
        return text, None, _("not a phone number")
    if not phonenumbers.is_possible_number(number):
        return text, None, _("not a phone number")
    return text, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None


class _Checker:
    def __init__(self, data: Mapping[str, Any], rules: RuleSet, now: datetime) -> None:
        self.data = data
        self.rules = rules
        self.now = now
        self.errors: dict[str, str] = {}
        self.choices: dict[str, list[dict[str, str]]] = {}

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def text(self, name: str, value: Any, limit: int) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(name, _("must be text"))
            return None
        value = nfc(value).strip()
        # U+FFFD is what decoding leaves of bytes that were not UTF-8 (aiohttp decodes form
        # posts with errors="replace"): refuse it rather than store the damage.
        if bad_characters(value) or "\ufffd" in value:
            self.fail(name, _("contains characters that are not allowed"))
            return None
        if len(value) > limit:
            self.fail(name, _("too long"))
            return None
        return value or None

    def codes(self, name: str, value: Any, allowed: set[str]) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(name, _("must be a list of codes"))
            return []
        unknown = [v for v in value if v not in allowed]
        if unknown:
            self.fail(name, _("unknown code"))
            return []
        return list(dict.fromkeys(value))

    def flag(self, name: str, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if value in (None, "", "0", "false", "off"):
            return False
        if value in ("1", "true", "on", "yes"):
            return True
        self.fail(name, _("must be true or false"))
        return False


def parse_call(data: Any, rules: RuleSet, *, now: datetime, partial: bool = False) -> CallData:
    """Validate a call body; raises InvalidInput naming every wrong field.

    With partial=True (PATCH) only the fields present are checked; the caller merges them."""
    if not isinstance(data, Mapping):
        raise InvalidInput({"body": _("must be a JSON object")})
    check = _Checker(data, rules, now)
    for key in data:
        if key not in TOP_FIELDS:
            check.fail(str(key), _("unknown field"))
    call = CallData(line="")
    _line_and_time(check, call, partial)
    _caller(check, call)
    _people(check, call)
    _place_and_story(check, call)
    _classification(check, call, partial)
    if check.errors:
        raise InvalidInput(check.errors, choices=check.choices)
    return call


def _line_and_time(check: _Checker, call: CallData, partial: bool) -> None:
    data, rules = check.data, check.rules
    if "line" in data or not partial:
        raw_line = data.get("line")
        # A number sent as JSON is looked up as its digits.
        line = rules.find_line(str(raw_line) if isinstance(raw_line, str | int) else None)
        if not data.get("line"):
            check.fail("line", _("required"))
        elif line is None:
            check.fail("line", _("unknown line"))
        else:
            call.line = line.code
    raw = data.get("received_at")
    if raw not in (None, ""):
        try:
            when = parse_datetime(raw)
        except ValueError as exc:
            check.fail("received_at", str(exc))
            return
        if when > check.now + timedelta(minutes=5):
            check.fail("received_at", _("cannot be in the future"))
        elif when < check.now - timedelta(days=366):
            check.fail("received_at", _("more than a year ago"))
        else:
            call.received_at = when


def _caller(check: _Checker, call: CallData) -> None:
    caller = check.data.get("caller")
    if caller is None:
        return
    if not isinstance(caller, Mapping):
        check.fail("caller", _("must be an object"))
        return
    for key in caller:
        if key not in CALLER_FIELDS:
            check.fail(f"caller.{key}", _("unknown field"))
    call.caller_anonymous = check.flag("caller.anonymous", caller.get("anonymous"))
    call.caller_name = check.text("caller.name", caller.get("name"), LIMITS["caller.name"])
    phone = check.text("caller.phone", caller.get("phone"), LIMITS["caller.phone"])
    typed, e164, error = normalise_phone(phone)
    if error:
        check.fail("caller.phone", error)
    call.caller_phone, call.caller_phone_e164 = typed, e164
    relation = caller.get("relation")
    if relation not in (None, ""):
        relations = set(check.rules.taxonomy.codes("relation"))
        found = check.codes("caller.relation", relation, relations)
        call.caller_relation = found[0] if found else None
    if call.caller_anonymous:
        call.caller_name = None


def _people(check: _Checker, call: CallData) -> None:
    people = check.data.get("people")
    if people is None:
        return
    if not isinstance(people, list):
        check.fail("people", _("must be a list"))
        return
    if len(people) > MAX_PEOPLE:
        check.fail("people", _("too many people"))
        return
    for index, person in enumerate(people):
        data = _person(check, f"people[{index}]", person)
        if data is not None and (data.age is not None or data.sex or data.name):
            call.people.append(data)


def _person(check: _Checker, where: str, person: Any) -> PersonData | None:
    if not isinstance(person, Mapping):
        check.fail(where, _("must be an object"))
        return None
    for key in person:
        if key not in PERSON_FIELDS:
            check.fail(f"{where}.{key}", _("unknown field"))
    data = PersonData(
        name=check.text(f"{where}.name", person.get("name"), LIMITS["person.name"]),
        age_approximate=check.flag(f"{where}.age_approximate", person.get("age_approximate")),
        age=_age(check, f"{where}.age", person.get("age")),
    )
    sex = person.get("sex")
    if sex not in (None, ""):
        if not isinstance(sex, str) or sex not in set(check.rules.taxonomy.codes("sex")):
            check.fail(f"{where}.sex", _("unknown code"))
        else:
            data.sex = sex
    return data


def _age(check: _Checker, where: str, age: Any) -> int | None:
    if age in (None, ""):
        return None
    number: int | None = None
    if isinstance(age, int) and not isinstance(age, bool):
        number = age
    elif isinstance(age, float) and age.is_integer() and abs(age) < 1e6:
        number = int(age)
    elif isinstance(age, str) and re.fullmatch(r"-?[0-9]{1,4}", age.strip()):
        number = int(age.strip())
    if number is None:
        check.fail(where, _("must be a whole number"))
        return None
    if not 0 <= number <= MAX_AGE:
        check.fail(where, _("must be between 0 and 120"))
        return None
    return number


def _place_and_story(check: _Checker, call: CallData) -> None:
    data = check.data
    area = data.get("area")
    if area not in (None, ""):
        if not isinstance(area, str) or area not in check.rules.areas:
            check.fail("area", _("unknown area"))
        else:
            _current_area(check, call, area)
    call.address = check.text("address", data.get("address"), LIMITS["address"])
    narrative = check.text("narrative", data.get("narrative"), MAX_NARRATIVE)
    call.narrative = narrative or ""
    call.taken_by = check.text("taken_by", data.get("taken_by"), 64)
    if "emergency_processing" in data:
        call.emergency_processing = check.flag(
            "emergency_processing", data.get("emergency_processing")
        )


def _current_area(check: _Checker, call: CallData, area: str) -> None:
    """A call is placed on an area that exists on the day it rang. An old code (the map
    before a reform) becomes its successor, remembered in `area_given` so the answer and
    the timeline say so; an old area split in parts must be chosen among them."""
    rules = check.rules
    tz = rules.routing.timezone if rules.routing is not None else UTC
    on = (call.received_at or check.now).astimezone(tz).date()
    if rules.is_live(area, on):
        call.area = area
        return
    parts = [code for code, _share in rules.current(area, on)]
    if len(parts) == 1:
        call.area, call.area_given = parts[0], area
        return
    check.fail("area", _("this area was split: choose one of the areas listed in `choices`"))
    check.choices["area"] = [{"code": c, "name": rules.area_path(c)} for c in parts]


def _classification(check: _Checker, call: CallData, partial: bool) -> None:
    data, tax = check.data, check.rules.taxonomy
    call.categories = check.codes("categories", data.get("categories"), set(tax.categories))
    call.subcategories = check.codes(
        "subcategories", data.get("subcategories"), set(tax.subcategories)
    )
    if call.subcategories and call.categories:
        allowed = {sub.code for cat in call.categories for sub in tax.categories[cat].subcategories}
        if any(s not in allowed for s in call.subcategories):
            check.fail("subcategories", _("does not belong to the chosen categories"))
    urgency = data.get("urgency")
    if urgency not in (None, ""):
        if not isinstance(urgency, str) or urgency not in tax.codes("urgency"):
            check.fail("urgency", _("unknown urgency"))
        else:
            call.urgency = urgency
    call.needs = check.codes("needs", data.get("needs"), set(tax.codes("need")))


def routing_facts(data: CallData, *, now: datetime) -> CallFacts:
    """What decide() needs of a parsed call (a call with no received_at rang `now`)."""
    return CallFacts(
        line=data.line,
        area=data.area,
        narrative=data.narrative,
        categories=tuple(data.categories),
        subcategories=tuple(data.subcategories),
        urgency=data.urgency,
        needs=tuple(data.needs),
        people=tuple(PersonFacts(age=p.age, sex=p.sex) for p in data.people),
        received_at=data.received_at or now,
        area_given=data.area_given,
    )
