"""Last-resort listeners, registered after every other: a button, modal, select or
command this version does not know (from a message posted by an older release, say)
gets a clear answer at once instead of Bolt's "unhandled request" 404."""

import re

from slack_bolt import Ack, App

from bot.payloads import BUTTON_OUT_OF_DATE, FORM_OUT_OF_DATE, Refused
from handlers.guard import guarded

UNKNOWN_COMMAND = "acctbot does not know that command. Try `/account help`."
ANY = re.compile(r".*", re.DOTALL)


def unknown_action(ack: Ack) -> None:
    raise Refused("an action this version does not know", BUTTON_OUT_OF_DATE)


def unknown_view(ack: Ack) -> None:
    raise Refused("a modal this version does not know", FORM_OUT_OF_DATE)


def closed_view(ack: Ack) -> None:
    ack()


def unknown_options(ack: Ack) -> None:
    ack(options=[])


def unknown_command(ack: Ack) -> None:
    raise Refused("a slash command this version does not know", UNKNOWN_COMMAND)


def other_event(ack: Ack) -> None:
    ack()


def register(app: App) -> None:
    app.action(ANY)(guarded(unknown_action))
    app.view({"type": "view_submission", "callback_id": ANY})(guarded(unknown_view))
    app.view({"type": "view_closed", "callback_id": ANY})(guarded(closed_view))
    app.options(ANY)(guarded(unknown_options))
    app.command(ANY)(guarded(unknown_command))
    app.event(ANY)(guarded(other_event))
