"""End-to-end harness: the real app served over HTTP (waitress), the Slack stand-in
sending it signed requests, and the sandbox org answering its Salesforce queries
(assembled by ``bot.standins.stack``, which the demo and the benchmarks use too).

The app's clock is the sandbox org's clock, so a test that freezes the org's time
freezes the bot's "today" too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App

from bot.services import Services
from bot.settings import Settings
from bot.standins.salesforce.server import SandboxOrg
from bot.standins.slack.standin import ResponsePost, SentRequest, SlackStandIn
from bot.standins.stack import RunningApp, populate_workspace, stack_settings, start_app
from bot.teams import Teams, parse_teams
from tests.support.orgdata import TEAMS_YAML

__all__ = [
    "ANA",
    "CHANNEL",
    "MARCUS",
    "RAJ",
    "BotUnderTest",
    "bot_settings",
    "populate_workspace",
    "start_bot",
]

ANA = "U0ANA00001"  # Ana Ruiz, SMB account manager (ana.rep@example.com)
RAJ = "U0RAJ00001"
MARCUS = "U0MGR00001"  # SMB sales manager
CHANNEL = "C0GENERAL01"


@dataclass
class BotUnderTest:
    app: App
    services: Services
    url: str
    slack: SlackStandIn
    org: SandboxOrg
    _running: RunningApp = field(repr=False)

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
        self._running.stop()


def bot_settings(org: SandboxOrg, slack: SlackStandIn, **env: str) -> Settings:
    return stack_settings(org, slack, SF_TIMEOUT="5", **env)


def start_bot(
    org: SandboxOrg, slack: SlackStandIn, *, teams: Teams | None = None, **env: str
) -> BotUnderTest:
    running = start_app(
        org, slack, teams=teams or parse_teams(TEAMS_YAML), settings=bot_settings(org, slack, **env)
    )
    running.services.vocabulary()  # the org's picklists, read once per app (2 describes)
    return BotUnderTest(running.app, running.services, running.url, slack, org, running)
