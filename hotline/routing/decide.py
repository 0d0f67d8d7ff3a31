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
from operator import attrgetter

from hotline.routing.explain import explain_text
from hotline.routing.facts import (
    CallFacts,
    Decision,
    MatchedRule,
    Notice,
    PersonFacts,
    PlannedReferral,
    Suggestion,
    new,
    notice,
)
from hotline.routing.rules import (
    Context,
    Limit,
    RoutingRules,
    Rule,
    TimeLimitRule,
    subcategory_parents,
)
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
]
log = logging.getLogger(__name__)
REASON_MAX = 500  # Referral.reason column
REFERRAL_MEMO_MAX = 4096  # remembered limits and reasons per rule set


# The referrals planned: agency -> (its kind, the numbers of the rules that refer to it, in
# the order they did; -1: made as an after-hours backup). A tuple and a list: one is made
# per agency on every call. The numbers find the rules (routing.rules[n]) and key the memo.
Planned = dict[str, tuple[str, list[int]]]
_BACKUP = -1


def decide(
    call: CallFacts, ruleset: RuleSet, *, occupancy: Mapping[str, int] | None = None
) -> Decision:
    """Route one call. Never raises: anything unexpected becomes triage with a notice."""
    try:
        return _decide(call, ruleset, occupancy or _NO_BEDS_USED)
    except Exception:  # a bug must not lose a call: send it to a person instead
        log.exception("decide() failed; the call goes to triage")
        return Decision(
            (), tuple(call.categories), (), (), True, (Notice("internal_error"),), ruleset.version
        )


_NONE: frozenset[str] = frozenset()
_NO_BEDS_USED: Mapping[str, int] = {}  # shared, never written: one dict less per call
_NO_AGENCIES: dict[str, str] = {}
_NO_BACKUPS: dict[str, list[str]] = {}  # shared, never written
_ORDER = attrgetter("order")


def _decide(call: CallFacts, rs: RuleSet, occupancy: Mapping[str, int]) -> Decision:
    """decide() with few function calls: it runs on every call and on every change of the
    intake form, and a Python call costs as much as a dozen plain steps."""
    classifier = rs.classification
    suggestions = classifier.suggest(call.narrative, call.people) if classifier else ()
    routing = rs.routing
    notices: list[str] = []
    cats, subs = _categories(call, rs, suggestions, routing, notices)
    if not cats:
        return _done(rs, suggestions, cats, notices, Notice("unclassified"), triage=True)
    if rs.taxonomy.case_categories.isdisjoint(cats):
        not_a_case = notice("not_a_case", "codes", ", ".join(cats))
        return _done(rs, suggestions, cats, notices, not_a_case)
    if routing is None:
        return _done(rs, suggestions, cats, notices, Notice("no_rules"), triage=True)
    if not routing.office_week:  # a RoutingRules not made by load_rules
        routing.prepare()
    # The dialled line: by its code (rs.lines is keyed by code), else by its number written
    # any way.
    line, line_code = None, call.line
    if line_code:
        line = rs.lines.get(line_code)
        if line is None:
            line = rs.find_line(line_code)
            line_code = line.code if line is not None else None
    area = call.area
    if not area or area not in rs.areas:
        area = _line_area(call, rs, routing, line, notices)
    local = call.received_at.astimezone(routing.timezone)
    weekday, minute = local.weekday(), local.hour * 60 + local.minute
    # holidays.yaml: offices are closed on public holidays.
    day_off = local.date() in rs.holidays.days_off
    # routing.office_open(), from the week worked out at load time
    closed = day_off or routing.office_week[weekday * 1440 + minute] != 1
    ancestors = routing.ancestors.get(area, ()) if area else ()
    ctx = new(
        Context,
        (
            cats,
            subs,
            call.urgency,
            tuple(call.needs),
            line_code or None,
            ancestors,
            tuple(call.people),
            weekday,
            minute,
            closed,
            day_off,
        ),
    )
    # routing.candidates(), not copied: the list may be shared, and is only read
    rules = routing.index.matching(ctx) if routing.index else ()
    if not rules:
        return _done(rs, suggestions, cats, notices, Notice("no_rule"), triage=True)
    if area is None:
        matched = [MatchedRule(r.id, r.description, _flat(r.refer)) for r in rules]
        return _done(rs, suggestions, cats, notices, Notice("no_area"), matched, triage=True)

    matched, referrals = _route(rs, routing, rules, ctx, area, occupancy, notices)
    return _done(rs, suggestions, cats, notices, None, matched, referrals, triage=not referrals)


def _route(
    rs: RuleSet,
    routing: RoutingRules,
    rules: Sequence[Rule],
    ctx: Context,
    area: str,
    occupancy: Mapping[str, int],
    notices: list[str],
) -> tuple[list[MatchedRule], tuple[PlannedReferral, ...]]:
    """The agencies the rules ask for, with the after-hours backups; the rules matched."""
    near = routing.nearest_in.get(area, _NO_AGENCIES)  # kind -> the nearest agency
    planned: Planned = {}
    matched = []
    for rule in rules:
        fixed = rule.fixed
        if fixed is None or rule.houses:
            matched.append(_apply(rs, routing, rule, ctx, near, planned, occupancy, notices))
            continue
        # One kind per entry, no safe house: _apply, in line.
        order = rule.order
        for (kind,) in rule.refer:
            found = near.get(kind)
            if found:
                plan = planned.get(found)
                if plan is None:
                    planned[found] = (kind, [order])
                elif order not in plan[1]:
                    plan[1].append(order)
            else:
                _missing(rs, routing, (kind,), ctx, rule, notices)
        matched.append(fixed)
    why: dict[str, list[str]] = _NO_BACKUPS  # agency -> the closed ones it stands in for
    after = routing.after_hours
    if after is not None and after.condition.matches(ctx):
        why = _after_hours(rs, routing, ctx, planned, matched, notices)
    return matched, _referrals(routing, ctx, planned, why)


def _done(
    rs: RuleSet,
    suggestions: tuple[Suggestion, ...],
    cats: tuple[str, ...],
    made: list[str],
    last: str | None,
    matched: list[MatchedRule] | None = None,
    referrals: tuple[PlannedReferral, ...] = (),
    *,
    triage: bool = False,
) -> Decision:
    """The Decision; `last`, if any, is the notice that ends the notices made."""
    if last is not None:
        made.append(last)
    # Two rules may hit the same gap; one notice (the usual case) cannot repeat.
    notices = tuple(dict.fromkeys(made)) if len(made) > 1 else tuple(made)
    return new(
        Decision,
        (suggestions, cats, tuple(matched or ()), referrals, triage, notices, rs.version),
    )


# --- what the call is, where it is -----------------------------------------------------------


def _categories(
    call: CallFacts,
    rs: RuleSet,
    suggestions: tuple[Suggestion, ...],
    routing: RoutingRules | None,
    notices: list[str],
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The operator's codes; the suggested ones where the operator left them empty."""
    tax = rs.taxonomy
    parents = routing.parents if routing is not None else subcategory_parents(tax)
    none = _NONE
    cats = tuple(call.categories)
    suggested: tuple[str, ...] = ()
    # Loops, not comprehensions: a comprehension is a function call of its own.
    if not cats:
        chosen = []
        for s in suggestions:
            if s.kind == "category":
                chosen.append(s.code)
        cats = tuple(chosen)
        for sub in call.subcategories:  # a chosen sub-category implies its category
            parent = tax.subcategories.get(sub)
            if parent and parents.get(sub, none).isdisjoint(cats):
                cats += (parent,)
        suggested = cats
    subs = tuple(call.subcategories)
    if not subs:
        chosen = []
        for s in suggestions:
            if s.kind == "subcategory" and not parents.get(s.code, none).isdisjoint(cats):
                chosen.append(s.code)
        subs = tuple(chosen)
        suggested += subs
    if suggested:  # one notice for both: they are made on every unclassified call
        notices.append(notice("suggested", "codes", ", ".join(suggested)))
    return cats, subs


def _line_area(
    call: CallFacts,
    rs: RuleSet,
    routing: RoutingRules,
    line: LineDef | None,
    notices: list[str],
) -> str | None:
    """The call has no known area: the dialled line's home area, if it has one."""
    if call.area:
        notices.append(notice("unknown_area", "area", call.area))
    if call.line and line is None:
        notices.append(notice("unknown_line", "line", call.line))
    if line is not None and line.area:
        notices.append(notice("line_area", "area", _area_path(rs, routing, line.area)))
        return line.area
    return None


def _area_path(rs: RuleSet, routing: RoutingRules, area: str) -> str:
    """RuleSet.area_path, remembered: notices name the same few areas."""
    paths = routing.area_paths
    path = paths.get(area)
    if path is None:
        path = paths[area] = rs.area_path(area)
    return path


# --- agencies ----------------------------------------------------------------------------


def _apply(
    rs: RuleSet,
    routing: RoutingRules,
    rule: Rule,
    ctx: Context,
    near: dict[str, str],
    planned: Planned,
    occupancy: Mapping[str, int],
    notices: list[str],
) -> MatchedRule:
    """A rule's referrals added to `planned`, in the general case (alternatives, a safe
    house, refer_if_found); the MatchedRule it makes."""
    kinds: list[str] = []
    for alternatives in rule.refer:
        full: list[str] | None = None  # made only when a safe house is asked for
        found = None
        for kind in alternatives:
            if kind != "safe_house":
                found = near.get(kind)
            else:
                if full is None:
                    full = []
                found = _locate(rs, routing, kind, ctx, occupancy, full)
            if found:
                kinds.append(kind)
                _plan(planned, found, kind, rule)
                break
        if full:
            _full_notices(rs, full, found, occupancy, notices)
        if found is None:
            kinds.append(alternatives[0])
            _missing(rs, routing, alternatives, ctx, rule, notices)
    for kind in rule.refer_if_found:
        found = (
            near.get(kind)
            if kind != "safe_house"
            else _locate(rs, routing, kind, ctx, occupancy, [])
        )
        if found:
            kinds.append(kind)
            _plan(planned, found, kind, rule)
    return new(MatchedRule, (rule.id, rule.description, tuple(kinds)))


def _plan(planned: Planned, agency: str, kind: str, rule: Rule) -> None:
    plan = planned.get(agency)
    if plan is None:
        planned[agency] = (kind, [rule.order])
    # By number, unique within a rule set: Rule's generated __eq__ compares every field.
    elif rule.order not in plan[1]:
        plan[1].append(rule.order)


def _missing(
    rs: RuleSet,
    routing: RoutingRules,
    alternatives: tuple[str, ...],
    ctx: Context,
    rule: Rule,
    notices: list[str],
) -> None:
    area = _area_path(rs, routing, ctx.ancestors[0])
    if alternatives == ("safe_house",):
        notices.append(notice("no_free_bed", "area", area))
    else:
        notices.append(Notice("no_agency", kind="|".join(alternatives), area=area, rule=rule.id))


def _locate(
    rs: RuleSet,
    routing: RoutingRules,
    kind: str,
    ctx: Context,
    occupancy: Mapping[str, int],
    full: list[str],
) -> str | None:
    """The nearest safe house up the tree with a free bed (the full ones passed over are
    added to `full`)."""
    by_area = routing.agencies.get(kind)
    if not by_area:
        return None
    for area in ctx.ancestors:
        for code in by_area.get(area, ()):
            if (rs.agencies[code].beds or 0) - occupancy.get(code, 0) > 0:
                return code
            full.append(code)
    return None


def _full_notices(
    rs: RuleSet,
    full: list[str],
    chosen: str | None,
    occupancy: Mapping[str, int],
    notices: list[str],
) -> None:
    agencies = rs.agencies
    for code in full:
        params = {
            "agency": agencies[code].name,
            "used": str(occupancy.get(code, 0)),
            "beds": str(agencies[code].beds or 0),
        }
        if chosen:
            notices.append(Notice("safe_house_full", chosen=agencies[chosen].name, **params))
        else:
            notices.append(Notice("safe_house_full_none", **params))


def _after_hours(
    rs: RuleSet,
    routing: RoutingRules,
    ctx: Context,
    planned: Planned,
    matched: list[MatchedRule],
    notices: list[str],
) -> dict[str, list[str]]:
    """Backups for the agencies closed at the time of the call; for each backup, the
    closed agencies it stands in for."""
    rule = routing.after_hours
    assert rule is not None
    used: list[str] = []
    why: dict[str, list[str]] = {}
    for code, (kind, _) in list(planned.items()):
        if routing.is_open(code, ctx):
            continue
        backup = _backup(routing, kind, ctx)
        name = rs.agencies[code].name
        if backup is None:
            notices.append(notice("no_backup", "agency", name))
            continue
        code2, kind2 = backup
        if code2 not in planned:
            planned[code2] = (kind2, [_BACKUP])
        why.setdefault(code2, []).append(f"{rule.id}: {name}")
        used.append(kind2)
        notices.append(Notice("after_hours", agency=name, backup=rs.agencies[code2].name))
    if used:
        matched.append(MatchedRule(rule.id, rule.description, tuple(dict.fromkeys(used))))
    return why


def _backup(routing: RoutingRules, kind: str, ctx: Context) -> tuple[str, str] | None:
    rule = routing.after_hours
    assert rule is not None
    for backup_kind in rule.backup.get(kind, rule.default_backup):
        for area in ctx.ancestors:
            for code in routing.agencies.get(backup_kind, {}).get(area, ()):
                if routing.is_open(code, ctx):
                    return code, backup_kind
    return None


def _referrals(
    routing: RoutingRules, ctx: Context, planned: Planned, why: dict[str, list[str]]
) -> tuple[PlannedReferral, ...]:
    index = routing.limits_index
    general = index.matching(ctx) if index else ()  # shared: only read
    # The time-limit rules that apply, by number: with the kind and the referral's rules
    # that is all a referral's limits and reason depend on, so they are remembered.
    general_key = tuple(map(_ORDER, general))
    memo = routing.referral_memo
    out = []
    for code, (kind, orders) in planned.items():
        key = (kind, general_key, tuple(orders))
        made = memo.get(key)
        if made is None:
            made = _made(routing, kind, orders, general)
            if len(memo) >= REFERRAL_MEMO_MAX:  # bounded: rule sets can be large
                memo.clear()
            memo[key] = made
        limits, rule_id, reasons = made
        backups = why.get(code)
        if backups:  # the closed agencies it stands in for
            reasons = "; ".join((reasons, *backups) if orders[0] != _BACKUP else backups)
        # dict(limits): each referral its own, as PlannedReferral.limits is a dict.
        out.append(new(PlannedReferral, (code, kind, rule_id, reasons[:REASON_MAX], dict(limits))))
    return tuple(out)


def _made(
    routing: RoutingRules, kind: str, orders: list[int], general: Sequence[TimeLimitRule]
) -> tuple[dict[str, str], str, str]:
    """A referral's limits, the id of its first rule and its rules' reasons joined."""
    after_id = routing.after_hours.id if routing.after_hours else "after-hours"
    rules = [routing.rules[n] for n in orders if n != _BACKUP]  # rules[n].order == n
    own = [limit for r in rules for limit in r.limits]
    limits = _tightest([*(t.limit for t in general), *own], kind)
    reasons = "; ".join(r.reason for r in rules)
    return limits, rules[0].id if orders[0] != _BACKUP else after_id, reasons


def _tightest(limits: list[Limit], kind: str) -> dict[str, str]:
    best: dict[str, Limit] = {}
    for limit in limits:
        if limit.kinds is not None and kind not in limit.kinds:
            continue
        old = best.get(limit.clock)
        if old is None or limit.key < old.key:
            best[limit.clock] = limit
    return {clock: best[clock].text for clock in sorted(best)}


def _flat(refer: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    return tuple(alternatives[0] for alternatives in refer)
