"""/order <order number | Id>"""

from slack_bolt import Ack, BoltContext, Respond

from bot import answers, cards
from bot.orders import parse_order_ref
from bot.services import services_of
from bot.text import clean_argument, escape_slack


def order_command(ack: Ack, respond: Respond, command: dict, context: BoltContext) -> None:
    text = clean_argument(command.get("text"))
    if not text or answers.is_help(text):
        ack(**cards.usage_message(answers.ORDER_USAGE).payload())
        return
    if parse_order_ref(text) is None:
        note = f"“{text[:80]}” is not an order number or a Salesforce order Id."
        ack(**cards.usage_message(answers.ORDER_USAGE, note).payload())
        return
    ack(text=f":mag: Looking up order *{escape_slack(text)}*…")
    svc = services_of(context)
    svc.answer(
        respond,
        lambda: answers.order_answer(svc, text),
        replace_original=True,
        what="/order",
        channel_id=command["channel_id"],
        user_id=command["user_id"],
    )
