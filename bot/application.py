"""acctbot's Slack app: ``create_app(settings, ...)`` builds it; nothing connects at import.

``create_app`` returns an :class:`AcctBot`: the Bolt ``App`` and the :class:`Services` its
listeners share. ``run`` serves it: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP
on $PORT at /slack/events (waitress), with GET /healthz. ``acctbot run`` and ``python app.py``
both end here; nothing imports the top-level ``app.py``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

import handlers
import jobs.runtime
from bot.escalations.service import ROUTE_TASK, route_task
from bot.infra.db import Database
from bot.infra.events import first_delivery
from bot.infra.salesforce import SalesforceService
from bot.services import Clock, Services, system_clock
from bot.settings import ConfigError, Settings
from bot.teams import Teams, load_teams

log = logging.getLogger("acctbot")


# The bot scopes acctbot uses (manifest.yml asks for exactly these; a test keeps the two in
# step). `acctbot check` compares them with what the token was granted.
BOT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "channels:join",
    "channels:read",
    "groups:read",
    "im:write",
    "users:read",
    "users:read.email",
    "channels:history",
    "groups:history",
    "im:history",
)


def make_web_client(settings: Settings) -> WebClient:
    """The Web API client: honours SLACK_API_URL, retries 429s (Retry-After) and resets."""
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=15,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=3),
            ConnectionErrorRetryHandler(max_retry_count=2),
        ],
    )


@dataclass(frozen=True)
class AcctBot:
    """What :func:`create_app` builds: the Bolt app and the services its listeners share."""

    app: App
    services: Services


def create_app(
    settings: Settings,
    *,
    salesforce: SalesforceService | None = None,
    teams: Teams | None = None,
    clock: Clock = system_clock,
    client: WebClient | None = None,
    db: Database | None = None,
    verify_token: bool = True,
) -> AcctBot:
    """Build the Bolt app and its services. Nothing here runs at import time.

    The database schema is brought up to date (Alembic) before the app answers anything.
    """
    if db is None:
        db = Database(settings.database_url)
    db.upgrade()
    services = Services(
        settings=settings,
        salesforce=salesforce or SalesforceService(settings.salesforce),
        teams=teams if teams is not None else load_teams(settings.teams_file),
        db=db,
        clock=clock,
    )
    try:
        app = App(
            client=client or make_web_client(settings),
            signing_secret=settings.slack_signing_secret,
            token_verification_enabled=verify_token,
            # Listeners only ack and hand work to the services' pool, so a modest
            # executor keeps acks fast even when Salesforce is slow.
            listener_executor=ThreadPoolExecutor(max_workers=32, thread_name_prefix="bolt"),
            raise_error_for_unhandled_request=False,
        )
    except SlackApiError as exc:  # auth.test refused the token (Bolt verifies it on start)
        raise ConfigError(
            f"Slack refused SLACK_BOT_TOKEN ({exc.response.get('error')}): copy the Bot "
            "User OAuth Token from the app's OAuth & Permissions page."
        ) from None
    except (OSError, BoltError) as exc:  # unreachable: DNS, refused, TLS, timeout
        reason = str(getattr(exc, "reason", None) or exc).splitlines()[0][:120]
        raise ConfigError(
            f"Slack is not reachable at {settings.slack_api_url} ({reason}); check the "
            "network or SLACK_API_URL."
        ) from None

    @app.middleware
    def inject_services(context: BoltContext, next: Callable[[], None]) -> None:
        context["services"] = services
        next()

    @app.middleware
    def handle_each_event_once(
        body: dict[str, Any], request: BoltRequest, next: Callable[[], None]
    ) -> BoltResponse | None:
        """A retried Events API delivery (same ``event_id``, ``X-Slack-Retry-Num`` set) of
        an event already taken is answered 200 and not handled again (bot.infra.events)."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not first_delivery(services.db, str(event_id)):
            retry = request.headers.get("x-slack-retry-num", ["?"])[0]
            log.info("event %s already handled; ignoring Slack's retry %s", event_id, retry)
            return BoltResponse(status=200, body="")
        next()
        return None

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error(
            "unhandled error for %s: %s",
            body.get("type") or body.get("command"),
            error,
            exc_info=error,
        )

    handlers.register(app)
    services.outbox_tasks[ROUTE_TASK] = route_task
    services.slack = app.client
    resolve_channel_names(services)
    jobs.runtime.install(services)
    return AcctBot(app, services)


def resolve_channel_names(services: Services) -> list[str]:
    """Teams-file channels and ``ESCALATION_CHANNEL`` written as ``#name`` become channel
    ids, once, at start (``conversations.*`` methods take ids only, and the exactly-once
    history check needs them; see bot/delivery/channels.py). Returns the names that could
    not be resolved (they stay names: posting to them still works where Slack allows it,
    and ``acctbot check`` says why); nothing is asked of Slack when every channel is an id.
    """
    teams, settings = services.teams, services.settings
    names = [t.channel for t in teams.teams if t.channel.startswith("#")]
    if settings.escalation_channel and settings.escalation_channel.startswith("#"):
        names.append(settings.escalation_channel)
    if not names or services.slack is None:
        return []
    ids = services.channels.resolve(services.slack, names)
    services.teams = Teams(
        timezone=teams.timezone,
        teams=[dataclasses.replace(t, channel=ids.get(t.channel, t.channel)) for t in teams.teams],
    )
    if settings.escalation_channel in ids:
        services.settings = dataclasses.replace(
            settings, escalation_channel=ids[settings.escalation_channel]
        )
    missing = sorted(set(names) - set(ids))
    if missing:
        log.warning(
            "cannot find channel(s) %s in Slack; posting to them by name "
            "(`acctbot check` says why)",
            ", ".join(missing),
        )
    return missing


def wsgi_app(app: App) -> Callable[..., Iterable[bytes]]:
    """The WSGI application: /slack/events for Slack, GET /healthz for load balancers."""
    slack = SlackRequestHandler(app, path="/slack/events")

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            body = json.dumps({"ok": True}).encode()
            start_response(
                "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]
        return slack(environ, start_response)

    return application


def serve_http(app: App, port: int, host: str = "0.0.0.0", threads: int = 64) -> None:
    from waitress import serve

    log.info("acctbot listening on http://%s:%s/slack/events", host, port)
    serve(wsgi_app(app), host=host, port=port, threads=threads, ident="acctbot")


def socket_mode_handler(app: App, app_token: str) -> Any:
    """Bolt's Socket Mode handler on the app's Web API client (so SLACK_API_URL holds)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    return SocketModeHandler(app, app_token)


def serve_socket_mode(app: App, app_token: str) -> None:
    log.info("acctbot connecting to Slack in Socket Mode")
    socket_mode_handler(app, app_token).start()


def run(settings: Settings, *, scheduler: bool = True) -> int:
    bot = create_app(settings)
    if scheduler:
        from jobs.setup import start_scheduler

        start_scheduler(bot.services)
    if settings.slack_app_token:
        serve_socket_mode(bot.app, settings.slack_app_token)
    else:
        serve_http(bot.app, settings.port)
    return 0
