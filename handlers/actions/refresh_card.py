""" "Refresh": re-read the record from Salesforce (never from the cache)."""

import json

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot import answers
from bot.services import services_of


def refresh_card(
    ack: Ack, body: dict, action: dict, respond: Respond, context: BoltContext, client: WebClient
) -> None:
    ack()
    svc = services_of(context)
    ref = json.loads(action["value"])
    # A shared card names its sharer in the button; older cards fall back to the clicker.
    shared = body.get("container", {}).get("is_ephemeral") is False
    shared_by = ref.get("by") or (body["user"]["id"] if shared else None)
    svc.answer(
        respond,
        lambda: answers.card_for(
            svc,
            ref["k"],
            ref["id"],
            fresh=True,
            shared_by=shared_by,
            client=client,
            asker=ref.get("u"),
        ),
        replace_original=True,
        what="refresh card",
    )
