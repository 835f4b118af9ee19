""" "Share in channel": post the card for everyone, then remove the private copy.

If the card cannot be built (Salesforce failed, the record is gone), the error goes to
the person who pressed the button alone, and their private card stays.
"""

import json

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot import answers
from bot.services import services_of


def share_card(
    ack: Ack, body: dict, action: dict, respond: Respond, context: BoltContext, client: WebClient
) -> None:
    ack()
    svc = services_of(context)
    ref = json.loads(action["value"])
    user_id = body["user"]["id"]
    what = "share card"

    def work() -> None:
        msg = svc.compute(
            lambda: answers.card_for(
                svc, ref["k"], ref["id"], shared_by=user_id, client=client, asker=ref.get("u")
            ),
            what=what,
        )
        if msg.is_error:
            svc.deliver(respond, msg, replace_original=False, what=what)
            return
        respond(**msg.payload(response_type="in_channel", replace_original=False))
        respond(delete_original=True)

    svc.submit(work, what=what)
