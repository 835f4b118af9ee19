"""``acctbot users list|map|unmap``: who acctbot knows as whom.

- ``list``: every Slack user, whether acctbot serves them, and their Salesforce user
  (matched by e-mail, or by an admin's override);
- ``map SLACK_USER_ID <e-mail or Salesforce user Id>``: an admin's override, kept in the
  database (for people whose Slack and Salesforce e-mails differ);
- ``unmap SLACK_USER_ID``: remove the override (back to matching by e-mail).

They read Slack, Salesforce and the database with the app's settings. Overrides take
effect at once, also in a running app; each change is written to the audit log.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO

from slack_sdk.errors import SlackApiError

from bot.infra.salesforce import SalesforceError
from bot.people import DirectoryEntry


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("users", help="who acctbot knows as whom (Slack and Salesforce users)")
    actions = p.add_subparsers(dest="users_action", metavar="ACTION")
    actions.add_parser("list", help="Slack users, their Salesforce users, and overrides")
    mp = actions.add_parser("map", help="map a Slack user to a Salesforce user (an override)")
    mp.add_argument("slack_user_id", help="the Slack user id, e.g. U0123ABCD")
    mp.add_argument("salesforce_user", help="the Salesforce user's e-mail or user Id (005...)")
    un = actions.add_parser("unmap", help="remove a Slack user's override")
    un.add_argument("slack_user_id")
    p.set_defaults(func=run, users_parser=p)


def _services(*, upgrade: bool = True):  # type: ignore[no-untyped-def]
    from bot.application import make_web_client
    from bot.infra.db import Database
    from bot.infra.salesforce import SalesforceService
    from bot.services import Services
    from bot.settings import Settings
    from bot.teams import Teams

    settings = Settings.from_env()
    db = Database(settings.database_url)
    if upgrade:
        db.upgrade()
    svc = Services(
        settings=settings,
        salesforce=SalesforceService(settings.salesforce),
        teams=Teams(),
        db=db,
        workers=2,
    )
    svc.slack = make_web_client(settings)
    return svc


def print_directory(entries: list[DirectoryEntry], out: TextIO) -> None:
    heads = ("SLACK USER", "NAME", "SLACK E-MAIL", "STATUS", "SALESFORCE USER", "VIA")
    rows = []
    for e in entries:
        sf = f"{e.salesforce.name} ({e.salesforce.id})" if e.salesforce else "—"
        status = e.status if e.status != "member" or e.salesforce else "unmapped"
        if e.status == "guest" and e.salesforce:
            status = "guest"  # mapped or not, guests are refused
        rows.append([e.slack_user_id, e.name[:30], e.email or "—", status, sf, e.via or "—"])
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(heads)]
    out.write("  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)).rstrip() + "\n")
    for r in rows:
        out.write("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() + "\n")
    out.write(summary(entries) + "\n")


def summary(entries: list[DirectoryEntry]) -> str:
    """One line: how many members are mapped (by override), unmapped, and guests."""
    members = [e for e in entries if e.status == "member"]
    mapped = [e for e in members if e.salesforce]
    overridden = [e for e in mapped if e.via == "override"]
    guests = [e for e in entries if e.status == "guest"]
    return (
        f"{len(members)} members: {len(mapped)} mapped to Salesforce users "
        f"({len(overridden)} by admin override), {len(members) - len(mapped)} unmapped; "
        f"{len(guests)} guest{'s' if len(guests) != 1 else ''} kept out"
    )


def run(args: argparse.Namespace) -> int:
    action = getattr(args, "users_action", None)
    if action is None:
        args.users_parser.print_help()
        return 2
    from bot import audit, people

    svc = _services()
    try:
        if action == "list":
            print_directory(people.directory(svc), sys.stdout)
            return 0
        who = args.slack_user_id.strip()
        by = f"cli:{getpass.getuser()}"
        if action == "unmap":
            if not people.remove_override(svc, who):
                print(f"{who} has no override; acctbot matches them by e-mail.")
                return 0
            audit.record(
                svc,
                action="config",
                command=f"users unmap by {by}",
                slack_user_id=who,
                salesforce_user_id="",
            )
            print(f"{who}'s override is removed; acctbot matches them by e-mail again.")
            return 0
        user = people.slack_profile(svc, who)
        status = people.member_status(user)
        if status in ("bot", "deactivated"):
            print(f"{who} is a {status} Slack user; acctbot does not serve them.", file=sys.stderr)
            return 1
        target = args.salesforce_user.strip()
        try:
            sf = (
                people.salesforce_user_by_id(svc, target)
                if people.is_salesforce_id(target)
                else people.salesforce_user_by_email(svc, target)
                if "@" in target
                else None
            )
        except people.AmbiguousEmail as exc:
            print(
                f"More than one active Salesforce user has the e-mail {target!r} "
                f"({', '.join(exc.user_ids)}); give the user Id (005...) instead.",
                file=sys.stderr,
            )
            return 1
        if sf is None:
            print(
                f"No active Salesforce user is {target!r} (give an e-mail or a user Id 005...).",
                file=sys.stderr,
            )
            return 1
        people.set_override(svc, who, sf.id, by=by)
        audit.record(
            svc,
            action="config",
            command=f"users map by {by}",
            slack_user_id=who,
            salesforce_user_id=sf.id,
        )
        note = " (a guest: acctbot still refuses guests)" if status == "guest" else ""
        print(f"{who} is now mapped to {sf.name} <{sf.email}> ({sf.id}){note}.")
        return 0
    except people.AccessRefused as exc:
        print(f"Slack: {exc}", file=sys.stderr)
        return 1
    except SlackApiError as exc:
        print(f"Slack refused: {exc.response.get('error')}", file=sys.stderr)
        return 1
    except SalesforceError as exc:
        print(f"Salesforce: {exc.user_message} ({exc.detail[:200]})", file=sys.stderr)
        return 1
    finally:
        svc.pool.shutdown(wait=False)
        svc.db.dispose()
