"""The ``acctbot`` command line."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="acctbot",
        description="Slack bot for account managers: Salesforce accounts and orders.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="serve the app (Socket Mode if SLACK_APP_TOKEN is set, else HTTP)")
    sub.add_parser("demo", help="the whole bot on the sandbox org and a local Slack console")
    sb = sub.add_parser("sandbox", help="run the Salesforce sandbox org alone, over HTTPS")
    sb.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    sb.add_argument("--data", help="JSON data file to load instead of the seeded org")
    sb.add_argument("--seed", type=int, default=42, help="seed for the generated demo org")
    sb.add_argument("--timezone", default="America/New_York", help="the org's time zone")
    sub.add_parser("check", help="validate configuration and reach Slack, Salesforce, the DB")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "sandbox":
        from bot.sandbox.server import serve_forever

        return serve_forever(
            port=args.port, data_file=args.data, seed=args.seed, timezone=args.timezone
        )
    if args.command == "demo":
        print("The interactive demo arrives with the demo issue; try `acctbot sandbox` now.")
        return 0
    print(f"acctbot {args.command}: not available yet.", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
