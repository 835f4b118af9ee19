"""What the Resolve and Reassign buttons share: the presser must be someone acctbot
serves and a manager the escalation was routed to (or an admin) before a modal opens."""

from __future__ import annotations

from slack_bolt import Respond

from bot import audit
from bot.escalations import service as escalations
from bot.infra.models import Escalation
from bot.payloads import Click
from bot.people import AccessRefused, identify_within
from bot.services import Services

IDENTITY_BUDGET = 1.5  # seconds, of the trigger_id's 3


def allowed_escalation(
    svc: Services, clicked: Click, respond: Respond, verb: str
) -> Escalation | None:
    """The escalation ``clicked`` acts on if the presser may ``verb`` it; else tells them
    why and gives None. Raises :class:`bot.payloads.Refused` for an unreadable button
    (call it before acknowledging)."""
    esc_id = clicked.escalation_id()
    user_id = clicked.user_id
    channel_id = clicked.channel_id
    command = f"escalation_{verb}"
    try:
        identify_within(svc, user_id, IDENTITY_BUDGET)
    except AccessRefused as exc:
        respond(text=str(exc), response_type="ephemeral", replace_original=False)
        audit.record(
            svc,
            action="refusal",
            command=command,
            slack_user_id=user_id,
            channel_id=channel_id,
            outcome="refused",
        )
        return None
    outcome = escalations.check_allowed(svc, esc_id, user_id, verb)
    if not outcome.ok or outcome.escalation is None:
        if not outcome.allowed:
            audit.record(
                svc,
                action="refusal",
                command=command,
                slack_user_id=user_id,
                channel_id=channel_id,
                outcome="denied",
            )
        respond(text=outcome.message, response_type="ephemeral", replace_original=False)
        return None
    return outcome.escalation
