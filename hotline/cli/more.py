"""More `hotline` commands: escalations, report, reports prepare, rollups, demo-data (kept
apart so cli.py stays small). Each parses its flags and hands over to the part it runs."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

from hotline.settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.load(toml_path=getattr(args, "config", None))


def add_more_commands(sub: Any) -> None:
    esc = sub.add_parser("escalations", help="escalation sweeps").add_subparsers(metavar="ACTION")
    p = esc.add_parser("run", help="run one escalation sweep now (or at --now)")
    p.add_argument("--now", help="ISO time to sweep at (default: now)")
    p.set_defaults(func=cmd_escalations_run)

    p = sub.add_parser("report", help="write a periodic report (XLSX or CSV)")
    p.add_argument("--period", required=True, help="2026-H1, 2026-H2, 2026, 2026-03, ...")
    p.add_argument("--area", help="area code (its whole subtree)")
    p.add_argument("--line", help="line number")
    p.add_argument("--framework", choices=["chi", "gbvims"], help="group by a crosswalk")
    p.add_argument("--format", default="xlsx", choices=["xlsx", "csv"])
    p.add_argument("--section", default="summary", help="CSV: which section")
    p.add_argument("--out", help="output file (required for XLSX)")
    p.set_defaults(func=cmd_report)

    reports = sub.add_parser("reports", help="scheduled reports").add_subparsers(metavar="ACTION")
    p = reports.add_parser("prepare", help="write the reports due within --lead-days")
    p.add_argument("--out-dir", help="default HOTLINE_REPORTS_DIR")
    p.add_argument("--area", action="append", default=[], help="also per area (repeat)")
    p.add_argument("--lead-days", type=int, default=7)
    p.set_defaults(func=cmd_reports_prepare)

    p = sub.add_parser("rollups", help="refresh the dashboard's daily figures")
    p.add_argument("--full", action="store_true", help="recompute every day")
    p.set_defaults(func=cmd_rollups)

    p = sub.add_parser("demo-data", help="add realistic generated calls (national-line mix)")
    p.add_argument("--calls", type=int, required=True)
    p.add_argument("--years", type=float, default=1.0, help="spread over the last N years")
    p.add_argument("--seed", type=int, default=111)
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=cmd_demo_data)


def cmd_escalations_run(args: argparse.Namespace) -> int:
    from hotline.cli.escalations import run_once_cli

    try:
        now = datetime.fromisoformat(args.now.replace("Z", "+00:00")) if args.now else None
    except ValueError:
        print(f"hotline: --now: {args.now!r} is not an ISO date and time", file=sys.stderr)
        return 2
    print(run_once_cli(_settings(args), now).summary())
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from hotline.cli.reports import report_command

    return report_command(
        _settings(args),
        period=args.period,
        area=args.area,
        line=args.line,
        framework=args.framework,
        format=args.format,
        out=args.out,
        section=args.section,
    )


def cmd_reports_prepare(args: argparse.Namespace) -> int:
    from hotline.cli.reports import prepare_reports_command

    settings = _settings(args)
    return prepare_reports_command(
        settings,
        out_dir=args.out_dir or settings.reports_dir,
        areas=args.area,
        lead_days=args.lead_days,
    )


def cmd_rollups(args: argparse.Namespace) -> int:
    from hotline.cli.reports import refresh_rollups_command

    return refresh_rollups_command(_settings(args), full=args.full)


def cmd_demo_data(args: argparse.Namespace) -> int:
    from hotline.cli.reports import demo_data_command

    if args.calls <= 0:
        print("hotline: --calls must be more than 0", file=sys.stderr)
        return 2
    return demo_data_command(
        _settings(args),
        calls=args.calls,
        seed=args.seed,
        years=args.years,
        progress=not args.no_progress,
    )
