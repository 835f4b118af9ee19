"""``acctbot escalations list`` / ``acctbot escalations export --format csv|json``."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("escalations", help="read the local escalation log")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print("Escalations arrive with the escalations issue.")
    return 2
