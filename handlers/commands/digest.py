"""/digest [preview [team] [kind] | subscribe <team> [kind] [at HH:MM] | unsubscribe ...]"""

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
from bot.text import clean_argument


def digest_command(
    ack: Ack, respond: Respond, command: dict, context: BoltContext, client: WebClient
) -> None:
    text = clean_argument(command.get("text"))
    p = parse(text)
    if p.action == "help" or p.problem:
        ack(**cards.usage_message(DIGEST_USAGE, p.problem).payload())
        return
    svc = services_of(context)
    channel, user = command["channel_id"], command["user_id"]
    if p.action == "preview":
        ack(text=":hourglass_flowing_sand: Putting the digest together…")
        work = lambda: preview_answer(svc, client, user, channel, p)  # noqa: E731
    elif p.action == "subscribe":
        ack(text=":hourglass_flowing_sand: Subscribing this channel…")
        work = lambda: subscribe_answer(svc, user, channel, p)  # noqa: E731
    else:
        ack(text=":hourglass_flowing_sand: Unsubscribing this channel…")
        work = lambda: unsubscribe_answer(svc, user, channel, p)  # noqa: E731
    svc.answer(respond, work, replace_original=True, what="/digest")
