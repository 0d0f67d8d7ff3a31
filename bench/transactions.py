"""hotline alone on PostgreSQL: SQL statements and transactions per POST /api/v1/calls, and per
call in all with its notifications delivered, calls sent one at a time (issue 14: at most 2
transactions per POST, at most 5 per call in all).

    .venv/bin/python bench/transactions.py [--count 20] [--hotline-dir DIR] [--no-webhook]

The counting phase of bench/hrm_side_by_side.py without HRM (same code, same procedure: the
next call once the receivers have every message of the previous one, the server's statement
log for the counts per POST, pg_stat_database for the transactions in all, read 11 s after
the last call), for a quick figure while working; needs no peer. The transactions in all
include the service's periodic work over the run (the delivery worker's poll, the escalation
sweep), spread over the calls: the fewer calls a second, the larger that share.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hotline-dir", default=str(ROOT), help="checkout to serve (this one)")
    parser.add_argument("--python", default="", help="interpreter for hotline (this one)")
    parser.add_argument("--hotline-port", type=int, default=8095)
    parser.add_argument("--count", type=int, default=20, help="calls sent one at a time (20)")
    parser.add_argument("--no-webhook", action="store_true", help="e-mail only")
    parser.add_argument("--pg-log", default="/var/log/postgresql/postgresql-15-main.log")
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(HERE)]
    from hrm_side_by_side import Hotline, one_at_a_time, psql

    tmp = Path(tempfile.mkdtemp(prefix="hotline-bench-tx-"))
    hotline = Hotline(args, tmp)
    print(f"machine: {os.cpu_count()} cores, load average before {os.getloadavg()}")
    try:
        hotline.prepare()
        psql(f"ALTER DATABASE \"{hotline.db}\" SET log_statement = 'all'")
        hotline.start()
        for n in range(1, 4):  # warm: caches, prepared statements, the pool
            status, _ = hotline.one("8", n)
            if status != 201:
                raise RuntimeError(f"hotline answered {status} to the warm-up")
        hotline.settle(60)
        time.sleep(11)  # idle backends flush their counters after 10 s
        result = one_at_a_time(hotline, hotline, args, Path(args.pg_log))
        print(json.dumps(result, indent=1))
        print(
            f"per POST: {result['statements_per_request']} statements, "
            f"{result['transactions_per_request_log']} transactions (targets 12 and 2); "
            f"per call in all: {result['transactions_in_all_per_request_pg_stat']} "
            "transactions (pg_stat_database; target 5)"
        )
        print(f"machine: load average after {os.getloadavg()}")
    finally:
        psql(f'ALTER DATABASE "{hotline.db}" RESET log_statement')
        hotline.stop()
        psql(f'DROP DATABASE IF EXISTS "{hotline.db}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
