"""Modal submissions and closes."""

from slack_bolt import App

from handlers.options import escalation_account

from . import escalation_new, escalation_reassign, escalation_resolve


def register(app: App) -> None:
    app.view("escalation_new")(escalation_new.escalation_new)
    app.view("escalation_resolve")(escalation_resolve.escalation_resolve_submit)
    app.view("escalation_reassign")(escalation_reassign.escalation_reassign_submit)
    # The escalation modal's external select loads its options here.
    app.options("escalation_account")(escalation_account.escalation_account_options)
