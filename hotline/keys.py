"""Every piece of state kept on the aiohttp application, as typed keys."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from hotline.clock import Clock
from hotline.db.engine import Database
from hotline.i18n.translation import Catalogs
from hotline.rules.ruleset import RuleSetHolder
from hotline.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
CLOCK = web.AppKey("clock", Clock)
DB = web.AppKey("db", Database)
RULES = web.AppKey("rules", RuleSetHolder)
CATALOGS = web.AppKey("catalogs", Catalogs)
# Parts wired by app.py: outbox worker, scheduler, metrics registry.
WORKER = web.AppKey("delivery_worker", Any)
SCHEDULER = web.AppKey("scheduler", Any)
METRICS = web.AppKey("metrics", Any)  # hotline.jobs.background.Metrics
# name -> async () -> {"ok": bool, ...}: background parts report to /healthz through these.
HEALTH_CHECKS = web.AppKey("health_checks", dict)
# Per request (request[...]): who is asking, and in which language.
PRINCIPAL = web.RequestKey("principal", Any)  # hotline.accounts.auth.Principal | None
LOCALE = web.RequestKey("locale", str)
