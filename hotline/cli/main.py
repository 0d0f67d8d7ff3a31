"""The `hotline` command: serve, demo, db, users, rules, escalations, report, demo-data."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import json
import logging
import signal
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from hotline.settings import Settings, SettingsError


def _settings(args: argparse.Namespace, **overrides: Any) -> Settings:
    return Settings.load(toml_path=getattr(args, "config", None), **overrides)


def main(argv: Sequence[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        sys.exit(2)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # Their INFO lines say nothing an operator of the service needs.
    for noisy in ("alembic", "apscheduler", "aiosqlite"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        code = args.func(args)
    except SettingsError as exc:
        print(f"hotline: {exc}", file=sys.stderr)
        code = 2
    sys.exit(code or 0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hotline", description="Intake and referral router for protection hotlines."
    )
    parser.add_argument("--config", help="a TOML file with settings (HOTLINE_* keys)")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    p = sub.add_parser("serve", help="run the service")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", help="fresh SQLite, reference rules, demo users; then serve")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--db", default="var/demo.sqlite3", help="SQLite file (recreated)")
    p.add_argument(
        "--calls",
        type=int,
        default=5000,
        help="generated history over the last year (default 5000; 0 for none)",
    )
    p.add_argument("--no-serve", action="store_true", help="prepare the demo and exit")
    p.set_defaults(func=cmd_demo)

    db = sub.add_parser("db", help="database maintenance").add_subparsers(metavar="ACTION")
    p = db.add_parser("upgrade", help="apply migrations up to the newest")
    p.set_defaults(func=cmd_db_upgrade)

    users = sub.add_parser("users", help="accounts").add_subparsers(metavar="ACTION")
    p = users.add_parser("create", help="create a user")
    p.add_argument("username")
    p.add_argument("--role", required=True, choices=["operator", "supervisor", "agency", "admin"])
    p.add_argument("--agency", help="agency code (agency users)")
    p.add_argument("--lines", default="", help="comma-separated line numbers served")
    p.add_argument("--areas", default="", help="comma-separated area codes supervised")
    p.add_argument("--email")
    p.add_argument("--name", default="", help="display name")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.add_argument("--token", action="store_true", help="also print a new API token (last line)")
    p.set_defaults(func=cmd_users_create)

    rules = sub.add_parser("rules", help="routing rules").add_subparsers(metavar="ACTION")
    p = rules.add_parser("check", help="validate a rules directory (exit 1 on errors)")
    p.add_argument("dir", nargs="?")
    p.set_defaults(func=cmd_rules_check)
    p = rules.add_parser("explain", help="explain how a call (JSON file) would be routed")
    p.add_argument("call_json")
    p.add_argument("--dir")
    p.add_argument("--lang", default="vi", choices=["vi", "en"])
    p.set_defaults(func=cmd_rules_explain)

    from hotline.cli.more import add_more_commands

    add_more_commands(sub)
    return parser


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    return serve(settings, host=args.host, port=args.port)


def serve(settings: Settings, *, host: str, port: int, banner: str = "") -> int:
    from aiohttp import web

    from hotline import keys
    from hotline.app import create_app
    from hotline.rules.yamlfile import RulesError

    try:
        app = create_app(settings)
    except RulesError as exc:
        print(f"hotline: the rules in {settings.rules_dir} have errors:\n{exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"hotline: {exc}", file=sys.stderr)
        return 2

    async def on_startup(app: web.Application) -> None:
        loop = asyncio.get_running_loop()
        # No SIGHUP on some platforms: the admin page still reloads there.
        with contextlib.suppress(NotImplementedError, AttributeError):
            loop.add_signal_handler(
                signal.SIGHUP, lambda: asyncio.ensure_future(_reload_rules(app))
            )
        if banner:
            print(banner, flush=True)

    async def _reload_rules(app: web.Application) -> None:
        from hotline.rules.reload import reload_rules

        await reload_rules(app, actor="signal:SIGHUP")

    app.on_startup.append(on_startup)
    del keys
    web.run_app(app, host=host, port=port, print=None, access_log=None)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from hotline.demo.setup import prepare_demo

    db_path = Path(args.db)
    base_url = f"http://{args.host}:{args.port}"
    settings, banner = prepare_demo(
        db_path, base_url=base_url, config=args.config, calls=max(args.calls, 0)
    )
    if args.no_serve:
        print(banner)
        return 0
    return serve(settings, host=args.host, port=args.port, banner=banner)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from hotline.db.engine import upgrade_blocking

    settings = _settings(args)
    upgrade_blocking(settings.database_url)
    print(f"database is up to date: {_safe_url(settings.database_url)}")
    return 0


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _read_password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Again: "):
            _fail("the passwords differ")
    else:
        return None
    if password and len(password) < 10:
        _fail("a password needs at least 10 characters")
    return password or None


def _fail(message: str, code: int = 2) -> NoReturn:
    print(f"hotline: {message}", file=sys.stderr)
    raise SystemExit(code)


def cmd_users_create(args: argparse.Namespace) -> int:
    from hotline.accounts.users_cli import create_account
    from hotline.db.engine import Database
    from hotline.rules.ruleset import load_ruleset

    settings = _settings(args)
    password = _read_password(args)
    rules = load_ruleset(settings.rules_dir)
    if args.agency and args.agency not in rules.agencies:
        print(f"hotline: unknown agency {args.agency!r}", file=sys.stderr)
        return 2

    async def run() -> str | None:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            return await create_account(
                db,
                rules,
                username=args.username,
                role=args.role,
                password=password,
                agency=args.agency,
                lines=_split(args.lines),
                areas=_split(args.areas),
                email=args.email,
                display_name=args.name,
                token=args.token,
            )
        finally:
            await db.dispose()

    try:
        token = asyncio.run(run())
    except ValueError as exc:
        print(f"hotline: {exc}", file=sys.stderr)
        return 2
    print(f"created {args.role} {args.username}")
    if token:
        print("API token (shown once):")
        print(token)
    return 0


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def cmd_rules_check(args: argparse.Namespace) -> int:
    from hotline.rules.ruleset import load_ruleset
    from hotline.rules.yamlfile import RulesError

    directory = args.dir or str(_settings(args).rules_dir)
    try:
        rules = load_ruleset(directory)
    except RulesError as exc:
        print(f"{directory}: {len(exc.problems)} problem(s)")
        print(exc)
        return 1
    print(
        f"{directory}: OK (version {rules.version}: {len(rules.areas)} areas, "
        f"{len(rules.lines)} lines, {len(rules.agencies)} agencies)"
    )
    return 0


def cmd_rules_explain(args: argparse.Namespace) -> int:
    from hotline.calls.parse import parse_call, routing_facts
    from hotline.clock import SystemClock
    from hotline.routing.decide import decide, explain_text
    from hotline.rules.ruleset import load_ruleset
    from hotline.rules.yamlfile import RulesError

    try:
        rules = load_ruleset(args.dir or _settings(args).rules_dir)
    except RulesError as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        data = json.loads(Path(args.call_json).read_text(encoding="utf-8"))
        now = SystemClock().now()  # a call without received_at is explained as if it rang now
        facts = routing_facts(parse_call(data, rules, now=now), now=now)
    except (OSError, ValueError) as exc:
        print(f"hotline: {args.call_json}: {exc}", file=sys.stderr)
        return 2
    print(explain_text(decide(facts, rules), rules, locale=args.lang))
    return 0


def parse_now(text: str | None) -> datetime | None:
    if not text:
        return None
    from hotline.clock import as_utc

    return as_utc(datetime.fromisoformat(text))
