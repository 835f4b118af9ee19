"""The account picker of ``/watch <name>``: watch the account chosen (from the menu, or
the one account offered to confirm, by its button)."""

from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.services import services_of
from bot.watches import service as watches


def watch_pick(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    ack()
    svc = services_of(context)
    chosen = (action.get("selected_option") or {}).get("value") or action.get("value")
    account_id = str(chosen or "")
    user = (body.get("user") or {}).get("id") or ""
    svc.answer(
        respond,
        lambda: watches.watch_id(svc, user, account_id),
        replace_original=True,
        what="watch pick",
        channel_id=(body.get("channel") or {}).get("id"),
        user_id=user,
        audit="watch",
    )
