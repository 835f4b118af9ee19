"""The resolution modal's submission."""

import json

from slack_bolt import Ack, BoltContext

from bot.delivery import outbox
from bot.escalations import service as escalations
from bot.services import services_of

MIN_RESOLUTION = 5


def escalation_resolve_submit(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
    svc = services_of(context)
    esc_id = int(json.loads(view.get("private_metadata") or "{}")["id"])
    values = (view.get("state") or {}).get("values") or {}
    text = ((values.get("resolution") or {}).get("resolution_input") or {}).get("value") or ""
    text = text.strip()
    if len(text) < MIN_RESOLUTION:
        ack(response_action="errors", errors={"resolution": "Say what was done (a few words)."})
        return
    outcome = escalations.resolve(svc, esc_id, body["user"]["id"], text)
    if not outcome.ok:
        ack(response_action="errors", errors={"resolution": _plain(outcome.message)})
        return
    ack()
    outbox.kick(svc)


def _plain(message: str) -> str:
    return message.replace(":no_entry: ", "").replace("<@", "@").replace(">", "")[:2000]
