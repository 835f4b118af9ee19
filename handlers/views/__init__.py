"""Modal submissions and closes."""

from slack_bolt import App

from bot.slack_ids import CallbackId
from handlers.views import escalation_new, escalation_reassign, escalation_resolve


def register(app: App) -> None:
    app.view(CallbackId.ESCALATION_NEW)(escalation_new.escalation_new)
    app.view(CallbackId.ESCALATION_RESOLVE)(escalation_resolve.escalation_resolve_submit)
    app.view(CallbackId.ESCALATION_REASSIGN)(escalation_reassign.escalation_reassign_submit)
