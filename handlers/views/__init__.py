"""Modal submissions and closes."""

from slack_bolt import App

from . import escalation_new, escalation_reassign, escalation_resolve


def register(app: App) -> None:
    app.view("escalation_new")(escalation_new.escalation_new)
    app.view("escalation_resolve")(escalation_resolve.escalation_resolve_submit)
    app.view("escalation_reassign")(escalation_reassign.escalation_reassign_submit)
