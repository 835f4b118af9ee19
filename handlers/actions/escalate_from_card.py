""" "Escalate" on an account or order card: the escalation modal, pre-filled."""

import logging

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.escalations import prefill as escalation_prefill
from bot.escalations.views import new_escalation_view
from bot.services import services_of
from bot.slack_ids import CardRef, StaleButton
from handlers.actions.refresh_card import OUT_OF_DATE

log = logging.getLogger(__name__)


def escalate_from_card(
    ack: Ack, body: dict, action: dict, respond: Respond, client: WebClient, context: BoltContext
) -> None:
    ack()
    svc = services_of(context)
    try:
        ref = CardRef.from_value(action.get("value"))
    except StaleButton:
        respond(text=OUT_OF_DATE, response_type="ephemeral", replace_original=False)
        return
    prefill = escalation_prefill.from_card(svc, str(ref.kind), ref.id)
    channel = (body.get("channel") or {}).get("id")
    view = new_escalation_view(prefill, private_metadata={"channel": channel})
    try:
        client.views_open(trigger_id=body["trigger_id"], view=view)
    except SlackApiError as exc:
        log.warning("views.open for Escalate failed: %s", exc.response.get("error"))
        respond(
            text="I could not open the escalation form; try `/escalate` instead.",
            response_type="ephemeral",
            replace_original=False,
        )
