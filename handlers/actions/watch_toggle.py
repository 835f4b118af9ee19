""" "Watch" / "Stop watching" on an account or order card.

On a private card the button is the presser's own: it toggles, the card is drawn again
with the other label, and a note says what was done. On a shared card it is Watch for
whoever presses it (someone already watching is told so, with a Stop button).
"""

from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot import blocks as cards
from bot import card_refs
from bot.services import services_of
from bot.slack_ids import CardRef, StaleButton
from bot.watches import service as watches
from handlers.actions.refresh_card import OUT_OF_DATE


def watch_toggle(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    ack()
    svc = services_of(context)
    what = "watch button"
    try:
        ref = CardRef.from_value(action.get("value"))
    except StaleButton:
        svc.deliver(respond, cards.error_message(OUT_OF_DATE), replace_original=False, what=what)
        return
    user = (body.get("user") or {}).get("id") or ""
    shared = (body.get("container") or {}).get("is_ephemeral") is False or bool(ref.shared_by)

    def work() -> None:
        if shared:
            msg = svc.compute(lambda: watches.watch_id(svc, user, ref.id), what=what)
            svc.deliver(respond, msg, replace_original=False, what=what)
            return
        msg = svc.compute(lambda: watches.toggle(svc, user, ref.id)[0], what=what)
        if not msg.is_error:
            card = svc.compute(lambda: card_refs.card_for(svc, ref, viewer=user), what=what)
            if not card.is_error:
                svc.deliver(respond, card, replace_original=True, what=what)
        svc.deliver(respond, msg, replace_original=False, what=what)

    svc.submit(work, what=what)
