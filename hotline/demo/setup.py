"""`hotline demo`: a fresh SQLite database with the reference jurisdiction and demo users."""

from __future__ import annotations

import asyncio
import secrets
import shutil
from pathlib import Path

from hotline.accounts.auth import issue_token
from hotline.accounts.users import create_user
from hotline.clock import SystemClock
from hotline.db.engine import Database
from hotline.rules import jurisdiction
from hotline.rules.ruleset import RuleSet, load_ruleset
from hotline.settings import Settings

# Demo agency users: one per agency kind, in Phường Kon Tum (the centre of the former Kon Tum
# city) and Xã Đăk Tô where the reference has most, else the province of Quảng Ngãi.
PREFERRED_AREAS = ("qn-kon-tum", "qn-dak-to", "quang-ngai")


def demo_agencies(rules: RuleSet) -> dict[str, str]:
    """agency kind -> the agency code its demo user belongs to."""
    chosen: dict[str, str] = {}
    for area in PREFERRED_AREAS:
        for agency in rules.agencies.values():
            if agency.area == area and agency.kind not in chosen:
                chosen[agency.kind] = agency.code
    for agency in rules.agencies.values():
        chosen.setdefault(agency.kind, agency.code)
    return chosen


def prepare_demo(
    db_path: Path, *, base_url: str, config: str | None = None, calls: int = 0
) -> tuple[Settings, str]:
    """Recreate the demo database; return the settings to serve it and the banner to print."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    # The demo edits a copy of the rules, so trying the admin pages never changes the
    # repository's routing_rules/.
    rules_copy = db_path.parent / (db_path.stem + "-rules")
    shutil.rmtree(rules_copy, ignore_errors=True)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(Settings.load(toml_path=config).rules_dir, rules_copy)
    settings = Settings.load(
        toml_path=config,
        database_url=f"sqlite:///{db_path}",
        base_url=base_url,
        secret_key=secrets.token_urlsafe(32),
        telephony_secret=secrets.token_urlsafe(16),
        rules_dir=rules_copy,
    )
    if Settings.load(toml_path=config).secret_key:
        settings = settings.replace(secret_key=Settings.load(toml_path=config).secret_key)
    rules = load_ruleset(settings.rules_dir)
    logins, token = asyncio.run(_seed(settings, rules, calls=calls))
    lines = [
        "",
        "hotline demo is ready",
        f"  Open {base_url}/  (Vietnamese; English: {base_url}/lang/en)",
        f"  Database: {db_path}   Rules: {rules_copy} (a copy)",
        "",
        "  Logins (username / password):",
    ]
    width = max(len(u) for u, _, _ in logins)
    pwidth = max(len(p) for _, p, _ in logins)
    lines += [f"    {u.ljust(width)}  {p.ljust(pwidth)}  {role}" for u, p, role in logins]
    lines += [
        "",
        "  Operator API token (Authorization: Bearer ...):",
        f"    {token}",
        "",
        f"  Try: curl -H 'Authorization: Bearer {token}' {base_url}/api/v1/calls",
        "",
    ]
    return settings, "\n".join(lines)


async def _seed(
    settings: Settings, rules: RuleSet, *, calls: int = 0
) -> tuple[list[tuple[str, str, str]], str]:
    db = Database(settings.database_url)
    now = SystemClock().now()
    logins: list[tuple[str, str, str]] = []
    try:
        await db.upgrade()
        async with db.write() as session:
            await jurisdiction.sync(session, rules)
            staff = [
                ("operator", "operator", "Trực tổng đài"),
                ("supervisor", "supervisor", "Giám sát"),
                ("admin", "admin", "Quản trị"),
            ]
            operator = None
            for username, role, name in staff:
                password = f"{username}-demo-2026"
                user = await create_user(
                    session,
                    username=username,
                    role=role,
                    now=now,
                    password=password,
                    display_name=name,
                    email=f"{username}@hotline.example",
                )
                logins.append((username, password, role))
                if role == "operator":
                    operator = user
            for kind, code in sorted(demo_agencies(rules).items()):
                username = f"agency-{kind.replace('_', '-')}"
                password = f"{username}-demo-2026"
                await create_user(
                    session,
                    username=username,
                    role="agency",
                    now=now,
                    password=password,
                    display_name=rules.agencies[code].name,
                    agency_code=code,
                )
                logins.append((username, password, f"agency: {code}"))
            assert operator is not None
            token = await issue_token(session, operator, name="demo", now=now)
        if calls:
            # A year of generated history (the national line's mix) so the dashboard,
            # reports and queues have something to show.
            from datetime import timedelta

            from hotline.demo.history import generate

            await generate(db, rules, calls=calls, start=now - timedelta(days=365), end=now)
    finally:
        await db.dispose()
    return logins, token
