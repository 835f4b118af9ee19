"""Modal submissions and closes."""

from slack_bolt import App

from bot.slack_ids import CallbackId
from handlers.guard import guarded
from handlers.views import escalation_new, escalation_reassign, escalation_resolve


def register(app: App) -> None:
    app.view(CallbackId.ESCALATION_NEW)(guarded(escalation_new.escalation_new))
    app.view(CallbackId.ESCALATION_RESOLVE)(guarded(escalation_resolve.escalation_resolve_submit))
    app.view(CallbackId.ESCALATION_REASSIGN)(
        guarded(escalation_reassign.escalation_reassign_submit)
    )
