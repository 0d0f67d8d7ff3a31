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
from collections.abc import Mapping

from hotline.routing.explain import CallFactsError, call_facts_from_json, explain_text
from hotline.routing.facts import (
    CallFacts,
    Decision,
    MatchedRule,
    Notice,
    PersonFacts,
    PlannedReferral,
    Suggestion,
    new,
)
from hotline.routing.rules import (
    Context,
    Limit,
    RoutingRules,
    Rule,
    TimeLimitRule,
    subcategory_parents,
)
from hotline.routing.ruleset import RuleSet

__all__ = [
    "CallFacts",
    "CallFactsError",
    "Decision",
    "MatchedRule",
    "PersonFacts",
    "PlannedReferral",
    "Suggestion",
    "call_facts_from_json",
    "decide",
    "explain_text",
]
log = logging.getLogger(__name__)
REASON_MAX = 500  # Referral.reason column
REFERRAL_MEMO_MAX = 4096  # remembered limits and reasons per rule set


class _Planned:
    """One agency's referral as the rules add to it. A plain slotted class: one is made per
    agency on every call, and a dataclass's default factories cost more."""

    __slots__ = ("kind", "rules", "orders", "why")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.rules: list[Rule | None] = []  # None: the after-hours backup
        self.orders: list[int] = []  # the rules' numbers (-1: the backup), for the memo key
        self.why: list[str] = []

    @property
    def has_rule(self) -> bool:
        """Made by a rule, not only as an after-hours backup."""
        return any(r is not None for r in self.rules)


def decide(
    call: CallFacts, ruleset: RuleSet, *, occupancy: Mapping[str, int] | None = None
) -> Decision:
    """Route one call. Never raises: anything unexpected becomes triage with a notice."""
    try:
        return _Decider(call, ruleset, occupancy or _NO_BEDS_USED).run()
    except Exception:  # a bug must not lose a call: send it to a person instead
        log.exception("decide() failed; the call goes to triage")
        return Decision(
            (), tuple(call.categories), (), (), True, (Notice("internal_error"),), ruleset.version
        )


_NONE: frozenset[str] = frozenset()
_NO_BEDS_USED: Mapping[str, int] = {}  # shared, never written: one dict less per call


class _Decider:
    def __init__(self, call: CallFacts, ruleset: RuleSet, occupancy: Mapping[str, int]) -> None:
        self.call = call
        self.rs = ruleset
        self.occupancy = occupancy
        self.notices: list[str] = []
        self.planned: dict[str, _Planned] = {}
        self.matched: list[MatchedRule] = []
        self.line = (
            (ruleset.lines.get(call.line) or ruleset.find_line(call.line)) if call.line else None
        )

    def run(self) -> Decision:
        call, rs = self.call, self.rs
        parts = rs.parts
        # hotline.classify.suggest(), without its extra call
        classifier = parts.get("classification")
        suggestions = classifier.suggest(call.narrative, call.people) if classifier else ()
        routing: RoutingRules | None = parts.get("rules")
        cats, subs = self._categories(suggestions, routing.parents if routing else None)
        if not cats:
            return self._done(suggestions, cats, triage=True, notice=Notice("unclassified"))
        if rs.taxonomy.case_categories.isdisjoint(cats):
            return self._done(suggestions, cats, notice=Notice("not_a_case", codes=", ".join(cats)))
        if routing is None:
            return self._done(suggestions, cats, triage=True, notice=Notice("no_rules"))
        area = self._area()
        ctx = self._context(routing, cats, subs, area)
        rules = routing.index.candidates(ctx) if routing.index else []  # routing.candidates()
        if not rules:
            return self._done(suggestions, cats, triage=True, notice=Notice("no_rule"))
        if area is None:
            self.matched = [MatchedRule(r.id, r.description, _flat(r.refer)) for r in rules]
            return self._done(suggestions, cats, triage=True, notice=Notice("no_area"))
        for rule in rules:
            self._apply(routing, rule, ctx)
        if routing.after_hours and routing.after_hours.condition.matches(ctx):
            self._after_hours(routing, ctx)
        referrals = self._referrals(routing, ctx)
        return self._done(suggestions, cats, triage=not referrals, referrals=referrals)

    def _done(
        self,
        suggestions: tuple[Suggestion, ...],
        cats: tuple[str, ...],
        *,
        triage: bool = False,
        notice: str | None = None,
        referrals: tuple[PlannedReferral, ...] = (),
    ) -> Decision:
        made = self.notices
        if notice is not None:
            made.append(notice)
        # Two rules may hit the same gap; one notice (the usual case) cannot repeat.
        notices = tuple(dict.fromkeys(made)) if len(made) > 1 else tuple(made)
        return new(
            Decision,
            (suggestions, cats, tuple(self.matched), referrals, triage, notices, self.rs.version),
        )

    # --- what the call is, where it is -------------------------------------------------------

    def _categories(
        self, suggestions: tuple[Suggestion, ...], parents: Mapping[str, frozenset[str]] | None
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The operator's codes; the suggested ones where the operator left them empty."""
        call, tax = self.call, self.rs.taxonomy
        parents = parents if parents is not None else subcategory_parents(tax)
        none = _NONE
        cats = tuple(call.categories)
        suggested: tuple[str, ...] = ()
        if not cats:
            cats = tuple([s.code for s in suggestions if s.kind == "category"])
            for sub in call.subcategories:  # a chosen sub-category implies its category
                parent = tax.subcategories.get(sub)
                if parent and parents.get(sub, none).isdisjoint(cats):
                    cats += (parent,)
            suggested = cats
        subs = tuple(call.subcategories)
        if not subs:
            subs = tuple(
                [
                    s.code
                    for s in suggestions
                    if s.kind == "subcategory" and not parents.get(s.code, none).isdisjoint(cats)
                ]
            )
            suggested += subs
        if suggested:  # one notice for both: they are made on every unclassified call
            self.notices.append(Notice("suggested", codes=", ".join(suggested)))
        return cats, subs

    def _area(self) -> str | None:
        call, rs = self.call, self.rs
        if call.area:
            if call.area in rs.areas:
                return call.area
            self.notices.append(Notice("unknown_area", area=call.area))
        line = self.line
        if call.line and line is None:
            self.notices.append(Notice("unknown_line", line=call.line))
        if line is not None and line.area:
            self.notices.append(Notice("line_area", area=self._area_path(line.area)))
            return line.area
        return None

    def _context(
        self, routing: RoutingRules, cats: tuple[str, ...], subs: tuple[str, ...], area: str | None
    ) -> Context:
        call = self.call
        local = call.received_at.astimezone(routing.timezone)
        weekday, minute = local.weekday(), local.hour * 60 + local.minute
        # holidays.yaml, when loaded: offices are closed on public holidays.
        holidays = self.rs.parts.get("holidays")
        day_off = holidays is not None and local.date() in getattr(holidays, "days_off", ())
        closed = day_off or not routing._open(routing.office_hours, weekday, minute)  # office_open
        line = self.line
        return new(
            Context,
            (
                cats,
                subs,
                call.urgency,
                tuple(call.needs),
                line.code if line else None,
                routing.ancestors.get(area, ()) if area else (),
                tuple(call.people),
                weekday,
                minute,
                closed,
                day_off,
            ),
        )

    # --- agencies --------------------------------------------------------------------------

    def _apply(self, routing: RoutingRules, rule: Rule, ctx: Context) -> None:
        kinds: list[str] = []
        ancestors = ctx.ancestors
        nearest = routing.nearest
        for alternatives in rule.refer:
            full: list[str] | None = None  # made only when a safe house is asked for
            found = None
            for kind in alternatives:
                if kind != "safe_house":
                    found = nearest(kind, ancestors)
                else:
                    if full is None:
                        full = []
                    found = self._locate(routing, kind, ctx, full)
                if found:
                    kinds.append(kind)
                    self._plan(found, kind, rule)
                    break
            if full:
                self._full_notices(full, found)
            if found is None:
                kinds.append(alternatives[0])
                self._missing(alternatives, ctx, rule)
        for kind in rule.refer_if_found:
            found = (
                nearest(kind, ancestors)
                if kind != "safe_house"
                else self._locate(routing, kind, ctx, [])
            )
            if found:
                kinds.append(kind)
                self._plan(found, kind, rule)
        self.matched.append(new(MatchedRule, (rule.id, rule.description, tuple(kinds))))

    def _area_path(self, area: str) -> str:
        """RuleSet.area_path, remembered: notices name the same few areas."""
        paths = self.rs.parts["rules"].area_paths
        path = paths.get(area)
        if path is None:
            path = paths[area] = self.rs.area_path(area)
        return path

    def _missing(self, alternatives: tuple[str, ...], ctx: Context, rule: Rule) -> None:
        area = self._area_path(ctx.ancestors[0])
        if alternatives == ("safe_house",):
            self.notices.append(Notice("no_free_bed", area=area))
        else:
            self.notices.append(
                Notice("no_agency", kind="|".join(alternatives), area=area, rule=rule.id)
            )

    def _locate(
        self, routing: RoutingRules, kind: str, ctx: Context, full: list[str]
    ) -> str | None:
        """The nearest agency of `kind` up the tree; a safe house must have a free bed
        (the full ones passed over are added to `full`)."""
        if kind != "safe_house":
            return routing.nearest(kind, ctx.ancestors)
        by_area = routing.agencies.get(kind)
        if not by_area:
            return None
        for area in ctx.ancestors:
            for code in by_area.get(area, ()):
                if (self.rs.agencies[code].beds or 0) - self.occupancy.get(code, 0) > 0:
                    return code
                full.append(code)
        return None

    def _full_notices(self, full: list[str], chosen: str | None) -> None:
        agencies = self.rs.agencies
        for code in full:
            params = {
                "agency": agencies[code].name,
                "used": str(self.occupancy.get(code, 0)),
                "beds": str(agencies[code].beds or 0),
            }
            if chosen:
                self.notices.append(
                    Notice("safe_house_full", chosen=agencies[chosen].name, **params)
                )
            else:
                self.notices.append(Notice("safe_house_full_none", **params))

    def _plan(self, agency: str, kind: str, rule: Rule) -> None:
        planned = self.planned.get(agency)
        if planned is None:
            planned = self.planned[agency] = _Planned(kind)
        # By number, unique within a rule set: Rule's generated __eq__ compares every field.
        if rule.order not in planned.orders:
            planned.rules.append(rule)
            planned.orders.append(rule.order)

    def _after_hours(self, routing: RoutingRules, ctx: Context) -> None:
        rule = routing.after_hours
        assert rule is not None
        used: list[str] = []
        for code, planned in list(self.planned.items()):
            if routing.is_open(code, ctx):
                continue
            backup = self._backup(routing, planned.kind, ctx)
            name = self.rs.agencies[code].name
            if backup is None:
                self.notices.append(Notice("no_backup", agency=name))
                continue
            code2, kind2 = backup
            target = self.planned.get(code2)
            if target is None:
                target = self.planned[code2] = _Planned(kind2)
            if not target.rules:
                target.rules.append(None)
                target.orders.append(-1)
            target.why.append(f"{rule.id}: {name}")
            used.append(kind2)
            self.notices.append(
                Notice("after_hours", agency=name, backup=self.rs.agencies[code2].name)
            )
        if used:
            self.matched.append(MatchedRule(rule.id, rule.description, tuple(dict.fromkeys(used))))

    def _backup(self, routing: RoutingRules, kind: str, ctx: Context) -> tuple[str, str] | None:
        rule = routing.after_hours
        assert rule is not None
        for backup_kind in rule.backup.get(kind, rule.default_backup):
            for area in ctx.ancestors:
                for code in routing.agencies.get(backup_kind, {}).get(area, ()):
                    if routing.is_open(code, ctx):
                        return code, backup_kind
        return None

    def _referrals(self, routing: RoutingRules, ctx: Context) -> tuple[PlannedReferral, ...]:
        index = routing.limits_index
        general = index.candidates(ctx) if index else []
        # The time-limit rules that apply, by number: with the kind and the referral's rules
        # that is all a referral's limits and reason depend on, so they are remembered.
        general_key = tuple([t.order for t in general])
        memo = routing.referral_memo
        out = []
        for code, planned in self.planned.items():
            key = (planned.kind, general_key, tuple(planned.orders))
            made = memo.get(key)
            if made is None:
                made = _made(routing, planned, general)
                if len(memo) >= REFERRAL_MEMO_MAX:  # bounded: rule sets can be large
                    memo.clear()
                memo[key] = made
            limits, rule_id, reasons = made
            if planned.why:  # the after-hours backups it stands in for
                reasons = "; ".join((reasons, *planned.why) if planned.has_rule else planned.why)
            # dict(limits): each referral its own, as PlannedReferral.limits is a dict.
            out.append(
                new(
                    PlannedReferral,
                    (code, planned.kind, rule_id, reasons[:REASON_MAX], dict(limits)),
                )
            )
        return tuple(out)


def _made(
    routing: RoutingRules, planned: _Planned, general: list[TimeLimitRule]
) -> tuple[dict[str, str], str, str]:
    """A referral's limits, the id of its first rule and its rules' reasons joined."""
    after_id = routing.after_hours.id if routing.after_hours else "after-hours"
    own = [limit for r in planned.rules if r for limit in r.limits]
    limits = _tightest([*(t.limit for t in general), *own], planned.kind)
    first = planned.rules[0]
    reasons = "; ".join(r.reason for r in planned.rules if r)
    return limits, first.id if first else after_id, reasons


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
