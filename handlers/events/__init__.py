"""Events API listeners."""

from slack_bolt import App

from handlers.events import app_home_opened
from handlers.guard import guarded


def register(app: App) -> None:
    app.event("app_home_opened")(guarded(app_home_opened.app_home_opened))
