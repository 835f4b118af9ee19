"""``acctbot audit export --format csv|json [--since DATE] [-o FILE]``: the audit log.

Every lookup, refusal, share, refresh, watch and configuration change (bot/audit.py):
when (UTC), action, command, Slack user, Salesforce user, channel, record Ids, outcome.
Reads the database named by DATABASE_URL alone (no Slack or Salesforce needed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("audit", help="the audit log: who looked up, shared or changed what")
    actions = p.add_subparsers(dest="audit_action", metavar="ACTION")
    ex = actions.add_parser("export", help="every event, oldest first")
    ex.add_argument("--format", choices=["csv", "json"], required=True)
    ex.add_argument(
        "--since", help="only events from this date (YYYY-MM-DD, UTC) or time (ISO 8601) on"
    )
    ex.add_argument("--output", "-o", help="file to write (default: standard output)")
    p.set_defaults(func=run, audit_parser=p)


def parse_since(text: str) -> dt.datetime:
    """``YYYY-MM-DD`` (midnight UTC) or an ISO 8601 time (UTC unless it says otherwise).

    Raises ValueError naming what was wrong."""
    t = text.strip()
    try:
        if len(t) == 10:
            d = dt.date.fromisoformat(t)
            return dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC)
        when = dt.datetime.fromisoformat(t.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"--since {text!r} is not a date like 2026-11-01") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def run(args: argparse.Namespace) -> int:
    from bot import audit
    from bot.infra.db import Database
    from bot.settings import Settings

    if getattr(args, "audit_action", None) is None:
        args.audit_parser.print_help()
        return 2
    try:
        since = parse_since(args.since) if args.since else None
    except ValueError as exc:
        print(f"acctbot: {exc}.", file=sys.stderr)
        return 2
    db = Database(Settings.database_url_from_env())
    try:
        db.upgrade()
        rows = audit.events(db, since=since)
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as fh:
                n = audit.export(rows, args.format, fh)
            print(f"Wrote {n} audit events to {args.output}", file=sys.stderr)
        else:
            audit.export(rows, args.format, sys.stdout)
    finally:
        db.dispose()
    return 0
