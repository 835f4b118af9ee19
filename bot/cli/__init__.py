"""The ``acctbot`` command line: run, demo, sandbox, check, db, digest, escalations,
users, audit.

Every sub-command sets ``func`` on its parser (argparse's documented sub-command
pattern), so ``main`` has one way to dispatch. Settings are read and validated once, by
:class:`bot.settings.Settings`; a bad value ends the command with one sentence (exit 2).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.cli import audit as cli_audit
from bot.cli import digest as cli_digest
from bot.cli import escalations as cli_escalations
from bot.cli import users as cli_users
from bot.settings import ConfigError, Settings
from bot.teams import Teams, TeamsFileError

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.infra.salesforce import SalesforceService

# Feature command groups: each module adds its sub-parser and sets ``func``.
FEATURE_CLIS = (cli_escalations, cli_digest, cli_users, cli_audit)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="acctbot",
        description="Slack bot for account managers: where Salesforce accounts and orders stand.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser(
        "run",
        help="serve the app (Socket Mode if SLACK_APP_TOKEN is set, "
        "else HTTP on $PORT at /slack/events)",
        description="Serve the app: Socket Mode if SLACK_APP_TOKEN is set, else HTTP on $PORT "
        "at /slack/events (GET /healthz for load balancers).",
        epilog="On SIGTERM or SIGINT acctbot stops taking new requests (the port closes, "
        "/healthz answers 503, Socket Mode disconnects so Slack sends elsewhere), lets "
        "requests in flight be acknowledged, gives acknowledged work ACCTBOT_DRAIN_SECONDS "
        "(20) to be answered, answers the rest 'acctbot is restarting, try again', and "
        "exits 0. On a container platform give it a grace period longer than that: "
        "Kubernetes terminationGracePeriodSeconds (default 30) is enough for the default; "
        "Docker's default is 10 s, so use `docker stop -t 30` or `stop_grace_period: 30s`.",
    )
    run.add_argument("--port", type=int, help="HTTP port (default: $PORT or 3000)")
    run.add_argument(
        "--no-scheduler",
        action="store_true",
        help="serve Slack only; another process runs the scheduled jobs",
    )
    run.set_defaults(func=cmd_run)
    demo = sub.add_parser("demo", help="the whole bot on the sandbox org and a local Slack console")
    demo.add_argument("--seed", type=int, default=42, help="seed for the generated demo org")
    demo.add_argument("--log-level", default="ERROR", help="the app's log level (default ERROR)")
    demo.set_defaults(func=cmd_demo)
    sb = sub.add_parser("sandbox", help="run the Salesforce sandbox org alone, over HTTPS")
    sb.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    sb.add_argument("--data", help="JSON data file to load instead of the seeded org")
    sb.add_argument("--seed", type=int, default=42, help="seed for the generated demo org")
    sb.add_argument(
        "--timezone",
        default="America/New_York",
        help="the org's default time zone, unless the data set gives one",
    )
    sb.set_defaults(func=cmd_sandbox)
    check = sub.add_parser(
        "check", help="validate the configuration and reach Slack, Salesforce and the database"
    )
    check.set_defaults(func=cmd_check)
    db = sub.add_parser("db", help="the local database: run migrations or show the revision")
    db.add_argument("action", choices=["upgrade", "current"])
    db.set_defaults(func=cmd_db)
    for module in FEATURE_CLIS:
        module.add_parser(sub)
    return parser


def _settings() -> Settings:
    return Settings.from_env()


def cmd_run(args: argparse.Namespace) -> int:
    from bot.application import run

    settings = _settings()
    logging.getLogger().setLevel(settings.log_level)
    if args.port:
        settings = dataclasses.replace(settings, port=args.port)
    return run(settings, scheduler=not args.no_scheduler)


def cmd_db(args: argparse.Namespace) -> int:
    from bot.infra.db import Database

    db = Database(Settings.database_url_from_env())
    if args.action == "upgrade":
        db.upgrade()
    print(f"Database schema revision: {db.current_revision() or 'none'}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from slack_sdk.errors import SlackApiError
    from sqlalchemy.engine import make_url

    from bot.application import make_web_client
    from bot.infra.salesforce import SalesforceError, SalesforceService
    from bot.teams import load_teams

    settings = _settings()
    ok = True
    print("Configuration: OK")
    sla = settings.sla
    print(
        f"Time zone {settings.timezone}; weeks start on {settings.week_start_name} "
        f"(ACCTBOT_WEEK_START); escalation reminders after P1 {sla.describe('P1')}, "
        f"P2 {sla.describe('P2')}, P3 {sla.describe('P3')}, P4 {sla.describe('P4')}; "
        f"outbox every {settings.outbox_interval_seconds} s "
        f"(lease {settings.outbox_lease_seconds} s), SLA check every "
        f"{settings.sla_check_seconds} s; log level {settings.log_level}"
    )
    db_url = make_url(settings.database_url).render_as_string(hide_password=True)
    print(
        f"Stuck after {settings.stuck_days} days; answers cached {settings.cache_ttl:g} s; "
        f"Salesforce timeout {settings.salesforce.timeout:g} s ({settings.salesforce.auth_mode} "
        f"login); escalation channel {settings.escalation_channel or 'none'}; "
        f"{'Socket Mode' if settings.socket_mode else f'HTTP on port {settings.port}'}; "
        f"database {db_url}"
    )
    admins = ", ".join(sorted(settings.admins)) or "none"
    print(
        f"Visibility: {settings.visibility} ("
        + (
            "each person sees only the records their own Salesforce user can read"
            if settings.visibility == "salesforce"
            else "every mapped person sees what the integration user sees"
        )
        + f"); sharing in channels: {settings.sharing}; admins: {admins}; audit log kept "
        f"{settings.audit_retention_days} days"
    )
    print(
        f"Load: {settings.workers} workers, {settings.queue_limit} more may wait (then "
        f'"busy"); requests up to {settings.max_request_bytes // 1024} KB; on SIGTERM '
        f"{settings.drain_seconds} s to finish acknowledged work"
    )
    teams = None
    finished = ", ".join(settings.finished_order_statuses) or "none"
    print(
        f"Not-dones: orders open more than {settings.stuck_days} days or drafts past their "
        f"effective date; never these statuses: {finished} (ACCTBOT_FINISHED_ORDER_STATUSES)"
    )
    quiet = settings.watch_quiet_hours
    print(
        f"Watches: checked every {settings.watch_interval_seconds} s; quiet hours "
        + (f"{quiet[0]:%H:%M}-{quiet[1]:%H:%M} in each person's own time zone" if quiet else "off")
    )
    try:
        teams = load_teams(settings.teams_file)
        print(f"Teams file {settings.teams_file}: {len(teams.teams)} team(s)")
    except TeamsFileError as exc:
        print(f"Teams file: {exc}")
        ok = False
    client = make_web_client(settings)
    try:
        auth = client.auth_test()
        print(f"Slack: OK, connected as {auth.get('user')} in {auth.get('team')}")
    except SlackApiError as exc:
        print(f"Slack: the token was refused ({exc.response.get('error')}).")
        ok = False
    except Exception as exc:
        print(f"Slack: cannot reach {settings.slack_api_url} ({type(exc).__name__}).")
        ok = False
    else:
        granted = _granted_scopes(auth.headers)
        ok = _check_scopes(granted) and ok
        ok = _check_channels(settings, client, teams, granted) and ok
    try:
        sf = SalesforceService(settings.salesforce)
        limits = sf.limits()
        daily = limits.get("DailyApiRequests", {})
        print(
            f"Salesforce: OK, {_count(daily.get('Remaining'))} of {_count(daily.get('Max'))} "
            "daily API requests left"
        )
        _check_org(sf, settings)
    except SalesforceError as exc:
        print(f"Salesforce: {exc.user_message} ({exc.detail[:200]})")
        ok = False
    db_ok = _check_database(settings.database_url)
    ok = db_ok and ok
    if ok:
        ok = _check_people() and ok
    return 0 if ok else 1


def _count(value: Any) -> str:
    """A count from Salesforce with thousands separators ("99,950"); "?" when missing."""
    return f"{value:,}" if isinstance(value, int) else "?" if value is None else str(value)


def _granted_scopes(headers: Any) -> set[str] | None:
    """The token's scopes from a Web API response's ``X-OAuth-Scopes`` header (None when
    Slack did not send it)."""
    for key, value in dict(headers or {}).items():
        if key.lower() == "x-oauth-scopes":
            text = value[0] if isinstance(value, list) else value
            return {s.strip() for s in str(text).split(",") if s.strip()}
    return None


def _check_scopes(granted: set[str] | None) -> bool:
    from bot.application import BOT_SCOPES

    if granted is None:
        print("Slack scopes: not reported by Slack; compare the app's scopes with manifest.yml")
        return True
    missing = [s for s in BOT_SCOPES if s not in granted]
    if missing:
        print(
            f"Slack scopes: the token lacks {', '.join(missing)}: add them (manifest.yml "
            "has them all) and reinstall the app"
        )
        return False
    print(f"Slack scopes: OK, all {len(BOT_SCOPES)} that acctbot uses")
    return True


def _check_channels(
    settings: Settings, client: WebClient, teams: Teams | None, granted: set[str] | None
) -> bool:
    """Each channel acctbot posts to (teams file, ESCALATION_CHANNEL, channels subscribed
    with /digest): can it post there, and read the history its exactly-once check needs?"""
    from bot.delivery.channels import Channels

    targets: list[tuple[str, str]] = []
    for team in teams.teams if teams else []:
        targets.append((team.channel, f"team {team.name}"))
    if settings.escalation_channel:
        targets.append((settings.escalation_channel, "ESCALATION_CHANNEL"))
    for channel, subscribed in _subscribed_channels(settings.database_url):
        targets.append((channel, f"/digest subscription of {subscribed}"))
    channels = Channels()
    can_join = granted is None or "channels:join" in granted
    ok = True
    seen: set[str] = set()
    for channel, what in targets:
        if channel in seen:
            continue
        seen.add(channel)
        access = channels.access(client, channel)
        if access.kind == "dm":
            continue
        if access.member:
            print(f"Channel {access.label} ({what}): OK, acctbot is in it")
        elif access.can_post and can_join:
            print(
                f"Channel {access.label} ({what}): OK, acctbot is not in this public channel "
                "yet and joins it before its first post there"
            )
        elif access.can_post:
            print(
                f"Channel {access.label} ({what}): acctbot can post but cannot read its "
                "history (not a member, and no channels:join scope to join): invite it with "
                "`/invite @acctbot` or grant channels:join"
            )
            ok = False
        else:
            print(f"Channel {access.label} ({what}): cannot post or read: {access.problem}")
            ok = False
    return ok


def _subscribed_channels(url: str) -> list[tuple[str, str]]:
    """(channel, team) of the active /digest subscriptions, if the database has them."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from bot.infra.db import Database
    from bot.infra.models import DigestSubscription

    db = Database(url)
    try:
        with db.session() as s:
            rows = s.execute(
                select(DigestSubscription.channel, DigestSubscription.team).where(
                    DigestSubscription.active.is_(True)
                )
            ).all()
        return [(str(c), str(t)) for c, t in rows]
    except SQLAlchemyError:
        return []  # not reachable or not migrated yet: the database check says which
    finally:
        db.dispose()


def _check_org(sf: SalesforceService, settings: Settings) -> None:
    """Print what acctbot reads from the org (currencies, fiscal year, draft status and
    case priorities), and warn when the integration user's time zone or locale keeps
    other days than acctbot (Salesforce evaluates date literals such as TODAY and
    THIS_WEEK in that user's zone and locale; acctbot sends explicit dates computed in
    ACCTBOT_TIMEZONE with weeks starting on ACCTBOT_WEEK_START, so its figures follow its
    own settings, and Salesforce's reports for that user may count days differently).
    Zones are compared by what their clocks read, not by name: ``US/Eastern`` is
    ``America/New_York``."""
    import datetime as dt
    from calendar import month_name
    from zoneinfo import ZoneInfo

    from bot.dates import WEEKDAYS, locale_week_start, quarter_bounds, quarter_label
    from bot.infra.salesforce import SalesforceError
    from bot.localtime import same_zone
    from bot.vocabulary import read_vocabulary

    now = dt.datetime.now(dt.UTC)
    try:
        vocab = read_vocabulary(sf)
    except SalesforceError as exc:
        print(f"Org settings: could not read them ({exc.user_message})")
    else:
        currencies, fiscal = vocab.currencies, vocab.fiscal
        if currencies.multi:
            others = [c for c in currencies.active if c != currencies.corporate]
            retired = sorted(currencies.inactive)
            print(
                f"Currencies: corporate {currencies.corporate}, also {', '.join(others) or 'none'}"
                + (f"; deactivated {', '.join(retired)} (still on old records)" if retired else "")
                + " (sums are converted to the corporate currency and say so)"
            )
        else:
            print(f"Currency: {currencies.corporate} (a single-currency org)")
        today = now.astimezone(ZoneInfo(settings.timezone)).date()
        first, last = quarter_bounds(today, fiscal)
        named = "its start year" if fiscal.named_by_start else "the year it ends in"
        print(
            f"Fiscal year: starts in {month_name[fiscal.start_month]}, named after {named}; "
            f"this quarter is {quarter_label(today, fiscal)} ({first:%b %-d, %Y} to "
            f"{last:%b %-d, %Y})"
        )
        print(
            f"Order draft status: {vocab.draft_status}; case priorities, most urgent first: "
            f"{', '.join(vocab.priorities)}"
        )
    try:
        user = sf.userinfo()
    except SalesforceError as exc:
        print(f"Integration user: could not read its time zone and locale ({exc.user_message})")
        return
    who = user.get("preferred_username") or user.get("name") or "the integration user"
    zone, locale = user.get("zoneinfo") or "", user.get("locale") or ""
    print(f"Integration user: {who}, time zone {zone or '?'}, locale {locale or '?'}")
    if zone and not same_zone(zone, settings.timezone, now):
        print(
            f"Warning: the integration user's time zone is {zone}, acctbot's "
            f"(ACCTBOT_TIMEZONE) is {settings.timezone}. acctbot computes today, weeks and "
            f"quarters in {settings.timezone}; Salesforce's reports for that user use {zone}. "
            "Set the user's time zone in Salesforce to match, or ACCTBOT_TIMEZONE."
        )
    elif zone and zone != settings.timezone:
        print(f"Time zones: {zone} and {settings.timezone} keep the same clock (no difference)")
    first_day = locale_week_start(locale) if locale else None
    start = settings.week_start
    if first_day is not None and first_day != start:
        print(
            f"Warning: the integration user's locale {locale} starts weeks on "
            f"{WEEKDAYS[first_day]}; acctbot's weeks run {WEEKDAYS[start]} to "
            f'{WEEKDAYS[(start + 6) % 7]} (ACCTBOT_WEEK_START). acctbot\'s "this week" follows '
            "its own weeks; Salesforce's THIS_WEEK for that user does not."
        )


def _check_people() -> bool:
    """How many Slack users acctbot serves (users.list + Salesforce users + overrides)."""
    from slack_sdk.errors import SlackApiError
    from sqlalchemy.exc import SQLAlchemyError

    from bot import people
    from bot.cli.users import _services, summary
    from bot.infra.salesforce import SalesforceError

    svc = _services(upgrade=False)  # check changes nothing, the schema included
    try:
        try:
            entries = people.directory(svc)
        except SQLAlchemyError:  # not migrated yet: no overrides to count
            entries = people.directory(svc, with_overrides=False)
        print("People: " + summary(entries) + " (`acctbot users list` names them)")
        return True
    except SlackApiError as exc:
        print(
            f"People: Slack refused users.list ({exc.response.get('error')}); the app needs "
            "the users:read and users:read.email scopes."
        )
        return False
    except SalesforceError as exc:
        print(f"People: {exc.user_message}")
        return False
    finally:
        svc.pool.shutdown(wait=False)
        svc.db.dispose()


def _check_database(url: str) -> bool:
    from alembic.script import ScriptDirectory
    from sqlalchemy.exc import SQLAlchemyError

    from bot.infra.db import Database, alembic_config

    db = Database(url)
    try:
        current = db.current_revision()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:160]
        print(f"Database: cannot reach {db.engine.url.render_as_string()} ({reason}).")
        return False
    finally:
        db.dispose()
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    if current == head:
        print(f"Database: OK, schema at {current}")
    else:
        print(
            f"Database: OK, schema at {current or 'nothing yet'}; `acctbot run` or "
            f"`acctbot db upgrade` brings it to {head}"
        )
    return True


def cmd_sandbox(args: argparse.Namespace) -> int:
    from bot.standins.salesforce.server import serve_forever

    return serve_forever(
        port=args.port, data_file=args.data, seed=args.seed, timezone=args.timezone
    )


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo.console import run_demo

    # The console shows what Slack would show; the app's own logs stay quiet.
    logging.getLogger().setLevel(args.log_level)
    return run_demo(seed=args.seed)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    logging.basicConfig(level="INFO", format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except (ConfigError, TeamsFileError) as exc:
        print(f"acctbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
