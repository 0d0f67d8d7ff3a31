"""Supervisor dashboard and report downloads, and the response-times API.

Handlers (routes are wired in hotline/web/routes.py):
  supervisor_dashboard   GET /supervisor/dashboard?period=&since=&until=&area=&line=&areas=
  dashboard_csv          GET /supervisor/dashboard.csv?chart=<key>&(same filters)
  report_download        GET /supervisor/report?period=|since=&until=&area=&framework=
                             &format=xlsx|csv&section=
  api_response_times     GET /api/v1/stats/response-times?period=|since=&until=&group_by=&area=
  api_dashboard          GET /api/v1/stats/dashboard?period=|since=&until=&area=&line=

Every chart is inline SVG next to its table, and each table has a CSV link.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from hotline import keys
from hotline.accounts.auth import allow
from hotline.calls.parse import InvalidInput
from hotline.calls.views import figures_scope
from hotline.i18n.translation import lazy
from hotline.reports import fmt
from hotline.reports.dashboard import Dashboard, dashboard
from hotline.reports.export import write_csv, write_xlsx
from hotline.reports.periodic import build_report
from hotline.reports.periods import (
    ONE_OF,
    PRESETS,
    ReportInputError,
    check_group,
    period_from_params,
)
from hotline.reports.scope import Scope
from hotline.reports.statistics import response_times
from hotline.rules.ruleset import RuleSet
from hotline.web.charts import columns, hbars
from hotline.web.security import principal_of

SUPERVISORS = ("supervisor", "admin")
# Column and chart names, translated when the page or CSV is made.
TEXT = {
    "calls": lazy("Calls"),
    "count": lazy("Count"),
    "hour": lazy("Hour"),
    "line": lazy("Line"),
    "category": lazy("Category"),
    "area": lazy("Area"),
    "step": lazy("Step"),
    "age": lazy("Age"),
    "kind": lazy("Agency kind"),
    "referrals": lazy("Referrals"),
    "ack": lazy("Acknowledge – median"),
    "ack90": lazy("Acknowledge – p90"),
    "res": lazy("Resolve – median"),
    "ack_share": lazy("Acknowledged in time"),
    "res_share": lazy("Resolved in time"),
    "by_line": lazy("Calls by line"),
    "by_category": lazy("Calls by category"),
    "by_area": lazy("Calls by area"),
    "by_hour": lazy("Calls by hour of day"),
    "funnel": lazy("Intake – intervention funnel"),
    "response": lazy("Response times by agency kind"),
    "open": lazy("Open referrals by age"),
}
# The parameters the pages' forms send, by the label of their field (errors name it).
FIELD_LABELS = {
    "period": lazy("Period"),
    "since": lazy("From"),
    "until": lazy("To"),
    "area": lazy("Area"),
    "line": lazy("Line"),
    "areas": lazy("Group by"),
    "framework": lazy("Framework"),
    "format": lazy("Format"),
    "section": lazy("Section"),
    "chart": lazy("Chart"),
}
REPORT_FORMATS = ("xlsx", "csv")
DASHBOARD = ("period", "since", "until", "area", "line", "areas")  # the page's own filters


def last_half(now: Any) -> str:
    """The last completed half-year, the report most often asked for."""
    today = fmt.local(now).date()
    return f"{today.year}-H1" if today.month >= 7 else f"{today.year - 1}-H2"


def _locale(request: web.Request) -> str:
    return request.get(keys.LOCALE) or "vi"


def _simple(
    key: str, title: str, head: list[str], items: list[tuple[str, float]], locale: str
) -> dict[str, Any]:
    return {
        "key": key,
        "title": title,
        "headers": head,
        "rows": [[label, value] for label, value in items],
        "cells": [[label, fmt.number(value, locale)] for label, value in items],
        "svg": hbars(items, title=title, locale=locale),
    }


def _gettext(request: web.Request) -> Callable[[str], str]:
    return request.app[keys.CATALOGS].get(_locale(request)).gettext


def charts_of(d: Dashboard, locale: str, gettext: Callable[[str], str]) -> list[dict[str, Any]]:
    """Each chart with its table: raw rows (CSV) and formatted cells (page)."""
    t = {key: gettext(text) for key, text in TEXT.items()}
    out = [
        _simple(
            "calls_by_line",
            t["by_line"],
            [t["line"], t["calls"]],
            [(x["label"], x["calls"]) for x in d.calls_by_line],
            locale,
        ),
        _simple(
            "calls_by_category",
            t["by_category"],
            [t["category"], t["calls"]],
            [(x["label"], x["calls"]) for x in d.calls_by_category],
            locale,
        ),
        _simple(
            "calls_by_area",
            t["by_area"],
            [t["area"], t["calls"]],
            [(x["label"], x["calls"]) for x in d.calls_by_area],
            locale,
        ),
    ]
    hours = [f"{h:02d}h" for h in range(24)]
    out.append(
        {
            "key": "calls_by_hour",
            "title": t["by_hour"],
            "headers": [t["hour"], t["calls"]],
            "rows": [[h, n] for h, n in zip(hours, d.calls_by_hour, strict=True)],
            "cells": [
                [h, fmt.number(n, locale)] for h, n in zip(hours, d.calls_by_hour, strict=True)
            ],
            "svg": columns(d.calls_by_hour, hours, title=t["by_hour"], locale=locale),
        }
    )
    out.append(
        _simple(
            "funnel",
            t["funnel"],
            [t["step"], t["count"]],
            [(x["label"], x["count"]) for x in d.funnel],
            locale,
        )
    )
    response = [d.response_total, *d.response_by_agency_kind]
    out.append(
        {
            "key": "response_by_agency_kind",
            "title": t["response"],
            "headers": [
                t["kind"],
                t["referrals"],
                t["ack"],
                t["ack90"],
                t["res"],
                t["ack_share"],
                t["res_share"],
            ],
            "rows": [
                [
                    r.label,
                    r.referrals,
                    r.ack_median,
                    r.ack_p90,
                    r.resolve_median,
                    r.ack_in_time_share,
                    r.resolve_in_time_share,
                ]
                for r in response
            ],
            "cells": [
                [
                    r.label,
                    fmt.number(r.referrals, locale),
                    fmt.duration(r.ack_median, locale),
                    fmt.duration(r.ack_p90, locale),
                    fmt.duration(r.resolve_median, locale),
                    fmt.share(r.ack_in_time_share, locale),
                    fmt.share(r.resolve_in_time_share, locale),
                ]
                for r in response
            ],
            "svg": hbars(
                [(r.label, (r.ack_in_time_share or 0) * 100) for r in d.response_by_agency_kind],
                title=f"{t['ack_share']} (%)",
                locale=locale,
            ),
        }
    )
    out.append(
        _simple(
            "open_referrals_by_age",
            t["open"],
            [t["age"], t["count"]],
            [(x["label"], x["count"]) for x in d.open_referrals_by_age],
            locale,
        )
    )
    return out


def report_presets(now: Any) -> list[tuple[str, str, dict[str, str]]]:
    """The report form's choices: (period, label id, label values), the last completed
    half-year first (the report most often asked for)."""
    today = fmt.local(now).date()
    this_half = f"{today.year}-H{1 if today.month < 7 else 2}"
    return [
        (last_half(now), lazy("Last half-year (%(period)s)"), {"period": last_half(now)}),
        (this_half, lazy("This half-year (%(period)s)"), {"period": this_half}),
        ("6months", lazy("Last 6 months"), {}),
        ("last-month", lazy("Last month"), {}),
        ("this-month", lazy("This month"), {}),
        (str(today.year - 1), lazy("Last year (%(period)s)"), {"period": str(today.year - 1)}),
        ("this-year", lazy("This year"), {}),
    ]


async def _dashboard(request: web.Request, query: Any = None) -> tuple[Dashboard, Any]:
    app = request.app
    q = request.query if query is None else query
    settings, now = app[keys.SETTINGS], app[keys.CLOCK].now()
    period = period_from_params(q, now=now, tz=settings.timezone)
    d = await dashboard(
        app[keys.DB],
        app[keys.RULES].current,
        since=period.since,
        until=period.until,
        area=q.get("area") or None,
        line=q.get("line") or None,
        now=now,
        locale=_locale(request),
        tz=settings.timezone,
        areas_as=q.get("areas") or "today",
        scope=_scope(request),
    )
    return d, period


def _scope(request: web.Request) -> Scope | None:
    return figures_scope(principal_of(request), request.app[keys.RULES].current)


def scope_names(scope: Scope | None, rules: RuleSet, locale: str = "vi") -> str:
    """The reader's lines and areas by name, for the notice that the figures are theirs only."""
    if scope is None:
        return ""
    lines = [rules.line_name(c, locale) for c in sorted(scope.lines)]
    return ", ".join(lines + [rules.area_name(c, locale) for c in scope.roots])


def _errors(request: web.Request, exc: ReportInputError) -> dict[str, str]:
    """A report error as the page shows it: by its field, in the reader's language."""
    return {exc.field: exc.text(_gettext(request))}


async def _page(
    request: web.Request,
    query: Any,
    *,
    errors: dict[str, str] | None = None,
    report: dict[str, str] | None = None,
    report_errors: dict[str, str] | None = None,
) -> web.Response:
    """The dashboard for `query`, with the errors of its own form or of the report form; the
    figures are left out while the dashboard's own filters are wrong."""
    now = request.app[keys.CLOCK].now()
    filters = dict(query)
    if filters.get("since") or filters.get("until"):
        filters.setdefault("period", "custom")
    context: dict[str, Any] = {
        "filters": filters,
        "errors": dict(errors or {}),
        "charts": [],
        "presets": PRESETS,
        "report": report or {},
        "report_errors": report_errors or {},
        # the report form's fields carry ids of their own ("report-period")
        "report_errors_ids": {f"report-{k}": v for k, v in (report_errors or {}).items()},
        "report_presets": report_presets(now),
        "field_labels": FIELD_LABELS,
        "fmt": fmt,
    }
    if not context["errors"]:
        try:
            d, period = await _dashboard(request, query)
        except ReportInputError as exc:
            context["errors"] = _errors(request, exc)
        else:
            if filters.get("period") != "custom":  # the preset's days, shown in the date boxes
                first, last = period.first_day.isoformat(), period.last_day.isoformat()
                filters.update(since=first, until=last)
            context.update(
                dash=d,
                period=period,
                charts=charts_of(d, _locale(request), _gettext(request)),
                query=urlencode({k: v for k, v in query.items() if k in DASHBOARD and v}),
                scope_names=scope_names(d.scope, request.app[keys.RULES].current, _locale(request)),
            )
    bad = context["errors"] or context["report_errors"]
    return aiohttp_jinja2.render_template(
        "supervisor/dashboard.html", request, context, status=400 if bad else 200
    )


@allow(*SUPERVISORS)
async def supervisor_dashboard(request: web.Request) -> web.Response:
    """The dashboard; a wrong filter (an end before the start, an unknown period) shows the
    form again with what was chosen and the error beside its field (400)."""
    return await _page(request, request.query)


def _csv_response(text: str, filename: str) -> web.Response:
    return web.Response(
        body=("\ufeff" + text).encode("utf-8"),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@allow(*SUPERVISORS)
async def dashboard_csv(request: web.Request) -> web.Response:
    try:
        d, period = await _dashboard(request)
    except ReportInputError as exc:
        raise InvalidInput(_errors(request, exc)) from None
    key = request.query.get("chart", "")
    charts = charts_of(d, _locale(request), _gettext(request))
    chart = next((c for c in charts if c["key"] == key), None)
    if chart is None:
        raise InvalidInput({"chart": lazy("Pick a value from the list.")})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(chart["headers"])
    writer.writerows([["" if v is None else v for v in row] for row in chart["rows"]])
    return _csv_response(out.getvalue(), f"{key}-{period.first_day}-{period.last_day}.csv")


@allow(*SUPERVISORS)
async def report_download(request: web.Request) -> web.Response:
    """The periodic report as XLSX (or one section as CSV). A wrong choice shows the
    dashboard again with the report form as it was sent and the error beside its field."""
    app, q = request.app, request.query
    try:
        now = app[keys.CLOCK].now()
        if q.get("format", "xlsx") not in REPORT_FORMATS:
            raise ReportInputError("format", ONE_OF, choices=", ".join(REPORT_FORMATS))
        period = period_from_params(
            q, now=now, tz=app[keys.SETTINGS].timezone, default=last_half(now)
        )
        report = await build_report(
            app[keys.DB],
            app[keys.RULES].current,
            period=period,
            area=q.get("area") or None,
            line=q.get("line") or None,
            framework=q.get("framework") or None,
            now=now,
            areas_as=q.get("areas") or "today",
            scope=_scope(request),
        )
        name = f"bao-cao-{period.label.replace('..', '_')}-{q.get('area') or 'toan-bo'}"
        if q.get("format", "xlsx") == "csv":
            out = io.StringIO()
            write_csv(report, out, q.get("section", "summary"), locale=_locale(request))
            return _csv_response(
                out.getvalue().lstrip("\ufeff"), f"{name}-{q.get('section', 'summary')}.csv"
            )
    except ReportInputError as exc:
        # the dashboard keeps the area and grouping the report form carried along
        keep = {k: q[k] for k in ("area", "areas", "line") if q.get(k) and exc.field != k}
        return await _page(request, keep, report=dict(q), report_errors=_errors(request, exc))
    body = io.BytesIO()
    write_xlsx(report, body, locale=_locale(request))
    return web.Response(
        body=body.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


@allow(*SUPERVISORS)
async def api_response_times(request: web.Request) -> web.Response:
    """GET /api/v1/stats/response-times: rows as JSON; bad parameters are a 400 naming them."""
    app, q = request.app, request.query
    now = app[keys.CLOCK].now()
    try:
        group_by = check_group(q.get("group_by", "agency"))
        period = period_from_params(q, now=now, tz=app[keys.SETTINGS].timezone)
        rows = await response_times(
            app[keys.DB],
            since=period.since,
            until=period.until,
            group_by=group_by,
            now=now,
            ruleset=app[keys.RULES].current,
            area=q.get("area") or None,
            line=q.get("line") or None,
            locale=_locale(request),
            scope=_scope(request),
        )
    except ReportInputError as exc:
        raise InvalidInput(_errors(request, exc)) from None
    return web.json_response(
        {"period": period.to_dict(), "group_by": group_by, "rows": [r.to_dict() for r in rows]}
    )


@allow(*SUPERVISORS)
async def api_dashboard(request: web.Request) -> web.Response:
    """GET /api/v1/stats/dashboard: every dashboard figure as JSON (same parameters as the
    page: period | since & until, area, line)."""
    try:
        d, period = await _dashboard(request)
    except ReportInputError as exc:
        raise InvalidInput(_errors(request, exc)) from None
    return web.json_response({"period": period.to_dict(), **d.to_dict()})
