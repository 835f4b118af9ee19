""" "Share in channel": post the card for everyone, then remove the private copy.

The shared card is what the sharer's own Salesforce user may see (README, "Who sees
what"). ``ACCTBOT_SHARING=preview`` posts only the record's name and link (a list's
title); ``off`` refuses. If the card cannot be built (Salesforce failed, the record is
gone, the sharer may not read it), the error goes to the person who pressed the button
alone, and their private card stays.
"""

from typing import Any

from slack_bolt import Ack, BoltContext, Respond

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
) -> None:
    ack()
    svc = services_of(context)
    what = "share card"
    try:
        ref = CardRef.from_value(action.get("value"))
    except StaleButton:
        svc.deliver(respond, cards.error_message(OUT_OF_DATE), replace_original=False, what=what)
        return
    user_id = (body.get("user") or {}).get("id") or ""
    channel_id = (body.get("channel") or {}).get("id")
    mode = svc.settings.sharing

    def work() -> None:
        if mode == "off":
            msg = cards.error_message(card_refs.SHARING_OFF)
            msg.outcome = "sharing_off"
        else:
            msg = svc.compute(
                lambda: card_refs.card_for(
                    svc, ref, viewer=user_id, shared_by=user_id, preview=mode == "preview"
                ),
                what=what,
                user_id=user_id,
            )
        if msg.is_error:
            svc.deliver(respond, msg, replace_original=False, what=what)
        else:
            respond(**msg.payload(response_type="in_channel", replace_original=False))
            respond(delete_original=True)
        svc.audit("share", what, msg, user_id=user_id, channel_id=channel_id)

    svc.submit(work, what=what)
