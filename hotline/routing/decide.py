"""decide(): which agencies a call goes to, under which rule, with which time limits (pure).

No clock, no database: the call's facts, the rule set and the safe-house occupancy come in,
a Decision goes out, and the same inputs always give the same Decision. Policy lives in
routing_rules/rules.yaml; this module only knows the mechanics:

- for each kind a matched rule asks for, the agency whose area is the nearest
  ancestor-or-self of the call's area (no area: the dialled line's home area; a national
  line and no area: the supervisors' triage queue);
- a safe house only with a free bed, else the next one up the tree (and a notice);
- an agency that is closed at the time of the call gets a 24/7 backup (rules.yaml after_hours);
- one referral per agency, each clock keeping its tightest limit.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC

from hotline.routing.explain import explain_text
from hotline.routing.facts import (
    OPERATOR,
    SUGGESTED,
    CallFacts,
    Decision,
    MatchedRule,
    Notice,
    PersonFacts,
    PlannedReferral,
    Suggestion,
)
from hotline.routing.rules import (
    Context,
    Limit,
    RoutingRules,
    Rule,
    TimeLimitRule,
    inside,
    subcategory_parents,
)
from hotline.routing.suggest import suggest
from hotline.rules.ruleset import RuleSet
from hotline.rules.schema import LineDef

__all__ = [
    "CallFacts",
    "Decision",
    "MatchedRule",
    "PersonFacts",
    "PlannedReferral",
    "Suggestion",
    "decide",
    "explain_text",
    "kind_limits",
    "shelter_in_play",
]
log = logging.getLogger(__name__)
REASON_MAX = 500  # Referral.reason column


@dataclass
class _Planned:
    """A referral being planned: its agency's kind, the rules that asked for it (in order),
    and the closed agencies it stands in for as an after-hours backup."""

    kind: str
    rules: list[Rule] = field(default_factory=list)
    backup_for: list[str] = field(default_factory=list)  # "after-hours: <agency name>"


@dataclass
class _Routing:
    """What routing one call gathers as it goes."""

    rs: RuleSet
    routing: RoutingRules
    ctx: Context
    occupancy: Mapping[str, int]
    notices: list[Notice]
    planned: dict[str, _Planned] = field(default_factory=dict)  # agency code -> its referral
    matched: list[MatchedRule] = field(default_factory=list)


def decide(
    call: CallFacts, ruleset: RuleSet, *, occupancy: Mapping[str, int] | None = None
) -> Decision:
    """Route one call. Never raises: anything unexpected becomes triage with a notice."""
    try:
        return _decide(call, ruleset, occupancy or {})
    except Exception:  # a bug must not lose a call: send it to a person instead
        log.exception("decide() failed; the call goes to triage")
        return Decision(
            suggestions=(),
            categories=tuple(call.categories),
            matched_rules=(),
            referrals=(),
            triage=True,
            notices=(Notice("internal_error"),),
            ruleset_version=ruleset.version,
            subcategories=tuple(call.subcategories),
            source=OPERATOR if call.categories else None,
        )


def shelter_in_play(call: CallFacts, ruleset: RuleSet) -> bool:
    """Could routing this call look for a safe house's free bed? True when a rule that refers
    to a safe house could match the call's needs: then the caller reads the occupancy before
    deciding (a superset: the rule's other conditions are left to decide())."""
    routing = ruleset.routing
    if routing is None:
        return False
    needs = set(call.needs)
    for rule in routing.rules:
        kinds = {kind for alternatives in rule.refer for kind in alternatives}
        if "safe_house" in kinds | set(rule.refer_if_found):
            wanted = rule.condition.needs
            if wanted is None or not wanted.isdisjoint(needs):
                return True
    return False


def _decide(call: CallFacts, rs: RuleSet, occupancy: Mapping[str, int]) -> Decision:
    # None without classification.yaml and classifier/model.json: no suggestions.
    suggestions = suggest(call.narrative, call.people, rs.classification, rs.model)
    routing = rs.routing
    notices: list[Notice] = []
    cats, subs, source = _categories(call, rs, suggestions, routing, notices)

    def done(
        *,
        triage: bool,
        matched: Sequence[MatchedRule] = (),
        referrals: tuple[PlannedReferral, ...] = (),
    ) -> Decision:
        return Decision(
            suggestions=suggestions,
            categories=cats,
            matched_rules=tuple(matched),
            referrals=referrals,
            triage=triage,
            notices=tuple(dict.fromkeys(notices)),  # two rules may hit the same gap
            ruleset_version=rs.version,
            subcategories=subs,
            source=source,
        )

    if not cats:
        notices.append(Notice("unclassified"))
        return done(triage=True)
    if rs.taxonomy.case_categories.isdisjoint(cats):
        notices.append(Notice.of("not_a_case", codes=", ".join(cats)))
        return done(triage=False)
    if routing is None:
        notices.append(Notice("no_rules"))
        return done(triage=True)
    line = _line(rs, call.line)
    area = call.area if call.area in rs.areas else _line_area(call, rs, line, notices)
    area = _live_area(call, rs, area, notices)
    ctx = _context(call, rs, routing, cats, subs, line, area)
    rules = routing.index.matching(ctx) if routing.index else []
    if not rules:
        notices.append(Notice("no_rule"))
        return done(triage=True)
    if area is None:
        notices.append(Notice("no_area"))
        return done(triage=True, matched=[_as_matched(rule) for rule in rules])

    state = _Routing(rs, routing, ctx, occupancy, notices)
    for rule in rules:
        state.matched.append(_apply(state, rule))
    after = routing.after_hours
    if after is not None and after.condition.matches(ctx):
        _after_hours(state)
    referrals = _referrals(state)
    return done(triage=not referrals, matched=state.matched, referrals=referrals)


# --- what the call is, where and when ------------------------------------------------------


def _categories(
    call: CallFacts,
    rs: RuleSet,
    suggestions: tuple[Suggestion, ...],
    routing: RoutingRules | None,
    notices: list[Notice],
) -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
    """The categories and sub-categories in effect, and their source: the operator's codes;
    the suggested ones where the operator left them empty ("suggested" when any was taken)."""
    tax = rs.taxonomy
    parents = routing.parents if routing is not None else subcategory_parents(tax)

    def under(sub: str, cats: tuple[str, ...]) -> bool:
        """Is `sub` a sub-category of one of `cats`? (forced_marriage has two parents.)"""
        return not parents.get(sub, frozenset()).isdisjoint(cats)

    # Routing on suggestions takes the keyword rules' (as it always did); the model's alone
    # only when the rules found nothing, and then its first. The model's other suggestions
    # are for the operator to confirm, not for routing unseen.
    cat_suggestions = [s for s in suggestions if s.kind == "category"]
    by_rules = [s for s in suggestions if s.source != "model"]
    usable = by_rules if any(s.kind == "category" for s in by_rules) else cat_suggestions[:1]
    cats = tuple(call.categories)
    suggested: tuple[str, ...] = ()
    from_suggestions = False
    if not cats:
        cats = tuple(s.code for s in usable if s.kind == "category")
        from_suggestions = bool(cats)
        for sub in call.subcategories:  # a chosen sub-category implies its category
            parent = tax.subcategories.get(sub)
            if parent and not under(sub, cats):
                cats += (parent,)
        suggested = cats
    subs = tuple(call.subcategories)
    if not subs:
        from_rules = [s for s in by_rules if s.kind == "subcategory" and under(s.code, cats)]
        pool = from_rules or [s for s in suggestions if s.kind == "subcategory"]
        subs = tuple(s.code for s in pool if under(s.code, cats))
        suggested += subs
    if suggested:
        notices.append(Notice.of("suggested", codes=", ".join(suggested)))
    if not cats:
        return cats, subs, None
    return cats, subs, SUGGESTED if from_suggestions else OPERATOR


def _line(rs: RuleSet, dialled: str | None) -> LineDef | None:
    """The dialled line: by its code (the usual case), else by its number written any way."""
    if not dialled:
        return None
    return rs.lines.get(dialled) or rs.find_line(dialled)


def _line_area(
    call: CallFacts, rs: RuleSet, line: LineDef | None, notices: list[Notice]
) -> str | None:
    """The call has no known area: the dialled line's home area, if it has one."""
    if call.area:
        notices.append(Notice.of("unknown_area", area=call.area))
    if call.line and line is None:
        notices.append(Notice.of("unknown_line", line=call.line))
    if line is not None and line.area:
        notices.append(Notice.of("line_area", area=rs.area_path(line.area)))
        return line.area
    return None


def _live_area(call: CallFacts, rs: RuleSet, area: str | None, notices: list[Notice]) -> str | None:
    """The area to route in: the call's own while it exists on the day of the call; for an
    area since retired (a stored call of the old map, routed again) its successor, or, where
    it was split, the nearest area above all its parts (the operator is told to choose)."""
    tz = rs.routing.timezone if rs.routing is not None else UTC
    on = call.received_at.astimezone(tz).date()
    if call.area_given and call.area_given in rs.areas and area in rs.areas:
        old = rs.areas[call.area_given]
        notices.append(
            Notice.of(
                "area_successor",
                old=old.name,
                since=str(old.valid_to),
                new=rs.area_path(area),
            )
        )
    if area is None or rs.is_live(area, on):
        return area
    old = rs.areas[area]
    parts = [code for code, _share in rs.current(area, on)]
    if not parts:
        return area
    if len(parts) == 1:
        notices.append(
            Notice.of(
                "area_successor",
                old=old.name,
                since=str(old.valid_to),
                new=rs.area_path(parts[0]),
            )
        )
        return parts[0]
    common = _common_ancestor(rs, parts)
    notices.append(
        Notice.of(
            "area_split",
            old=old.name,
            since=str(old.valid_to),
            choices=", ".join(rs.areas[c].name for c in parts),
            area=rs.area_path(common) if common else "—",
        )
    )
    return common


def _common_ancestor(rs: RuleSet, codes: Sequence[str]) -> str | None:
    """The nearest area above (or equal to) every one of `codes`."""
    chains = [rs.ancestors(c) for c in codes]
    shared = set(chains[0]).intersection(*chains[1:])
    return next((c for c in chains[0] if c in shared), None)


def _context(
    call: CallFacts,
    rs: RuleSet,
    routing: RoutingRules,
    cats: tuple[str, ...],
    subs: tuple[str, ...],
    line: LineDef | None,
    area: str | None,
) -> Context:
    local = call.received_at.astimezone(routing.timezone)
    weekday, minute = local.weekday(), local.hour * 60 + local.minute
    # holidays.yaml: offices are closed on public holidays.
    day_off = local.date() in rs.holidays.days_off
    return Context(
        cats=cats,
        subs=subs,
        urgency=call.urgency,
        needs=tuple(call.needs),
        line=line.code if line is not None else None,
        ancestors=routing.ancestors.get(area, ()) if area else (),
        people=tuple(call.people),
        weekday=weekday,
        minute=minute,
        after_hours=day_off or not inside(routing.office_hours, weekday, minute),
        day_off=day_off,
    )


# --- agencies ----------------------------------------------------------------------------


def _apply(state: _Routing, rule: Rule) -> MatchedRule:
    """A rule's referrals added to the plan; the MatchedRule it makes."""
    kinds: list[str] = []
    for alternatives in rule.refer:
        found = None
        full: list[str] = []  # safe houses passed over for want of a bed
        for kind in alternatives:
            found = _locate(state, kind, full)
            if found:
                kinds.append(kind)
                _plan(state, found, kind, rule)
                break
        state.notices.extend(_full_notice(state, code, found) for code in full)
        if found is None:
            kinds.append(alternatives[0])
            _missing(state, alternatives, rule)
    for kind in rule.refer_if_found:
        found = _locate(state, kind, [])
        if found:
            kinds.append(kind)
            _plan(state, found, kind, rule)
    return MatchedRule(rule.id, rule.description, tuple(kinds))


def _as_matched(rule: Rule) -> MatchedRule:
    """The rule as matched when there is no area to find agencies in: its first choices."""
    return MatchedRule(rule.id, rule.description, tuple(kinds[0] for kinds in rule.refer))


def _plan(state: _Routing, agency: str, kind: str, rule: Rule) -> None:
    planned = state.planned.get(agency)
    if planned is None:
        planned = state.planned[agency] = _Planned(kind)
    if rule not in planned.rules:
        planned.rules.append(rule)


def _missing(state: _Routing, alternatives: tuple[str, ...], rule: Rule) -> None:
    area = state.rs.area_path(state.ctx.ancestors[0])
    if alternatives == ("safe_house",):
        state.notices.append(Notice.of("no_free_bed", area=area))
    else:
        kind = "|".join(alternatives)
        state.notices.append(Notice.of("no_agency", kind=kind, area=area, rule=rule.id))


def _locate(state: _Routing, kind: str, full: list[str]) -> str | None:
    """The nearest agency of `kind` up the tree. A safe house must have a free bed: the
    full ones passed over are added to `full`."""
    if kind != "safe_house":
        return _nearest(state.routing, kind, state.ctx.ancestors)
    by_area = state.routing.agencies.get(kind, {})
    for area in state.ctx.ancestors:
        for code in by_area.get(area, ()):
            if _free_beds(state, code) > 0:
                return code
            full.append(code)
    return None


def _nearest(routing: RoutingRules, kind: str, ancestors: Sequence[str]) -> str | None:
    by_area = routing.agencies.get(kind, {})
    for area in ancestors:
        if by_area.get(area):
            return by_area[area][0]
    return None


def _free_beds(state: _Routing, code: str) -> int:
    return (state.rs.agencies[code].beds or 0) - state.occupancy.get(code, 0)


def _full_notice(state: _Routing, code: str, chosen: str | None) -> Notice:
    """A full safe house passed over; `chosen`: the agency referred to instead, if any."""
    agencies = state.rs.agencies
    params = {
        "agency": agencies[code].name,
        "used": str(state.occupancy.get(code, 0)),
        "beds": str(agencies[code].beds or 0),
    }
    if chosen:
        return Notice.of("safe_house_full", chosen=agencies[chosen].name, **params)
    return Notice.of("safe_house_full_none", **params)


def _after_hours(state: _Routing) -> None:
    """A 24/7 backup for each agency closed at the time of the call."""
    rule = state.routing.after_hours
    assert rule is not None
    agencies = state.rs.agencies
    used: list[str] = []
    for code, planned in list(state.planned.items()):
        if state.routing.is_open(code, state.ctx):
            continue
        name = agencies[code].name
        backup = _backup(state, planned.kind)
        if backup is None:
            state.notices.append(Notice.of("no_backup", agency=name))
            continue
        backup_code, backup_kind = backup
        state.planned.setdefault(backup_code, _Planned(backup_kind)).backup_for.append(
            f"{rule.id}: {name}"
        )
        used.append(backup_kind)
        backup_name = agencies[backup_code].name
        state.notices.append(Notice.of("after_hours", agency=name, backup=backup_name))
    if used:
        state.matched.append(MatchedRule(rule.id, rule.description, tuple(dict.fromkeys(used))))


def _backup(state: _Routing, kind: str) -> tuple[str, str] | None:
    """The nearest open agency of the first backup kind that has one: (code, kind)."""
    rule = state.routing.after_hours
    assert rule is not None
    for backup_kind in rule.backup.get(kind, rule.default_backup):
        for area in state.ctx.ancestors:
            for code in state.routing.agencies.get(backup_kind, {}).get(area, ()):
                if state.routing.is_open(code, state.ctx):
                    return code, backup_kind
    return None


# --- referrals ---------------------------------------------------------------------------


def kind_limits(
    rs: RuleSet,
    *,
    kind: str,
    categories: Sequence[str],
    urgency: str,
    subcategories: Sequence[str] = (),
    needs: Sequence[str] = (),
) -> dict[str, Limit]:
    """The time limits rules.yaml gives a referral to an agency of `kind` for such a call
    (by clock, the tightest, each with its source), without the rules' own limits."""
    routing = rs.routing
    if routing is None or routing.limits_index is None:
        return {}
    ctx = Context(
        cats=tuple(categories),
        subs=tuple(subcategories),
        urgency=urgency,
        needs=tuple(needs),
        line=None,
        ancestors=(),
        people=(),
        weekday=0,
        minute=9 * 60,
        after_hours=False,
    )
    return _tightest_limits([t.limit for t in routing.limits_index.matching(ctx)], kind)


def _referrals(state: _Routing) -> tuple[PlannedReferral, ...]:
    routing = state.routing
    general = routing.limits_index.matching(state.ctx) if routing.limits_index else []
    after_id = routing.after_hours.id if routing.after_hours else "after-hours"
    return tuple(
        _referral(code, planned, general, after_id) for code, planned in state.planned.items()
    )


def _referral(
    code: str, planned: _Planned, general: Sequence[TimeLimitRule], after_id: str
) -> PlannedReferral:
    """One referral: the tightest limits of the time-limit rules and of its own rules, the
    first rule that asked for it (after_id for a backup only), every rule's reason."""
    limits = [t.limit for t in general] + [limit for r in planned.rules for limit in r.limits]
    reasons = [rule.reason for rule in planned.rules] + planned.backup_for
    best = _tightest_limits(limits, planned.kind)
    return PlannedReferral(
        agency_code=code,
        agency_kind=planned.kind,
        rule_id=planned.rules[0].id if planned.rules else after_id,
        reason="; ".join(reasons)[:REASON_MAX],
        limits={clock: str(limit.duration) for clock, limit in best.items()},
        limit_sources={clock: limit.source for clock, limit in best.items()},
    )


def _tightest(limits: list[Limit], kind: str) -> dict[str, str]:
    """For each clock, the shortest of the limits that apply to `kind` (the first of equals)."""
    return {clock: str(limit.duration) for clock, limit in _tightest_limits(limits, kind).items()}


def _tightest_limits(limits: list[Limit], kind: str) -> dict[str, Limit]:
    best: dict[str, Limit] = {}
    for limit in limits:
        if limit.kinds is not None and kind not in limit.kinds:
            continue
        old = best.get(limit.clock)
        if old is None or limit.key < old.key:
            best[limit.clock] = limit
    return {clock: best[clock] for clock in sorted(best)}
