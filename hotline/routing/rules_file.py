"""routing_rules/rules.yaml: load, check against the rest of the rule set, compile.

Every code is checked against taxonomy.yaml, areas.yaml, lines.yaml and agencies.yaml, and
rules that can never match are rejected (a sub-category under the wrong category, min_age
above max_age, a rule about non-case calls only, an empty time window, a limit for kinds the
rule never refers), each with file, line and field. The result, a RoutingRules, is what
load_ruleset() keeps as RuleSet.routing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hotline.routing.rules import (
    AfterHoursRule,
    Condition,
    Limit,
    RoutingRules,
    Rule,
    RuleIndex,
    TimeLimitRule,
    minutes,
    openings,
    subcategory_parents,
)
from hotline.rules.schema import DAYS, LimitDef, OneOf, RulesFile, When
from hotline.rules.yamlfile import Problem, RulesError, YamlDoc
from hotline.timelimits.durations import parse_duration

if TYPE_CHECKING:  # the type only: load_ruleset() calls this loader, not the reverse
    from hotline.rules.ruleset import RuleSet

Path_ = tuple[str | int, ...]


class _Checker:
    """Validates codes and conditions against the rest of the rule set, collecting problems."""

    def __init__(self, doc: YamlDoc, ruleset: RuleSet) -> None:
        self.doc = doc
        self.rs = ruleset
        self.problems: list[Problem] = []
        tax = ruleset.taxonomy
        self.parents: dict[str, set[str]] = {}
        for cat in tax.categories.values():
            for sub in cat.subcategories:
                self.parents.setdefault(sub.code, set()).add(cat.code)
        self.kinds = set(tax.codes("agency_kind"))

    def bad(self, path: Path_, message: str) -> None:
        self.problems.append(self.doc.problem(path, message))

    def codes(self, path: Path_, values: list[str] | None, known: Iterable[str], what: str) -> None:
        known = set(known)
        for i, value in enumerate(values or ()):
            if value not in known:
                self.bad((*path, i), f"unknown {what} {value!r}")

    def kind(self, path: Path_, value: str) -> None:
        if value not in self.kinds:
            self.bad(path, f"unknown agency kind {value!r} (see taxonomy.yaml agency_kinds)")

    def condition(self, path: Path_, when: When, *, referring: bool) -> Condition:
        tax, rs = self.rs.taxonomy, self.rs
        self.codes((*path, "categories"), when.categories, tax.categories, "category")
        self.codes((*path, "subcategories"), when.subcategories, self.parents, "sub-category")
        self.codes((*path, "urgency"), when.urgency, tax.codes("urgency"), "urgency")
        self.codes((*path, "needs"), when.needs, tax.codes("need"), "need")
        self.codes((*path, "line"), when.line, rs.lines, "line (use the digits of its number)")
        self.codes((*path, "area"), when.area, rs.areas, "area")
        if when.person is not None:
            sexes = when.person.sex
            self.codes((*path, "person", "sex"), sexes, tax.codes("sex"), "sex")
        self._never(path, when, referring=referring)
        person = None
        if when.person is not None:
            p = when.person
            person = (p.min_age, p.max_age, frozenset(p.sex) if p.sex else None)
        window = None
        if when.time is not None:
            days = frozenset(DAYS.index(d) for d in when.time.days)
            window = (days, minutes(when.time.start), minutes(when.time.end))
        return Condition(
            categories=_set(when.categories),
            subcategories=_set(when.subcategories),
            urgency=_set(when.urgency),
            needs=_set(when.needs),
            lines=_set(when.line),
            areas=_set(when.area),
            person=person,
            time=window,
            after_hours=when.after_hours,
        )

    def _never(self, path: Path_, when: When, *, referring: bool) -> None:
        """Conditions no call can meet: a mistake the supervisor would never notice."""
        cats = when.categories
        if cats and when.subcategories:
            for i, sub in enumerate(when.subcategories):
                if sub in self.parents and not self.parents[sub] & set(cats):
                    self.bad(
                        (*path, "subcategories", i),
                        f"never matches: {sub!r} is not a sub-category of {cats}",
                    )
        case = self.rs.taxonomy.case_categories
        known = set(cats or ()) & set(self.rs.taxonomy.categories)
        if referring and known == set(cats or ()) and known and not known & case:
            self.bad(
                (*path, "categories"),
                "never matches: calls of non-case categories are never referred",
            )
        p = when.person
        if p and p.min_age is not None and p.max_age is not None and p.min_age > p.max_age:
            self.bad((*path, "person", "min_age"), "never matches: min_age is above max_age")
        if when.time is not None and when.time.start == when.time.end:
            self.bad((*path, "time", "end"), "never matches: the window is empty (start = end)")

    def limit(self, path: Path_, item: LimitDef, allowed: set[str] | None) -> Limit | None:
        for i, kind in enumerate(item.kinds or ()):
            self.kind((*path, "kinds", i), kind)
        if allowed is not None and item.kinds and not set(item.kinds) & allowed:
            self.bad((*path, "kinds"), "never applies: the rule refers none of these kinds")
        try:
            duration = parse_duration(item.limit)
        except ValueError as exc:
            self.bad((*path, "limit"), str(exc))
            return None
        kinds = frozenset(item.kinds) if item.kinds else None
        return Limit(item.clock, duration, kinds, item.source)


def _set(values: list[str] | None) -> frozenset[str] | None:
    return frozenset(values) if values is not None else None


def _rules(file: RulesFile, check: _Checker) -> list[Rule]:
    rules: list[Rule] = []
    seen: set[str] = set()
    for ri, item in enumerate(file.rules):
        path: Path_ = ("rules", ri)
        if item.id in seen:
            check.bad((*path, "id"), f"duplicate rule id {item.id!r}")
        seen.add(item.id)
        cond = check.condition((*path, "when"), item.when, referring=True)
        refer: list[tuple[str, ...]] = []
        for ki, entry in enumerate(item.refer):
            kinds = tuple(entry.one_of) if isinstance(entry, OneOf) else (entry,)
            for j, kind in enumerate(kinds):
                where = (
                    (*path, "refer", ki, "one_of", j) if len(kinds) > 1 else (*path, "refer", ki)
                )
                check.kind(where, kind)
            refer.append(kinds)
        for ki, kind in enumerate(item.refer_if_found):
            check.kind((*path, "refer_if_found", ki), kind)
        if not refer and not item.refer_if_found:
            check.bad((*path, "refer"), "the rule refers to no agency kind")
        allowed = {k for kinds in refer for k in kinds} | set(item.refer_if_found)
        limits = [
            check.limit((*path, "limits", li), lim, allowed) for li, lim in enumerate(item.limits)
        ]
        rules.append(
            Rule(
                order=ri,
                id=item.id,
                description=item.description,
                description_en=item.description_en,
                condition=cond,
                refer=tuple(refer),
                refer_if_found=tuple(item.refer_if_found),
                limits=tuple(lim for lim in limits if lim),
                source=item.source,
                reason=f"{item.id}: {item.description}",
            )
        )
    return rules


def _time_limits(file: RulesFile, check: _Checker) -> list[TimeLimitRule]:
    out: list[TimeLimitRule] = []
    seen: set[str] = set()
    for ti, item in enumerate(file.time_limits):
        path: Path_ = ("time_limits", ti)
        if item.id in seen:
            check.bad((*path, "id"), f"duplicate time limit id {item.id!r}")
        seen.add(item.id)
        cond = check.condition((*path, "when"), item.when, referring=True)
        limit = check.limit(path, item, None)
        if limit is not None:
            out.append(TimeLimitRule(len(out), item.id, cond, limit))
    return out


def _after_hours(file: RulesFile, check: _Checker, rule_ids: set[str]) -> AfterHoursRule | None:
    item = file.after_hours
    if item is None:
        return None
    path: Path_ = ("after_hours",)
    if item.id in rule_ids:
        check.bad((*path, "id"), f"{item.id!r} is also a rule id; referrals must tell them apart")
    cond = check.condition((*path, "when"), item.when, referring=True)
    for kind, backups in item.backup.items():
        check.kind((*path, "backup", kind), kind)
        for i, backup in enumerate(backups):
            check.kind((*path, "backup", kind, i), backup)
    for i, backup in enumerate(item.default_backup):
        check.kind((*path, "default_backup", i), backup)
    return AfterHoursRule(
        id=item.id,
        description=item.description,
        description_en=item.description_en,
        condition=cond,
        backup={k: tuple(v) for k, v in item.backup.items()},
        default_backup=tuple(item.default_backup),
        source=item.source,
    )


def load_rules(doc: YamlDoc, ruleset: RuleSet) -> RoutingRules:
    """Validate rules.yaml against the rest of the rule set and compile it."""
    file = doc.validate(RulesFile)
    check = _Checker(doc, ruleset)
    try:
        tz = ZoneInfo(file.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        check.bad(("timezone",), f"unknown time zone {file.timezone!r}")
        tz = ZoneInfo("UTC")
    rules = _rules(file, check)
    limits = _time_limits(file, check)
    after = _after_hours(file, check, {r.id for r in rules})
    if check.problems:
        raise RulesError(check.problems)
    compiled = RoutingRules(timezone=tz, rules=rules, time_limits=limits, after_hours=after)
    compiled.index = RuleIndex(rules)
    compiled.limits_index = RuleIndex(limits)
    compiled.parents = subcategory_parents(ruleset.taxonomy)
    compiled.ancestors = {code: tuple(ruleset.ancestors(code)) for code in ruleset.areas}
    # Same-kind agencies of one area in the order they are chosen: priority, then file order.
    ordered = sorted(
        ruleset.agencies.values(), key=lambda a: a.priority if a.priority is not None else 10**6
    )
    for agency in ordered:
        compiled.agencies.setdefault(agency.kind, {}).setdefault(agency.area, []).append(
            agency.code
        )
        if agency.hours == "24/7":
            compiled.hours[agency.code] = None
        elif agency.hours is not None:
            compiled.hours[agency.code] = openings(agency.hours)
    compiled.office_hours = openings(ruleset.office_hours)
    return compiled
