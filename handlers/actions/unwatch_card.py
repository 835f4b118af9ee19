""" "Stop watching" on an account or order card (see ``watch_card``)."""

from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from handlers.actions.watch_card import press_card


def unwatch_card(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    press_card(ack, body, respond, context, start=False)
