""" "Acknowledge" on an escalation alert: a conditional update; the loser is told who won.

Only the managers the escalation was routed to (and ACCTBOT_ADMINS) may act, and only if
acctbot serves them (bot/people.py)."""

from slack_bolt import Ack, BoltContext, Respond

from bot import audit, payloads
from bot.delivery import outbox
from bot.escalations import service as escalations
from bot.people import AccessRefused, identify
from bot.services import BUSY, services_of


def escalation_ack(ack: Ack, body: dict, respond: Respond, context: BoltContext) -> None:
    clicked = payloads.click(body)
    esc_id = clicked.escalation_id()
    ack()
    svc = services_of(context)
    user_id = clicked.user_id
    channel_id = clicked.channel_id

    def tell(text: str) -> None:
        respond(text=text, response_type="ephemeral", replace_original=False)

    def work() -> None:
        try:
            identify(svc, user_id)
        except AccessRefused as exc:
            respond(text=str(exc), response_type="ephemeral", replace_original=False)
            audit.record(
                svc,
                action="refusal",
                command="escalation_ack",
                slack_user_id=user_id,
                channel_id=channel_id,
                outcome="refused",
            )
            return
        outcome = escalations.acknowledge(svc, esc_id, user_id)
        esc = outcome.escalation
        audit.record(
            svc,
            action="escalation" if outcome.allowed else "refusal",
            command="escalation_ack",
            slack_user_id=user_id,
            channel_id=channel_id,
            record_ids=[i for i in (esc.account_id, esc.order_id) if i] if esc else [],
            outcome="ok" if outcome.ok else ("conflict" if outcome.allowed else "denied"),
        )
        if outcome.ok:
            outbox.kick(svc)
            return
        respond(text=outcome.message, response_type="ephemeral", replace_original=False)

    svc.submit(work, what="acknowledge escalation", on_busy=lambda: tell(BUSY))
