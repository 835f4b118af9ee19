"""The whole bot on loopback: the sandbox org, the Slack stand-in, and the real app
served over HTTP (waitress) receiving signed requests. Used by ``acctbot demo``, the
benchmarks and the end-to-end tests.

The app's clock is the org's clock, so freezing the org's time freezes the bot's too.
"""

from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App

from bot.application import BOT_SCOPES, AcctBot, create_app, http_server
from bot.services import Services
from bot.settings import Settings
from bot.standins.salesforce.seed import DEMO_SLACK_USERS
from bot.standins.salesforce.server import SandboxOrg
from bot.standins.slack.standin import SentRequest, SlackStandIn
from bot.teams import Teams

# The bot scopes manifest.yml asks for (a test keeps the two in step): the stand-in grants
# the app exactly these, as installing it from the manifest would.
APP_SCOPES = BOT_SCOPES

TEAM_CHANNELS = {
    "C0GENERAL01": "general",
    "C0SMBEAST01": "smb-east",
    "C0ENTNYC001": "enterprise-nyc",
    "C0MEDIA0001": "media-sales",
    "C0ESCALATE1": "escalations",
}


def populate_workspace(slack: SlackStandIn) -> None:
    """The app as freshly installed from its manifest (``APP_SCOPES``) in a workspace
    with the demo org's people as Slack users and the public channels the teams use.
    The bot is in none of them yet: an app is not added to channels when installed; it
    joins public ones itself (``conversations.join``) or is invited."""
    slack.set_scopes(APP_SCOPES)
    for user_id, u in DEMO_SLACK_USERS.items():
        slack.add_user(user_id, u["name"], u["real_name"], u["email"])
    slack.add_user("U0NOEMAIL1", "guest", "Guest Contractor", "")
    slack.add_user("U0STRANGER", "stranger", "Sam Stranger", "sam@elsewhere.example")
    # Guests: a partner's contractor (multi-channel) and an agency's (single-channel).
    slack.add_user("U0GUEST001", "pat.partner", "Pat Partner", "pat@partner.example", guest="multi")
    slack.add_user("U0GUEST002", "gil.agency", "Gil Agency", "gil@agency.example", guest="single")
    for channel_id, name in TEAM_CHANNELS.items():
        slack.add_channel(channel_id, name, bot_is_member=False)


def stack_settings(org: SandboxOrg, slack: SlackStandIn, **env: str) -> Settings:
    """Settings that point the app at the stand-ins (a temp SQLite DB unless given)."""
    values = {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
        "SF_INSTANCE_URL": org.instance_url,
        "SF_ACCESS_TOKEN": org.access_token,
        "ESCALATION_CHANNEL": "C0ESCALATE1",
        "DATABASE_URL": "sqlite:///" + tempfile.mkdtemp(prefix="acctbot-") + "/acctbot.db",
        **env,
    }
    return Settings.from_env(values)


@dataclass
class RunningApp:
    """The real app on waitress in a background thread."""

    app: App
    services: Services
    url: str
    _server: Any = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    bot: AcctBot | None = field(default=None, repr=False)

    def stop(self) -> None:
        self._server.close()
        self._thread.join(timeout=5)
        self.services.pool.shutdown(wait=False, cancel_futures=True)
        self.services.quick.shutdown(wait=False, cancel_futures=True)
        self.services.notices.shutdown(wait=False, cancel_futures=True)


def serve_app(bot: AcctBot, *, threads: int = 64) -> RunningApp:
    """Serve ``bot`` over HTTP on 127.0.0.1 (an ephemeral port) in a background thread,
    exactly as ``acctbot run`` serves it (the same gate and waitress limits)."""
    server = http_server(bot, 0, "127.0.0.1", threads)
    thread = threading.Thread(target=server.run, daemon=True, name="waitress")
    thread.start()
    url = f"http://127.0.0.1:{server.effective_port}/slack/events"
    return RunningApp(bot.app, bot.services, url, server, thread, bot)


def start_app(
    org: SandboxOrg,
    slack: SlackStandIn,
    *,
    teams: Teams,
    settings: Settings | None = None,
    **env: str,
) -> RunningApp:
    """create_app on the stand-ins, served over HTTP."""
    settings = settings or stack_settings(org, slack, **env)
    return serve_app(create_app(settings, teams=teams, clock=org.clock.now))


@dataclass
class Stack:
    """Sandbox org + Slack stand-in + the app, started together (``with Stack(...)``)."""

    org: SandboxOrg
    slack: SlackStandIn
    running: RunningApp
    _previous_ca_bundle: str | None = field(default=None, repr=False)

    @classmethod
    def start(
        cls, *, teams: Teams, data: dict[str, Any] | None = None, seed: int = 42, **env: str
    ) -> Stack:
        org = SandboxOrg(data=data, seed=seed).start()
        # requests lets REQUESTS_CA_BUNDLE override a session's verify: trust the org's CA
        # (for this process, which runs the stack; stop() puts the old value back).
        previous = os.environ.get("REQUESTS_CA_BUNDLE")
        os.environ["REQUESTS_CA_BUNDLE"] = org.ca_path
        slack = SlackStandIn()
        try:
            slack.start()
            populate_workspace(slack)
            running = start_app(org, slack, teams=teams, **env)
        except BaseException:  # nothing left running if the app cannot start
            slack.stop()
            org.stop()
            _restore_ca_bundle(previous)
            raise
        running.services.vocabulary()  # read the org's picklists before the first command
        stack = cls(org, slack, running)
        stack._previous_ca_bundle = previous
        return stack

    @property
    def url(self) -> str:
        return self.running.url

    def command(
        self, command: str, text: str = "", *, user: str, channel: str = "C0GENERAL01"
    ) -> SentRequest:
        return self.slack.command(self.url, command, text, user_id=user, channel_id=channel)

    def stop(self) -> None:
        self.running.stop()
        self.slack.stop()
        self.org.stop()
        _restore_ca_bundle(self._previous_ca_bundle)

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _restore_ca_bundle(previous: str | None) -> None:
    if previous is None:
        os.environ.pop("REQUESTS_CA_BUNDLE", None)
    else:
        os.environ["REQUESTS_CA_BUNDLE"] = previous
