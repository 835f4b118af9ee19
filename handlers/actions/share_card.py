""" "Share in channel": post the card for everyone, then remove the private copy."""

import json

from slack_bolt import Ack, BoltContext, Respond

from bot import answers
from bot.services import services_of


def share_card(ack: Ack, body: dict, action: dict, respond: Respond, context: BoltContext) -> None:
    ack()
    svc = services_of(context)
    ref = json.loads(action["value"])
    user_id = body["user"]["id"]

    def work() -> None:
        msg = answers.card_for(svc, ref["k"], ref["id"], shared_by=user_id)
        respond(**msg.payload(response_type="in_channel", replace_original=False))
        respond(delete_original=True)

    svc.submit(work, what="share card")
