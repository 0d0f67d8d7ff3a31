"""The `hotline` command: the parser and main(). Each command group lives in its own module
(serve, demo, db, users, rules, escalations, reports) and adds its sub-commands here."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from hotline.cli import classify, db, demo, escalations, reports, rules, serve, users
from hotline.db import logs
from hotline.settings import SettingsError


def main(argv: Sequence[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        sys.exit(2)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logs.install()  # no stored values in exception text, whatever the command
    # Their INFO lines say nothing an operator of the service needs.
    for noisy in ("alembic", "apscheduler"):
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
    # In the order `hotline --help` lists them.
    serve.add_commands(sub)
    demo.add_demo_command(sub)
    db.add_commands(sub)
    users.add_commands(sub)
    rules.add_commands(sub)
    classify.add_commands(sub)
    escalations.add_commands(sub)
    reports.add_commands(sub)
    demo.add_demo_data_command(sub)
    return parser
