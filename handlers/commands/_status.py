"""The shape every status command shares: usage on help or bad input, an immediate
ack that says what is being looked up, then the answer from the worker pool, which
replaces that ack."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot import blocks as cards
from bot.blocks import Message
from bot.services import Services, services_of
from bot.text import clean_argument, is_help

MAX_ARGUMENT = 200


def run_status_command(
    ack: Ack,
    respond: Respond,
    command: dict[str, Any],
    context: BoltContext,
    *,
    usage: str,
    loading: Callable[[str], str],
    work: Callable[[Services, str], Message],
    required: bool = False,
    invalid: Callable[[str], str | None] = lambda text: None,
) -> None:
    text = clean_argument(command.get("text"))
    if is_help(text) or (required and not text):
        ack(**cards.usage_message(usage).payload())
        return
    problem = "That is too long." if len(text) > MAX_ARGUMENT else invalid(text)
    if problem:
        ack(**cards.usage_message(usage, problem).payload())
        return
    ack(text=loading(text))
    svc = services_of(context)
    svc.answer(
        respond,
        lambda: work(svc, text),
        replace_original=True,
        what=command.get("command", "command"),
        channel_id=command["channel_id"],
        user_id=command["user_id"],
    )
