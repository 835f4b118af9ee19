""" "Escalate" on an account or order card: the escalation modal, pre-filled."""

import logging

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import audit
from bot.escalations import prefill as escalation_prefill
from bot.escalations.views import new_escalation_view
from bot.people import AccessRefused, identify_within
from bot.services import services_of
from bot.slack_ids import CardRef, StaleButton
from handlers.actions.refresh_card import OUT_OF_DATE

log = logging.getLogger(__name__)
IDENTITY_BUDGET = 1.0  # seconds to tell who is asking, of the trigger_id's 3


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
    user_id = (body.get("user") or {}).get("id") or ""
    try:
        identify_within(svc, user_id, IDENTITY_BUDGET)
    except AccessRefused as exc:
        respond(text=str(exc), response_type="ephemeral", replace_original=False)
        audit.record(
            svc,
            action="refusal",
            command="escalate_from_card",
            slack_user_id=user_id,
            channel_id=(body.get("channel") or {}).get("id"),
            record_ids=[ref.id],
            outcome="refused",
        )
        return
    prefill = escalation_prefill.from_card(svc, user_id, str(ref.kind), ref.id)
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
