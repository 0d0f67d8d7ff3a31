"""The periodic reports the plans require (6-monthly, annual, ad hoc): build_report().

A Report is a list of Sections (tables with Vietnamese and English headers, rows and a
total row); hotline.reports.export writes them as XLSX or CSV. Sections: summary, areas,
categories (or a framework's groups), agency kinds, lines, the national funnel with its
intervention types, and open referrals by age.

Counting rules: calls by the local day they were received; referrals by the day they were
made (see statistics.py for the time and "in time" rules). In the category table a call
with two categories counts in both, so its total row gives the distinct number of calls.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hotline.db.engine import Database
from hotline.reports import cases
from hotline.reports.dashboard import (
    AGE_BUCKETS,
    AREAS_AS,
    FUNNEL,
    _side_figures,
    apportion,
    area_label,
    area_mapper,
    area_spread,
    check_filters,
    funnel_counts,
)
from hotline.reports.periods import ONE_OF, Period, ReportInputError, parse_period
from hotline.reports.rollups import Counts, Key, read_counts
from hotline.reports.scope import Scope
from hotline.reports.statistics import Fact, Row, group_facts, referral_facts, summarize
from hotline.reports.tables import Column, Report, Section
from hotline.rules.ruleset import RuleSet

CALL_COLUMNS = [
    Column("calls", "Cuộc gọi tiếp nhận", "Calls received"),
    Column("counselled", "Được tư vấn", "Counselled"),
    Column("cases", "Trường hợp (mở hồ sơ)", "Cases (file opened)"),
    Column("referred", "Được chuyển gửi", "Referred"),
]
STAT_COLUMNS = [
    Column("referrals", "Lượt chuyển gửi", "Referrals"),
    Column(
        "ack_median", "Thời gian tiếp nhận – trung vị", "Time to acknowledge – median", "duration"
    ),
    Column("ack_p90", "Thời gian tiếp nhận – P90", "Time to acknowledge – p90", "duration"),
    Column(
        "resolve_median", "Thời gian giải quyết – trung vị", "Time to resolve – median", "duration"
    ),
    Column("resolve_p90", "Thời gian giải quyết – P90", "Time to resolve – p90", "duration"),
    Column("ack_in_time", "Tỷ lệ tiếp nhận kịp thời", "Acknowledged in time", "share"),
    Column("resolve_in_time", "Tỷ lệ giải quyết kịp thời", "Resolved in time", "share"),
    Column("escalated", "Lượt chuyển gửi bị nhắc/báo cáo vượt cấp", "Referrals escalated"),
    Column("declined", "Bị từ chối", "Declined"),
    Column("open", "Chưa xong", "Open"),
]


def _stat_cells(row: Row) -> list[Any]:
    return [
        row.referrals,
        row.ack_median,
        row.ack_p90,
        row.resolve_median,
        row.resolve_p90,
        row.ack_in_time_share,
        row.resolve_in_time_share,
        row.escalated,
        row.declined,
        row.open,
    ]


def _call_cells(c: dict[str, int]) -> list[Any]:
    return [c["received"], c["counselled"], c["cases"], c["referred"]]


def _split(counts: dict[Key, Counts], key: Any) -> dict[str, dict[Key, Counts]]:
    out: dict[str, dict[Key, Counts]] = {}
    for k, c in counts.items():
        for g in key(k):
            out.setdefault(g, {})[k] = c
    return out


def _grouped(
    key_vi: str,
    key_en: str,
    by_counts: dict[str, dict[Key, Counts]],
    total_counts: dict[Key, Counts],
    facts: list[Fact],
    ruleset: RuleSet,
    now: datetime,
    fact_key: Any,
    label: Any,
    order: list[str],
) -> tuple[list[Column], list[list[Any]], list[Any]]:
    """Rows of call counts and referral statistics per group, and the total row (each call
    and referral once, however many groups it is in)."""
    by_facts = group_facts(facts, fact_key)
    keys = [k for k in order if k in by_counts or k in by_facts]
    keys += sorted(k for k in set(by_counts) | set(by_facts) if k not in set(order))
    empty = {"received": 0, "counselled": 0, "cases": 0, "referred": 0}
    rows = []
    for k in keys:
        calls = funnel_counts(by_counts[k], ruleset) if k in by_counts else empty
        stats = summarize(k, label(k), by_facts.get(k, []), now)
        rows.append([k, label(k), *_call_cells(calls), *_stat_cells(stats)])
    counted = [f for f in facts if fact_key(f)]
    total = [
        "",
        "Tổng cộng",
        *_call_cells(funnel_counts(total_counts, ruleset)),
        *_stat_cells(summarize("all", "", counted, now)),
    ]
    columns = [
        Column("code", "Mã", "Code", "text"),
        Column("name", key_vi, key_en, "text"),
        *CALL_COLUMNS,
        *STAT_COLUMNS,
    ]
    return columns, rows, total


async def build_report(
    db: Database,
    ruleset: RuleSet,
    *,
    period: str | Period,
    area: str | None = None,
    framework: str | None = None,
    line: str | None = None,
    now: datetime | None = None,
    areas_as: str = "today",
    scope: Scope | None = None,
) -> Report:
    """The report for a period ("2026-H1", "2026", …, or a Period), optionally limited to an
    area (and below) or a line; `framework` ("chi", "gbvims", "vn111") groups the category
    table by that framework's groups (routing_rules/crosswalks.yaml). Only the calls in the
    reader's `scope` count, and a note says so."""
    now = now or datetime.now(UTC)
    p = period if isinstance(period, Period) else parse_period(period, now=now)
    walks = ruleset.crosswalks
    if framework is not None and framework not in walks:
        raise ReportInputError("framework", ONE_OF, choices=", ".join(walks) or "-")
    if areas_as not in AREAS_AS:
        raise ReportInputError("areas", ONE_OF, choices=", ".join(AREAS_AS))
    areas = check_filters(ruleset, area, line, areas_as)
    counts = await read_counts(db, p.since, p.until, tz=p.tz, areas=areas, line=line, scope=scope)
    facts = await referral_facts(
        db, since=p.since, until=p.until, areas=areas, line=line, scope=scope
    )
    case_calls = await cases.case_calls(
        db, ruleset, since=p.since, until=p.until, areas=areas, line=line, scope=scope
    )
    filters = (areas, line, scope)
    escalations, ages, _dead = await _side_figures(db, p.since, p.until, now, filters, "vi")
    totals = funnel_counts(counts, ruleset)
    sections = [
        _summary(totals, summarize("all", "", facts, now), escalations, ages),
        _areas(counts, facts, ruleset, area, now, areas_as),
        _categories(counts, facts, case_calls, ruleset, framework, now),
        _agency_kinds(facts, ruleset, now),
        _lines(counts, ruleset),
        _funnel(totals),
        cases.interventions(case_calls, walks.get("vn111")),
        _open(ages),
    ]
    empty = totals["received"] == 0 and not facts
    notes = []
    if empty:
        notes.append(
            f"Không có dữ liệu trong kỳ báo cáo {p.label} / No data for the period {p.label}."
        )
    notes.append(AREAS_NOTE[areas_as])
    if scope is not None:
        notes.append(scope_note(scope, ruleset))
    return Report(p, area, line, framework, now, sections, empty, notes, areas_as)


AREAS_NOTE = {
    "today": "Địa bàn theo bản đồ hiện hành: cuộc gọi ghi nhận ở địa bàn cũ được tính vào địa bàn "
    "kế thừa (chia theo tỷ lệ nếu biết, nếu không thì liệt kê riêng) / Areas as today's map: "
    "calls logged on an old area count in its successor (divided by the known shares, else "
    "listed apart).",
    "logged": "Địa bàn theo lúc ghi nhận cuộc gọi (bản đồ cũ giữ nguyên) / Areas as each call "
    "was logged (the old map kept).",
}


def scope_note(scope: Scope, ruleset: RuleSet) -> str:
    lines = ", ".join(
        (ruleset.lines[c].display or ruleset.lines[c].number) if c in ruleset.lines else c
        for c in sorted(scope.lines)
    )
    areas = ", ".join(ruleset.areas[c].name if c in ruleset.areas else c for c in scope.roots)
    vi = "; ".join(p for p in (lines and f"đường dây {lines}", areas and f"địa bàn {areas}") if p)
    en = "; ".join(p for p in (lines and f"lines {lines}", areas and f"areas {areas}") if p)
    return (
        f"Chỉ gồm các cuộc gọi trong phạm vi của người lập báo cáo ({vi}) / Only the calls "
        f"within the scope of the person who made the report ({en})."
    )


def _summary(
    totals: dict[str, int], overall: Row, escalations: dict[str, Any], ages: list[dict[str, Any]]
) -> Section:
    rows: list[list[Any]] = [
        ["calls", "Cuộc gọi tiếp nhận", totals["received"], "int"],
        ["counselled", "Được tư vấn (kể cả chuyên sâu)", totals["counselled"], "int"],
        ["cases", "Trường hợp mở hồ sơ", totals["cases"], "int"],
        ["referred", "Trường hợp được chuyển gửi hỗ trợ, can thiệp", totals["referred"], "int"],
        ["resolved", "Trường hợp đã giải quyết", totals["resolved"], "int"],
        ["referrals", "Lượt chuyển gửi đến cơ quan", overall.referrals, "int"],
        ["ack_median", "Thời gian tiếp nhận – trung vị", overall.ack_median, "duration"],
        ["ack_p90", "Thời gian tiếp nhận – P90", overall.ack_p90, "duration"],
        ["resolve_median", "Thời gian giải quyết – trung vị", overall.resolve_median, "duration"],
        ["resolve_p90", "Thời gian giải quyết – P90", overall.resolve_p90, "duration"],
        ["ack_in_time", "Tỷ lệ tiếp nhận kịp thời", overall.ack_in_time_share, "share"],
        [
            "resolve_in_time",
            "Tỷ lệ giải quyết kịp thời (chỉ tiêu 90–100%)",
            overall.resolve_in_time_share,
            "share",
        ],
        ["escalations", "Lượt nhắc nhở, báo cáo vượt cấp", escalations["total"], "int"],
        ["open", "Lượt chuyển gửi chưa xong (hiện tại)", sum(a["count"] for a in ages), "int"],
    ]
    return Section(
        "summary",
        "Tổng hợp",
        "Summary",
        [
            Column("code", "Mã", "Code", "text"),
            Column("indicator", "Chỉ tiêu", "Indicator", "text"),
            Column("value", "Giá trị", "Value", "auto"),
            Column("kind", "Loại", "Kind", "text"),
        ],
        rows,
    )


def _areas(
    counts: dict[Key, Counts],
    facts: list[Fact],
    ruleset: RuleSet,
    root: str | None,
    now: datetime,
    areas_as: str = "today",
) -> Section:
    to_child = area_mapper(ruleset, root, areas_as)
    spread = area_spread(ruleset, root, areas_as)
    order = [c for c in ruleset.areas if to_child(c) == c]

    def label(k: str) -> str:
        return area_label(ruleset, k, "(không rõ địa bàn)")

    # A call of an old area split with known shares is divided between its parts' groups;
    # its referral statistics go to the group with the largest share.
    by_counts: dict[str, dict[Key, Counts]] = {}
    for k, c in counts.items():
        parts = spread(k[1])
        if len(parts) == 1:
            by_counts.setdefault(parts[0][0], {})[k] = c
            continue
        shares = [s for _, s in parts]
        for (g, _), calls, referred, resolved in zip(
            parts,
            apportion(c.calls, shares),
            apportion(c.referred, shares),
            apportion(c.resolved, shares),
            strict=True,
        ):
            by_counts.setdefault(g, {})[k] = Counts(calls, referred, resolved)
    cols, rows, total = _grouped(
        "Địa bàn",
        "Area",
        by_counts,
        counts,
        facts,
        ruleset,
        now,
        lambda f: (to_child(f.area),),
        label,
        order,
    )
    return Section("areas", "Theo địa bàn", "By area", cols, rows, total)


def _categories(
    counts: dict[Key, Counts],
    facts: list[Fact],
    case_calls: list[cases.CaseCall],
    ruleset: RuleSet,
    framework: str | None,
    now: datetime,
) -> Section:
    tax = ruleset.taxonomy
    if framework is None:
        by_counts = _split(counts, lambda k: k[2].split("+") if k[2] else ("",))
        cols, rows, total = _grouped(
            "Loại vụ việc",
            "Category",
            by_counts,
            counts,
            facts,
            ruleset,
            now,
            lambda f: f.categories or ("",),
            lambda k: tax.label("category", k) if k else "(chưa phân loại)",
            list(tax.categories),
        )
        return Section(
            "categories",
            "Theo loại vụ việc",
            "By category",
            cols,
            rows,
            total,
            note="Một cuộc gọi nhiều loại được tính ở mỗi loại; dòng tổng đếm "
            "mỗi cuộc gọi một lần.",
        )
    walk = ruleset.crosswalks[framework]
    by_counts, included = cases.framework_counts(walk, counts, case_calls, ruleset)
    cols, rows, total = _grouped(
        walk.label["vi"],
        walk.label["en"],
        by_counts,
        included,
        facts,
        ruleset,
        now,
        lambda f: sorted(walk.groups_of(f.categories, f.subcategories)),
        walk.group_label,
        list(walk.groups),
    )
    cols.insert(2, Column("external", "Mã theo khung", "Framework code", "text"))
    for row in rows:
        row.insert(2, walk.groups.get(row[0], {}).get("external", row[0]))
    total.insert(2, "")
    return Section(
        "categories",
        f"Theo {walk.label['vi']}",
        f"By {walk.label['en']}",
        cols,
        rows,
        total,
        note="Một cuộc gọi có thể thuộc nhiều nhóm; dòng tổng đếm mỗi cuộc gọi "
        "một lần. Nguồn: " + (walk.source or ""),
    )


def _agency_kinds(facts: list[Fact], ruleset: RuleSet, now: datetime) -> Section:
    groups = group_facts(facts, lambda f: (f.agency_kind,))
    order = ruleset.taxonomy.codes("agency_kind")
    keys = [k for k in order if k in groups] + sorted(k for k in groups if k not in order)
    rows = [
        [k, ruleset.taxonomy.label("agency_kind", k), *_stat_cells(summarize(k, k, groups[k], now))]
        for k in keys
    ]
    total = ["", "Tổng cộng", *_stat_cells(summarize("all", "", facts, now))]
    return Section(
        "agency_kinds",
        "Chuyển gửi theo loại cơ quan",
        "Referrals by agency kind",
        [
            Column("code", "Mã", "Code", "text"),
            Column("name", "Loại cơ quan", "Agency kind", "text"),
            *STAT_COLUMNS,
        ],
        rows,
        total,
    )


def _lines(counts: dict[Key, Counts], ruleset: RuleSet) -> Section:
    by_line = _split(counts, lambda k: (k[0],))
    rows = []
    for code, line in ruleset.lines.items():
        if code in by_line:
            rows.append(
                [
                    line.display or line.number,
                    line.name,
                    *_call_cells(funnel_counts(by_line[code], ruleset)),
                ]
            )
    total = ["", "Tổng cộng", *_call_cells(funnel_counts(counts, ruleset))]
    return Section(
        "lines",
        "Theo đường dây",
        "By line",
        [
            Column("number", "Số", "Number", "text"),
            Column("name", "Đường dây", "Line", "text"),
            *CALL_COLUMNS,
        ],
        rows,
        total,
    )


def _funnel(totals: dict[str, int]) -> Section:
    received = totals["received"]
    rows = [
        [key, vi, totals[key], totals[key] / received if received else None]
        for key, vi, _en in FUNNEL
    ]
    return Section(
        "funnel",
        "Phễu tiếp nhận – can thiệp",
        "Funnel",
        [
            Column("code", "Mã", "Code", "text"),
            Column("step", "Bước", "Step", "text"),
            Column("count", "Số lượng", "Count"),
            Column("share", "Tỷ lệ trên cuộc gọi", "Share of calls", "share"),
        ],
        rows,
    )


def _open(ages: list[dict[str, Any]]) -> Section:
    rows = [
        [a["key"], vi, a["count"]] for a, (_k, _l, vi, _en) in zip(ages, AGE_BUCKETS, strict=True)
    ]
    return Section(
        "open_cases",
        "Chuyển gửi chưa xong theo thời gian chờ",
        "Open referrals by age",
        [
            Column("code", "Mã", "Code", "text"),
            Column("age", "Thời gian chờ", "Age", "text"),
            Column("count", "Số lượng", "Count"),
        ],
        rows,
        ["", "Tổng cộng", sum(a["count"] for a in ages)],
        note="Tính đến thời điểm lập báo cáo.",
    )
