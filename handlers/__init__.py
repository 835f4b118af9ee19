"""Slack listeners, one small module each, registered per package."""

from slack_bolt import App

from handlers import actions, commands, events, fallback, options, views


def register(app: App) -> None:
    commands.register(app)
    actions.register(app)
    views.register(app)
    options.register(app)
    events.register(app)
    fallback.register(app)  # last: what nothing above handled
