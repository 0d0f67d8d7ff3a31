"""The way out of decide(): a Decision as text.

explain_text() says in words why a call went where it did, in Vietnamese by default or in
English. (The way in, a call body parsed into CallFacts, is hotline.calls.parse.)
"""

from __future__ import annotations

from typing import Any

from hotline.routing.facts import Decision, render_notice
from hotline.rules.ruleset import RuleSet

_T = {
    "version": {"vi": "Bộ quy tắc phiên bản {v}", "en": "Rule set version {v}"},
    "suggestions": {"vi": "Gợi ý phân loại:", "en": "Suggested categories:"},
    "no_suggestions": {"vi": "Gợi ý phân loại: không có", "en": "Suggested categories: none"},
    "words": {"vi": "từ khóa", "en": "words"},
    "categories": {"vi": "Loại vụ việc dùng để định tuyến: {c}", "en": "Categories routed: {c}"},
    "rules": {"vi": "Quy tắc khớp:", "en": "Matched rules:"},
    "no_rules": {"vi": "Quy tắc khớp: không có", "en": "Matched rules: none"},
    "referrals": {"vi": "Chuyển gửi:", "en": "Referrals:"},
    "no_referrals": {"vi": "Chuyển gửi: không có", "en": "Referrals: none"},
    "rule": {"vi": "quy tắc", "en": "rule"},
    "limits": {"vi": "thời hạn", "en": "time limits"},
    "notices": {"vi": "Lưu ý:", "en": "Notices:"},
    "triage": {
        "vi": "→ Chuyển giám sát viên phân loại (triage).",
        "en": "→ Sent to the supervisors' triage queue.",
    },
    "none": {"vi": "không có", "en": "none"},
}
_CLOCKS = {
    "acknowledge": {"vi": "tiếp nhận", "en": "acknowledge"},
    "first_action": {"vi": "hành động đầu tiên", "en": "first action"},
    "resolve": {"vi": "hoàn thành", "en": "resolve"},
}


def _t(key: str, locale: str, **values: Any) -> str:
    text = _T[key].get(locale, _T[key]["vi"])
    return text.format(**values) if values else text


def explain_text(decision: Decision, ruleset: RuleSet, locale: str = "vi") -> str:
    """A readable, multi-line account of a Decision for the CLI and the call page."""
    tax = ruleset.taxonomy
    out = [_t("version", locale, v=decision.ruleset_version)]
    if decision.suggestions:
        out.append(_t("suggestions", locale))
        for s in decision.suggestions:
            group = "category" if s.kind == "category" else "subcategory"
            words = ", ".join(f"“{w}”" for w in s.words) or "—"
            indent = "  " if s.kind == "category" else "    "
            out.append(
                f"{indent}- {tax.label(group, s.code, locale)} ({s.code}) {s.score:g}"
                f" — {_t('words', locale)}: {words}"
            )
    else:
        out.append(_t("no_suggestions", locale))
    cats = ", ".join(f"{tax.label('category', c, locale)} ({c})" for c in decision.categories)
    out.append(_t("categories", locale, c=cats or _t("none", locale)))
    out += _rules_lines(decision, ruleset, locale)
    out += _referral_lines(decision, ruleset, locale)
    if decision.notices:
        out.append(_t("notices", locale))
        out += [f"  ! {render_notice(n, locale)}" for n in decision.notices]
    if decision.triage:
        out.append(_t("triage", locale))
    return "\n".join(out)


def _rules_lines(decision: Decision, ruleset: RuleSet, locale: str) -> list[str]:
    if not decision.matched_rules:
        return [_t("no_rules", locale)]
    routing = ruleset.routing
    by_id: dict[str, Any] = {r.id: r for r in routing.rules} if routing else {}
    if routing and routing.after_hours:
        by_id[routing.after_hours.id] = routing.after_hours
    out = [_t("rules", locale)]
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
    if not decision.referrals:
        return [_t("no_referrals", locale)]
    out = [_t("referrals", locale)]
    for r in decision.referrals:
        agency = ruleset.agencies.get(r.agency_code)
        name = r.agency_code
        if agency is not None:
            name = (agency.name_en or agency.name) if locale == "en" else agency.name
            name += f" ({ruleset.area_path(agency.area)})"
        limits = ", ".join(f"{_CLOCKS.get(c, {}).get(locale, c)} {v}" for c, v in r.limits.items())
        kind = ruleset.taxonomy.label("agency_kind", r.agency_kind, locale)
        out.append(
            f"  - {name} [{kind}] — {_t('rule', locale)} {r.rule_id}; "
            f"{_t('limits', locale)}: {limits or '—'}"
        )
    return out
