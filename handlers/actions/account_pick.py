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
    viewer = (body.get("user") or {}).get("id")
    svc.answer(
        respond,
        lambda: account_card_for(svc, account_id, viewer=viewer),
        replace_original=True,
        what="account pick",
    )
