"""End-to-end harness: the real app served over HTTP (waitress), the Slack stand-in
sending it signed requests, and the sandbox org answering its Salesforce queries
(assembled by ``bot.standins.stack``, which the demo and the benchmarks use too).

The app's clock is the sandbox org's clock, so a test that freezes the org's time
freezes the bot's "today" too.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App

from bot.blocks import is_progress
from bot.services import Services
from bot.settings import Settings
from bot.standins.salesforce.server import SandboxOrg
from bot.standins.slack.standin import ResponsePost, SentRequest, SlackStandIn
from bot.standins.stack import RunningApp, populate_workspace, stack_settings, start_app
from bot.teams import Teams, parse_teams
from tests.support.orgdata import TEAMS_YAML

_MESSAGE_TS = itertools.count(1)


def message_ts() -> str:
    """A ``ts`` for a message a test clicks in, unique as Slack gives every message
    (acctbot keys a Share on the message it was pressed in)."""
    return f"{int(time.time())}.{next(_MESSAGE_TS):06d}"


__all__ = [
    "ANA",
    "CHANNEL",
    "MARCUS",
    "RAJ",
    "BotUnderTest",
    "bot_settings",
    "message_ts",
    "populate_workspace",
    "posts",
    "start_bot",
]

ANA = "U0ANA00001"  # Ana Ruiz, SMB account manager (ana.rep@example.com)
RAJ = "U0RAJ00001"
MARCUS = "U0MGR00001"  # SMB sales manager
CHANNEL = "C0GENERAL01"


def posts(slack: SlackStandIn, channel: str) -> list[dict[str, Any]]:
    """The messages in ``channel``, oldest first, without Slack's own "acctbot has joined
    the channel" notices (``channel_join``: acctbot joins a public channel before its
    first post there)."""
    return [m for m in slack.messages(channel) if m.get("subtype") != "channel_join"]


@dataclass
class BotUnderTest:
    app: App
    services: Services
    url: str
    slack: SlackStandIn
    org: SandboxOrg
    _running: RunningApp = field(repr=False)

    def command(
        self,
        command: str,
        text: str = "",
        *,
        user: str = ANA,
        channel: str = CHANNEL,
        sent_as: str | None = None,
    ) -> SentRequest:
        """Type ``/command text`` (or send ``sent_as`` as Slack's own ``text`` field)."""
        return self.slack.command(
            self.url, command, text, user_id=user, channel_id=channel, sent_as=sent_as
        )

    def answer(
        self,
        sent: SentRequest,
        *,
        timeout: float = 15.0,
        predicate: Callable[[ResponsePost], bool] | None = None,
    ) -> dict[str, Any]:
        """What the person sees as the answer to a command or a click.

        A command's answer is its acknowledgement when that carried one (usage, help: the
        one answer), else the first response_url post that is not the "still looking"
        message; before it, at most that one progress message (Slack keeps every message
        a command's response_url posts: nothing can take a stray one back). A click's
        answer is its first response_url post (matching ``predicate``)."""
        assert sent.status == 200, (sent.status, sent.body)
        is_command = "command" in sent.payload
        if is_command and sent.body:
            body = sent.body if isinstance(sent.body, dict) else {"text": str(sent.body)}
            return body
        assert sent.response_url, "no response_url on that request"

        def wanted(post: ResponsePost) -> bool:
            if is_command and is_progress(post.body):
                return False
            return predicate is None or predicate(post)

        post = self.slack.wait_for_response(wanted, timeout=timeout, id=sent.response_url)
        assert post.status == 200, (post.status, post.error, post.body)
        if is_command:
            before = [
                p for p in self.slack.responses(sent.response_url) if p.at <= post.at and p != post
            ]
            assert len(before) <= 1 and all(is_progress(p.body) for p in before), [
                p.body for p in before
            ]
        return post.body

    def seen(self, sent: SentRequest, *, settle: float = 0.0) -> list[dict[str, Any]]:
        """Every message the person was shown for ``sent``, in order, as Slack shows them:
        the command's acknowledgement (if it had a body) and each response_url post Slack
        accepted. ``settle`` seconds are waited first (for posts still to come)."""
        if settle:
            time.sleep(settle)
        shown: list[dict[str, Any]] = []
        if "command" in sent.payload and sent.body:
            shown.append(sent.body if isinstance(sent.body, dict) else {"text": str(sent.body)})
        for post in self.slack.responses(sent.response_url) if sent.response_url else []:
            if post.status == 200 and post.effect not in (None, "ignored"):
                shown.append(post.body)
        return shown

    def ask(
        self, command: str, text: str = "", *, user: str = ANA, timeout: float = 15.0
    ) -> dict[str, Any]:
        """Send a command; return its answer (checking the ack came first and fast)."""
        sent = self.command(command, text, user=user)
        assert sent.user_error is None, sent.user_error
        return self.answer(sent, timeout=timeout)

    def sf_requests(self) -> list[dict[str, Any]]:
        return self.org.requests_log()

    def access_checks(self) -> list[dict[str, Any]]:
        """The UserRecordAccess queries among :meth:`sf_requests` (bot/visibility.py)."""
        return [r for r in self.sf_requests() if "FROM UserRecordAccess" in (r.get("soql") or "")]

    def forget(self, *warm: str) -> None:
        """Clear every cache (answers, people, access), then identify ``warm`` again (so a
        test counts only its own requests; call before ``org.clear_log()``)."""
        svc = self.services
        svc.cache.clear()
        svc.people_cache.clear()
        svc.access_cache.clear()
        from bot.people import identify

        for user in warm:
            identify(svc, user)

    def sf_queries(self) -> list[str]:
        """Every SOQL query the bot sent, alone or inside a composite request."""
        return [
            sub["soql"]
            for r in self.sf_requests()
            for sub in r.get("subrequests") or [r]
            if sub.get("soql")
        ]

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
