""" "Reassign" on an escalation alert: a people picker (routed managers and admins)."""

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.escalations.views import reassign_view
from bot.services import services_of
from handlers.actions._escalation_gate import allowed_escalation


def escalation_reassign(
    ack: Ack, body: dict, action: dict, respond: Respond, client: WebClient, context: BoltContext
) -> None:
    ack()
    esc = allowed_escalation(services_of(context), body, action, respond, "reassign")
    if esc is not None:
        client.views_open(trigger_id=body["trigger_id"], view=reassign_view(esc))
