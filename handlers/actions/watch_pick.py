"""The account picker of ``/watch <name>``: watch the account chosen (from the menu, or
the one account offered to confirm, by its button)."""

from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot import payloads
from bot.accounts.queries import is_account_id
from bot.services import services_of
from bot.watches import service as watches


def watch_pick(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    picked = payloads.click(body)
    account_id = picked.selected or picked.value or ""
    if not is_account_id(account_id):
        raise payloads.Refused("watch_pick without an account Id", payloads.BUTTON_OUT_OF_DATE)
    ack()
    svc = services_of(context)
    user = picked.user_id
    svc.answer(
        respond,
        lambda: watches.watch_id(svc, user, account_id),
        replace_original=True,
        what="watch pick",
        channel_id=picked.channel_id,
        user_id=user,
        audit="watch",
    )
