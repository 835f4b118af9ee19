""" "Share in channel": post the card for everyone, then remove the private copy.

If the card cannot be built (Salesforce failed, the record is gone), the error goes to
the person who pressed the button alone, and their private card stays.
"""

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot import blocks as cards
from bot import card_refs
from bot.services import services_of
from bot.slack_ids import CardRef, StaleButton
from handlers.actions.refresh_card import OUT_OF_DATE


def share_card(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    client: WebClient,
) -> None:
    ack()
    svc = services_of(context)
    what = "share card"
    try:
        ref = CardRef.from_value(action.get("value"))
    except StaleButton:
        svc.deliver(respond, cards.error_message(OUT_OF_DATE), replace_original=False, what=what)
        return
    user_id = (body.get("user") or {}).get("id")

    def work() -> None:
        msg = svc.compute(
            lambda: card_refs.card_for(svc, ref, shared_by=user_id, client=client), what=what
        )
        if msg.is_error:
            svc.deliver(respond, msg, replace_original=False, what=what)
            return
        respond(**msg.payload(response_type="in_channel", replace_original=False))
        respond(delete_original=True)

    svc.submit(work, what=what)
