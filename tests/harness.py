"""End-to-end harness: the real app served over HTTP (waitress), the Slack stand-in
sending it signed requests, and the sandbox org answering its Salesforce queries.

The app's clock is the sandbox org's clock, so a test that freezes the org's time
freezes the bot's "today" too.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App
from waitress.server import create_server

from app import create_app, services_of_app, wsgi_app
from bot.sandbox.seed import DEMO_SLACK_USERS
from bot.sandbox.server import SandboxOrg
from bot.sandbox.slack import ResponsePost, SentRequest, SlackStandIn
from bot.services import Services
from bot.settings import Settings
from bot.teams import Teams, parse_teams
from tests.orgdata import TEAMS_YAML

ANA = "U0ANA00001"  # Ana Ruiz, SMB account manager (ana.rep@example.com)
RAJ = "U0RAJ00001"
MARCUS = "U0MGR00001"  # SMB sales manager
CHANNEL = "C0GENERAL01"


def populate_workspace(slack: SlackStandIn) -> None:
    """The demo org's people as Slack users, plus the channels the bot posts to."""
    for user_id, u in DEMO_SLACK_USERS.items():
        slack.add_user(user_id, u["name"], u["real_name"], u["email"])
    slack.add_user("U0NOEMAIL1", "guest", "Guest Contractor", "")
    slack.add_user("U0STRANGER", "stranger", "Sam Stranger", "sam@elsewhere.example")
    for channel_id, name in (
        ("C0GENERAL01", "general"),
        ("C0SMBEAST01", "smb-east"),
        ("C0ENTNYC001", "enterprise-nyc"),
        ("C0MEDIA0001", "media-sales"),
        ("C0ESCALATE1", "escalations"),
    ):
        slack.add_channel(channel_id, name)


@dataclass
class BotUnderTest:
    app: App
    services: Services
    url: str
    slack: SlackStandIn
    org: SandboxOrg
    _server: Any = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def command(
        self, command: str, text: str = "", *, user: str = ANA, channel: str = CHANNEL
    ) -> SentRequest:
        return self.slack.command(self.url, command, text, user_id=user, channel_id=channel)

    def answer(
        self,
        sent: SentRequest,
        *,
        timeout: float = 15.0,
        predicate: Callable[[ResponsePost], bool] | None = None,
    ) -> dict[str, Any]:
        """The first response_url post for a command or click (the real answer)."""
        assert sent.status == 200, (sent.status, sent.body)
        assert sent.response_url, "no response_url on that request"
        post = self.slack.wait_for_response(predicate, timeout=timeout, id=sent.response_url)
        assert post.status == 200, (post.status, post.error, post.body)
        return post.body

    def ask(
        self, command: str, text: str = "", *, user: str = ANA, timeout: float = 15.0
    ) -> dict[str, Any]:
        """Send a command; return its answer (checking the ack came first and fast)."""
        sent = self.command(command, text, user=user)
        assert sent.user_error is None, sent.user_error
        return self.answer(sent, timeout=timeout)

    def sf_requests(self) -> list[dict[str, Any]]:
        return self.org.requests_log()

    def stop(self) -> None:
        self._server.close()
        self._thread.join(timeout=5)
        self.services.pool.shutdown(wait=False, cancel_futures=True)


def bot_settings(org: SandboxOrg, slack: SlackStandIn, **env: str) -> Settings:
    values = {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
        "SF_INSTANCE_URL": org.instance_url,
        "SF_ACCESS_TOKEN": org.access_token,
        "ESCALATION_CHANNEL": "C0ESCALATE1",
        "SF_TIMEOUT": "5",
        "DATABASE_URL": "sqlite:///" + tempfile.mkdtemp(prefix="acctbot-test-") + "/bot.db",
        **env,
    }
    return Settings.from_env(values)


def start_bot(
    org: SandboxOrg, slack: SlackStandIn, *, teams: Teams | None = None, **env: str
) -> BotUnderTest:
    settings = bot_settings(org, slack, **env)
    app = create_app(settings, teams=teams or parse_teams(TEAMS_YAML), clock=org.clock.now)
    server = create_server(wsgi_app(app), host="127.0.0.1", port=0, threads=32)
    thread = threading.Thread(target=server.run, daemon=True, name="waitress")
    thread.start()
    url = f"http://127.0.0.1:{server.effective_port}/slack/events"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not thread.is_alive():
        time.sleep(0.01)
    return BotUnderTest(app, services_of_app(app), url, slack, org, server, thread)
