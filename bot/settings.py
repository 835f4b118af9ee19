"""Settings from the environment and ``.env`` (python-dotenv), validated at start-up.

A missing or malformed variable raises :class:`ConfigError` whose message is one plain
sentence naming the variable; the CLI prints it and exits without a traceback.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from dotenv import dotenv_values

from bot.dates import MONDAY, SUNDAY, WEEKDAYS
from bot.escalations.sla import SlaPolicy
from bot.localtime import is_known_timezone

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_SF_API_VERSION = "62.0"
# Order statuses that are finished although Salesforce files them under the Draft
# category (StatusCode 'Draft'): never open, stuck or overdue. Orgs spell it both ways.
DEFAULT_FINISHED_ORDER_STATUSES = ("Cancelled", "Canceled")
VISIBILITY_MODES = ("salesforce", "workspace")
SHARING_MODES = ("on", "preview", "off")


class ConfigError(Exception):
    """The configuration is unusable; ``str(exc)`` is one sentence for the user."""


@dataclass(frozen=True)
class SalesforceSettings:
    instance_url: str | None = None
    access_token: str | None = None
    username: str | None = None
    password: str | None = None
    security_token: str | None = None
    consumer_key: str | None = None
    private_key_file: str | None = None
    domain: str | None = None
    api_version: str = DEFAULT_SF_API_VERSION
    timeout: float = 20.0
    # REQUESTS_CA_BUNDLE, also when it is only in .env (requests itself reads the process
    # environment alone): the CA file trusted for Salesforce's HTTPS, e.g. the sandbox's.
    ca_bundle: str | None = None

    @property
    def auth_mode(self) -> str:
        if self.username and self.consumer_key and self.private_key_file:
            return "jwt"
        if self.username and self.password:
            return "password"
        return "session"

    @property
    def can_relogin(self) -> bool:
        """Password and JWT logins can mint a new session when one expires."""
        return self.auth_mode in ("password", "jwt")


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str
    slack_signing_secret: str
    salesforce: SalesforceSettings
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = "sqlite:///acctbot.db"
    teams_file: str = "teams.yml"
    escalation_channel: str | None = None
    port: int = 3000
    cache_ttl: float = 60.0
    stuck_days: int = 14
    finished_order_statuses: tuple[str, ...] = DEFAULT_FINISHED_ORDER_STATUSES
    timezone: str = "America/New_York"
    week_start: int = SUNDAY  # ACCTBOT_WEEK_START: the weekday weeks start on (0 Monday)
    sla: SlaPolicy = field(default_factory=SlaPolicy)
    outbox_interval_seconds: int = 15
    outbox_lease_seconds: int = 300
    sla_check_seconds: int = 60
    # Watches: how often watched records are checked for changes, and the watcher's
    # quiet hours (local wall-clock times in their own Slack time zone; None: never quiet).
    watch_interval_seconds: int = 60
    watch_quiet_hours: tuple[dt.time, dt.time] | None = (dt.time(19, 0), dt.time(8, 0))
    # Load and shutdown: threads answering commands, how many more may wait (beyond that
    # the user is told acctbot is busy), seconds to finish acknowledged work on SIGTERM,
    # and the largest request body read (Slack's payloads are a few KB).
    workers: int = 16
    queue_limit: int = 64
    drain_seconds: int = 20
    max_request_bytes: int = 256 * 1024
    log_level: str = "INFO"
    # Who sees what (README "Who sees what"): "salesforce" shows each person only the
    # records their own Salesforce user can read; "workspace" shows every mapped person
    # what the integration user sees.
    visibility: str = "salesforce"
    # Slack user ids who may configure acctbot from Slack (digest subscriptions) and act
    # on any escalation.
    admins: frozenset[str] = frozenset()
    # "Share in channel": on (the card as the sharer sees it), preview (name and link
    # only), off (no sharing).
    sharing: str = "on"
    audit_retention_days: int = 365
    extra: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def week_start_name(self) -> str:
        """'Sunday' or 'Monday'."""
        return WEEKDAYS[self.week_start]

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        dotenv_path: str | Path | None = ".env",
    ) -> Settings:
        """Read settings from ``env`` (default: ``.env`` overlaid by the process env)."""
        values: dict[str, str] = {}
        if env is None:
            if dotenv_path and Path(dotenv_path).is_file():
                values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v})
            values.update(os.environ)
        else:
            values.update(env)
        return cls._parse(values)

    @staticmethod
    def database_url_from_env(
        env: Mapping[str, str] | None = None, *, dotenv_path: str | Path | None = ".env"
    ) -> str:
        """``DATABASE_URL`` alone, from the same sources as :meth:`from_env`: the ``db``
        commands need no Slack or Salesforce settings."""
        values: dict[str, str] = {}
        if env is None:
            if dotenv_path and Path(dotenv_path).is_file():
                values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v})
            values.update(os.environ)
        else:
            values.update(env)
        return (values.get("DATABASE_URL") or "").strip() or "sqlite:///acctbot.db"

    @classmethod
    def _parse(cls, v: Mapping[str, str]) -> Settings:
        def get(name: str) -> str | None:
            value = v.get(name)
            return value.strip() if value and value.strip() else None

        def need(name: str, why: str) -> str:
            value = get(name)
            if value is None:
                raise ConfigError(f"{name} is not set: {why}.")
            return value

        bot_token = need("SLACK_BOT_TOKEN", "set it to the app's bot token (xoxb-...)")
        if not bot_token.startswith("xoxb-"):
            raise ConfigError("SLACK_BOT_TOKEN does not look like a bot token (xoxb-...).")
        secret = need("SLACK_SIGNING_SECRET", "copy it from the app's Basic Information page")
        app_token = get("SLACK_APP_TOKEN")
        if app_token and not app_token.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN does not look like an app-level token (xapp-...).")
        api_url = get("SLACK_API_URL") or DEFAULT_SLACK_API_URL
        _check_url("SLACK_API_URL", api_url)
        if not api_url.endswith("/"):
            api_url += "/"

        sf = _salesforce(get)
        tz = get("ACCTBOT_TIMEZONE") or "America/New_York"
        if not is_known_timezone(tz):
            raise ConfigError(f"ACCTBOT_TIMEZONE {tz!r} is not a known time zone.")
        return cls(
            slack_bot_token=bot_token,
            slack_signing_secret=secret,
            slack_app_token=app_token,
            slack_api_url=api_url,
            salesforce=sf,
            database_url=get("DATABASE_URL") or "sqlite:///acctbot.db",
            teams_file=get("ACCTBOT_TEAMS_FILE") or "teams.yml",
            escalation_channel=get("ESCALATION_CHANNEL"),
            port=_int(get, "PORT", 3000, 1, 65535),
            cache_ttl=float(_int(get, "ACCTBOT_CACHE_TTL", 60, 0, 86400)),
            stuck_days=_int(get, "ACCTBOT_STUCK_DAYS", 14, 1, 365),
            finished_order_statuses=_statuses(v.get("ACCTBOT_FINISHED_ORDER_STATUSES")),
            timezone=tz,
            week_start=_week_start(get("ACCTBOT_WEEK_START")),
            sla=SlaPolicy(
                p1_minutes=_int(get, "ACCTBOT_SLA_P1_MINUTES", 30, 1, 7 * 24 * 60),
                p2_minutes=_int(get, "ACCTBOT_SLA_P2_MINUTES", 120, 1, 7 * 24 * 60),
                p3_business_days=_int(get, "ACCTBOT_SLA_P3_BUSINESS_DAYS", 1, 1, 60),
                p4_business_days=_int(get, "ACCTBOT_SLA_P4_BUSINESS_DAYS", 3, 1, 60),
            ),
            outbox_interval_seconds=_int(get, "ACCTBOT_OUTBOX_INTERVAL_SECONDS", 15, 1, 3600),
            outbox_lease_seconds=_int(get, "ACCTBOT_OUTBOX_LEASE_SECONDS", 300, 1, 3600),
            sla_check_seconds=_int(get, "ACCTBOT_SLA_CHECK_SECONDS", 60, 1, 3600),
            watch_interval_seconds=_int(get, "ACCTBOT_WATCH_INTERVAL_SECONDS", 60, 1, 86400),
            watch_quiet_hours=_quiet_hours(get("ACCTBOT_WATCH_QUIET_HOURS")),
            workers=_int(get, "ACCTBOT_WORKERS", 16, 1, 256),
            queue_limit=_int(get, "ACCTBOT_QUEUE_LIMIT", 64, 0, 10000),
            drain_seconds=_int(get, "ACCTBOT_DRAIN_SECONDS", 20, 0, 600),
            max_request_bytes=1024 * _int(get, "ACCTBOT_MAX_REQUEST_KB", 256, 16, 10240),
            log_level=_log_level(get("LOG_LEVEL")),
            visibility=_choice(get, "ACCTBOT_VISIBILITY", VISIBILITY_MODES),
            admins=_slack_users(get, "ACCTBOT_ADMINS"),
            sharing=_choice(get, "ACCTBOT_SHARING", SHARING_MODES),
            audit_retention_days=_int(get, "ACCTBOT_AUDIT_RETENTION_DAYS", 365, 1, 3650),
        )


def _salesforce(get) -> SalesforceSettings:  # type: ignore[no-untyped-def]
    version = get("SF_API_VERSION") or DEFAULT_SF_API_VERSION
    try:
        float(version.removeprefix("v"))
    except ValueError:
        raise ConfigError(f"SF_API_VERSION {version!r} is not a version like 62.0.") from None
    version = version.removeprefix("v")
    timeout = float(_int(get, "SF_TIMEOUT", 20, 1, 300))
    ca_bundle = get("REQUESTS_CA_BUNDLE")
    if ca_bundle and not Path(ca_bundle).is_file():
        raise ConfigError(f"REQUESTS_CA_BUNDLE {ca_bundle!r} is not a file.")
    common = {
        "api_version": version,
        "timeout": timeout,
        "domain": get("SF_DOMAIN"),
        "ca_bundle": ca_bundle,
    }
    instance, token = get("SF_INSTANCE_URL"), get("SF_ACCESS_TOKEN")
    username = get("SF_USERNAME")
    if instance or token:
        if not (instance and token):
            missing = "SF_ACCESS_TOKEN" if instance else "SF_INSTANCE_URL"
            raise ConfigError(
                f"{missing} is not set: session login needs both "
                "SF_INSTANCE_URL and SF_ACCESS_TOKEN."
            )
        _check_url("SF_INSTANCE_URL", instance, https=True)
        return SalesforceSettings(instance_url=instance.rstrip("/"), access_token=token, **common)
    if username and get("SF_CONSUMER_KEY"):
        key_file = get("SF_PRIVATE_KEY_FILE")
        if not key_file:
            raise ConfigError("SF_PRIVATE_KEY_FILE is not set: JWT login needs the private key.")
        if not Path(key_file).is_file():
            raise ConfigError(f"SF_PRIVATE_KEY_FILE {key_file!r} does not exist.")
        return SalesforceSettings(
            username=username,
            consumer_key=get("SF_CONSUMER_KEY"),
            private_key_file=key_file,
            **common,
        )
    if username:
        password = get("SF_PASSWORD")
        if not password:
            raise ConfigError(
                "SF_PASSWORD is not set: password login needs SF_USERNAME, "
                "SF_PASSWORD and SF_SECURITY_TOKEN."
            )
        return SalesforceSettings(
            username=username,
            password=password,
            security_token=get("SF_SECURITY_TOKEN") or "",
            **common,
        )
    raise ConfigError(
        "SF_INSTANCE_URL is not set: give SF_INSTANCE_URL and SF_ACCESS_TOKEN, "
        "or SF_USERNAME with SF_PASSWORD or a JWT key."
    )


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_QUIET = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


def _quiet_hours(raw: str | None) -> tuple[dt.time, dt.time] | None:
    """``ACCTBOT_WATCH_QUIET_HOURS``: ``HH:MM-HH:MM`` (start-end, may wrap past midnight;
    default 19:00-08:00) or ``off``."""
    if raw is None:
        return dt.time(19, 0), dt.time(8, 0)
    if raw.lower() in ("off", "none", "no"):
        return None
    m = _QUIET.match(raw)
    bad = ConfigError(
        f"ACCTBOT_WATCH_QUIET_HOURS {raw!r} is not a range like 19:00-08:00 (or off)."
    )
    if m is None:
        raise bad
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59 or (h1, m1) == (h2, m2):
        raise bad
    return dt.time(h1, m1), dt.time(h2, m2)


def _statuses(raw: str | None) -> tuple[str, ...]:
    """ACCTBOT_FINISHED_ORDER_STATUSES: comma-separated Order status values (the org's
    picklist values, matched without regard to case, as SOQL compares text). Unset or empty
    means the default; a value of only commas (``,``) means none."""
    if raw is None or not raw.strip():
        return DEFAULT_FINISHED_ORDER_STATUSES
    values: list[str] = []
    for part in raw.split(","):
        value = part.strip()
        if not value:
            continue
        if len(value) > 255 or any(ord(c) < 32 for c in value):
            raise ConfigError(
                f"ACCTBOT_FINISHED_ORDER_STATUSES has {value[:40]!r}, which is not an Order "
                "status value (at most 255 characters, no control characters)."
            )
        if value.lower() not in (v.lower() for v in values):
            values.append(value)
    return tuple(values)


WEEK_STARTS = {"sunday": SUNDAY, "monday": MONDAY}


def _week_start(raw: str | None) -> int:
    """ACCTBOT_WEEK_START: ``sunday`` (the default) or ``monday``, the day acctbot's weeks
    start ("this week", the weekly digest's week)."""
    if raw is None:
        return SUNDAY
    value = WEEK_STARTS.get(raw.strip().lower())
    if value is None:
        raise ConfigError(f"ACCTBOT_WEEK_START {raw!r} is not sunday or monday.")
    return value


def _log_level(raw: str | None) -> str:
    level = (raw or "INFO").upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL {raw!r} is not one of {', '.join(LOG_LEVELS)}.")
    return level


def _choice(get, name: str, choices: tuple[str, ...]) -> str:  # type: ignore[no-untyped-def]
    """One of ``choices`` (the first is the default), case-insensitive."""
    raw = get(name)
    if raw is None:
        return choices[0]
    value = raw.lower()
    if value not in choices:
        raise ConfigError(f"{name} {raw!r} is not one of {', '.join(choices)}.")
    return value


_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def _slack_users(get, name: str) -> frozenset[str]:  # type: ignore[no-untyped-def]
    """A comma-separated list of Slack user ids (U..., W...)."""
    raw = get(name)
    if raw is None:
        return frozenset()
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    for user_id in ids:
        if not _SLACK_USER_ID.match(user_id):
            raise ConfigError(
                f"{name} has {user_id!r}, which is not a Slack user id like U0123ABCD."
            )
    return frozenset(ids)


def _check_url(name: str, value: str, *, https: bool = False) -> None:
    parsed = urlparse(value)
    schemes = ("https",) if https else ("http", "https")
    if parsed.scheme not in schemes or not parsed.netloc:
        kind = "an https:// URL" if https else "an http(s):// URL"
        raise ConfigError(f"{name} {value!r} is not {kind}.")


def _int(get, name: str, default: int, lo: int, hi: int) -> int:  # type: ignore[no-untyped-def]
    raw = get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} {raw!r} is not a whole number.") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name} must be between {lo} and {hi}, not {value}.")
    return value
