""" "Stop watching" on an account or order card (see ``watch_card``)."""

from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.services import services_of
from handlers.actions.watch_card import press_card


def unwatch_card(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    ack()
    press_card(services_of(context), body, action, respond, start=False)
