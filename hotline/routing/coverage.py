"""Coverage: for every live area, the agency each kind of referral would reach (pure).

rules.yaml may refer a call to a handful of agency kinds; for each live area and each of
those kinds, the agency chosen is the nearest one up the tree (a safe house: the nearest with
beds), exactly as decide() chooses it. "None reachable" means a call from that area needing
that kind would reach nobody: the supervisors' triage queue would have to find someone.
`hotline rules coverage` and the admin page *Coverage* show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hotline.rules.ruleset import RuleSet


@dataclass(frozen=True)
class Reach:
    kind: str
    agency: str | None  # None: none reachable


@dataclass(frozen=True)
class AreaCoverage:
    area: str
    reach: tuple[Reach, ...]

    @property
    def gaps(self) -> list[str]:
        return [r.kind for r in self.reach if r.agency is None]


def coverage(rs: RuleSet, on: date | None = None) -> list[AreaCoverage]:
    """Every live area below the root (on the day `on`; without a day, every area not
    retired), in file order, with the agency each kind rules.yaml may need would reach. The
    root (the country) is left out: a call placed nowhere more precise goes to triage."""
    routing = rs.routing
    kinds = rs.needed_kinds()
    out = []
    for code in rs.live_areas(on):
        if rs.areas[code].parent is None:
            continue
        ancestors = routing.ancestors.get(code, ()) if routing else ()
        reach = []
        for kind in kinds:
            found = None
            by_area = routing.agencies.get(kind, {}) if routing else {}
            for area in ancestors:
                usable = [
                    c for c in by_area.get(area, ()) if kind != "safe_house" or rs.agencies[c].beds
                ]
                if usable:
                    found = usable[0]
                    break
            reach.append(Reach(kind, found))
        out.append(AreaCoverage(code, tuple(reach)))
    return out


def coverage_text(rs: RuleSet, rows: list[AreaCoverage], *, gaps_only: bool = False) -> str:
    """A plain-text table: one line per area and kind (or only the unreachable ones)."""
    lines = []
    for row in rows:
        shown = [r for r in row.reach if r.agency is None] if gaps_only else list(row.reach)
        if not shown:
            continue
        lines.append(f"{row.area}  {rs.area_path(row.area)}")
        for r in shown:
            if r.agency is None:
                lines.append(f"    {r.kind:<20} NONE REACHABLE")
                continue
            agency = rs.agencies[r.agency]
            lines.append(f"    {r.kind:<20} {agency.code} ({rs.areas[agency.area].name})")
    gaps = sum(len(row.gaps) for row in rows)
    lines.append(
        f"{len(rows)} live areas x {len(rs.needed_kinds())} kinds: "
        + (f"{gaps} with none reachable" if gaps else "every kind reachable everywhere")
    )
    return "\n".join(lines)
