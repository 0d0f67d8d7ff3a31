"""The way out of decide(): a Decision as text.

explain_text() says in words why a call went where it did, in Vietnamese by default or in
English. (The way in, a call body parsed into CallFacts, is hotline.calls.parse.)
"""

from __future__ import annotations

from typing import Any

from hotline.i18n.translation import lazy, translations
from hotline.routing.facts import Decision
from hotline.rules.ruleset import RuleSet

# Clock -> its phrase in the referral lines; a clock not listed is shown as it is written.
CLOCKS = {
    "acknowledge": lazy("acknowledge %(limit)s"),
    "first_action": lazy("first action %(limit)s"),
    "resolve": lazy("resolve %(limit)s"),
    "plan_approval": lazy("plan approved %(limit)s"),
    "measure_end": lazy("measure ends %(limit)s"),
}


# Where a suggestion came from, as explain_text() names it.
SOURCES = {
    "rules": lazy("keywords"),
    "model": lazy("model"),
    "rules+model": lazy("keywords and model"),
}


def clock_text(clock: str, limit: str, locale: str | None = "vi") -> str:
    """ "acknowledge 15m" in the reader's language (a clock not listed as it is written)."""
    if clock not in CLOCKS:
        return f"{clock} {limit}"
    return translations(locale).gettext(CLOCKS[clock]) % {"limit": limit}


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
            line += f" [{_(SOURCES.get(s.source, s.source))}]"
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
    routing = ruleset.routing
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
        source = f" [{ruleset.source_text(rule.source, locale)}]" if rule is not None else ""
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
        for clock, limit in r.limits.items():
            source = r.limit_sources.get(clock)
            if source:
                source = ruleset.source_text(source, locale)
                out.append(f"      · {clock_text(clock, limit, locale)}: {source}")
    return out
