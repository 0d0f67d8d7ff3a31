"""Reloading the rules while the service runs (admin action or SIGHUP), audited.

A directory with errors never replaces the rule set in use: the old one keeps routing and the
errors are reported (and kept for /healthz and the admin page)."""

from __future__ import annotations

import logging

from aiohttp import web

from hotline import keys
from hotline.accounts import audit
from hotline.accounts.auth import Principal
from hotline.rules import jurisdiction
from hotline.rules.yamlfile import RulesError

log = logging.getLogger("hotline.rules")


async def reload_rules(
    app: web.Application,
    *,
    actor: str,
    principal: Principal | None = None,
    address: str | None = None,
) -> tuple[bool, str]:
    holder = app[keys.RULES]
    before = holder.current.version
    now = app[keys.CLOCK].now()
    try:
        fresh = holder.reload()
        ok, message = True, f"{before} -> {fresh.version}"
    except RulesError as exc:
        ok, message = False, str(exc)
    async with app[keys.DB].write() as session:
        if ok:
            await jurisdiction.sync(session, holder.current)
        audit.record(
            session,
            at=now,
            principal=principal,
            actor=actor if not principal else None,
            action="rules.reload" if ok else "rules.reload_failed",
            object_type="rules",
            object_id=holder.current.version,
            address=address,
            detail={"result": message[:2000]},
        )
    if ok:
        log.info("rules reloaded: %s", message)
    else:
        log.warning("rules reload refused; still using %s:\n%s", before, message)
    return ok, message
