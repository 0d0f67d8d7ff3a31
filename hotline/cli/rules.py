"""`hotline rules check [DIR]` and `hotline rules explain CALL.json`: the routing rules from the
command line, without a database."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from hotline.cli.context import load_settings


def add_commands(sub: Any) -> None:
    rules = sub.add_parser("rules", help="routing rules").add_subparsers(metavar="ACTION")
    p = rules.add_parser("check", help="validate a rules directory (exit 1 on errors)")
    p.add_argument("dir", nargs="?")
    p.set_defaults(func=cmd_check)
    p = rules.add_parser(
        "coverage", help="every live area x agency kind: the agency chosen, or none reachable"
    )
    p.add_argument("dir", nargs="?")
    p.add_argument("--gaps", action="store_true", help="list only what is unreachable")
    p.set_defaults(func=cmd_coverage)
    p = rules.add_parser("explain", help="explain how a call (JSON file) would be routed")
    p.add_argument("call_json")
    p.add_argument("--dir")
    p.add_argument("--lang", default="vi", choices=["vi", "en"])
    p.set_defaults(func=cmd_explain)


def _load_or_report(args: argparse.Namespace) -> tuple[str, Any]:
    """The rules directory and its rule set; None (the problems printed) when they do not
    load."""
    from hotline.rules.ruleset import load_ruleset
    from hotline.rules.yamlfile import RulesError

    directory = args.dir or str(load_settings(args).rules_dir)
    try:
        return directory, load_ruleset(directory)
    except RulesError as exc:
        print(f"{directory}: {len(exc.problems)} problem(s)")
        print(exc)
        return directory, None


def cmd_check(args: argparse.Namespace) -> int:
    directory, rules = _load_or_report(args)
    if rules is None:
        return 1
    print(
        f"{directory}: OK (version {rules.version}: {len(rules.areas)} areas, "
        f"{len(rules.lines)} lines, {len(rules.agencies)} agencies)"
    )
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    """Exit 1 when some live area cannot reach some agency kind the rules may need."""
    from hotline.routing.coverage import coverage, coverage_text

    _directory, rules = _load_or_report(args)
    if rules is None:
        return 1
    rows = coverage(rules)
    print(coverage_text(rules, rows, gaps_only=args.gaps))
    return 1 if any(row.gaps for row in rows) else 0


def cmd_explain(args: argparse.Namespace) -> int:
    from hotline.calls.parse import parse_call, routing_facts
    from hotline.clock import SystemClock
    from hotline.routing.decide import decide, explain_text
    from hotline.rules.ruleset import load_ruleset
    from hotline.rules.yamlfile import RulesError

    try:
        rules = load_ruleset(args.dir or load_settings(args).rules_dir)
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
