"""The reassign modal's submission."""

import json

from slack_bolt import Ack, BoltContext

from bot.delivery import outbox
from bot.escalations import service as escalations
from bot.services import services_of
from handlers.views.escalation_resolve import _plain


def escalation_reassign_submit(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
    svc = services_of(context)
    esc_id = int(json.loads(view.get("private_metadata") or "{}")["id"])
    values = (view.get("state") or {}).get("values") or {}
    assignee = ((values.get("assignee") or {}).get("assignee_select") or {}).get("selected_user")
    if not assignee:
        ack(response_action="errors", errors={"assignee": "Choose a person."})
        return
    outcome = escalations.reassign(svc, esc_id, body["user"]["id"], str(assignee))
    if not outcome.ok:
        ack(response_action="errors", errors={"assignee": _plain(outcome.message)})
        return
    ack()
    outbox.kick(svc)
