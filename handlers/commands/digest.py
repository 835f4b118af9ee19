"""/digest [preview [team] [kind] | subscribe <team> [kind] [at HH:MM] | unsubscribe ...]

Who may (bot/digests/answer.py): ``subscribe`` and ``unsubscribe`` only ACCTBOT_ADMINS
and the team's managers; ``preview`` with ``ACCTBOT_VISIBILITY=salesforce`` only they and
the team's own reps. Everyone must be someone acctbot serves. Subscription changes go to
the audit log.

``/digest`` alone answers what this channel gets (and any digest acctbot had to stop
here, with why) above the usage; ``/digest help`` and bad input are the usage itself.
"""

from __future__ import annotations

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot import blocks as cards
from bot import payloads
from bot.digests.answer import (
    DIGEST_USAGE,
    channel_answer,
    parse,
    preview_answer,
    subscribe_answer,
    unsubscribe_answer,
    with_stopped,
)
from bot.services import services_of


def digest_command(
    ack: Ack, respond: Respond, command: dict, context: BoltContext, client: WebClient
) -> None:
    cmd = payloads.slash_command(command)
    arg = cmd.argument
    p = parse(arg)
    if arg and (p.action == "help" or p.problem):
        ack(**cards.usage_message(DIGEST_USAGE, p.problem).payload())
        return
    ack()
    svc = services_of(context)
    channel, user = cmd.channel_id, cmd.user_id
    if not arg:  # /digest alone: what this channel gets (and what stopped), and the usage
        progress = "Still looking up this channel's digests…"
        work = lambda: channel_answer(svc, channel)  # noqa: E731
    elif p.action == "preview":
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
        lambda: with_stopped(svc, channel, work()) if arg else work(),
        what=f"/digest {p.action}" if arg else "/digest",
        channel_id=channel,
        user_id=user,
        progress=cards.progress_message(progress),
        audit="lookup" if p.action == "preview" or not arg else "config",
    )
