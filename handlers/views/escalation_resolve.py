"""The resolution modal's submission (routed managers and ACCTBOT_ADMINS only)."""

from slack_bolt import Ack, BoltContext

from bot import audit, payloads
from bot.delivery import outbox
from bot.escalations import service as escalations
from bot.people import AccessRefused, identify_within
from bot.services import services_of

MIN_RESOLUTION = 5
IDENTITY_BUDGET = 1.0  # seconds, of the 3 a view submission has


def escalation_resolve_submit(ack: Ack, body: dict, context: BoltContext) -> None:
    form = payloads.submission(body)
    esc_id = form.metadata_id()
    text = (form.text("resolution", "resolution_input") or "").strip()[:3000]
    svc = services_of(context)
    user_id = form.user_id
    if len(text) < MIN_RESOLUTION:
        ack(response_action="errors", errors={"resolution": "Say what was done (a few words)."})
        return
    try:
        identify_within(svc, user_id, IDENTITY_BUDGET)
    except AccessRefused as exc:
        ack(response_action="errors", errors={"resolution": _plain(str(exc))})
        return
    outcome = escalations.resolve(svc, esc_id, user_id, text)
    if not outcome.ok:
        ack(response_action="errors", errors={"resolution": _plain(outcome.message)})
        return
    ack()
    outbox.kick(svc)
    esc = outcome.escalation
    audit.record(
        svc,
        action="escalation",
        command="escalation_resolve",
        slack_user_id=user_id,
        record_ids=[i for i in (esc.account_id, esc.order_id) if i] if esc else [],
    )


def _plain(message: str) -> str:
    return message.replace(":no_entry: ", "").replace("<@", "@").replace(">", "")[:2000]
