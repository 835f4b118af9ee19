"""The account picker: the chosen account's card replaces the picker."""

from slack_bolt import Ack, BoltContext, Respond

from bot import payloads
from bot.accounts.answer import account_card_for
from bot.accounts.queries import is_account_id
from bot.services import services_of


def account_pick(ack: Ack, body: dict, respond: Respond, context: BoltContext) -> None:
    picked = payloads.click(body)
    account_id = picked.selected or ""
    if not is_account_id(account_id):
        raise payloads.Refused("account_pick without an account Id", payloads.BUTTON_OUT_OF_DATE)
    ack()
    svc = services_of(context)
    user_id = picked.user_id
    svc.answer(
        respond,
        lambda: account_card_for(svc, account_id, viewer=user_id),
        replace_original=True,
        what="account pick",
        channel_id=picked.channel_id,
        user_id=user_id,
    )
