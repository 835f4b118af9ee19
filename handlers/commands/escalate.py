"""/escalate [account or order]: open the escalation modal (pre-filled when cheap).

Someone acctbot does not serve gets the refusal instead of the modal."""

import logging

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import audit, payloads
from bot import blocks as cards
from bot.escalations import prefill as escalation_prefill
from bot.escalations.answer import ESCALATE_USAGE
from bot.escalations.views import new_escalation_view
from bot.people import AccessRefused, identify_within
from bot.services import services_of
from bot.text import is_help

log = logging.getLogger(__name__)
IDENTITY_BUDGET = 1.0  # seconds to tell who is asking, of the trigger_id's 3


def escalate_command(
    ack: Ack, respond: Respond, command: dict, client: WebClient, context: BoltContext
) -> None:
    cmd = payloads.slash_command(command)
    arg = cmd.argument
    if is_help(arg.text):
        ack(**cards.usage_message(ESCALATE_USAGE).payload())
        return
    if not cmd.trigger_id:
        raise payloads.Refused("/escalate without a trigger_id")
    ack()
    svc = services_of(context)
    user_id = cmd.user_id
    try:
        identify_within(svc, user_id, IDENTITY_BUDGET)
    except AccessRefused as exc:
        respond(text=str(exc), response_type="ephemeral")
        audit.record(
            svc,
            action="refusal",
            command="/escalate",
            slack_user_id=user_id,
            channel_id=cmd.channel_id,
            outcome="refused",
        )
        return
    prefill = escalation_prefill.from_argument(svc, user_id, arg)
    view = new_escalation_view(prefill, private_metadata={"channel": cmd.channel_id})
    try:
        client.views_open(trigger_id=cmd.trigger_id, view=view)
    except SlackApiError as exc:
        log.warning("views.open for /escalate failed: %s", exc.response.get("error"))
        respond(
            text="I could not open the escalation form "
            f"({exc.response.get('error')}). Please run /escalate again.",
            response_type="ephemeral",
        )
