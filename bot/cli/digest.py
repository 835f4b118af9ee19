"""``acctbot digest preview --team T`` / ``acctbot digest send --team T``."""

from __future__ import annotations

import argparse
import sys

from bot.digests.periods import KINDS


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("digest", help="preview or send a team's digest")
    p.add_argument("action", choices=["preview", "send"], help="print it, or post it now")
    p.add_argument("--team", required=True, help="team name from the teams file")
    p.add_argument("--kind", choices=KINDS, default="daily", help="default: daily")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.application import create_app
    from bot.digests import service as digests
    from bot.digests.render import to_terminal
    from bot.infra.salesforce import SalesforceError
    from bot.settings import Settings

    services = create_app(Settings.from_env(), verify_token=False).services
    team = services.teams.get(args.team)
    if team is None:
        names = ", ".join(t.name for t in services.teams.teams) or "none"
        print(
            f"acctbot: no team '{args.team}' in {services.settings.teams_file} (teams: {names}).",
            file=sys.stderr,
        )
        return 2
    if args.action == "preview":
        try:
            parts = digests.preview(services, team, args.kind)
        except SalesforceError as exc:  # nothing is ever drawn from guessed values
            print(f"acctbot: Salesforce: {exc.user_message} ({exc.detail[:200]})", file=sys.stderr)
            return 1
        sys.stdout.write(to_terminal(parts))
        return 0
    outcome = digests.send_now(services, team, args.kind)
    where = f"{outcome.item.delivery.channel}, {outcome.item.period.label}"
    if outcome.status == "posted":
        print(f"Posted {team.name}'s {args.kind} digest to {where} (ts {outcome.ts}).")
        return 0
    if outcome.status == "already posted":
        print(f"Already posted: {team.name}'s {args.kind} digest to {where} (ts {outcome.ts}).")
        return 0
    print(f"Not posted ({outcome.status}): {outcome.detail}", file=sys.stderr)
    return 1
