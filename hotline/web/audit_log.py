"""The audit log page: search by user, action, object and dates, newest first, paginated.

Supervisors and admins only, and reading the log is itself audited. The application only
ever adds audit rows (hotline.accounts.audit.record); there is no code path that changes or deletes
them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from hotline import keys
from hotline.accounts.auth import allow
from hotline.calls.parse import FIRST_YEAR, LAST_YEAR
from hotline.i18n.translation import lazy
from hotline.models import AuditEvent, User
from hotline.web.limits import page_number
from hotline.web.security import audit_request, principal_of

PAGE_SIZE = 50


@dataclass
class AuditFilter:
    user: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: str = ""
    until: str = ""
    page: int = 1


def _date(value: str, name: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        errors[name] = lazy("not a date (YYYY-MM-DD)")
        return None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors[name] = lazy("must be between 1970 and 2100")
        return None
    return day


def parse_filter(query: Any) -> tuple[AuditFilter, dict[str, str]]:
    errors: dict[str, str] = {}
    values = {
        name: str(query.get(name, "")).strip()[:64]
        for name in ("user", "action", "object_type", "object_id", "since", "until")
    }
    try:
        page = page_number(query.get("page", "1"))
    except ValueError:
        errors["page"] = lazy("must be a whole number from 1")
        page = 1
    for name in ("since", "until"):
        _date(values[name], name, errors)
    return AuditFilter(**values, page=page), errors


async def build_query(
    session: AsyncSession, filters: AuditFilter, zone: ZoneInfo
) -> Select[AuditEvent]:
    query = select(AuditEvent)
    if filters.user:
        user_id = await session.scalar(
            select(col(User.id)).where(col(User.username) == filters.user)
        )
        by_name = [
            col(AuditEvent.actor) == filters.user,
            col(AuditEvent.actor).endswith(":" + filters.user, autoescape=True),
        ]
        # No such user: match the actor name only (user_id == None would mean "IS NULL").
        query = query.where(
            or_(*by_name, *([col(AuditEvent.user_id) == user_id] if user_id is not None else []))
        )
    if filters.action:
        # "call." finds every call action; a full name finds that action.
        query = query.where(
            col(AuditEvent.action).startswith(filters.action, autoescape=True)
            if filters.action.endswith(".")
            else col(AuditEvent.action) == filters.action
        )
    if filters.object_type:
        query = query.where(col(AuditEvent.object_type) == filters.object_type)
    if filters.object_id:
        query = query.where(col(AuditEvent.object_id) == filters.object_id)
    ignore: dict[str, str] = {}
    since, until = _date(filters.since, "since", ignore), _date(filters.until, "until", ignore)
    if since:
        query = query.where(col(AuditEvent.at) >= datetime.combine(since, time(), zone))
    if until:  # the whole of that local day
        query = query.where(
            col(AuditEvent.at) < datetime.combine(until + timedelta(days=1), time(), zone)
        )
    return query


@allow("supervisor", "admin")
async def audit_log(request: web.Request) -> web.Response:
    principal = principal_of(request)
    filters, errors = parse_filter(request.query)
    zone = ZoneInfo(request.app[keys.SETTINGS].timezone)
    async with request.app[keys.DB].write() as session:
        rows: list[AuditEvent] = []
        total = 0
        if not errors:
            query = await build_query(session, filters, zone)
            total = int(
                await session.scalar(select(func.count()).select_from(query.subquery())) or 0
            )
            rows = list(
                (
                    await session.execute(
                        query.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
                        .offset((filters.page - 1) * PAGE_SIZE)
                        .limit(PAGE_SIZE)
                    )
                ).scalars()
            )
        audit_request(
            request,
            session,
            "audit.read",
            "audit",
            principal=principal,
            detail={k: v for k, v in asdict(filters).items() if v and k != "page"},
        )
    actions = sorted(
        {
            "audit.read",
            "call.create",
            "call.read",
            "call.update",
            "call.redact",
            "call.export",
            "privacy.export",
            "login",
            "logout",
            "user.create",
            "user.update",
            "user.password_reset",
            "user.logout_everywhere",
            "token.create",
            "token.revoke",
            "agency.update",
            "agency.capacity",
            "rules.reload",
            "rules.reload_failed",
            "referral.acknowledge",
            "referral.status",
            "call.",
            "user.",
            "referral.",
            "rules.",
        }
    )
    return aiohttp_jinja2.render_template(
        "audit/log.html",
        request,
        {
            "events": rows,
            "total": total,
            "filters": filters,
            "errors": errors,
            "page_size": PAGE_SIZE,
            "actions": actions,
            "page_url": lambda n: str(request.rel_url.update_query(page=n)),
            "show": lambda detail: json.dumps(detail, ensure_ascii=False, default=str)[:400],
        },
        status=422 if errors else 200,
    )
