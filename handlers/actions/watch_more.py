""" "Show all" on a watch alert too big to show in full: every change it carried, a page
at a time, to the presser alone (a new message; the alert stays)."""

from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.services import services_of
from bot.watches import service as watches


def watch_more(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    ack()
    svc = services_of(context)
    user = str((body.get("user") or {}).get("id") or "")
    value = str(action.get("value") or "")
    svc.answer(
        respond,
        lambda: watches.more(svc, user, value),
        replace_original=False,
        what="watch more",
        user_id=user,
        audit="watch",
    )
