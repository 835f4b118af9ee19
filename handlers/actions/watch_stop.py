""" "Stop watching" on a watch alert, the /watch list or a /watch answer: that watch ends
for the presser, who alone is told (the alert itself stays)."""

from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.services import services_of
from bot.watches import service as watches


def watch_stop(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    ack()
    svc = services_of(context)
    user = str((body.get("user") or {}).get("id") or "")
    record_id = str(action.get("value") or "")
    svc.answer(
        respond,
        lambda: watches.stop_id(svc, user, record_id),
        what="watch stop",
        user_id=user,
        audit="watch",
    )
