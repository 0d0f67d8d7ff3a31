"""Demo data at the national line's scale: calls, referrals, escalations, dead letters.

The mix follows DOMAIN.md: about 91% non-case calls (silent, prank, information, other),
8.6% counselled (including the cases) and 0.2% intervention cases, spread over lines, areas,
years, weekdays and hours (more in the evening). Referrals get acknowledgement and
resolution times drawn per agency (each agency has its own speed; some are late, some
decline, some are still open at `end`); late ones get escalation events.

Rows are written in bulk on the driver connection (executemany on SQLite, COPY on
PostgreSQL), in chronological order with explicit ids. Rollups are rebuilt at the end.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hotline.db.bulk import ensure_directory, fix_sequences, insert_rows, next_ids
from hotline.db.engine import Database
from hotline.rules.ruleset import RuleSet

Progress = Callable[[int, int], None]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
BATCH = 50_000

# Share of all calls per top-level outcome (DOMAIN.md: 8.6% counselled incl. 0.2% cases).
MIX = (
    ("case", 0.002),
    ("counselling", 0.084),
    ("information", 0.20),
    ("silent", 0.42),
    ("prank_or_abusive", 0.24),
    ("other", 0.054),
)
CASE_MIX = (("child_abuse", 0.60), ("gbv", 0.32), ("trafficking", 0.08))
URGENCY_MIX = (("emergency", 0.10), ("high", 0.25), ("normal", 0.55), ("low", 0.10))
# Calls by local hour: quiet at night, busiest in the evening after school and work.
HOUR_WEIGHTS = (
    2,
    1,
    1,
    1,
    1,
    2,
    3,
    5,
    6,
    6,
    6,
    6,
    5,
    5,
    6,
    6,
    7,
    8,
    10,
    12,
    12,
    10,
    7,
    4,
)
WEEKDAY_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 1.05, 0.95, 0.9)
ACK_LIMIT = {"emergency": 15 * 60, "high": 3600, "normal": 4 * 3600, "low": 24 * 3600}
RESOLVE_LIMIT = {"child_abuse": 5 * 86400, "gbv": 3 * 86400, "trafficking": 3 * 86400}
# Which agency kinds a case goes to (a simplified reading of the reference policy).
KINDS = {
    "child_abuse": (
        ("child_protection", 1.0),
        ("police", 0.4),
        ("health", 0.3),
        ("commune_committee", 0.5),
    ),
    "gbv": (("womens_union", 1.0), ("police", 0.3), ("health", 0.2), ("safe_house", 0.1)),
    "trafficking": (("police", 1.0), ("child_protection", 1.0), ("womens_union", 0.4)),
}


@dataclass
class AgencyProfile:
    """How fast one agency answers: log-normal delays around its own medians."""

    ack_median: float
    resolve_median: float
    decline: float
    stale: float  # never resolves


@dataclass
class Batch:
    calls: list[dict[str, Any]] = field(default_factory=list)
    categories: list[dict[str, Any]] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)
    referrals: list[dict[str, Any]] = field(default_factory=list)
    escalations: list[dict[str, Any]] = field(default_factory=list)
    notifications: list[dict[str, Any]] = field(default_factory=list)


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    x = rng.random() * sum(w for _, w in table)
    for code, weight in table:
        x -= weight
        if x < 0:
            return code
    return table[-1][0]


def _calls_per_day(calls: int, start: datetime, end: datetime) -> Iterator[tuple[date, int]]:
    """Spread `calls` over the local days from start to end, weighted by weekday and a
    slow yearly growth; error diffusion makes the counts add up exactly."""
    first, last = (
        start.astimezone(TZ).date(),
        (end - timedelta(microseconds=1)).astimezone(TZ).date(),
    )
    days = [first + timedelta(n) for n in range((last - first).days + 1)]
    weights = [WEEKDAY_WEIGHTS[d.weekday()] * (1 + 0.03 * (d.year - first.year)) for d in days]
    total, carry, given = sum(weights), 0.0, 0
    for day, weight in zip(days, weights, strict=True):
        carry += calls * weight / total
        n = min(int(carry + 0.5) - given, calls - given)
        given += max(n, 0)
        yield day, max(n, 0)


class Generator:
    """Draws the rows of one demo data set (pure: no database)."""

    def __init__(self, ruleset: RuleSet, seed: int, start: datetime, end: datetime) -> None:
        self.rules = ruleset
        self.rng = random.Random(seed)
        self.start, self.end = start, end
        self.lines = self._line_weights()
        self.line_areas = {
            code: self._areas_under(line.area) for code, line in ruleset.lines.items()
        }
        self.profiles = {code: self._profile(code) for code in ruleset.agencies}
        self.nearest: dict[tuple[str, str], str | None] = {}

    def _line_weights(self) -> tuple[tuple[str, float], ...]:
        national = [c for c, ln in self.rules.lines.items() if ln.level == "national"]
        local = [c for c, ln in self.rules.lines.items() if ln.level != "national"]
        out = [(c, (0.78 if i == 0 else 0.14)) for i, c in enumerate(national)]
        out += [(c, 0.08 / max(len(local), 1)) for c in local]
        return tuple(out)

    def _areas_under(self, root: str | None) -> list[str]:
        """Today's areas (the generated history is recent): not the old map's."""
        live = [c for c in self.rules.areas if self.rules.is_live(c)]
        if root is None:
            return [c for c in live if self.rules.areas[c].parent is not None]
        return [c for c in live if self.rules.contains(root, c)]

    def _profile(self, code: str) -> AgencyProfile:
        r = random.Random(f"{code}-profile")
        return AgencyProfile(
            ack_median=r.choice((8, 15, 30, 45, 90, 180)) * 60.0,
            resolve_median=r.uniform(0.7, 6.0) * 86400,
            decline=r.uniform(0.01, 0.08),
            stale=r.uniform(0.0, 0.04),
        )

    def agency_for(self, kind: str, area: str) -> str | None:
        key = (kind, area)
        if key not in self.nearest:
            found = None
            for code in self.rules.ancestors(area):
                found = next(
                    (a.code for a in self.rules.agencies_of_kind(kind) if a.area == code), None
                )
                if found:
                    break
            self.nearest[key] = found
        return self.nearest[key]

    def days(self, calls: int) -> Iterator[tuple[date, int]]:
        return _calls_per_day(calls, self.start, self.end)

    def call_times(self, day: date, n: int) -> list[datetime]:
        midnight = datetime(day.year, day.month, day.day, tzinfo=TZ).astimezone(UTC)
        lo = max((self.start - midnight).total_seconds(), 0.0)
        hi = min((self.end - midnight).total_seconds(), 86400.0) - 1e-3
        hours = self.rng.choices(range(24), weights=HOUR_WEIGHTS, k=n)
        # Days cut by start or end keep their share of calls, squeezed inside the limits.
        secs = sorted(min(max(h * 3600 + self.rng.random() * 3600, lo), hi) for h in hours)
        return [midnight + timedelta(seconds=s) for s in secs]

    def call(self, ids: dict[str, int], at: datetime, batch: Batch) -> None:
        rng = self.rng
        call_id = ids["call"]
        ids["call"] += 1
        line = _pick(rng, self.lines)
        outcome = _pick(rng, MIX)
        no_area = outcome in ("silent", "prank_or_abusive") or rng.random() < 0.2
        area = None if no_area and outcome != "case" else rng.choice(self.line_areas[line])
        categories, subcategories, urgency = [outcome], [], "normal"
        if outcome == "case":
            categories = [_pick(rng, CASE_MIX)]
            if rng.random() < 0.1:
                categories.append("gbv" if categories[0] == "child_abuse" else "child_abuse")
            for cat in categories:
                subs = self.rules.taxonomy.categories[cat].subcategories
                subcategories.append(rng.choice(subs).code)
            urgency = _pick(rng, URGENCY_MIX)
        status = "closed"
        if outcome == "case":
            status = self.referrals(ids, call_id, at, area, categories, urgency, batch)
        batch.calls.append(
            {
                "id": call_id,
                "reference": f"DM-{call_id:09d}",
                "line_code": line,
                "received_at": at,
                "logged_at": at + timedelta(seconds=rng.randint(30, 900)),
                "caller_anonymous": outcome in ("silent", "prank_or_abusive"),
                "area_code": area,
                "narrative": "" if outcome != "case" else "(dữ liệu mẫu)",
                "search_text": "" if outcome != "case" else " du lieu mau ",
                "categories": categories,
                "subcategories": sorted(set(subcategories)),
                "categories_source": "operator",  # history: chosen (or confirmed) by operators
                "urgency": urgency,
                "status": status,
                "updated_at": at,
            }
        )
        batch.categories += [
            {"call_id": call_id, "code": c} for c in sorted(set(categories) | set(subcategories))
        ]
        if outcome in ("case", "counselling"):
            ids["person"] += 1
            batch.people.append(
                {
                    "id": ids["person"] - 1,
                    "call_id": call_id,
                    "position": 0,
                    "age": rng.randint(3, 40),
                    "sex": rng.choice(("female", "male")),
                }
            )

    def referrals(
        self,
        ids: dict[str, int],
        call_id: int,
        at: datetime,
        area: str | None,
        categories: list[str],
        urgency: str,
        batch: Batch,
    ) -> str:
        """Referrals of one case; returns the call's status."""
        where = area or "vn"
        kinds: dict[str, str] = {}
        for cat in categories:
            for kind, share in KINDS[cat]:
                if kind not in kinds and self.rng.random() < share:
                    kinds[kind] = cat
        states = []
        for kind, cat in kinds.items():
            agency = self.agency_for(kind, where)
            if agency is not None:
                states.append(self.referral(ids, call_id, at, agency, kind, cat, urgency, batch))
        if not states:
            return "open"
        if all(s in ("resolved", "declined") for s in states):
            return "closed" if self.end - at > timedelta(days=30) else "resolved"
        return "in_progress" if any(s != "notified" for s in states) else "referred"

    def referral(
        self,
        ids: dict[str, int],
        call_id: int,
        at: datetime,
        agency: str,
        kind: str,
        category: str,
        urgency: str,
        batch: Batch,
    ) -> str:
        rng, profile = self.rng, self.profiles[agency]
        ref_id = ids["referral"]
        ids["referral"] += 1
        created = at + timedelta(seconds=rng.randint(60, 1200))
        ack_due = created + timedelta(seconds=ACK_LIMIT[urgency])
        resolve_due = created + timedelta(seconds=RESOLVE_LIMIT[category])
        ack = created + timedelta(seconds=rng.lognormvariate(math.log(profile.ack_median), 1.0))
        resolved = ack + timedelta(
            seconds=rng.lognormvariate(math.log(profile.resolve_median), 0.8)
        )
        row: dict[str, Any] = {
            "id": ref_id,
            "call_id": call_id,
            "agency_code": agency,
            "agency_kind": kind,
            "rule_id": f"demo-{category}-{kind}",
            "ruleset_version": "demo",
            "created_at": created,
            "notified_at": created + timedelta(seconds=5),
            "ack_due_at": ack_due,
            "resolve_due_at": resolve_due,
            "policy": {"demo": True},
        }
        status = "notified"
        if ack <= self.end:
            declined = rng.random() < profile.decline
            row["acknowledged_at"] = ack
            status = "acknowledged"
            if declined:
                row["declined_at"], status = ack, "declined"
            elif rng.random() >= profile.stale and resolved <= self.end:
                row.update(accepted_at=ack, resolved_at=resolved)
                status = "resolved"
            else:
                row["accepted_at"], status = ack, "in_progress"
        row["status"] = status
        row["escalation_level"] = self.escalations(ref_id, call_id, row, batch)
        batch.referrals.append(row)
        dead = rng.random() < 0.01
        ids["notification"] += 1
        batch.notifications.append(
            {
                "id": ids["notification"] - 1,
                "referral_id": ref_id,
                "call_id": call_id,
                "channel": "email",
                "address": f"{agency}@demo.example",
                "state": "dead" if dead else "delivered",
                "attempts": 8 if dead else 1,
                "created_at": created,
                "delivered_at": None if dead else created + timedelta(seconds=5),
                "last_error": "demo: mailbox unavailable" if dead else None,
            }
        )
        return status

    def escalations(self, ref_id: int, call_id: int, row: dict[str, Any], batch: Batch) -> int:
        """Steps fired for a late acknowledgement: remind at the due time, then the
        supervisor an hour later if still silent. Returns the level reached."""
        ack = row.get("acknowledged_at")
        level = 0
        for step, delay, action in ((1, 0, "remind"), (2, 3600, "notify_supervisor")):
            due = row["ack_due_at"] + timedelta(seconds=delay)
            if (ack is None or ack > due) and due <= self.end:
                level = step
                batch.escalations.append(
                    {
                        "subject": f"referral:{ref_id}",
                        "call_id": call_id,
                        "referral_id": ref_id,
                        "step": step,
                        "action": action,
                        "due_at": due,
                        "fired_at": due + timedelta(seconds=self.rng.randint(1, 60)),
                    }
                )
        return level


async def generate(
    db: Database,
    ruleset: RuleSet,
    *,
    calls: int,
    seed: int = 111,
    start: datetime,
    end: datetime,
    progress: Progress | None = None,
    refresh: bool = True,
) -> dict[str, int]:
    """Add `calls` demo calls received between start and end; returns row counts.

    progress(done, total) is called after each batch. With refresh the daily_stat rollups
    of the days touched are rebuilt at the end (hotline.reports.rollups)."""
    if end <= start:
        raise ValueError("end must be after start")
    gen = Generator(ruleset, seed, start, end)
    await ensure_directory(db, ruleset)
    ids = await next_ids(db)
    counts = dict.fromkeys(
        ("calls", "categories", "people", "referrals", "escalations", "notifications"), 0
    )
    batch, done, days = Batch(), 0, set()
    for day, n in gen.days(calls):
        for at in gen.call_times(day, n):
            gen.call(ids, at, batch)
        days.add(day)
        if len(batch.calls) >= BATCH:
            done = await _flush(db, batch, counts, done, calls, progress)
            batch = Batch()
    done = await _flush(db, batch, counts, done, calls, progress)
    await fix_sequences(db, ("call", "referral", "person", "notification"))
    if refresh and days:
        from hotline.reports.rollups import refresh_rollups, watermark

        # A database never rolled up gets its first full build (which also sets the
        # watermark); otherwise only the demo's days, whose updated_at lies in the past.
        fresh = await watermark(db) is None
        await refresh_rollups(db, days=None if fresh else sorted(days), now=datetime.now(UTC))
    # Fresh statistics, or the planners guess wrong on the bulk-loaded tables; on PostgreSQL
    # VACUUM also sets the visibility map, so index-only scans work at once.
    async with db.engine.connect() as conn:
        auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await auto.exec_driver_sql("ANALYZE" if db.is_sqlite else "VACUUM ANALYZE")
    return counts


async def _flush(
    db: Database,
    batch: Batch,
    counts: dict[str, int],
    done: int,
    total: int,
    progress: Progress | None,
) -> int:
    if not batch.calls:
        return done
    async with db.write() as session:
        conn = await session.connection()
        for table, rows in (
            ("call", batch.calls),
            ("call_category", batch.categories),
            ("person", batch.people),
            ("referral", batch.referrals),
            ("escalation_event", batch.escalations),
            ("notification", batch.notifications),
        ):
            await insert_rows(conn, table, rows)
    counts["calls"] += len(batch.calls)
    counts["categories"] += len(batch.categories)
    counts["people"] += len(batch.people)
    counts["referrals"] += len(batch.referrals)
    counts["escalations"] += len(batch.escalations)
    counts["notifications"] += len(batch.notifications)
    done += len(batch.calls)
    if progress is not None:
        progress(done, total)
    return done
