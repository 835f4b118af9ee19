""" "Resolve" on an escalation alert: the resolution modal (managers only)."""

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.escalations import service as escalations
from bot.escalations.views import resolve_view
from bot.services import services_of


def escalation_resolve(
    ack: Ack, body: dict, action: dict, respond: Respond, client: WebClient, context: BoltContext
) -> None:
    ack()
    svc = services_of(context)
    outcome = escalations.check_allowed(svc, int(action["value"]), body["user"]["id"], "resolve")
    if not outcome.ok or outcome.escalation is None:
        respond(text=outcome.message, response_type="ephemeral", replace_original=False)
        return
    client.views_open(trigger_id=body["trigger_id"], view=resolve_view(outcome.escalation))
