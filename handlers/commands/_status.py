"""The shape every status command shares: usage on help or bad input (that usage, in the
acknowledgement, is the one answer), else an empty acknowledgement and one answer from the
worker pool, preceded by a short "still looking" message only when Salesforce is slow.

Slack shows a command's acknowledgement and every response_url post as its own message
and cannot replace or delete them (Slack on slackapi/bolt-python#1268), so nothing is
posted that the answer would need to take back. The asker must be someone acctbot serves
(bot/people.py); anyone else gets the refusal as the answer. Every answer is logged in
the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot import blocks as cards
from bot import payloads
from bot.blocks import Message
from bot.people import with_names
from bot.records import record_ref
from bot.services import Services, services_of
from bot.text import Argument, is_help

MAX_ARGUMENT = 200  # characters of text that would be searched for (a record link is not)


def too_long(arg: Argument) -> bool:
    """Is there more text to search for than anyone types? Read first, then limit: a
    Salesforce record link (or Id) names its record however long its URL is."""
    return len(arg.text) > MAX_ARGUMENT and record_ref(arg.text) is None


def run_status_command(
    ack: Ack,
    respond: Respond,
    command: dict[str, Any],
    context: BoltContext,
    *,
    usage: str,
    progress: Callable[[Argument], str],
    work: Callable[[Services, str, Argument], Message],
    required: bool = False,
    invalid: Callable[[Argument], str | None] = lambda arg: None,
    audit: str = "lookup",
) -> None:
    """Acknowledge ``command`` and answer it once.

    ``work(services, asker, argument)`` builds the answer on the pool from the command's
    text read the way Slack sends it (:func:`bot.text.read_argument`), with a name for
    each person or channel Slack mentioned without one (:func:`bot.people.with_names`, on
    the pool); ``progress(argument)`` is the mrkdwn of the "still looking" message (escape
    what it quotes: ``argument.mrkdwn``). ``invalid(argument)`` is a plain sentence when
    the argument can be refused without asking anyone (it is the acknowledgement then).
    """
    cmd = payloads.slash_command(command)
    arg = cmd.argument
    if is_help(arg.text) or (required and not arg):
        ack(**cards.usage_message(usage).payload())
        return
    problem = "That is too long." if too_long(arg) else invalid(arg)
    if problem:
        ack(**cards.usage_message(usage, problem).payload())
        return
    ack()
    svc = services_of(context)
    user_id = cmd.user_id
    svc.answer(
        respond,
        lambda: work(svc, user_id, with_names(svc, arg)),
        what=cmd.name,
        channel_id=cmd.channel_id,
        user_id=user_id,
        progress=cards.progress_message(progress(arg)),
        audit=audit,
    )
