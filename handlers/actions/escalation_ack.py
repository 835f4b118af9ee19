""" "Acknowledge" on an escalation alert: a conditional update; the loser is told who won."""

from slack_bolt import Ack, BoltContext, Respond

from bot.delivery import outbox
from bot.escalations import service as escalations
from bot.services import services_of


def escalation_ack(
    ack: Ack, body: dict, action: dict, respond: Respond, context: BoltContext
) -> None:
    ack()
    svc = services_of(context)
    user_id = body["user"]["id"]
    esc_id = int(action["value"])

    def work() -> None:
        outcome = escalations.acknowledge(svc, esc_id, user_id)
        if outcome.ok:
            outbox.kick(svc)
            return
        respond(text=outcome.message, response_type="ephemeral", replace_original=False)

    svc.submit(work, what="acknowledge escalation")
