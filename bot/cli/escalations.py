"""``acctbot escalations list`` / ``acctbot escalations export --format csv|json``.

Both read the local database named by DATABASE_URL (no Slack or Salesforce needed).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from typing import Any, TextIO

from bot.escalations.status import ACTIVE
from bot.infra.models import Escalation, EscalationHistory

FIELDS = (
    "ref",
    "status",
    "severity",
    "category",
    "account_id",
    "account_name",
    "order_id",
    "order_number",
    "reporter",
    "assignee",
    "description",
    "due_at",
    "created_at",
    "updated_at",
    "acknowledged_by",
    "acknowledged_at",
    "resolved_by",
    "resolved_at",
    "resolution",
    "owner_name",
    "sla_level",
)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("escalations", help="read the local escalation log")
    actions = p.add_subparsers(dest="escalations_action", metavar="ACTION")
    ls = actions.add_parser("list", help="a table of escalations, newest first")
    ls.add_argument(
        "--status", choices=["open", "acknowledged", "resolved", "active", "all"], default="all"
    )
    ex = actions.add_parser("export", help="every escalation with its history")
    ex.add_argument("--format", choices=["csv", "json"], required=True)
    ex.add_argument("--output", "-o", help="file to write (default: standard output)")
    p.set_defaults(func=run, escalations_parser=p)


def _value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.astimezone(dt.UTC).isoformat()
    return v


def _row(esc: Escalation) -> dict[str, Any]:
    return {f: _value(getattr(esc, f)) for f in FIELDS}


def _history(h: EscalationHistory) -> dict[str, Any]:
    return {
        "at": _value(h.at),
        "actor": h.actor,
        "action": h.action,
        "from": h.from_value,
        "to": h.to_value,
        "note": h.note,
    }


def load(url: str) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    from bot.escalations.service import all_with_history
    from bot.infra.db import Database

    db = Database(url)
    try:
        db.upgrade()
        with db.session() as session:
            return [(_row(e), [_history(h) for h in hs]) for e, hs in all_with_history(session)]
    finally:
        db.dispose()


def print_table(rows: list[dict[str, Any]], out: TextIO) -> None:
    cols = ("ref", "status", "severity", "category", "account_name", "assignee", "created_at")
    heads = ("REF", "STATUS", "SEV", "CATEGORY", "ACCOUNT", "ASSIGNEE", "FILED (UTC)")
    table = [
        [str(r[c] or "—")[:16] if c == "created_at" else str(r[c] or "—")[:40] for c in cols]
        for r in rows
    ]
    widths = [max([len(h)] + [len(t[i]) for t in table]) for i, h in enumerate(heads)]
    out.write("  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)).rstrip() + "\n")
    for t in table:
        out.write("  ".join(v.ljust(w) for v, w in zip(t, widths, strict=True)).rstrip() + "\n")
    out.write(f"{len(rows):,} escalation{'s' if len(rows) != 1 else ''}\n")


def export(data: list[tuple[dict[str, Any], list[dict[str, Any]]]], fmt: str, out: TextIO) -> None:
    if fmt == "json":
        json.dump([{**row, "history": hist} for row, hist in data], out, indent=2)
        out.write("\n")
        return
    writer = csv.DictWriter(out, fieldnames=[*FIELDS, "history"], lineterminator="\n")
    writer.writeheader()
    for row, hist in data:
        summary = "; ".join(
            f"{h['at']} {h['actor']} {h['action']}"
            + (f" {h['from'] or ''}→{h['to'] or ''}" if h["from"] or h["to"] else "")
            for h in hist
        )
        writer.writerow({**row, "history": summary})


def run(args: argparse.Namespace) -> int:
    from bot.settings import Settings

    action = getattr(args, "escalations_action", None)
    if action is None:
        args.escalations_parser.print_help()
        return 2
    data = load(Settings.database_url_from_env())
    if action == "list":
        active = ACTIVE
        rows = [
            r
            for r, _ in reversed(data)
            if args.status == "all"
            or r["status"] == args.status
            or (args.status == "active" and r["status"] in active)
        ]
        print_table(rows, sys.stdout)
        return 0
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as fh:
            export(data, args.format, fh)
        print(f"Wrote {len(data):,} escalations to {args.output}", file=sys.stderr)
    else:
        export(data, args.format, sys.stdout)
    return 0
