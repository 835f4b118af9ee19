""" "Resolve" on an escalation alert: the resolution modal (routed managers and admins)."""

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot import payloads
from bot.escalations.views import resolve_view
from bot.services import services_of
from handlers.actions._escalation_gate import allowed_escalation
from handlers.actions.modal import open_modal


def escalation_resolve(
    ack: Ack, body: dict, respond: Respond, client: WebClient, context: BoltContext
) -> None:
    clicked = payloads.click(body)
    clicked.escalation_id()  # an unreadable button is refused before the ack
    ack()
    esc = allowed_escalation(services_of(context), clicked, respond, "resolve")
    if esc is not None:
        open_modal(client, respond, clicked.trigger_id, resolve_view(esc), "resolution")
