"""A schemathesis campaign bigger than the test suite's: every operation of the OpenAPI
document × the four roles × valid and invalid data, N examples each, against the service on
a real socket; prints the request count, the statuses, and every failed check.

    PYTHONPATH=. .venv/bin/python bench/fuzz_campaign.py --examples 35            # SQLite
    PYTHONPATH=. .venv/bin/python bench/fuzz_campaign.py --examples 35 \\
        --database postgresql+asyncpg://postgres@127.0.0.1:5432/hotline_fuzz      # PostgreSQL

It also scans everything logged during the campaign for the personal data the campaign's
seed calls carry (names, phone numbers in each written form, narrative). The PostgreSQL
database must exist and be empty or migrated; it is migrated and filled with test data.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time

from hotline.clock import FrozenClock
from hotline.db.engine import upgrade_blocking
from hotline.rules.ruleset import load_ruleset
from hotline.settings import Settings
from tests.helpers.accounts import RULES_DIR
from tests.helpers.calls import GOOD
from tests.helpers.factories import T0
from tests.helpers.fuzz import run_campaign, serve_in_thread


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=35)
    parser.add_argument("--database", default="")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    url = args.database or f"sqlite:///{tempfile.mkdtemp()}/fuzz.sqlite3"
    upgrade_blocking(url)
    settings = Settings.load(
        env={},
        database_url=url,
        rules_dir=RULES_DIR,
        secret_key="fuzz-campaign-secret-key-0123456789",
        telephony_secret="fuzz-telephony-secret",
        auto_migrate=False,
    )
    lines: list[str] = []
    capture = logging.Handler(logging.DEBUG)
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    capture.emit = lambda record: lines.append(formatter.format(record))  # type: ignore[method-assign]
    root = logging.getLogger()
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    started = time.perf_counter()
    with serve_in_thread(settings, load_ruleset(RULES_DIR), FrozenClock(T0)) as served:
        campaign = run_campaign(served, examples=args.examples, seed=args.seed)
    elapsed = time.perf_counter() - started
    root.removeHandler(capture)
    engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    server_errors = sum(n for status, n in campaign.statuses.items() if status >= 500)
    print(f"{engine}: {campaign.requests} requests in {elapsed:.0f} s")
    print("statuses:", dict(sorted(campaign.statuses.items())))
    print("server errors (5xx):", server_errors)
    print("failed checks:", len(campaign.failures))
    for failure in campaign.failures:
        print("  ", failure[:400])
    caller = GOOD["caller"]
    secrets = [
        caller["name"],
        caller["phone"],
        caller["phone"].replace(" ", ""),
        "84912345678",
        GOOD["narrative"][:30],
        GOOD["address"],
    ]
    leaked = [line for line in lines if any(s in line for s in secrets)]
    print(f"log lines: {len(lines)}; with personal data: {len(leaked)}")
    for line in leaked[:10]:
        print("  ", line[:300])
    return 1 if campaign.failures or leaked else 0


if __name__ == "__main__":
    sys.exit(main())
