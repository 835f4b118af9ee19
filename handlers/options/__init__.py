"""Options for external selects (``block_suggestion``)."""

from slack_bolt import App

from bot.slack_ids import ActionId
from handlers.guard import guarded
from handlers.options import escalation_account


def register(app: App) -> None:
    # The escalation modal's account search loads its options here.
    app.options(ActionId.ESCALATION_ACCOUNT)(guarded(escalation_account.escalation_account_options))
