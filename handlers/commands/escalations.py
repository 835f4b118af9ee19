"""/escalations [open | mine | all | <account, order or ESC-number>]"""

from slack_bolt import Ack, BoltContext, Respond

from bot import blocks as cards
from bot.blocks import Message
from bot.escalations import service as escalations
from bot.escalations import views as escalation_cards
from bot.services import Services, services_of
from bot.text import clean_argument, is_help

ESCALATIONS_USAGE = (
    "*/escalations* `[open | mine | all | account name | ESC-0042]`\n"
    "Lists escalations, newest first: open ones by default, `mine` (filed by or assigned "
    "to you), `all`, or those for an account.\n"
    "Examples: `/escalations`, `/escalations mine`, `/escalations Acme`"
)


def list_answer(svc: Services, user_id: str, text: str) -> Message:
    word = text.strip().lower()
    active = (escalations.OPEN, escalations.ACKNOWLEDGED)
    if word in ("", "open"):
        rows, total = escalations.search(svc, statuses=active)
        title = "open"
    elif word in ("mine", "me", "my"):
        rows, total = escalations.search(svc, user=user_id)
        title = "filed by or assigned to you"
    elif word == "all":
        rows, total = escalations.search(svc)
        title = "all"
    else:
        rows, total = escalations.search(svc, text=text)
        title = f"matching “{text}”"
    return escalation_cards.escalation_list(title, rows, total, tz=svc.tz, now=svc.now())


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
