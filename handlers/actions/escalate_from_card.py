""" "Escalate" on an account or order card: the escalation modal, pre-filled."""

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot import audit, payloads
from bot.escalations import prefill as escalation_prefill
from bot.escalations.views import new_escalation_view
from bot.people import AccessRefused, identify_within
from bot.services import services_of
from handlers.actions.modal import open_modal

IDENTITY_BUDGET = 1.0  # seconds to tell who is asking, of the trigger_id's 3


def escalate_from_card(
    ack: Ack, body: dict, respond: Respond, client: WebClient, context: BoltContext
) -> None:
    clicked = payloads.click(body)
    ref = clicked.card_ref()
    ack()
    svc = services_of(context)
    user_id = clicked.user_id
    try:
        identify_within(svc, user_id, IDENTITY_BUDGET)
    except AccessRefused as exc:
        respond(text=str(exc), response_type="ephemeral", replace_original=False)
        audit.record(
            svc,
            action="refusal",
            command="escalate_from_card",
            slack_user_id=user_id,
            channel_id=clicked.channel_id,
            record_ids=[ref.id],
            outcome="refused",
        )
        return
    prefill = escalation_prefill.from_card(svc, user_id, str(ref.kind), ref.id)
    view = new_escalation_view(prefill, private_metadata={"channel": clicked.channel_id})
    open_modal(client, respond, clicked.trigger_id, view, "escalation")
