"""Figures of the suggestions on a labelled corpus (hotline classify eval, and the test figures
the trainer writes into the model file).

For each narrative the suggester returns its category codes in rank order and its
sub-category codes; the figures, all in per cent:
- top-1 / top-2: the expected category is the first / among the first two suggested;
- no suggestion: no category suggested at all;
- false case: of the narratives that are not cases, the share given any case category (the
  routing would refer them to an agency if the operator left the categories empty);
- sub-category: of the narratives with an expected sub-category, the share that has it among
  the suggested sub-categories;
- without diacritics: top-2 on the same narratives with their diacritics stripped, beside
  top-2 on them as written (only narratives written with diacritics count).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from hotline.routing.corpus import Example, strip_marks

Suggester = Callable[[str, Sequence[int]], tuple[list[str], list[str]]]


@dataclass
class Tally:
    n: int = 0
    top1: int = 0
    top2: int = 0
    none: int = 0

    def pct(self, count: int) -> float:
        return round(100 * count / self.n, 1) if self.n else 0.0


@dataclass
class Report:
    overall: Tally = field(default_factory=Tally)
    case: Tally = field(default_factory=Tally)
    by_category: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_tag: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    non_case: int = 0
    false_case: int = 0
    subs: int = 0
    subs_right: int = 0
    marked: Tally = field(default_factory=Tally)  # narratives written with diacritics
    stripped: Tally = field(default_factory=Tally)  # the same, stripped
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)

    def figures(self) -> dict[str, float]:
        """The headline figures, in per cent (the model file keeps these)."""
        o = self.overall
        return {
            "top1": o.pct(o.top1),
            "top2": o.pct(o.top2),
            "case_top2": self.case.pct(self.case.top2),
            "no_suggestion": o.pct(o.none),
            "false_case": round(100 * self.false_case / self.non_case, 1) if self.non_case else 0.0,
            "subcategory": round(100 * self.subs_right / self.subs, 1) if self.subs else 0.0,
            "english_top2": self.by_tag["english"].pct(self.by_tag["english"].top2)
            if "english" in self.by_tag
            else 0.0,
            "marked_top2": self.marked.pct(self.marked.top2),
            "stripped_top2": self.stripped.pct(self.stripped.top2),
        }


def _count(tally: Tally, expected: str, cats: list[str]) -> None:
    tally.n += 1
    tally.top1 += bool(cats) and cats[0] == expected
    tally.top2 += expected in cats[:2]
    tally.none += not cats


def evaluate(
    examples: Iterable[Example], suggester: Suggester, case_categories: frozenset[str]
) -> Report:
    report = Report()
    for e in examples:
        cats, subs = suggester(e.narrative, e.ages)
        for tally in (report.overall, report.by_category[e.category]):
            _count(tally, e.category, cats)
        for tag in e.tags:
            _count(report.by_tag[tag], e.category, cats)
        if e.category in case_categories:
            _count(report.case, e.category, cats)
        else:
            report.non_case += 1
            report.false_case += not case_categories.isdisjoint(cats)
        if e.subcategory:
            report.subs += 1
            report.subs_right += e.subcategory in subs
        report.confusion[(e.category, cats[0] if cats else "—")] += 1
        stripped = strip_marks(e.narrative)
        if stripped != e.narrative:
            _count(report.marked, e.category, cats)
            _count(report.stripped, e.category, suggester(stripped, e.ages)[0])
    return report


def render(report: Report) -> str:
    """The report as the command prints it."""
    f = report.figures()
    out = [
        f"narratives: {report.overall.n} ({report.case.n} cases, {report.non_case} not cases)",
        f"top-1 {f['top1']} %   top-2 {f['top2']} %   case calls top-2 {f['case_top2']} %",
        f"no suggestion {f['no_suggestion']} %   "
        f"not cases given a case category {f['false_case']} %",
        f"right sub-category suggested {f['subcategory']} % (of {report.subs})",
        f"English top-2 {f['english_top2']} %",
        f"written with diacritics top-2 {f['marked_top2']} %, the same stripped "
        f"{f['stripped_top2']} % (of {report.marked.n})",
        "",
        f"{'category':<20} {'n':>5} {'top-1':>7} {'top-2':>7} {'none':>6}",
    ]
    for code in sorted(report.by_category):
        t = report.by_category[code]
        out.append(
            f"{code:<20} {t.n:>5} {t.pct(t.top1):>6}% {t.pct(t.top2):>6}% {t.pct(t.none):>5}%"
        )
    if report.by_tag:
        out += ["", f"{'tag':<20} {'n':>5} {'top-1':>7} {'top-2':>7} {'none':>6}"]
        for tag in sorted(report.by_tag):
            t = report.by_tag[tag]
            out.append(
                f"{tag:<20} {t.n:>5} {t.pct(t.top1):>6}% {t.pct(t.top2):>6}% {t.pct(t.none):>5}%"
            )
    out += ["", "confusion (rows: expected; columns: first suggestion)"]
    expected = sorted(report.by_category)
    got = sorted({g for _, g in report.confusion}, key=lambda g: (g == "—", g))
    short = {g: g[:6] for g in got}
    out.append(" " * 20 + "".join(f"{short[g]:>7}" for g in got))
    for row in expected:
        cells = "".join(f"{report.confusion.get((row, g), 0) or '.':>7}" for g in got)
        out.append(f"{row:<20}{cells}")
    return "\n".join(out)
