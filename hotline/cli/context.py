"""What a command runs with: its settings (HOTLINE_* variables, or the file named by the global
--config option), and, for the commands that read or write data, the rule set and a database
open for the length of the command.

The heavy imports wait inside the functions so that `hotline --help` stays instant.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from hotline.settings import Settings

if TYPE_CHECKING:
    from hotline.db.engine import Database
    from hotline.rules.ruleset import RuleSet

T = TypeVar("T")


def load_settings(args: argparse.Namespace) -> Settings:
    """The one way a command gets its settings."""
    return Settings.load(toml_path=getattr(args, "config", None))


def load_rules(settings: Settings) -> RuleSet:
    """The rule set of settings.rules_dir."""
    from hotline.rules.ruleset import load_ruleset

    return load_ruleset(settings.rules_dir)


def run_with_data(settings: Settings, work: Callable[[Database, RuleSet], Awaitable[T]]) -> T:
    """Run `work(db, rules)` to its end, then close the database."""
    from hotline.db.engine import Database

    async def run() -> T:
        db = Database(settings.database_url)
        try:
            return await work(db, load_rules(settings))
        finally:
            await db.dispose()

    return asyncio.run(run())
