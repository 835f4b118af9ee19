"""/digest [preview [team] [kind] | subscribe <team> [kind] [at HH:MM] | unsubscribe ...]

Who may (bot/digests/answer.py): ``subscribe`` and ``unsubscribe`` only ACCTBOT_ADMINS
and the team's managers; ``preview`` with ``ACCTBOT_VISIBILITY=salesforce`` only they and
the team's own reps. Everyone must be someone acctbot serves. Subscription changes go to
the audit log.
"""

from __future__ import annotations

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot import blocks as cards
from bot.digests.answer import (
    DIGEST_USAGE,
    parse,
    preview_answer,
    subscribe_answer,
    unsubscribe_answer,
)
from bot.services import services_of
from bot.text import read_argument


def digest_command(
    ack: Ack, respond: Respond, command: dict, context: BoltContext, client: WebClient
) -> None:
    p = parse(read_argument(command.get("text")))
    if p.action == "help" or p.problem:
        ack(**cards.usage_message(DIGEST_USAGE, p.problem).payload())
        return
    ack()
    svc = services_of(context)
    channel, user = command["channel_id"], command["user_id"]
    if p.action == "preview":
        progress = "Still putting the digest together…"
        work = lambda: preview_answer(svc, user, channel, p)  # noqa: E731
    elif p.action == "subscribe":
        progress = "Still subscribing this channel…"
        work = lambda: subscribe_answer(svc, client, user, channel, p)  # noqa: E731
    else:
        progress = "Still unsubscribing this channel…"
        work = lambda: unsubscribe_answer(svc, user, channel, p)  # noqa: E731
    svc.answer(
        respond,
        work,
        what=f"/digest {p.action}",
        channel_id=channel,
        user_id=user,
        progress=cards.progress_message(progress),
        audit="lookup" if p.action == "preview" else "config",
    )
