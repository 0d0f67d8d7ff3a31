"""`hotline db upgrade`: apply the database migrations up to the newest."""

from __future__ import annotations

import argparse
from typing import Any

from hotline.cli.context import load_settings


def add_commands(sub: Any) -> None:
    db = sub.add_parser("db", help="database maintenance").add_subparsers(metavar="ACTION")
    p = db.add_parser("upgrade", help="apply migrations up to the newest")
    p.set_defaults(func=cmd_upgrade)


def cmd_upgrade(args: argparse.Namespace) -> int:
    from hotline.db.engine import upgrade_blocking

    settings = load_settings(args)
    upgrade_blocking(settings.database_url)
    print(f"database is up to date: {_safe_url(settings.database_url)}")
    return 0


def _safe_url(url: str) -> str:
    """The URL without its password, fit to print."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
