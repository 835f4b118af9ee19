"""Button and select actions."""

from slack_bolt import App

from bot.slack_ids import ActionId
from handlers.actions import (
    account_pick,
    escalate_from_card,
    escalation_ack,
    escalation_reassign,
    escalation_resolve,
    open_in_salesforce,
    refresh_card,
    share_card,
    unwatch_card,
    watch_card,
    watch_list_page,
    watch_more,
    watch_pick,
    watch_resume,
    watch_snooze,
    watch_stop,
)


def register(app: App) -> None:
    app.action(ActionId.SHARE_CARD)(share_card.share_card)
    app.action(ActionId.REFRESH_CARD)(refresh_card.refresh_card)
    app.action(ActionId.ACCOUNT_PICK)(account_pick.account_pick)
    app.action(ActionId.OPEN_IN_SALESFORCE)(open_in_salesforce.open_in_salesforce)
    app.action(ActionId.ESCALATE_FROM_CARD)(escalate_from_card.escalate_from_card)
    app.action(ActionId.ESCALATION_ACK)(escalation_ack.escalation_ack)
    app.action(ActionId.ESCALATION_RESOLVE)(escalation_resolve.escalation_resolve)
    app.action(ActionId.ESCALATION_REASSIGN)(escalation_reassign.escalation_reassign)
    app.action(ActionId.WATCH_CARD)(watch_card.watch_card)
    app.action(ActionId.UNWATCH_CARD)(unwatch_card.unwatch_card)
    app.action(ActionId.WATCH_PICK)(watch_pick.watch_pick)
    app.action(ActionId.WATCH_STOP)(watch_stop.watch_stop)
    app.action(ActionId.WATCH_SNOOZE)(watch_snooze.watch_snooze)
    app.action(ActionId.WATCH_RESUME)(watch_resume.watch_resume)
    app.action(ActionId.WATCH_MORE)(watch_more.watch_more)
    app.action(ActionId.WATCH_LIST_PAGE)(watch_list_page.watch_list_page)
