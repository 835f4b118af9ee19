"""Button and select actions."""

from slack_bolt import App

from . import (
    account_pick,
    escalation_ack,
    escalation_open,
    escalation_reassign,
    escalation_resolve,
    open_link,
    refresh_card,
    share_card,
)


def register(app: App) -> None:
    app.action("share_card")(share_card.share_card)
    app.action("refresh_card")(refresh_card.refresh_card)
    app.action("account_pick")(account_pick.account_pick)
    app.action("open_in_salesforce")(open_link.open_link)
    app.action("escalate_from_card")(escalation_open.escalate_from_card)
    app.action("escalation_ack")(escalation_ack.escalation_ack)
    app.action("escalation_resolve")(escalation_resolve.escalation_resolve)
    app.action("escalation_reassign")(escalation_reassign.escalation_reassign)
