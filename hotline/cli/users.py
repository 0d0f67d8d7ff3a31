"""`hotline users create`: an account from the command line, checked and created the way the
admin pages do it (hotline.accounts.users), audited as done by "cli"."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from hotline.cli.context import load_settings, run_with_data

if TYPE_CHECKING:
    from hotline.db.engine import Database
    from hotline.rules.ruleset import RuleSet

# The flag each checked field comes from, to name it in an error.
FLAGS = {"role": "--role", "agency_code": "--agency", "lines": "--lines", "areas": "--areas"}


def add_commands(sub: Any) -> None:
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
    p.set_defaults(func=cmd_create)


def cmd_create(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    password = _read_password(args)
    values: dict[str, Any] = {
        "username": args.username,
        "display_name": args.name,
        "role": args.role,
        "agency_code": args.agency or "",
        "lines": _split(args.lines),
        "areas": _split(args.areas),
        "email": args.email or "",
    }
    given = {"agency_code": args.agency, "lines": args.lines, "areas": args.areas}

    async def create(db: Database, rules: RuleSet) -> str | None:
        from hotline.accounts import audit
        from hotline.accounts import users as accounts
        from hotline.accounts.auth import issue_token
        from hotline.clock import SystemClock
        from hotline.rules import jurisdiction

        errors = accounts.check_account(values, rules)
        if errors:
            raise ValueError(_problems(errors, given))
        await db.upgrade()
        now = SystemClock().now()
        async with db.write() as session:
            await jurisdiction.sync(session, rules)
            if await accounts.username_taken(session, args.username):
                raise ValueError(f"user {args.username!r} exists already")
            user = await accounts.add_user(session, values, password=password, now=now)
            audit.record(
                session,
                at=now,
                principal=None,
                actor="cli",
                action="user.create",
                object_type="user",
                object_id=user.id,
                detail={"role": args.role},
            )
            return await issue_token(session, user, name="cli", now=now) if args.token else None

    try:
        token = run_with_data(settings, create)
    except ValueError as exc:
        print(f"hotline: {exc}", file=sys.stderr)
        return 2
    print(f"created {args.role} {args.username}")
    if token:
        print("API token (shown once):")
        print(token)
    return 0


def _problems(errors: dict[str, str], given: dict[str, str | None]) -> str:
    """check_account's errors named by flag and value: "--agency nope: an agency user needs
    their agency"."""
    named = []
    for field, message in errors.items():
        flag = f"{FLAGS[field]} {given[field]}" if given.get(field) else FLAGS[field]
        named.append(f"{flag}: {message}")
    return "; ".join(named)


def _read_password(args: argparse.Namespace) -> str | None:
    """From stdin with --password-stdin, asked twice on a terminal, else none (token only)."""
    from hotline.accounts.users import password_problem

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Again: "):
            _fail("the passwords differ")
    else:
        return None
    problem = password_problem(password) if password else None
    if problem:
        _fail(f"password: {problem}")
    return password or None


def _fail(message: str, code: int = 2) -> NoReturn:
    print(f"hotline: {message}", file=sys.stderr)
    raise SystemExit(code)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]
