"""Supervisor dashboard and report downloads, and the response-times API.

Handlers (routes are wired in hotline/web/routes.py):
  supervisor_dashboard   GET /supervisor/dashboard?period=&since=&until=&area=&line=&areas=
  dashboard_csv          GET /supervisor/dashboard.csv?chart=<key>&(same filters)
  report_download        GET /supervisor/report?period=&area=&framework=&format=xlsx|csv&section=
  api_response_times     GET /api/v1/stats/response-times?period=|since=&until=&group_by=&area=
  api_dashboard          GET /api/v1/stats/dashboard?period=|since=&until=&area=&line=

Every chart is inline SVG next to its table, and each table has a CSV link.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from hotline import keys
from hotline.accounts.auth import allow
from hotline.calls.parse import InvalidInput
from hotline.calls.views import figures_scope
from hotline.reports import fmt
from hotline.reports.dashboard import Dashboard, dashboard
from hotline.reports.export import write_csv, write_xlsx
from hotline.reports.periodic import build_report
from hotline.reports.periods import ReportInputError, check_group, period_from_params
from hotline.reports.scope import Scope
from hotline.reports.statistics import response_times
from hotline.rules.ruleset import RuleSet
from hotline.web.charts import columns, hbars
from hotline.web.security import principal_of

SUPERVISORS = ("supervisor", "admin")
TEXT = {
    "vi": {
        "calls": "Cuộc gọi",
        "count": "Số lượng",
        "hour": "Giờ",
        "line": "Đường dây",
        "category": "Loại vụ việc",
        "area": "Địa bàn",
        "step": "Bước",
        "age": "Thời gian chờ",
        "kind": "Loại cơ quan",
        "referrals": "Lượt chuyển gửi",
        "ack": "Tiếp nhận – trung vị",
        "ack90": "Tiếp nhận – P90",
        "res": "Giải quyết – trung vị",
        "ack_share": "Tiếp nhận kịp thời",
        "res_share": "Giải quyết kịp thời",
        "by_line": "Cuộc gọi theo đường dây",
        "by_category": "Cuộc gọi theo loại",
        "by_area": "Cuộc gọi theo địa bàn",
        "by_hour": "Cuộc gọi theo giờ trong ngày",
        "funnel": "Phễu tiếp nhận – can thiệp",
        "response": "Thời gian phản hồi theo cơ quan",
        "open": "Chuyển gửi chưa xong theo thời gian chờ",
    },
    "en": {
        "calls": "Calls",
        "count": "Count",
        "hour": "Hour",
        "line": "Line",
        "category": "Category",
        "area": "Area",
        "step": "Step",
        "age": "Age",
        "kind": "Agency kind",
        "referrals": "Referrals",
        "ack": "Acknowledge – median",
        "ack90": "Acknowledge – p90",
        "res": "Resolve – median",
        "ack_share": "Acknowledged in time",
        "res_share": "Resolved in time",
        "by_line": "Calls by line",
        "by_category": "Calls by category",
        "by_area": "Calls by area",
        "by_hour": "Calls by hour of day",
        "funnel": "Funnel",
        "response": "Response times by agency kind",
        "open": "Open referrals by age",
    },
}


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


def charts_of(d: Dashboard, locale: str) -> list[dict[str, Any]]:
    """Each chart with its table: raw rows (CSV) and formatted cells (page)."""
    t = TEXT.get(locale, TEXT["vi"])
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


async def _dashboard(request: web.Request) -> tuple[Dashboard, Any]:
    app = request.app
    settings, now = app[keys.SETTINGS], app[keys.CLOCK].now()
    period = period_from_params(request.query, now=now, tz=settings.timezone)
    d = await dashboard(
        app[keys.DB],
        app[keys.RULES].current,
        since=period.since,
        until=period.until,
        area=request.query.get("area") or None,
        line=request.query.get("line") or None,
        now=now,
        locale=_locale(request),
        tz=settings.timezone,
        areas_as=request.query.get("areas") or "today",
        scope=_scope(request),
    )
    return d, period


def _scope(request: web.Request) -> Scope | None:
    return figures_scope(principal_of(request), request.app[keys.RULES].current)


def scope_names(scope: Scope | None, rules: RuleSet) -> str:
    """The reader's lines and areas by name, for the notice that the figures are theirs only."""
    if scope is None:
        return ""
    lines = [
        (rules.lines[c].display or rules.lines[c].number) if c in rules.lines else c
        for c in sorted(scope.lines)
    ]
    return ", ".join(lines + [rules.areas[c].name if c in rules.areas else c for c in scope.roots])


@allow(*SUPERVISORS)
async def supervisor_dashboard(request: web.Request) -> web.Response:
    locale = _locale(request)
    context: dict[str, Any] = {"filters": dict(request.query), "errors": {}, "charts": []}
    try:
        d, period = await _dashboard(request)
    except ReportInputError as exc:
        context["errors"] = {exc.field: exc.message}
        return aiohttp_jinja2.render_template(
            "supervisor/dashboard.html", request, context, status=400
        )
    context.update(
        dash=d,
        period=period,
        charts=charts_of(d, locale),
        query=request.query_string,
        fmt=fmt,
        scope_names=scope_names(d.scope, request.app[keys.RULES].current),
    )
    return aiohttp_jinja2.render_template("supervisor/dashboard.html", request, context)


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
        raise web.HTTPBadRequest(text=str(exc)) from None
    key = request.query.get("chart", "")
    chart = next((c for c in charts_of(d, _locale(request)) if c["key"] == key), None)
    if chart is None:
        raise web.HTTPBadRequest(text=f"chart: unknown chart {key!r}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(chart["headers"])
    writer.writerows([["" if v is None else v for v in row] for row in chart["rows"]])
    return _csv_response(out.getvalue(), f"{key}-{period.first_day}-{period.last_day}.csv")


@allow(*SUPERVISORS)
async def report_download(request: web.Request) -> web.Response:
    app, q = request.app, request.query
    try:
        now = app[keys.CLOCK].now()
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
        raise web.HTTPBadRequest(text=str(exc)) from None
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
        raise InvalidInput({exc.field: exc.message}) from None
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
        raise InvalidInput({exc.field: exc.message}) from None
    return web.json_response({"period": period.to_dict(), **d.to_dict()})
