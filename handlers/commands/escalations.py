"""/escalations [open | mine | all | @person | <account, order or ESC-number>]

Lists only the escalations the asker may see (bot/escalations/service.py
``search_visible``), and counts only those."""

from slack_bolt import Ack, BoltContext, Respond

from bot import blocks as cards
from bot import payloads
from bot.escalations.answer import ESCALATIONS_USAGE, list_answer, not_an_escalation_question
from bot.services import services_of
from bot.text import is_help
from handlers.commands._status import too_long


def escalations_command(ack: Ack, respond: Respond, command: dict, context: BoltContext) -> None:
    cmd = payloads.slash_command(command)
    arg = cmd.argument
    if is_help(arg.text):
        ack(**cards.usage_message(ESCALATIONS_USAGE).payload())
        return
    problem = "That is too long." if too_long(arg) else not_an_escalation_question(arg)
    if problem:
        ack(**cards.usage_message(ESCALATIONS_USAGE, problem).payload())
        return
    ack()
    svc = services_of(context)
    user_id = cmd.user_id
    svc.answer(
        respond,
        lambda: list_answer(svc, user_id, arg),
        what="/escalations",
        channel_id=cmd.channel_id,
        user_id=user_id,
        progress=cards.progress_message(
            "Still looking up escalations" + (f" for *{arg.mrkdwn}*…" if arg else "…")
        ),
    )
