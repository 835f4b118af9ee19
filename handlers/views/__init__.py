"""Modal submissions and closes."""

from slack_bolt import App


def register(app: App) -> None:
    """No modals yet (escalations add them)."""
