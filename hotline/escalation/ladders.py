"""routing_rules/escalation.yaml: escalation ladders per category and urgency.

A ladder is a list of steps; each step says when it is due (`after` a duration, counted from
the item's creation or `from` one of the ladder's named limits), the condition that must
still hold (`when`), what to do (`do`) and whether to repeat (`repeat: {every, max}`).
load_escalation() compiles the file into the EscalationRules that load_ruleset() keeps as
RuleSet.ladders; hotline.escalation plans and runs the ladders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pydantic import Field

from hotline.rules.schema import CLOCKS, CODE, Strict
from hotline.rules.yamlfile import Problem, RulesError, YamlDoc
from hotline.timelimits.durations import Duration, parse_duration

if TYPE_CHECKING:  # the type only: load_ruleset() calls this loader, not the reverse
    from hotline.rules.ruleset import RuleSet

FILE = "escalation.yaml"
REFERRAL_WHEN = ("not_acknowledged", "not_accepted", "not_resolved")
CALL_WHEN = ("never_referred", "all_declined")
REFERRAL_ACTIONS = (
    "renotify",
    "notify_supervisors",
    "notify_operator",
    "reroute_up",
    "add_kind",
    "mark_overdue",
)
CALL_ACTIONS = ("notify_supervisors", "notify_operator", "add_kind", "mark_overdue")
# Actions that reach someone other than the agency already told (used when it is unreachable).
ESCALATING = frozenset({"notify_supervisors", "reroute_up", "add_kind"})
CREATED = "created"
MAX_REPEATS = 24
# Limits with a column of their own on Referral (ack_due_at, resolve_due_at); the same clock
# names as rules.yaml time limits, which override a ladder's defaults.
COLUMN_LIMITS = ("acknowledge", "resolve")


@dataclass(frozen=True)
class Action:
    name: str
    kind: str | None = None  # add_kind's agency kind

    def to_json(self) -> str | dict[str, str]:
        return {self.name: self.kind} if self.kind else self.name

    @classmethod
    def from_json(cls, value: str | dict[str, str]) -> Action:
        if isinstance(value, str):
            return cls(value)
        ((name, kind),) = value.items()
        return cls(name, kind)


@dataclass(frozen=True)
class Step:
    when: str
    actions: tuple[Action, ...]
    after: Duration | None = None
    start: str = CREATED  # "created" or a limit name
    repeat_every: Duration | None = None
    repeat_max: int = 1  # how many times the step fires at most, the first time included


@dataclass(frozen=True)
class Ladder:
    id: str
    scope: str  # "referral" | "call"
    categories: frozenset[str]  # empty: any
    urgencies: frozenset[str]  # empty: any
    limits: dict[str, str]
    steps: tuple[Step, ...]

    def matches(self, categories: Iterable[str], urgency: str) -> bool:
        if self.urgencies and urgency not in self.urgencies:
            return False
        return not self.categories or bool(self.categories & set(categories))


@dataclass(frozen=True)
class EscalationRules:
    referral: tuple[Ladder, ...]
    call: tuple[Ladder, ...]
    # Default limits per urgency (acknowledge: 15m for emergency...), under each ladder's own.
    urgency_limits: dict[str, dict[str, str]]

    def limits_for(self, ladder: Ladder, urgency: str) -> dict[str, str]:
        return {**self.urgency_limits.get(urgency, {}), **ladder.limits}

    def find(self, scope: str, categories: Iterable[str], urgency: str) -> Ladder | None:
        """The first ladder of the scope, in file order, that matches."""
        categories = list(categories)
        ladders = self.referral if scope == "referral" else self.call
        return next((lad for lad in ladders if lad.matches(categories, urgency)), None)


# --- the file's shape ---------------------------------------------------------------------


class RepeatDef(Strict):
    every: str
    max: int = Field(ge=2, le=MAX_REPEATS)


class StepDef(Strict):
    after: str | None = None
    from_: str | None = Field(default=None, alias="from")
    when: str
    do: list[str | dict[str, str]] = Field(min_length=1)
    repeat: RepeatDef | None = None


class LimitDef(Strict):
    value: str
    source: str | None = None
    source_en: str | None = Field(default=None, min_length=1)  # the source in English


class LadderDef(Strict):
    id: str = Field(pattern=CODE, max_length=64)
    description: str | None = None
    categories: list[str] = Field(default_factory=list)
    urgency: list[str] = Field(default_factory=list)
    limits: dict[str, str | LimitDef] = Field(default_factory=dict)
    steps: list[StepDef] = Field(min_length=1)


class EscalationFile(Strict):
    source: str = Field(min_length=1)
    limits: dict[str, dict[str, str | LimitDef]] = Field(default_factory=dict)
    referral_ladders: list[LadderDef] = Field(min_length=1)
    call_ladders: list[LadderDef] = Field(default_factory=list)


# --- building and checking ----------------------------------------------------------------


def load_escalation(doc: YamlDoc, ruleset: RuleSet) -> EscalationRules:
    """Validate escalation.yaml against the taxonomy; RulesError names every problem."""
    file = doc.validate(EscalationFile)
    problems: list[Problem] = []
    urgencies = ruleset.taxonomy.codes("urgency")
    urgency_limits: dict[str, dict[str, Duration]] = {}
    for urgency, limits in file.limits.items():
        if urgency not in urgencies:
            problems.append(doc.problem(("limits", urgency), f"unknown urgency {urgency!r}"))
        urgency_limits[urgency] = _limits(doc, ("limits", urgency), limits, problems)
    built: dict[str, list[Ladder]] = {"referral": [], "call": []}
    seen: set[str] = set()
    for scope, group in (("referral", "referral_ladders"), ("call", "call_ladders")):
        for li, ladder_def in enumerate(getattr(file, group)):
            where = (group, li)
            if ladder_def.id in seen:
                problems.append(doc.problem(where + ("id",), f"duplicate id {ladder_def.id!r}"))
            seen.add(ladder_def.id)
            checker = _LadderChecker(doc, ruleset, scope, where, problems, urgency_limits)
            ladder = checker.build(ladder_def)
            if ladder is not None:
                built[scope].append(ladder)
    rules = EscalationRules(
        tuple(built["referral"]),
        tuple(built["call"]),
        {u: {k: str(v) for k, v in lim.items()} for u, lim in urgency_limits.items()},
    )
    if not problems:
        problems += _coverage(doc, ruleset, rules)
    if problems:
        raise RulesError(problems)
    return rules


def _coverage(doc: YamlDoc, ruleset: RuleSet, rules: EscalationRules) -> list[Problem]:
    """Every case category, at every urgency, must find a referral ladder."""
    out = []
    for category in sorted(ruleset.taxonomy.case_categories):
        for urgency in ruleset.taxonomy.codes("urgency"):
            if rules.find("referral", [category], urgency) is None:
                out.append(
                    doc.problem(
                        ("referral_ladders",), f"no ladder for {category} at urgency {urgency}"
                    )
                )
    return out


class _LadderChecker:
    def __init__(
        self,
        doc: YamlDoc,
        ruleset: RuleSet,
        scope: str,
        where: tuple[Any, ...],
        problems: list[Problem],
        urgency_limits: dict[str, dict[str, Duration]],
    ) -> None:
        self.doc, self.ruleset, self.scope, self.where = doc, ruleset, scope, where
        self.problems = problems
        self.urgency_limits = urgency_limits
        self.whens = REFERRAL_WHEN if scope == "referral" else CALL_WHEN
        self.actions = REFERRAL_ACTIONS if scope == "referral" else CALL_ACTIONS

    def problem(self, path: tuple[Any, ...], message: str) -> None:
        self.problems.append(self.doc.problem(self.where + path, message))

    def duration(self, path: tuple[Any, ...], text: str) -> Duration | None:
        try:
            return parse_duration(text)
        except ValueError as exc:
            self.problem(path, str(exc))
            return None

    def build(self, d: LadderDef) -> Ladder | None:
        before = len(self.problems)
        categories = set(self.ruleset.taxonomy.case_categories)
        for i, code in enumerate(d.categories):
            if code not in categories:
                self.problem(("categories", i), f"unknown case category {code!r}")
        urgencies = self.ruleset.taxonomy.codes("urgency")
        for i, code in enumerate(d.urgency):
            if code not in urgencies:
                self.problem(("urgency", i), f"unknown urgency {code!r}")
        own = _limits(self.doc, self.where + ("limits",), d.limits, self.problems)
        # Check steps against the limits of every urgency the ladder serves.
        for urgency in d.urgency or urgencies:
            limits = {**self.urgency_limits.get(urgency, {}), **own}
            if self.scope == "referral" and "acknowledge" not in limits:
                self.problem(("limits",), f"no `acknowledge` limit for urgency {urgency}")
            steps = [self.step(si, s, limits) for si, s in enumerate(d.steps)]
            self.order(steps, limits)
            if len(self.problems) > before:
                break
        if len(self.problems) > before:
            return None
        return Ladder(
            id=d.id,
            scope=self.scope,
            categories=frozenset(d.categories),
            urgencies=frozenset(d.urgency),
            limits={k: str(v) for k, v in own.items()},
            steps=tuple(s for s in steps if s is not None),
        )

    def step(self, si: int, d: StepDef, limits: dict[str, Duration]) -> Step | None:
        path: tuple[Any, ...] = ("steps", si)
        before = len(self.problems)
        if d.when not in self.whens:
            self.problem(
                path + ("when",), f"unknown `when` {d.when!r} here; one of {', '.join(self.whens)}"
            )
        after = self.duration(path + ("after",), d.after) if d.after is not None else None
        start = d.from_ or CREATED
        # A clock of rules.yaml (set per agency kind there) may be missing for a referral:
        # the step then does not fire for it.
        if start != CREATED and start not in limits and start not in CLOCKS:
            self.problem(
                path + ("from",),
                f"{start!r} is not one of this ladder's limits nor a clock ({', '.join(CLOCKS)})",
            )
        if d.after is None and start == CREATED:
            self.problem(path + ("after",), "give `after`, `from` or both")
        actions = [self.action(path + ("do", ai), a) for ai, a in enumerate(d.do)]
        every = None
        if d.repeat is not None:
            every = self.duration(path + ("repeat", "every"), d.repeat.every)
        if len(self.problems) > before:
            return None
        return Step(
            when=d.when,
            actions=tuple(a for a in actions if a is not None),
            after=after,
            start=start,
            repeat_every=every,
            repeat_max=d.repeat.max if d.repeat else 1,
        )

    def action(self, path: tuple[Any, ...], value: str | dict[str, str]) -> Action | None:
        if isinstance(value, dict):
            if len(value) != 1 or "add_kind" not in value:
                self.problem(path, "an action with a value is written {add_kind: KIND}")
                return None
            kind = value["add_kind"]
            if kind not in self.ruleset.taxonomy.codes("agency_kind"):
                self.problem(path + ("add_kind",), f"unknown agency kind {kind!r}")
                return None
            return Action("add_kind", kind)
        if value == "add_kind":
            self.problem(path, "add_kind needs the agency kind: {add_kind: KIND}")
        elif value not in self.actions:
            self.problem(path, f"unknown action {value!r} here; one of {', '.join(self.actions)}")
        else:
            return Action(value)
        return None

    def order(self, steps: list[Step | None], limits: dict[str, Duration]) -> None:
        """Steps are written in the order they fall due (working days taken as days)."""
        previous: timedelta | None = None
        for si, step in enumerate(steps):
            if step is None or (step.start != CREATED and step.start not in limits):
                continue  # counted from a limit set per referral: its time is not known here
            offset = nominal_offset(step, limits)
            if previous is not None and offset < previous:
                self.problem(
                    ("steps", si, "after"),
                    "steps out of order: this one falls due before the step above it",
                )
            previous = offset


def _limits(
    doc: YamlDoc, where: tuple[Any, ...], given: dict[str, str | LimitDef], problems: list[Problem]
) -> dict[str, Duration]:
    out: dict[str, Duration] = {}
    for name, value in given.items():
        text = value.value if isinstance(value, LimitDef) else value
        if not _is_code(name) or name == CREATED:
            problems.append(doc.problem(where + (name,), f"{name!r} cannot name a limit"))
        try:
            out[name] = parse_duration(text)
        except ValueError as exc:
            problems.append(doc.problem(where + (name,), str(exc)))
    return out


def nominal_offset(step: Step, limits: dict[str, Duration]) -> timedelta:
    """The step's delay from creation, counting a working day as a day (for ordering only)."""
    total = _nominal(step.after) if step.after else timedelta(0)
    if step.start != CREATED and step.start in limits:
        total += _nominal(limits[step.start])
    return total


def _nominal(duration: Duration) -> timedelta:
    return timedelta(days=duration.amount) if duration.working_days else duration.as_timedelta()


def _is_code(name: str) -> bool:
    return re.fullmatch(CODE, name) is not None
