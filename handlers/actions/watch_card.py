""" "Watch" and "Stop watching" on an account or order card.

Each button says what it does, so a stale card never does the opposite: Watch when
already watching says so, Stop when not watching says so. On a private card the card is
drawn again with the other button, and a note says what was done; on a shared card the
button is Watch for whoever presses it, and only they get the note.
"""

from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot import card_refs, payloads
from bot.services import services_of
from bot.watches import service as watches


def watch_card(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    press_card(ack, body, respond, context, start=True)


def press_card(
    ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext, *, start: bool
) -> None:
    """Watch (``start``) or stop watching the card's record for the presser, and answer
    as the module docstring says. Raises :class:`bot.payloads.Refused` (before the ack)
    for a button this version cannot read."""
    clicked = payloads.click(body)
    ref = clicked.card_ref()
    ack()
    svc = services_of(context)
    what = "watch button" if start else "stop watching button"
    user = clicked.user_id
    shared = clicked.is_ephemeral is False or bool(ref.shared_by)

    def work() -> None:
        if start:
            note = svc.compute(lambda: watches.watch_id(svc, user, ref.id), what=what, user_id=user)
        else:
            note = svc.compute(lambda: watches.stop_id(svc, user, ref.id), what=what, user_id=user)
        if not note.record_ids:
            note.record_ids = (ref.id,)
        svc.audit("watch", what, note, user_id=user, channel_id=clicked.channel_id)
        if not shared and not note.is_error:
            card = svc.compute(lambda: card_refs.card_for(svc, ref, viewer=user), what=what)
            if not card.is_error:
                svc.deliver(respond, card, replace_original=True, what=what)
        svc.deliver(respond, note, replace_original=False, what=what)

    svc.submit(work, what=what)
