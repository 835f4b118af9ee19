"""The escalation modal's submission: validate, write (one transaction), then confirm.

The confirmation replaces the modal only after the escalation, its history and every
alert are committed; the alerts then go out through the outbox.
"""

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.delivery import outbox
from bot.escalations import form as escalation_form
from bot.escalations import routing as escalation_routing
from bot.escalations import service as escalations
from bot.escalations.views import filed_view
from bot.services import services_of


def escalation_new(
    ack: Ack, body: dict, view: dict, client: WebClient, context: BoltContext
) -> None:
    svc = services_of(context)
    user_id = body["user"]["id"]
    draft, errors = escalation_form.read_form(view, user_id, svc.now())
    if draft is None:
        ack(response_action="errors", errors=errors)
        return
    prepared = escalation_routing.prepare(svc, client, draft)
    if prepared.draft is None:
        ack(response_action="errors", errors=prepared.errors)
        return
    filed = escalations.create(svc, prepared.draft, prepared.route)
    ack(
        response_action="update",
        view=filed_view(filed.escalation, filed.alerted, svc.settings.escalation_channel),
    )
    outbox.kick(svc)
