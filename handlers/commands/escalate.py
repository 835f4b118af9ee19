"""/escalate [account or order]: open the escalation modal (pre-filled when cheap)."""

import logging

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import blocks as cards
from bot.escalations import prefill as escalation_prefill
from bot.escalations.answer import ESCALATE_USAGE
from bot.escalations.views import new_escalation_view
from bot.services import services_of
from bot.text import is_help, read_argument

log = logging.getLogger(__name__)


def escalate_command(
    ack: Ack, respond: Respond, command: dict, client: WebClient, context: BoltContext
) -> None:
    arg = read_argument(command.get("text"))
    if is_help(arg.text):
        ack(**cards.usage_message(ESCALATE_USAGE).payload())
        return
    ack()
    svc = services_of(context)
    user_id = command["user_id"]
    svc.submit(lambda: svc.slack_email(client, user_id), what="reporter e-mail")  # warm cache
    prefill = escalation_prefill.from_argument(svc, arg)
    view = new_escalation_view(prefill, private_metadata={"channel": command.get("channel_id")})
    try:
        client.views_open(trigger_id=command["trigger_id"], view=view)
    except SlackApiError as exc:
        log.warning("views.open for /escalate failed: %s", exc.response.get("error"))
        respond(
            text="I could not open the escalation form "
            f"({exc.response.get('error')}). Please run /escalate again.",
            response_type="ephemeral",
        )
