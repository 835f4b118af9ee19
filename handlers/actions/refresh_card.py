""" "Refresh": re-read the record or list from Salesforce (never from the cache).

A private card is re-read for the person who pressed it; a card shared in a channel stays
what its sharer may see (bot/card_refs.py), whoever presses it. The presser must be someone
acctbot serves either way. ``ACCTBOT_SHARING`` holds for a card shared before it changed:
``off`` refuses the refresh (to the presser alone; the card stays), ``preview`` turns the
card into its preview (name and link only).
"""

from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot import blocks as cards
from bot import card_refs, payloads
from bot.blocks import Message
from bot.services import services_of

OUT_OF_DATE = payloads.BUTTON_OUT_OF_DATE
REFRESH_SHARING_OFF = (
    "Sharing in channels is turned off for acctbot here (an admin's setting), so this shared "
    "card can't be refreshed. Run the command yourself to see it as you may see it."
)


def refresh_card(
    ack: Ack,
    body: dict[str, Any],
    respond: Respond,
    context: BoltContext,
) -> None:
    clicked = payloads.click(body)
    ref = clicked.card_ref()
    ack()
    svc = services_of(context)
    # A shared card names its sharer in the button; older cards fall back to the clicker.
    # A private (ephemeral) card is only ever the presser's: it is re-read for them,
    # whatever asker or sharer its button names.
    shared = clicked.is_ephemeral is False
    user_id = clicked.user_id
    shared_by = (ref.shared_by or user_id) if shared else None
    mode = svc.settings.sharing

    def work() -> Message:
        if shared and mode == "off":
            # The card stays as it is; only the presser is told why (an error never
            # replaces the original: Services.answer).
            msg = cards.error_message(REFRESH_SHARING_OFF)
            msg.outcome = "sharing_off"
            return msg
        return card_refs.card_for(
            svc,
            ref,
            viewer=shared_by or user_id,
            fresh=True,
            shared_by=shared_by,
            preview=shared and mode == "preview",
        )

    svc.answer(
        respond,
        work,
        replace_original=True,
        what="refresh card",
        channel_id=clicked.channel_id,
        user_id=user_id,
        audit="refresh",
    )
