"""Load routing_rules/ into a RuleSet: validated, cross-checked, versioned by content hash.

A RuleSet is immutable. Reloading builds a new one and swaps it in only when it loads
cleanly, so a typo in a file never replaces the rules in use (see RuleSetHolder).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from hotline.escalation.ladders import EscalationFile, EscalationRules, load_escalation
from hotline.i18n.text import fold
from hotline.reports.crosswalks import Crosswalk, CrosswalksFile, load_crosswalks
from hotline.routing import model as classifier_model
from hotline.routing.classification import Classifier
from hotline.routing.classification_file import load_classification
from hotline.routing.corpus import known_labels
from hotline.routing.model import MODEL_FILE, LinearModel
from hotline.routing.rules import RoutingRules
from hotline.routing.rules_file import load_rules
from hotline.rules.names import localized
from hotline.rules.schema import (
    AgenciesFile,
    AgencyDef,
    AreaDef,
    AreasFile,
    ClassificationFile,
    LineDef,
    LinesFile,
    Opening,
    RulesFile,
    TaxonomyFile,
)
from hotline.rules.taxonomy import Taxonomy
from hotline.rules.yamlfile import Problem, RulesError, YamlDoc, read_yaml
from hotline.timelimits.holidays import HolidaysFile, load_calendar
from hotline.timelimits.workdays import WEEKENDS_ONLY, WorkCalendar

T = TypeVar("T")

# Files every rules directory has, and the files it may have (each a field of RuleSet).
CORE_FILES = ("taxonomy.yaml", "areas.yaml", "lines.yaml", "agencies.yaml")
OPTIONAL_FILES = (
    "classification.yaml",
    "rules.yaml",
    "escalation.yaml",
    "holidays.yaml",
    "crosswalks.yaml",
)
# taxonomy.yaml list -> the label group it fills (Taxonomy.label("urgency", "high"))
TERM_GROUPS = {
    "urgencies": "urgency",
    "needs": "need",
    "relations": "relation",
    "sexes": "sex",
    "agency_kinds": "agency_kind",
    "area_kinds": "area_kind",
}


@dataclass
class RuleSet:
    directory: Path
    version: str
    taxonomy: Taxonomy
    areas: dict[str, AreaDef]
    lines: dict[str, LineDef]
    agencies: dict[str, AgencyDef]
    office_hours: list[Opening]
    children: dict[str, list[str]] = field(default_factory=dict)
    # The optional files, compiled. A missing file leaves the default: no classification.yaml,
    # no suggestions; no rules.yaml, every case call to triage; no escalation.yaml, no
    # ladders; no holidays.yaml, only weekends are days off; no crosswalks.yaml, no frameworks.
    classification: Classifier | None = None  # classification.yaml
    model: LinearModel | None = None  # classifier/model.json: the category model's weights
    routing: RoutingRules | None = None  # rules.yaml
    ladders: EscalationRules | None = None  # escalation.yaml
    holidays: WorkCalendar = WEEKENDS_ONLY  # holidays.yaml
    crosswalks: dict[str, Crosswalk] = field(default_factory=dict)  # crosswalks.yaml, by code
    # Each `source` that has a `source_en`, anywhere in the files: the English of a legal
    # source, looked up by its Vietnamese text (referrals keep the text in their snapshot).
    sources_en: dict[str, str] = field(default_factory=dict)

    # --- areas ---

    def ancestors(self, code: str) -> list[str]:
        """The area itself, then its parent, up to the root."""
        out: list[str] = []
        current: str | None = code
        while current is not None and current in self.areas and current not in out:
            out.append(current)
            current = self.areas[current].parent
        return out

    def contains(self, ancestor: str, code: str) -> bool:
        return ancestor in self.ancestors(code)

    # --- areas over time (areas.yaml valid_from, valid_to, successors) ---

    def is_live(self, code: str, on: date | None = None) -> bool:
        """The area exists on the day `on`; without a day: it has not been retired."""
        area = self.areas.get(code)
        if area is None:
            return False
        return area.valid_to is None if on is None else area.live_on(on)

    def current(self, code: str, on: date | None = None) -> list[tuple[str, float | None]]:
        """The live area(s) an area is on the day `on` (without a day: today's map): itself
        when it is live, else its successors followed to the live ones, each with its share
        of the old area (None where the split is not known)."""
        out: dict[str, float | None] = {}
        todo: list[tuple[str, float | None, int]] = [(code, 1.0, 0)]
        while todo:
            here, share, depth = todo.pop(0)
            area = self.areas.get(here)
            if area is None or depth > len(self.areas):  # unknown, or a cycle (refused at load)
                continue
            retired = area.valid_to is not None and (on is None or area.valid_to < on)
            if not retired or not area.successors:
                if here in out:
                    old = out[here]
                    out[here] = None if old is None or share is None else old + share
                else:
                    out[here] = share
                continue
            successors = area.successor_list()
            for s in successors:
                part = (
                    share
                    if len(successors) == 1
                    else (None if share is None or s.share is None else share * s.share)
                )
                todo.append((s.code, part, depth + 1))
        return list(out.items())

    def live_areas(self, on: date | None = None) -> list[str]:
        return [code for code in self.areas if self.is_live(code, on)]

    def subtree(self, root: str) -> set[str]:
        """The area, every area below it, and every retired area whose successors lie there
        (with the areas below those): the calls of the old map that count in it today."""
        out, todo = set(), [root]
        while todo:
            code = todo.pop()
            if code not in out:
                out.add(code)
                todo += self.children.get(code, [])
        if not self.is_live(root):
            return out
        for code, area in self.areas.items():
            retired = code not in out and area.valid_to is not None
            if retired and any(c in out for c, _share in self.current(code)):
                out.add(code)
        return out

    def area_name(self, code: str, locale: str = "vi") -> str:
        """The area's name in `locale` (English made from the Vietnamese when not given)."""
        area = self.areas.get(code)
        return localized(area.name, area.name_en, locale, area=True) if area else code

    def area_path(self, code: str, locale: str = "vi") -> str:
        """ "Xã Tân Cảnh, Huyện Đăk Tô, Tỉnh Kon Tum" (the country left out); in English
        "Tân Cảnh Commune, Đăk Tô District, Kon Tum Province"."""
        names = [self.area_name(c, locale) for c in self.ancestors(code) if self.areas[c].parent]
        return ", ".join(names) or self.area_name(code, locale)

    def agency_name(self, code: str, locale: str = "vi") -> str:
        agency = self.agencies.get(code)
        return localized(agency.name, agency.name_en, locale) if agency else code

    def line_name(self, code: str, locale: str = "vi") -> str:
        line = self.lines.get(code)
        return localized(line.name, line.name_en, locale) if line else code

    def source_text(self, source: str, locale: str = "vi") -> str:
        """Where a rule, a time limit or an agency comes from, in `locale`: the rules'
        `source_en` of that source in English, else the source as written."""
        return localized(source, self.sources_en.get(source), locale)

    def search_areas(self, query: str, limit: int = 20) -> list[AreaDef]:
        """Areas whose name or code matches every word typed, with or without diacritics."""
        words = fold(query).split()
        if not words:
            return []
        scored: list[tuple[int, int, str, AreaDef]] = []
        for area in self.areas.values():
            name = fold(area.name)
            haystack = f"{name} {area.code} {fold(self.area_path(area.code))}"
            if all(w in haystack for w in words):
                # Names that contain the whole query come first, live areas before the old
                # map's, then shallow areas.
                rank = (0 if " ".join(words) in name else 2) + (area.valid_to is not None)
                scored.append((rank, len(self.ancestors(area.code)), area.name, area))
        scored.sort(key=lambda item: item[:3])
        return [item[3] for item in scored[:limit]]

    # --- lines ---

    def find_line(self, text: str | None) -> LineDef | None:
        """A line by code or by its number written any way ("1800 1567", "18001567")."""
        if not text:
            return None
        digits = "".join(ch for ch in str(text) if ch.isdigit())
        return self.lines.get(str(text)) or self.lines.get(digits)

    def line_area(self, code: str) -> str | None:
        line = self.lines.get(code)
        return line.area if line else None

    # --- agencies ---

    def agencies_of_kind(self, kind: str) -> Iterator[AgencyDef]:
        return (a for a in self.agencies.values() if a.kind == kind)

    def needed_kinds(self) -> list[str]:
        """The agency kinds rules.yaml may refer a call to (refer_if_found ones are optional)."""
        if self.routing is None:
            return []
        kinds: dict[str, None] = {}
        for rule in self.routing.rules:
            for alternatives in rule.refer:
                kinds.update(dict.fromkeys(alternatives))
        order = self.taxonomy.codes("agency_kind")
        return sorted(kinds, key=lambda k: order.index(k) if k in order else len(order))


def load_ruleset(directory: str | Path) -> RuleSet:
    """Load and validate a rules directory; RulesError lists every problem found."""
    directory = Path(directory)
    if not directory.is_dir():
        raise RulesError([Problem(str(directory), None, "", "not a directory")])
    missing = [name for name in CORE_FILES if not (directory / name).is_file()]
    if missing:
        raise RulesError(Problem(name, None, "", "file is missing") for name in missing)
    docs: dict[str, YamlDoc] = {}
    problems: list[Problem] = []
    present = sorted(p.name for p in directory.glob("*.yaml"))
    unknown = [n for n in present if n not in CORE_FILES and n not in OPTIONAL_FILES]
    problems += [Problem(n, None, "", "unknown rules file") for n in unknown]
    for name in [*CORE_FILES, *sorted(n for n in OPTIONAL_FILES if n in present)]:
        try:
            docs[name] = read_yaml(directory / name)
        except RulesError as exc:
            problems += exc.problems
    if problems:
        raise RulesError(problems)
    ruleset = _build_core(directory, docs)
    _load_optional(ruleset, docs, problems)
    ruleset.sources_en = _english_sources(docs, problems)
    if problems:
        raise RulesError(problems)
    return ruleset


def _load_optional(ruleset: RuleSet, docs: dict[str, YamlDoc], problems: list[Problem]) -> None:
    """Compile the optional files present into the rule set's fields, each checked against
    the core files. Every file is loaded even after one fails, so one load reports the
    problems of all files at once (in this order, as they always came)."""

    def load(name: str, loader: Callable[[YamlDoc], T]) -> T | None:
        """The file compiled, or None when it is absent or has problems (collected)."""
        return _collect(problems, lambda: loader(docs[name])) if name in docs else None

    ruleset.ladders = load("escalation.yaml", lambda doc: load_escalation(doc, ruleset))
    ruleset.crosswalks = load("crosswalks.yaml", lambda doc: load_crosswalks(doc, ruleset)) or {}
    ruleset.classification = load(
        "classification.yaml", lambda doc: load_classification(doc, ruleset)
    )
    ruleset.routing = load("rules.yaml", lambda doc: load_rules(doc, ruleset))
    path = ruleset.directory / MODEL_FILE
    if path.is_file():
        known = known_labels(ruleset.taxonomy)
        ruleset.model = _collect(problems, lambda: classifier_model.load(path, known=known))
    ruleset.holidays = load("holidays.yaml", load_calendar) or WEEKENDS_ONLY


def _english_sources(docs: dict[str, YamlDoc], problems: list[Problem]) -> dict[str, str]:
    """Every `source` given with a `source_en`, by its text; one source given two English
    forms is a problem (the pages could show either)."""
    out: dict[str, str] = {}
    first: dict[str, str] = {}

    def walk(doc: YamlDoc, node: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(node, dict):
            source, english = node.get("source"), node.get("source_en")
            if isinstance(source, str) and isinstance(english, str) and english.strip():
                if out.setdefault(source, english) != english:
                    where = first[source]
                    problems.append(
                        doc.problem(
                            (*path, "source_en"),
                            f"another English form of the same source ({where}): "
                            f"{out[source]!r}; give one source one translation",
                        )
                    )
                first.setdefault(source, f"{doc.file}:{doc.line_of((*path, 'source_en'))}")
            for key, value in node.items():
                walk(doc, value, (*path, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(doc, value, (*path, i))

    for doc in docs.values():
        walk(doc, doc.data, ())
    return out


def file_schemas() -> dict[str, type[BaseModel]]:
    """The pydantic model of each file's top level: docs/RULES.md must mention every field."""
    return {
        "taxonomy.yaml": TaxonomyFile,
        "areas.yaml": AreasFile,
        "lines.yaml": LinesFile,
        "agencies.yaml": AgenciesFile,
        "classification.yaml": ClassificationFile,
        "rules.yaml": RulesFile,
        "escalation.yaml": EscalationFile,
        "holidays.yaml": HolidaysFile,
        "crosswalks.yaml": CrosswalksFile,
    }


def _version(directory: Path, names: list[str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(names):
        digest.update(name.encode() + b"\0" + (directory / name).read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _collect(problems: list[Problem], fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except RulesError as exc:
        problems += exc.problems
        return None


def _build_core(directory: Path, docs: dict[str, YamlDoc]) -> RuleSet:
    problems: list[Problem] = []
    tax = _collect(problems, lambda: docs["taxonomy.yaml"].validate(TaxonomyFile))
    areas_file = _collect(problems, lambda: docs["areas.yaml"].validate(AreasFile))
    lines_file = _collect(problems, lambda: docs["lines.yaml"].validate(LinesFile))
    agencies_file = _collect(problems, lambda: docs["agencies.yaml"].validate(AgenciesFile))
    if problems:
        raise RulesError(problems)
    taxonomy = _taxonomy(tax, docs["taxonomy.yaml"])
    areas = _areas(areas_file, docs["areas.yaml"])
    children: dict[str, list[str]] = {}
    for area in areas.values():
        if area.parent:
            children.setdefault(area.parent, []).append(area.code)
    lines = _lines(lines_file, docs["lines.yaml"], areas)
    agencies = _agencies(agencies_file, docs["agencies.yaml"], areas, taxonomy)
    return RuleSet(
        directory=directory,
        version=_version(
            directory, [*docs, *([MODEL_FILE] if (directory / MODEL_FILE).is_file() else [])]
        ),
        taxonomy=taxonomy,
        areas=areas,
        lines=lines,
        agencies=agencies,
        office_hours=list(agencies_file.office_hours),
        children=children,
    )


def _unique(items: list[Any], key: str, doc: YamlDoc, group: str) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for index, item in enumerate(items):
        value = getattr(item, key)
        if value in seen:
            problems.append(doc.problem((group, index, key), f"duplicate {key} {value!r}"))
        seen.add(value)
    return problems


def _taxonomy(tax: TaxonomyFile, doc: YamlDoc) -> Taxonomy:
    problems = _unique(tax.categories, "code", doc, "categories")
    labels: dict[str, dict[str, dict[str, str]]] = {"category": {}, "subcategory": {}}
    subcategories: dict[str, str] = {}
    for ci, cat in enumerate(tax.categories):
        labels["category"][cat.code] = cat.label.model_dump()
        for si, sub in enumerate(cat.subcategories):
            # A sub-category code may be shared (forced_marriage under gbv and trafficking).
            if sub.code in labels["category"]:
                problems.append(
                    doc.problem(
                        ("categories", ci, "subcategories", si, "code"),
                        "a sub-category cannot reuse a category code",
                    )
                )
            labels["subcategory"].setdefault(sub.code, sub.label.model_dump())
            subcategories.setdefault(sub.code, cat.code)
    for group, singular in TERM_GROUPS.items():
        terms = getattr(tax, group)
        problems += _unique(terms, "code", doc, group)
        labels[singular] = {t.code: t.label.model_dump() for t in terms}
    urgencies = {t.code for t in tax.urgencies}
    for required in ("emergency", "high", "normal", "low"):
        if required not in urgencies:
            problems.append(doc.problem(("urgencies",), f"urgency {required!r} is required"))
    if problems:
        raise RulesError(problems)
    return Taxonomy(
        categories={c.code: c for c in tax.categories},
        subcategories=subcategories,
        labels=labels,
        case_categories=frozenset(c.code for c in tax.categories if c.case),
    )


def _areas(file: AreasFile, doc: YamlDoc) -> dict[str, AreaDef]:
    problems = _unique(file.areas, "code", doc, "areas")
    areas = {a.code: a for a in file.areas}
    for index, area in enumerate(file.areas):
        if area.parent is not None and area.parent not in areas:
            problems.append(
                doc.problem(("areas", index, "parent"), f"unknown area {area.parent!r}")
            )
    # A cycle would make "nearest ancestor" loop forever.
    for index, area in enumerate(file.areas):
        seen: set[str] = set()
        current: str | None = area.code
        while current in areas and current not in seen:
            seen.add(current)
            current = areas[current].parent
        if current is not None and current in seen:
            problems.append(doc.problem(("areas", index, "parent"), "the area tree has a cycle"))
    roots = [a.code for a in file.areas if a.parent is None]
    if len(roots) != 1:
        problems.append(doc.problem(("areas",), f"the tree needs exactly one root, found {roots}"))
    if problems:
        raise RulesError(problems)
    problems += _lifetimes(file, doc, areas)
    if problems:
        raise RulesError(problems)
    return areas


def _lifetimes(file: AreasFile, doc: YamlDoc, areas: dict[str, AreaDef]) -> list[Problem]:
    """Areas with a life: a retired area names its successors, which exist and are there the
    day after; no live area hangs under a retired one; no cycle of successors."""
    problems: list[Problem] = []
    for index, area in enumerate(file.areas):
        where: tuple[str | int, ...] = ("areas", index)
        problems += _own_life(doc, where, area)
        problems += _successor_lives(doc, where, area, areas)
        parent = areas.get(area.parent) if area.parent else None
        if parent is not None:
            problems += _within_parent(doc, where, area, parent)
    problems += _successor_cycles(file, doc, areas)
    return problems


def _own_life(doc: YamlDoc, where: tuple[str | int, ...], area: AreaDef) -> list[Problem]:
    problems = []
    start, end = area.valid_from, area.valid_to
    if start is not None and end is not None and start > end:
        problems.append(doc.problem(where + ("valid_to",), "valid_to is before valid_from"))
    successors = area.successor_list()
    if end is not None and not successors:
        problems.append(
            doc.problem(
                where + ("successors",),
                f"the area was retired on {end} but has no successors: name the area(s) "
                "it became, so its calls still route and count",
            )
        )
    if successors and end is None:
        problems.append(
            doc.problem(where + ("valid_to",), "an area with successors needs valid_to")
        )
    shares = [s.share for s in successors if s.share is not None]
    if len(successors) > 1 and shares:
        if len(shares) != len(successors):
            problems.append(
                doc.problem(where + ("successors",), "give every successor a share, or none")
            )
        elif abs(sum(shares) - 1) > 0.01:
            problems.append(
                doc.problem(where + ("successors",), f"the shares add up to {sum(shares):g}, not 1")
            )
    return problems


def _successor_lives(
    doc: YamlDoc, where: tuple[str | int, ...], area: AreaDef, areas: dict[str, AreaDef]
) -> list[Problem]:
    """Each successor exists, once, and is there the day after the area's last day (a new
    area made by the reform starts that day: an earlier start would overlap)."""
    problems = []
    seen: set[str] = set()
    end = area.valid_to
    for si, s in enumerate(area.successor_list()):
        path = where + ("successors", si)
        if s.code in seen:
            problems.append(doc.problem(path, f"successor {s.code!r} listed twice"))
        seen.add(s.code)
        new = areas.get(s.code)
        if new is None:
            problems.append(doc.problem(path, f"unknown area {s.code!r}"))
        elif end is not None and new.valid_from is not None and new.valid_from <= end:
            problems.append(
                doc.problem(
                    path,
                    f"overlapping validity: {area.code!r} exists until {end} and its "
                    f"successor {s.code!r} from {new.valid_from}",
                )
            )
        elif end is not None and not new.live_on(end + timedelta(days=1)):
            day_after = end + timedelta(days=1)
            problems.append(
                doc.problem(path, f"successor {s.code!r} does not exist on {day_after}")
            )
    return problems


def _within_parent(
    doc: YamlDoc, where: tuple[str | int, ...], area: AreaDef, parent: AreaDef
) -> list[Problem]:
    """An area lives within its parent's life: a live area under a retired one is orphaned."""
    problems = []
    start, end = area.valid_from, area.valid_to
    if parent.valid_to is not None and end is None:
        problems.append(
            doc.problem(
                where + ("parent",),
                f"orphaned: the area is live but its parent {parent.code!r} was retired on "
                f"{parent.valid_to}; move it under a live area",
            )
        )
    elif parent.valid_to is not None and end is not None and end > parent.valid_to:
        problems.append(
            doc.problem(
                where + ("valid_to",),
                f"overlapping validity: the area outlives its parent {parent.code!r} "
                f"(retired on {parent.valid_to})",
            )
        )
    if parent.valid_from is not None and (start is None or start < parent.valid_from):
        problems.append(
            doc.problem(
                where + ("valid_from",),
                f"overlapping validity: the area exists before its parent {parent.code!r} "
                f"(from {parent.valid_from})",
            )
        )
    return problems


def _successor_cycles(file: AreasFile, doc: YamlDoc, areas: dict[str, AreaDef]) -> list[Problem]:
    problems = []
    for index, area in enumerate(file.areas):
        # Walk every path of successors from this area: coming back to it is a cycle.
        todo: list[tuple[str, tuple[str, ...]]] = [
            (s.code, (area.code, s.code)) for s in area.successor_list()
        ]
        seen: set[str] = set()
        while todo:
            code, trail = todo.pop()
            if code == area.code:
                problems.append(
                    doc.problem(
                        ("areas", index, "successors"),
                        f"the successors form a cycle: {' → '.join(trail)}",
                    )
                )
                break
            if code in seen or code not in areas:
                continue
            seen.add(code)
            todo += [(s.code, (*trail, s.code)) for s in areas[code].successor_list()]
    return problems


def _lines(file: LinesFile, doc: YamlDoc, areas: dict[str, AreaDef]) -> dict[str, LineDef]:
    problems = _unique(file.lines, "number", doc, "lines")
    for index, line in enumerate(file.lines):
        if line.area is not None and line.area not in areas:
            problems.append(doc.problem(("lines", index, "area"), f"unknown area {line.area!r}"))
        elif line.area is not None and areas[line.area].valid_to is not None:
            problems.append(
                doc.problem(("lines", index, "area"), _retired(areas[line.area], "the line"))
            )
        if line.level != "national" and line.area is None:
            problems.append(
                doc.problem(
                    ("lines", index, "area"),
                    "a provincial, city or district line needs its home area",
                )
            )
    if problems:
        raise RulesError(problems)
    return {line.code: line for line in file.lines}


def _agencies(
    file: AgenciesFile, doc: YamlDoc, areas: dict[str, AreaDef], taxonomy: Taxonomy
) -> dict[str, AgencyDef]:
    problems = _unique(file.agencies, "code", doc, "agencies")
    codes = {a.code for a in file.agencies}
    kinds = set(taxonomy.codes("agency_kind"))
    for index, agency in enumerate(file.agencies):
        where = ("agencies", index)
        if agency.kind not in kinds:
            problems.append(doc.problem(where + ("kind",), f"unknown agency kind {agency.kind!r}"))
        if agency.area not in areas:
            problems.append(doc.problem(where + ("area",), f"unknown area {agency.area!r}"))
        elif areas[agency.area].valid_to is not None:
            problems.append(doc.problem(where + ("area",), _retired(areas[agency.area], "it")))
        if agency.kind == "safe_house" and agency.beds is None:
            problems.append(
                doc.problem(where + ("beds",), "a safe house needs its capacity (beds)")
            )
        if agency.operated_by is not None and agency.operated_by not in codes:
            problems.append(
                doc.problem(where + ("operated_by",), f"unknown agency {agency.operated_by!r}")
            )
    problems += _priorities(file, doc)
    if problems:
        raise RulesError(problems)
    return {a.code: a for a in file.agencies}


def _retired(area: AreaDef, what: str) -> str:
    went = ", ".join(s.code for s in area.successor_list())
    return f"area {area.code!r} was retired on {area.valid_to}: re-point {what} to {went}"


def _priorities(file: AgenciesFile, doc: YamlDoc) -> list[Problem]:
    """Two agencies of one kind in one area: each says which is chosen first (`priority`,
    lower first), else only the first in file order would ever get a referral. Safe houses
    are chosen by free beds, so they may share an area without one."""
    groups: dict[tuple[str, str], list[int]] = {}
    for index, agency in enumerate(file.agencies):
        groups.setdefault((agency.kind, agency.area), []).append(index)
    problems = []
    for (kind, area), indexes in groups.items():
        if len(indexes) < 2 or kind == "safe_house":
            continue
        given = [file.agencies[i].priority for i in indexes]
        names = ", ".join(file.agencies[i].code for i in indexes)
        for i in indexes:
            priority = file.agencies[i].priority
            if priority is None:
                message = (
                    f"{len(indexes)} {kind} agencies in area {area!r} ({names}): give each a "
                    "priority (lower is chosen first)"
                )
            elif given.count(priority) > 1:
                message = f"priority {priority} is shared by {kind} agencies in {area!r}: {names}"
            else:
                continue
            problems.append(doc.problem(("agencies", i, "priority"), message))
    return problems


class RuleSetHolder:
    """The rule set in use. reload() swaps in a new one only if it loads cleanly."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.current = ruleset
        self.last_error: RulesError | None = None

    def reload(self, directory: str | Path | None = None) -> RuleSet:
        try:
            fresh = load_ruleset(directory or self.current.directory)
        except RulesError as exc:
            self.last_error = exc
            raise
        self.current = fresh
        self.last_error = None
        return fresh
