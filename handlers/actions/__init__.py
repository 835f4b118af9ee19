"""Button and select actions."""

from slack_bolt import App

from . import account_pick, open_link, refresh_card, share_card


def register(app: App) -> None:
    app.action("share_card")(share_card.share_card)
    app.action("refresh_card")(refresh_card.refresh_card)
    app.action("account_pick")(account_pick.account_pick)
    app.action("open_in_salesforce")(open_link.open_link)
