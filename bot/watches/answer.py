"""/watch: what a person typed, to the answer (``service.py`` does the work)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.blocks import Message, usage_message
from bot.text import Argument, escape_slack
from bot.watches import service
from bot.watches.card import WATCH_USAGE

if TYPE_CHECKING:
    from bot.services import Services

__all__ = ["WATCH_USAGE", "progress", "watch_answer"]


def watch_answer(services: Services, user: str, arg: Argument) -> Message:
    """``/watch <record>``, ``/watch list``, ``/watch stop <record>`` for Slack user
    ``user``; ``arg`` is the command's text as Slack sent it (a pasted Salesforce link is
    its URL)."""
    text = arg.text.strip()
    first, _, rest = text.partition(" ")
    if first.lower() == "list" and not rest:
        return service.listing(services, user)
    if first.lower() == "stop":
        if not rest.strip():
            return usage_message(WATCH_USAGE, "Stop watching what? Say which, as in /watch list.")
        return service.stop(services, user, rest.strip())
    if arg.mention is not None:
        return usage_message(
            WATCH_USAGE, f"{text} is not a record. Watch an order, an account or a Salesforce link."
        )
    return service.watch(services, user, text)


def progress(arg: Argument) -> str:
    """The "still looking" message when Salesforce is slow (mrkdwn)."""
    first = arg.text.strip().partition(" ")[0].lower()
    if first == "list":
        return "Still looking up what you watch…"
    if first == "stop":
        return "Still stopping that watch…"
    return f"Still finding *{escape_slack(arg.text)}* in Salesforce…"
