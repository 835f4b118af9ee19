"""/escalations [open | mine | all | <account, order or ESC-number>]"""

from slack_bolt import Ack, BoltContext, Respond

from bot import blocks as cards
from bot.escalations.answer import ESCALATIONS_USAGE, list_answer
from bot.services import services_of
from bot.text import clean_argument, is_help


def escalations_command(ack: Ack, respond: Respond, command: dict, context: BoltContext) -> None:
    text = clean_argument(command.get("text"))
    if is_help(text):
        ack(**cards.usage_message(ESCALATIONS_USAGE).payload())
        return
    if len(text) > 200:
        ack(**cards.usage_message(ESCALATIONS_USAGE, "That is too long.").payload())
        return
    ack()
    svc = services_of(context)
    user_id = command["user_id"]
    svc.answer(respond, lambda: list_answer(svc, user_id, text), what="/escalations")
