""" "Snooze 1 hour" / "Snooze until tomorrow" on a watch alert: the presser's alerts wait
(and come after, bundled); they alone are told until when."""

from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot import payloads
from bot.services import services_of
from bot.watches import service as watches


def watch_snooze(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    clicked = payloads.click(body)
    ack()
    svc = services_of(context)
    user = clicked.user_id
    span = clicked.value or ""
    svc.answer(
        respond,
        lambda: watches.snooze(svc, user, span),
        what="watch snooze",
        user_id=user,
        audit="watch",
    )
