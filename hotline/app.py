"""create_app(settings): the only place where the service is wired together."""

from __future__ import annotations

import gc
import hashlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import session_middleware
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from hotline import keys
from hotline.calls import privacy
from hotline.clock import Clock, SystemClock
from hotline.db.engine import Database, lock_start_up
from hotline.i18n.translation import load_catalogs
from hotline.jobs.background import Metrics, background_contexts, node_name
from hotline.rules import jurisdiction
from hotline.rules.ruleset import RuleSet, RuleSetHolder, load_ruleset
from hotline.settings import PROJECT_ROOT, Settings
from hotline.web import present
from hotline.web.error_pages import error_page_middleware
from hotline.web.errors import error_middleware
from hotline.web.limits import PARSER_LIMITS, limits_middleware, quiet_parser_refusals
from hotline.web.routes import setup_routes
from hotline.web.security import auth_middleware, headers_middleware

log = logging.getLogger("hotline")
TEMPLATES = PROJECT_ROOT / "templates"
STATIC = Path(__file__).parent / "static"


def session_key(secret: str) -> bytes:
    """The cookie encryption key (32 raw bytes; the storage base64-encodes them for Fernet),
    derived from HOTLINE_SECRET_KEY so one secret serves sessions and signed links."""
    return hashlib.sha256(b"hotline-session:" + secret.encode()).digest()


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    rules: RuleSet | None = None,
    background: bool = True,
) -> web.Application:
    """The application. background=False leaves out the delivery worker and the scheduler
    (tests drive them by hand with a chosen `now`)."""
    if len(settings.secret_key) < 16:
        raise ValueError("HOTLINE_SECRET_KEY must be set (at least 16 characters)")
    privacy.protect_logs()
    quiet_parser_refusals()
    storage = EncryptedCookieStorage(
        session_key(settings.secret_key),
        cookie_name="hotline_session",
        max_age=settings.session_max_age,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="Lax",
    )
    # Order matters: headers on every answer; errors shaped; bounds checked and the body
    # read within its deadline before anything uses them (the CSRF check reads forms); the
    # session before anyone reads it; the language (it only compares ?lang=, the session's and
    # cookie's choice and Accept-Language with the known locales) before any refusal.
    app = web.Application(
        middlewares=[
            headers_middleware,
            error_page_middleware,
            error_middleware,
            session_middleware(storage),  # before limits: an error page it causes reads the session
            present.locale_middleware,  # before limits: their refusals in the reader's language
            limits_middleware,
            auth_middleware,
        ],
        client_max_size=settings.max_body_bytes,
        # Every server of this app (hotline serve, tests, benches) parses with these limits.
        handler_args=PARSER_LIMITS,
    )
    app[keys.SETTINGS] = settings
    app[keys.CLOCK] = clock or SystemClock()
    app[keys.NODE] = node_name(settings)
    app[keys.RULES] = RuleSetHolder(rules or load_ruleset(settings.rules_dir))
    app[keys.CATALOGS] = load_catalogs(settings.locale)
    app[keys.HEALTH_CHECKS] = {}
    app[keys.METRICS] = Metrics()
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        context_processors=[present.context_processor],
    )
    present.install_filters(env)
    app.cleanup_ctx.append(_database)
    if background:
        app.cleanup_ctx.extend(background_contexts())
        app.on_startup.append(_freeze_start_up_objects)
    setup_routes(app, STATIC)
    return app


async def _freeze_start_up_objects(_app: web.Application) -> None:
    """The rules, templates, models and routes live as long as the process: kept out of the
    garbage collector's full passes, which otherwise walked them all (80 ms, several times a
    minute under load). Only for the real service (background parts on), not test apps."""
    gc.collect()
    gc.freeze()


async def _database(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]
    db = Database(settings.database_url)
    app[keys.DB] = db
    if settings.auto_migrate:
        await db.upgrade()
    async with db.write() as session:
        await lock_start_up(session)  # nodes starting together take turns
        await jurisdiction.sync(session, app[keys.RULES].current)
    yield
    await db.dispose()
