""" "Resume alerts" on the /watch list or a snooze answer: the presser's snooze ends now."""

from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot import payloads
from bot.services import services_of
from bot.watches import service as watches


def watch_resume(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    clicked = payloads.click(body)
    ack()
    svc = services_of(context)
    user = clicked.user_id
    svc.answer(
        respond, lambda: watches.resume(svc, user), what="watch resume", user_id=user, audit="watch"
    )
