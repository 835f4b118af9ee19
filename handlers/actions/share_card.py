""" "Share in channel": post the card for everyone, then remove the private copy.

The shared card is what the sharer's own Salesforce user may see (README, "Who sees
what"). ``ACCTBOT_SHARING=preview`` posts only the record's name and link (a list's
title); ``off`` refuses. The private copy is deleted only once the channel post
succeeded: if the card cannot be built (Salesforce failed, the record is gone, the
sharer may not read it) or Slack refuses the channel post (the ``response_url`` answers
an error, or cannot be reached), the person who pressed the button is told, as a
message only they see, and keeps their card.

A card is shared once: the press is keyed on the message it was pressed in (and what
the button points at), so a double click, or the same request sent again, posts one
copy (:mod:`bot.once`); a share that did not go out releases its key for another try.
"""

import hashlib
import logging
import threading
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot import blocks as cards
from bot import card_refs, payloads
from bot.services import BUSY, RESTARTING, services_of

log = logging.getLogger(__name__)

SHARE_KEY_TTL = 30 * 60  # seconds: a response_url's life, so no later press can post

NOT_SHARED = (
    "I couldn't share this card in the channel: Slack did not take it. Your card is "
    "still here; press *Share in channel* again in a moment."
)


def share_card(
    ack: Ack,
    body: dict[str, Any],
    respond: Respond,
    context: BoltContext,
) -> None:
    clicked = payloads.click(body)
    ref = clicked.card_ref()
    ack()
    svc = services_of(context)
    what = "share card"
    user_id = clicked.user_id
    channel_id = clicked.channel_id
    mode = svc.settings.sharing
    where = clicked.message_ts or clicked.response_url
    digest = hashlib.sha256(f"{channel_id}|{where}|{clicked.value}".encode())
    key = f"share:{digest.hexdigest()[:40]}"
    if not svc.once.first(key, SHARE_KEY_TTL):
        return  # already shared (or being shared) from this message
    answered = threading.Lock()  # one outcome: shared, an error, or "busy"/"restarting"

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
        if not answered.acquire(blocking=False):
            return
        if msg.is_error:
            svc.once.release(key)
            tell_presser(msg)
        elif _shared(respond, msg, channel_id):
            respond(delete_original=True)
        else:
            svc.once.release(key)
            tell_presser(cards.error_message(NOT_SHARED))
            msg = cards.error_message(NOT_SHARED)
            msg.outcome = "error"
        svc.audit("share", what, msg, user_id=user_id, channel_id=channel_id)

    def not_now(text: str, outcome: str) -> None:
        if not answered.acquire(blocking=False):
            return
        svc.once.release(key)
        msg = cards.error_message(text)
        msg.outcome = outcome
        tell_presser(msg)
        svc.audit("share", what, msg, user_id=user_id, channel_id=channel_id)

    svc.submit(
        work,
        what=what,
        on_busy=lambda: not_now(BUSY, "busy"),
        on_abandon=lambda: not_now(RESTARTING, "restarting"),
    )


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
