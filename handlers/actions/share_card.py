""" "Share in channel": post the card for everyone, then remove the private copy.

The shared card is what the sharer's own Salesforce user may see (README, "Who sees
what"). ``ACCTBOT_SHARING=preview`` posts only the record's name and link (a list's
title); ``off`` refuses. The private copy is deleted only once the channel post
succeeded: if the card cannot be built (Salesforce failed, the record is gone, the
sharer may not read it) or Slack refuses the channel post (the ``response_url`` answers
an error, or cannot be reached), the person who pressed the button is told, as a
message only they see, and keeps their card.
"""

import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot import blocks as cards
from bot import card_refs
from bot.services import services_of
from bot.slack_ids import CardRef, StaleButton
from handlers.actions.refresh_card import OUT_OF_DATE

log = logging.getLogger(__name__)

NOT_SHARED = (
    "I couldn't share this card in the channel: Slack did not take it. Your card is "
    "still here; press *Share in channel* again in a moment."
)


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
    channel_id = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    mode = svc.settings.sharing

    def tell_presser(msg: cards.Message) -> None:
        svc.deliver(
            respond, msg, replace_original=False, what=what, channel_id=channel_id, user_id=user_id
        )

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
            tell_presser(msg)
        elif _shared(respond, msg, channel_id):
            respond(delete_original=True)
        else:
            tell_presser(cards.error_message(NOT_SHARED))
            msg = cards.error_message(NOT_SHARED)
            msg.outcome = "error"
        svc.audit("share", what, msg, user_id=user_id, channel_id=channel_id)

    svc.submit(work, what=what)


def _shared(respond: Respond, msg: cards.Message, channel_id: str | None) -> bool:
    """Post ``msg`` for everyone through the response_url; did Slack take it?"""
    try:
        resp = respond(**msg.payload(response_type="in_channel", replace_original=False))
        status = getattr(resp, "status_code", 200)
        problem = None if status == 200 else f"HTTP {status} {getattr(resp, 'body', '')!s:.100}"
    except Exception as exc:  # the response_url could not be reached
        problem = f"{type(exc).__name__}: {exc}"
    if problem is not None:
        log.warning("sharing a card in %s failed (%s); the private card stays", channel_id,
                    problem)  # fmt: skip
        return False
    return True
