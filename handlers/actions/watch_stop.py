""" "Stop watching" on a watch alert, the /watch list or a /watch answer: that watch ends
for the presser, who alone is told (the alert itself stays)."""

from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot import payloads
from bot.services import services_of
from bot.slack_ids import SALESFORCE_ID
from bot.watches import service as watches


def watch_stop(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    clicked = payloads.click(body)
    record_id = clicked.value or ""
    if not SALESFORCE_ID.fullmatch(record_id):
        raise payloads.Refused("watch_stop without a record Id", payloads.BUTTON_OUT_OF_DATE)
    ack()
    svc = services_of(context)
    user = clicked.user_id
    svc.answer(
        respond,
        lambda: watches.stop_id(svc, user, record_id),
        what="watch stop",
        user_id=user,
        audit="watch",
    )
