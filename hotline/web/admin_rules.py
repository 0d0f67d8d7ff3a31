"""Admin pages for the agency directory and the rule set: agencies with their channels, hours
and beds (edited in routing_rules/agencies.yaml, see hotline.rules.agency_directory), beds in use
(a database figure routing reads), and the rules page with its reload button. Audited."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy import select
from sqlmodel import col

from hotline import keys
from hotline.accounts.auth import allow
from hotline.calls.occupancy import bed_occupancy
from hotline.i18n.translation import lazy
from hotline.models import Agency, AuditEvent
from hotline.routing.coverage import coverage
from hotline.rules import agency_directory
from hotline.rules.yamlfile import RulesError
from hotline.web import reload as rules_admin
from hotline.web.security import audit_request, client_address, principal_of

DONE = {
    "saved": lazy("Saved; the rules were reloaded."),
    "capacity": lazy("Beds in use saved."),
    "reloaded": lazy("Rules reloaded."),
    "reload_failed": lazy(
        "The rules have errors and were not reloaded; the rules in use are unchanged."
    ),
}


def _reload_errors(request: web.Request) -> list[str]:
    """After a failed reload (?done=reload_failed): each problem of the files, to list in the
    error box (file, line and what is wrong)."""
    error = request.app[keys.RULES].last_error
    if request.query.get("done") != "reload_failed" or error is None:
        return []
    return [str(p) for p in error.problems]


def _code(request: web.Request) -> str:
    code = request.match_info["code"]
    if code not in request.app[keys.RULES].current.agencies:
        raise web.HTTPNotFound(text="no such agency")
    return code


@allow("admin")
async def agencies(request: web.Request) -> web.Response:
    rules = request.app[keys.RULES].current
    async with request.app[keys.DB].read() as session:
        rows = {a.code: a for a in (await session.execute(select(Agency))).scalars()}
        occupied = await bed_occupancy(session, rules)
    return aiohttp_jinja2.render_template(
        "admin/agencies.html",
        request,
        {
            "agencies": sorted(rules.agencies.values(), key=lambda a: (a.area, a.kind, a.code)),
            "rows": rows,
            "occupied": occupied,
            "done": DONE.get(request.query.get("done", "")),
        },
    )


def _form_of(spec: dict[str, Any], row: Agency | None) -> dict[str, Any]:
    mode, custom = agency_directory.hours_text(spec.get("hours"))
    beds = spec.get("beds")
    return {
        "channels": list(spec.get("channels") or []),
        "hours_mode": mode,
        "hours_custom": custom,
        "beds": "" if beds is None else str(beds),
        "beds_in_use": str(row.beds_in_use if row else 0),
    }


async def _page(
    request: web.Request,
    code: str,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    status: int = 200,
    based_on: str | None = None,
) -> web.Response:
    rules_dir = request.app[keys.RULES].current.directory
    spec = agency_directory.raw_agency(rules_dir, code) or {}
    async with request.app[keys.DB].read() as session:
        row = await session.get(Agency, code)
        occupied = (await bed_occupancy(session, request.app[keys.RULES].current)).get(code)
    shown = form or _form_of(spec, row)
    if shown.get("beds_in_use") is None:
        shown["beds_in_use"] = str(row.beds_in_use if row else 0)
    shown["channels"] = shown["channels"] + [{} for _ in range(agency_directory.CHANNEL_ROWS_EXTRA)]
    return aiohttp_jinja2.render_template(
        "admin/agency.html",
        request,
        {
            "agency": request.app[keys.RULES].current.agencies[code],
            "row": row,
            "form": shown,
            "errors": errors or {},
            "general": general or [],
            "occupied": occupied,
            "channel_types": agency_directory.CHANNEL_TYPES,
            "digest": based_on or agency_directory.digest(rules_dir),
            "done": DONE.get(request.query.get("done", "")),
            "reload_errors": _reload_errors(request),
        },
        status=status,
    )


@allow("admin")
async def agency_page(request: web.Request) -> web.Response:
    return await _page(request, _code(request))


def _channel_rows(form: Any) -> list[dict[str, Any]]:
    """The channel rows as typed, row for row, so messages stay next to their row."""
    rows: list[dict[str, Any]] = []
    while f"channels-{len(rows)}-address" in form:
        i = len(rows)
        rows.append(
            {
                "type": str(form.get(f"channels-{i}-type", ""))[:20],
                "address": str(form.get(f"channels-{i}-address", ""))[:501],
                "secure": form.get(f"channels-{i}-secure") == "on",
            }
        )
    return rows


@allow("admin")
async def agency_update(request: web.Request) -> web.StreamResponse:
    """Channels, hours and beds: written to agencies.yaml only if the rules still load."""
    code = _code(request)
    form = await request.post()
    rules_dir = request.app[keys.RULES].current.directory
    old = agency_directory.raw_agency(rules_dir, code) or {}
    channels, rows = agency_directory.parse_channels(form, list(old.get("channels") or []))
    hours, hours_error = agency_directory.parse_hours(
        str(form.get("hours_mode", "office")), str(form.get("hours_custom", ""))[:2000]
    )
    beds, beds_error = agency_directory.parse_beds(str(form.get("beds", ""))[:20])
    shown = {
        "channels": _channel_rows(form),
        "hours_mode": str(form.get("hours_mode", "office")),
        "hours_custom": str(form.get("hours_custom", ""))[:2000],
        "beds": str(form.get("beds", ""))[:20],
        "beds_in_use": None,
    }
    errors = agency_directory.check_form(str(old.get("kind", "")), channels, rows, beds)
    errors |= {k: v for k, v in (("hours", hours_error), ("beds", beds_error)) if v}
    based_on = str(form.get("digest", ""))
    general: list[str] = []
    if not errors:
        try:
            await agency_directory.save_agency(
                rules_dir,
                code,
                {"channels": channels, "hours": hours, "beds": beds},
                based_on=based_on,
            )
        except ValueError:
            general = [
                lazy(
                    "The agency file was changed by someone else meanwhile. "
                    "Open the page again and repeat your change."
                )
            ]
        except RulesError as exc:
            errors, general = agency_directory.field_errors(
                exc, agency_directory.index_of(rules_dir, code), rows
            )
    if errors or general:
        return await _page(
            request, code, form=shown, errors=errors, general=general, status=422, based_on=based_on
        )
    ok, message = await rules_admin.reload_rules(
        request.app, actor="admin", principal=principal_of(request), address=client_address(request)
    )
    async with request.app[keys.DB].write() as session:
        audit_request(
            request,
            session,
            "agency.update",
            "agency",
            code,
            detail={"fields": ["channels", "hours", "beds"], "reloaded": ok},
        )
    raise web.HTTPSeeOther(
        str(
            request.app.router["admin_agency"]
            .url_for(code=code)
            .with_query(done="saved" if ok else "reload_failed")
        )
    )


MAX_BEDS = 100_000  # within the column's range, and far beyond any safe house


@allow("admin")
async def agency_capacity(request: web.Request) -> web.StreamResponse:
    """Beds in use as the safe house reports them (routing adds the cases it has accepted)."""
    code = _code(request)
    form = await request.post()
    text = str(form.get("beds_in_use", "")).strip()[:10]
    spec = request.app[keys.RULES].current.agencies[code]
    error = None
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_BEDS:
        error = lazy("must be a whole number")
    elif spec.beds is not None and int(text) > spec.beds:
        error = lazy("more than the beds the house has")
    if error:
        rules_dir = request.app[keys.RULES].current.directory
        form_values = _form_of(agency_directory.raw_agency(rules_dir, code) or {}, None)
        form_values["beds_in_use"] = text
        return await _page(
            request, code, form=form_values, errors={"beds_in_use": error}, status=422
        )
    async with request.app[keys.DB].write() as session:
        row = await session.get(Agency, code)
        if row is None:
            raise web.HTTPNotFound(text="no such agency")
        before, row.beds_in_use = row.beds_in_use, int(text)
        audit_request(
            request,
            session,
            "agency.capacity",
            "agency",
            code,
            detail={"from": before, "to": row.beds_in_use},
        )
    raise web.HTTPSeeOther(
        str(request.app.router["admin_agency"].url_for(code=code).with_query(done="capacity"))
    )


@allow("admin")
async def coverage_page(request: web.Request) -> web.Response:
    """Every live area x the agency kinds the rules may need: the agency chosen, or none."""
    rules = request.app[keys.RULES].current
    rows = coverage(rules)
    return aiohttp_jinja2.render_template(
        "admin/coverage.html",
        request,
        {
            "rules": rules,
            "kinds": rules.needed_kinds(),
            "rows": rows,
            "gaps": sum(len(row.gaps) for row in rows),
            "only_gaps": request.query.get("gaps") == "1",
        },
    )


@allow("admin")
async def rules_page(request: web.Request) -> web.Response:
    holder = request.app[keys.RULES]
    directory = holder.current.directory
    files = [{"name": p.name, "size": p.stat().st_size} for p in sorted(directory.glob("*.yaml"))]
    async with request.app[keys.DB].read() as session:
        history = list(
            (
                await session.execute(
                    select(AuditEvent)
                    .where(col(AuditEvent.object_type) == "rules")
                    .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
                    .limit(10)
                )
            ).scalars()
        )
    return aiohttp_jinja2.render_template(
        "admin/rules.html",
        request,
        {
            "version": holder.current.version,
            "model": holder.current.model.info if holder.current.model else None,
            "directory": directory,
            "files": files,
            "last_error": str(holder.last_error) if holder.last_error else None,
            "history": history,
            "done": DONE.get(request.query.get("done", "")),
            "reload_errors": _reload_errors(request),
        },
    )


@allow("admin")
async def rules_reload(request: web.Request) -> web.StreamResponse:
    ok, _message = await rules_admin.reload_rules(
        request.app, actor="admin", principal=principal_of(request), address=client_address(request)
    )
    raise web.HTTPSeeOther(
        str(
            request.app.router["admin_rules"]
            .url_for()
            .with_query(done="reloaded" if ok else "reload_failed")
        )
    )
