"""acctbot's Slack app: ``create_app(settings, ...)`` builds it; nothing connects at import.

``create_app`` returns an :class:`AcctBot`: the Bolt ``App`` and the :class:`Services` its
listeners share. ``run`` serves it: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP
on $PORT at /slack/events (waitress), with GET /healthz. ``acctbot run`` and ``python app.py``
both end here; nothing imports the top-level ``app.py``.

In HTTP mode every request passes :class:`bot.gate.RequestGate` (size, signature, replay,
shape) before Bolt reads it. On SIGTERM (or SIGINT) :func:`run` stops taking new work
(the listening socket closes, /healthz says 503, Socket Mode disconnects so Slack
re-delivers elsewhere), lets the requests in flight be acknowledged, gives acknowledged
work ``ACCTBOT_DRAIN_SECONDS`` to be answered, answers what is left "restarting", and
exits 0.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
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
from bot.gate import Refusal, RequestGate
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


class InFlight:
    """How many requests are being handled right now (to let them finish on shutdown)."""

    def __init__(self) -> None:
        self._count = 0
        self._cond = threading.Condition()

    def __enter__(self) -> InFlight:
        with self._cond:
            self._count += 1
        return self

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._count -= 1
            self._cond.notify_all()

    @property
    def count(self) -> int:
        return self._count

    def wait_idle(self, timeout: float) -> bool:
        """Wait until none is in flight (at most ``timeout`` seconds); True if none is."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._count > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True


@dataclass(frozen=True)
class AcctBot:
    """What :func:`create_app` builds: the Bolt app, the services its listeners share,
    the HTTP gate, and the shutdown state (``stopping`` set: take no new work)."""

    app: App
    services: Services
    gate: RequestGate
    in_flight: InFlight = field(default_factory=InFlight)
    stopping: threading.Event = field(default_factory=threading.Event)


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

    in_flight = InFlight()
    stopping = threading.Event()

    @app.middleware
    def inject_services(context: BoltContext, next: Callable[[], None]) -> BoltResponse | None:
        if stopping.is_set():  # shutting down: no ack, so Slack sends it elsewhere
            return BoltResponse(status=503, body="")
        context["services"] = services
        with in_flight:
            next()
        return None

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
    gate = RequestGate(
        settings.slack_signing_secret, services.once, max_bytes=settings.max_request_bytes
    )
    return AcctBot(app, services, gate, in_flight, stopping)


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


# --- HTTP ------------------------------------------------------------------------------

SLACK_PATH = "/slack/events"
_STATUS = {200: "200 OK", 400: "400 Bad Request", 401: "401 Unauthorized", 404: "404 Not Found",
           413: "413 Content Too Large", 500: "500 Internal Server Error",
           503: "503 Service Unavailable"}  # fmt: skip


def _reply(
    start_response: Callable[..., Any],
    status: int,
    body: bytes,
    headers: dict[str, str] | None = None,
) -> list[bytes]:
    head = {"Content-Type": "application/json", **(headers or {})}
    head["Content-Length"] = str(len(body))
    start_response(_STATUS.get(status, f"{status} Status"), list(head.items()))
    return [body]


def wsgi_app(bot: AcctBot) -> Callable[..., Iterable[bytes]]:
    """The WSGI application: POST /slack/events for Slack (through the gate, then Bolt),
    GET /healthz for load balancers (503 once shutting down)."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == "/healthz" and method == "GET":
            if bot.stopping.is_set():
                return _reply(start_response, 503, b'{"ok": false, "stopping": true}')
            return _reply(start_response, 200, json.dumps({"ok": True}).encode())
        if path != SLACK_PATH or method != "POST":
            return _reply(start_response, 404, b'{"error": "not_found"}')
        if bot.stopping.is_set():
            return _reply(start_response, 503, b'{"error": "stopping"}', {"Retry-After": "5"})
        with bot.in_flight:
            verdict = bot.gate.admit(environ)
            if isinstance(verdict, Refusal):
                return _reply(start_response, verdict.status, verdict.body)
            request = BoltRequest(
                body=verdict.body,
                query=environ.get("QUERY_STRING", ""),
                headers=dict(verdict.headers),
            )
            response = bot.app.dispatch(request)
        headers = {k: v[0] for k, v in response.headers.items() if v}
        body = response.body.encode() if isinstance(response.body, str) else response.body
        return _reply(start_response, response.status, body or b"", headers)

    return application


def http_server(bot: AcctBot, port: int, host: str = "0.0.0.0", threads: int = 64) -> Any:
    """A waitress server for :func:`wsgi_app` (not yet running: call ``.run()``).

    Waitress itself refuses a body over the gate's limit from its Content-Length (or,
    chunked, once that much has arrived), so an oversized body is never read or spooled;
    each refusal it answers is logged in one line."""
    from waitress.channel import HTTPChannel
    from waitress.server import create_server
    from waitress.task import ErrorTask

    class LoggedErrorTask(ErrorTask):
        def execute(self) -> None:
            error = self.request.error
            peer = self.channel.addr[0] if self.channel.addr else "?"
            log.warning("refused a request from %s with %s: %s", peer, error.code, error.body)
            super().execute()

    class Channel(HTTPChannel):
        error_task_class = LoggedErrorTask

    server = create_server(
        wsgi_app(bot),
        host=host,
        port=port,
        threads=threads,
        ident="acctbot",
        max_request_body_size=bot.gate.max_bytes + 1,  # waitress refuses >= this
    )
    server.channel_class = Channel
    return server


def stop_listening(server: Any) -> None:
    """Close a running waitress server's listening socket (from its own loop thread, via
    its trigger); connections already open are still served."""
    from waitress import wasyncore

    done = threading.Event()

    def close() -> None:
        try:
            wasyncore.dispatcher.close(server)
        finally:
            done.set()

    server.trigger.pull_trigger(close)
    done.wait(timeout=2)


def serve_http(
    bot: AcctBot,
    port: int,
    host: str = "0.0.0.0",
    threads: int = 64,
    *,
    on_stop: Callable[[], None] = lambda: None,
) -> None:
    """Serve until SIGTERM/SIGINT, then shut down gracefully (see :func:`shut_down`);
    ``on_stop`` runs when intake stops (e.g. stopping the scheduler)."""
    server = http_server(bot, port, host, threads)
    loop = threading.Thread(target=server.run, name="waitress", daemon=True)
    stop = _stop_on_signals()
    loop.start()
    log.info("acctbot listening on http://%s:%s%s", host, server.effective_port, SLACK_PATH)
    _wait(stop)

    def stop_intake() -> None:
        stop_listening(server)
        on_stop()

    shut_down(bot, stop_intake=stop_intake)


# --- Socket Mode ----------------------------------------------------------------------


def socket_mode_handler(app: App, app_token: str) -> Any:
    """Bolt's Socket Mode handler on the app's Web API client (so SLACK_API_URL holds)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    return SocketModeHandler(app, app_token)


def serve_socket_mode(
    bot: AcctBot, app_token: str, *, on_stop: Callable[[], None] = lambda: None
) -> None:
    """Connect and serve until SIGTERM/SIGINT, then shut down gracefully."""
    log.info("acctbot connecting to Slack in Socket Mode")
    handler = socket_mode_handler(bot.app, app_token)
    stop = _stop_on_signals()
    handler.connect()
    _wait(stop)

    def stop_intake() -> None:
        handler.close()
        on_stop()

    shut_down(bot, stop_intake=stop_intake)


# --- shutdown -------------------------------------------------------------------------

ACK_GRACE = 3.0  # seconds for requests in flight to be acknowledged (Slack's ack deadline)


def shut_down(bot: AcctBot, *, stop_intake: Callable[[], None]) -> tuple[int, int]:
    """Stop taking work, let requests in flight be acknowledged, then drain: acknowledged
    work gets ``ACCTBOT_DRAIN_SECONDS`` to be answered and the rest is answered
    "restarting". Returns (answered in time, answered "restarting")."""
    started = time.monotonic()
    bot.stopping.set()
    log.info("stopping: no new requests; finishing what was acknowledged")
    bot.in_flight.wait_idle(ACK_GRACE)
    try:
        stop_intake()
    except Exception as exc:
        log.warning("could not stop taking requests cleanly (%s)", exc)
    drain = bot.services.settings.drain_seconds
    finished, abandoned = bot.services.drain(max(0.0, drain - (time.monotonic() - started)))
    log.info(
        "stopped in %.1f s: %d answered, %d told acctbot is restarting",
        time.monotonic() - started,
        finished,
        abandoned,
    )
    return finished, abandoned


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handler(signum: int, _frame: Any) -> None:
        log.info("received %s", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop


def _wait(stop: threading.Event) -> None:
    while not stop.wait(0.5):
        pass


def run(settings: Settings, *, scheduler: bool = True) -> int:
    """Serve until SIGTERM/SIGINT; returns after the graceful shutdown. The process is
    ended with ``os._exit`` so that no thread stuck on a slow call outlives the drain."""
    bot = create_app(settings)
    on_stop: Callable[[], None] = lambda: None  # noqa: E731
    if scheduler:
        from jobs.setup import start_scheduler

        sched = start_scheduler(bot.services)
        on_stop = lambda: sched.shutdown(wait=False)  # noqa: E731
    if settings.slack_app_token:
        serve_socket_mode(bot, settings.slack_app_token, on_stop=on_stop)
    else:
        serve_http(bot, settings.port, on_stop=on_stop)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
