"""``acctbot digest preview --team T`` / ``acctbot digest send --team T``."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("digest", help="preview or send a team's digest")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print("Digests arrive with the digests issue.")
    return 2
