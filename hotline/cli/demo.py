"""`hotline demo` (a fresh SQLite database with the reference rules and demo users, then
serve) and `hotline demo-data` (a generated history added to any database)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hotline.cli.context import load_settings, run_with_data
from hotline.cli.serve import serve
from hotline.settings import Settings

if TYPE_CHECKING:
    from hotline.db.engine import Database
    from hotline.rules.ruleset import RuleSet


def add_demo_command(sub: Any) -> None:
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


def add_demo_data_command(sub: Any) -> None:
    p = sub.add_parser("demo-data", help="add realistic generated calls (national-line mix)")
    p.add_argument("--calls", type=int, required=True)
    p.add_argument("--years", type=float, default=1.0, help="spread over the last N years")
    p.add_argument("--seed", type=int, default=111)
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=cmd_demo_data)


def cmd_demo(args: argparse.Namespace) -> int:
    from hotline.demo.setup import prepare_demo

    base_url = f"http://{args.host}:{args.port}"
    settings, banner = prepare_demo(
        Path(args.db), base_url=base_url, config=args.config, calls=max(args.calls, 0)
    )
    if args.no_serve:
        print(banner)
        return 0
    return serve(settings, host=args.host, port=args.port, banner=banner)


def cmd_demo_data(args: argparse.Namespace) -> int:
    if args.calls <= 0:
        print("hotline: --calls must be more than 0", file=sys.stderr)
        return 2
    return demo_data_command(
        load_settings(args),
        calls=args.calls,
        seed=args.seed,
        years=args.years,
        progress=not args.no_progress,
    )


def demo_data_command(
    settings: Settings,
    *,
    calls: int,
    seed: int = 111,
    years: float = 1.0,
    end: datetime | None = None,
    progress: bool = True,
) -> int:
    """Add `calls` demo calls spread over the last `years` years (ending now)."""
    from hotline.demo.history import generate
    from hotline.demo.progress import ProgressBar

    stop = end or datetime.now(UTC)
    start = stop - timedelta(days=365.25 * years)

    async def work(db: Database, rules: RuleSet) -> int:
        if settings.auto_migrate:
            await db.upgrade()
        bar = ProgressBar(calls, label="demo-data") if progress else None
        t0 = datetime.now(UTC)
        counts = await generate(
            db,
            rules,
            calls=calls,
            seed=seed,
            start=start,
            end=stop,
            progress=bar.update if bar else None,
        )
        if bar:
            bar.close()
        took = (datetime.now(UTC) - t0).total_seconds()
        print(
            ", ".join(f"{k}: {v:,}" for k, v in counts.items())
            + f" in {took:.0f} s ({calls / max(took, 1e-6):,.0f} calls/s)",
            file=sys.stderr,
        )
        return 0

    return run_with_data(settings, work)
