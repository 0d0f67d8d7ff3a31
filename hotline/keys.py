"""Every piece of state kept on the aiohttp application, as typed keys."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.clock import Clock
from hotline.db.engine import Database
from hotline.i18n.translation import Catalogs
from hotline.rules.ruleset import RuleSetHolder
from hotline.settings import Settings

if TYPE_CHECKING:
    # For the annotations only: the background parts import this module (a cycle at run
    # time), and the request keys' types need not load the accounts package here.
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from hotline.accounts.auth import Principal
    from hotline.jobs.background import Metrics
    from hotline.jobs.wakeups import Wakeups
    from hotline.notify.worker import DeliveryWorker

# A background part's /healthz probe: async () -> {"ok": bool, ...}.
HealthCheck = Callable[[], Awaitable[dict[str, Any]]]

SETTINGS = web.AppKey("settings", Settings)
CLOCK = web.AppKey("clock", Clock)
DB = web.AppKey("db", Database)
RULES = web.AppKey("rules", RuleSetHolder)
CATALOGS = web.AppKey("catalogs", Catalogs)
# This node's name on its claims, heartbeats, events, /healthz and /metrics.
NODE = web.AppKey("node", str)
# Parts wired by app.py: outbox worker, scheduler, metrics registry (typed by annotation,
# their classes being imported for type checking only).
WORKER: web.AppKey[DeliveryWorker] = web.AppKey("delivery_worker")
SCHEDULER: web.AppKey[AsyncIOScheduler] = web.AppKey("scheduler")
METRICS: web.AppKey[Metrics] = web.AppKey("metrics")
# PostgreSQL: this node's LISTEN/NOTIFY wake-ups (None on SQLite).
WAKEUPS: web.AppKey[Wakeups | None] = web.AppKey("wakeups")
# name -> probe: background parts report to /healthz through these.
HEALTH_CHECKS: web.AppKey[dict[str, HealthCheck]] = web.AppKey("health_checks")
# Per request (request[...]): who is asking (None: nobody signed in), and in which language.
PRINCIPAL: web.RequestKey[Principal | None] = web.RequestKey("principal")
LOCALE = web.RequestKey("locale", str)
# A bearer token whose "last used" is due, written with the request's own write transaction
# (security.write_for), or after the handler when it has none.
TOKEN_STAMP = web.RequestKey("token_stamp", int)
# The write transaction a @one_transaction handler's bearer token was checked in (its context
# manager, entered, and its session), until the handler's first write_for takes it over.
OPEN_WRITE = web.RequestKey(
    "open_write", tuple[AbstractAsyncContextManager[AsyncSession], AsyncSession]
)
