""" "Snooze 1 hour" / "Snooze until tomorrow" on a watch alert: the presser's alerts wait
(and come after, bundled); they alone are told until when."""

from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.services import services_of
from bot.watches import service as watches


def watch_snooze(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    ack()
    svc = services_of(context)
    user = str((body.get("user") or {}).get("id") or "")
    span = str(action.get("value") or "")
    svc.answer(
        respond,
        lambda: watches.snooze(svc, user, span),
        what="watch snooze",
        user_id=user,
        audit="watch",
    )
