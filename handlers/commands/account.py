"""/account <name | number | Id | URL>"""

from slack_bolt import Ack, BoltContext, Respond

from bot import answers, cards
from bot.services import services_of
from bot.text import clean_argument, escape_slack


def account_command(ack: Ack, respond: Respond, command: dict, context: BoltContext) -> None:
    text = clean_argument(command.get("text"))
    if not text or answers.is_help(text):
        ack(**cards.usage_message(answers.ACCOUNT_USAGE).payload())
        return
    if len(text) > 200:
        ack(**cards.usage_message(answers.ACCOUNT_USAGE, "That search is too long.").payload())
        return
    ack(text=f":mag: Looking up *{escape_slack(text)}* in Salesforce…")
    svc = services_of(context)
    svc.answer(
        respond,
        lambda: answers.account_answer(svc, text),
        replace_original=True,
        what="/account",
        channel_id=command["channel_id"],
        user_id=command["user_id"],
    )
