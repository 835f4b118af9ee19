""" "Next page" on /watch list: the presser's next page of watches, in place of the list."""

from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.services import services_of
from bot.watches import service as watches


def watch_list_page(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    ack()
    svc = services_of(context)
    user = str((body.get("user") or {}).get("id") or "")
    value = str(action.get("value") or "")
    page = int(value) if value.isdigit() else 1
    svc.answer(
        respond,
        lambda: watches.listing(svc, user, page),
        replace_original=True,
        what="watch list page",
        user_id=user,
        audit="watch",
    )
