"""The way in and the way out of decide(): CallFacts from an API body, a Decision as text.

call_facts_from_json() reads the body of POST /api/v1/calls (and of routing/explain and of
`hotline rules explain CALL.json`); explain_text() says in words why a call went where it
did, in Vietnamese by default or in English.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from hotline.i18n.translation import lazy, translations
from hotline.routing.facts import CallFacts, Decision, PersonFacts
from hotline.rules.ruleset import RuleSet

# Clock -> its phrase in the referral lines; a clock not listed is shown as it is written.
CLOCKS = {
    "acknowledge": lazy("acknowledge %(limit)s"),
    "first_action": lazy("first action %(limit)s"),
    "resolve": lazy("resolve %(limit)s"),
}


def explain_text(decision: Decision, ruleset: RuleSet, locale: str = "vi") -> str:
    """A readable, multi-line account of a Decision for the CLI and the call page."""
    _ = translations(locale).gettext
    tax = ruleset.taxonomy
    out = [_("Rule set version %(version)s") % {"version": decision.ruleset_version}]
    if decision.suggestions:
        out.append(_("Suggested categories:"))
        for s in decision.suggestions:
            group = "category" if s.kind == "category" else "subcategory"
            words = ", ".join(f"“{w}”" for w in s.words) or "—"
            indent = "  " if s.kind == "category" else "    "
            line = _("%(label)s (%(code)s) %(score)s — words: %(words)s") % {
                "label": tax.label(group, s.code, locale),
                "code": s.code,
                "score": f"{s.score:g}",
                "words": words,
            }
            out.append(f"{indent}- {line}")
    else:
        out.append(_("Suggested categories: none"))
    cats = ", ".join(f"{tax.label('category', c, locale)} ({c})" for c in decision.categories)
    if cats:
        out.append(_("Categories routed: %(categories)s") % {"categories": cats})
    else:
        out.append(_("Categories routed: none"))
    out += _rules_lines(decision, ruleset, locale)
    out += _referral_lines(decision, ruleset, locale)
    if decision.notices:
        out.append(_("Notices:"))
        out += [f"  ! {n.render(locale)}" for n in decision.notices]
    if decision.triage:
        out.append(_("→ Sent to the supervisors' triage queue."))
    return "\n".join(out)


def _rules_lines(decision: Decision, ruleset: RuleSet, locale: str) -> list[str]:
    _ = translations(locale).gettext
    if not decision.matched_rules:
        return [_("Matched rules: none")]
    routing = ruleset.parts.get("rules")
    by_id: dict[str, Any] = {r.id: r for r in routing.rules} if routing else {}
    if routing and routing.after_hours:
        by_id[routing.after_hours.id] = routing.after_hours
    out = [_("Matched rules:")]
    for m in decision.matched_rules:
        rule = by_id.get(m.rule_id)
        text = m.description
        if locale == "en" and rule is not None and rule.description_en:
            text = rule.description_en
        kinds = ", ".join(ruleset.taxonomy.label("agency_kind", k, locale) for k in m.kinds)
        source = f" [{rule.source}]" if rule is not None else ""
        out.append(f"  - {m.rule_id}: {text} → {kinds or '—'}{source}")
    return out


def _referral_lines(decision: Decision, ruleset: RuleSet, locale: str) -> list[str]:
    _ = translations(locale).gettext
    if not decision.referrals:
        return [_("Referrals: none")]
    out = [_("Referrals:")]
    for r in decision.referrals:
        agency = ruleset.agencies.get(r.agency_code)
        name = r.agency_code
        if agency is not None:
            name = (agency.name_en or agency.name) if locale == "en" else agency.name
            name += f" ({ruleset.area_path(agency.area)})"
        limits = ", ".join(
            _(CLOCKS[clock]) % {"limit": limit} if clock in CLOCKS else f"{clock} {limit}"
            for clock, limit in r.limits.items()
        )
        line = _("%(agency)s [%(kind)s] — rule %(rule)s; time limits: %(limits)s") % {
            "agency": name,
            "kind": ruleset.taxonomy.label("agency_kind", r.agency_kind, locale),
            "rule": r.rule_id,
            "limits": limits or "—",
        }
        out.append(f"  - {line}")
    return out


# --- CallFacts from JSON ---------------------------------------------------------------------


class CallFactsError(ValueError):
    """Bad call fields: `fields` maps each field name to what is wrong with it."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields = dict(fields)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.fields.items()))


def call_facts_from_json(
    data: Mapping[str, Any], ruleset: RuleSet, *, now: datetime | None = None
) -> CallFacts:
    """CallFacts from the API body shape (line, received_at, caller, people, area, address,
    narrative, categories, subcategories, urgency, needs). Codes are checked against the rule
    set; a missing received_at takes `now`. Raises CallFactsError naming every bad field."""
    if not isinstance(data, Mapping):
        raise CallFactsError({"": "a JSON object is expected"})
    errors: dict[str, str] = {}
    tax = ruleset.taxonomy
    line = None
    if data.get("line") not in (None, ""):
        found = ruleset.find_line(str(data["line"]))
        if found is None:
            errors["line"] = f"unknown line {data['line']!r}"
        line = found.code if found else None
    area = data.get("area") or None
    if area is not None and area not in ruleset.areas:
        errors["area"] = f"unknown area {area!r}"
    narrative = data.get("narrative") or ""
    if not isinstance(narrative, str):
        errors["narrative"] = "must be text"
        narrative = ""
    urgency = data.get("urgency") or "normal"
    if urgency not in tax.codes("urgency"):
        errors["urgency"] = f"must be one of {', '.join(tax.codes('urgency'))}"
    codes = {
        "categories": set(tax.categories),
        "subcategories": set(tax.subcategories),
        "needs": set(tax.codes("need")),
    }
    lists: dict[str, tuple[str, ...]] = {}
    for name, known in codes.items():
        lists[name] = _codes(data.get(name), known, name, errors)
    people = _people(data.get("people"), set(tax.codes("sex")), errors)
    received = _received(data.get("received_at"), now, ruleset, errors)
    if errors:
        raise CallFactsError(errors)
    assert received is not None
    return CallFacts(
        line=line,
        area=area,
        narrative=narrative,
        categories=lists["categories"],
        subcategories=lists["subcategories"],
        urgency=urgency,
        needs=lists["needs"],
        people=people,
        received_at=received,
    )


def _codes(value: Any, known: set[str], name: str, errors: dict[str, str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors[name] = "must be a list of codes"
        return ()
    unknown = [v for v in value if v not in known]
    if unknown:
        errors[name] = f"unknown: {', '.join(unknown)}"
    return tuple(dict.fromkeys(value))


def _people(value: Any, sexes: set[str], errors: dict[str, str]) -> tuple[PersonFacts, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        errors["people"] = "must be a list"
        return ()
    out = []
    for i, person in enumerate(value):
        if not isinstance(person, Mapping):
            errors[f"people[{i}]"] = "must be an object"
            continue
        age = person.get("age")
        if isinstance(age, str) and age.strip().isdigit():
            age = int(age)
        if age is not None and (
            isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 130
        ):
            errors[f"people[{i}].age"] = "must be a whole number from 0 to 130"
            age = None
        sex = person.get("sex") or None
        if sex is not None and sex not in sexes:
            errors[f"people[{i}].sex"] = f"must be one of {', '.join(sorted(sexes))}"
            sex = None
        out.append(PersonFacts(age=age, sex=sex))
    return tuple(out)


def _received(
    value: Any, now: datetime | None, ruleset: RuleSet, errors: dict[str, str]
) -> datetime | None:
    if value in (None, ""):
        if now is None:
            errors["received_at"] = "required (an ISO 8601 time)"
        return now.astimezone(UTC) if now else None
    try:
        at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        errors["received_at"] = "not an ISO 8601 time"
        return None
    if at.tzinfo is None:  # a wall-clock time as the operator saw it
        routing = ruleset.parts.get("rules")
        at = at.replace(tzinfo=routing.timezone if routing else ZoneInfo("Asia/Ho_Chi_Minh"))
    return at.astimezone(UTC)
