"""The account picker: the chosen account's card replaces the picker."""

from slack_bolt import Ack, BoltContext, Respond

from bot.accounts.answer import account_card_for
from bot.services import services_of


def account_pick(
    ack: Ack, body: dict, action: dict, respond: Respond, context: BoltContext
) -> None:
    ack()
    svc = services_of(context)
    account_id = action["selected_option"]["value"]
    user_id = (body.get("user") or {}).get("id") or ""
    svc.answer(
        respond,
        lambda: account_card_for(svc, account_id, viewer=user_id),
        replace_original=True,
        what="account pick",
        channel_id=(body.get("channel") or {}).get("id"),
        user_id=user_id,
    )
