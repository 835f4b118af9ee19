"""/orders [mine | @user | account name]"""

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot import answers, cards
from bot.services import services_of
from bot.text import clean_argument


def orders_command(
    ack: Ack, respond: Respond, command: dict, context: BoltContext, client: WebClient
) -> None:
    text = clean_argument(command.get("text"))
    if answers.is_help(text):
        ack(**cards.usage_message(answers.ORDERS_USAGE).payload())
        return
    if len(text) > 200:
        ack(**cards.usage_message(answers.ORDERS_USAGE, "That is too long.").payload())
        return
    ack(text=":hourglass_flowing_sand: Finding stuck and overdue orders…")
    svc = services_of(context)
    user_id = command["user_id"]
    svc.answer(
        respond,
        lambda: answers.orders_answer(svc, client, user_id, text),
        replace_original=True,
        what="/orders",
        channel_id=command["channel_id"],
        user_id=command["user_id"],
    )
