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
from handlers.guard import guarded


def register(app: App) -> None:
    app.action(ActionId.SHARE_CARD)(guarded(share_card.share_card))
    app.action(ActionId.REFRESH_CARD)(guarded(refresh_card.refresh_card))
    app.action(ActionId.ACCOUNT_PICK)(guarded(account_pick.account_pick))
    app.action(ActionId.OPEN_IN_SALESFORCE)(guarded(open_in_salesforce.open_in_salesforce))
    app.action(ActionId.ESCALATE_FROM_CARD)(guarded(escalate_from_card.escalate_from_card))
    app.action(ActionId.ESCALATION_ACK)(guarded(escalation_ack.escalation_ack))
    app.action(ActionId.ESCALATION_RESOLVE)(guarded(escalation_resolve.escalation_resolve))
    app.action(ActionId.ESCALATION_REASSIGN)(guarded(escalation_reassign.escalation_reassign))
    app.action(ActionId.WATCH_CARD)(guarded(watch_card.watch_card))
    app.action(ActionId.UNWATCH_CARD)(guarded(unwatch_card.unwatch_card))
    app.action(ActionId.WATCH_PICK)(guarded(watch_pick.watch_pick))
    app.action(ActionId.WATCH_STOP)(guarded(watch_stop.watch_stop))
    app.action(ActionId.WATCH_SNOOZE)(guarded(watch_snooze.watch_snooze))
    app.action(ActionId.WATCH_RESUME)(guarded(watch_resume.watch_resume))
    app.action(ActionId.WATCH_MORE)(guarded(watch_more.watch_more))
    app.action(ActionId.WATCH_LIST_PAGE)(guarded(watch_list_page.watch_list_page))
