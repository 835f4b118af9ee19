"""/order <order number | Id>"""

from slack_bolt import Ack, BoltContext, Respond

from bot.orders.answer import ORDER_USAGE, order_answer
from bot.orders.queries import parse_order_ref
from bot.text import escape_slack
from handlers.commands._status import run_status_command


def _not_an_order(text: str) -> str | None:
    if parse_order_ref(text) is None:
        return f"“{text[:80]}” is not an order number or a Salesforce order Id."
    return None


def order_command(ack: Ack, respond: Respond, command: dict, context: BoltContext) -> None:
    run_status_command(
        ack,
        respond,
        command,
        context,
        usage=ORDER_USAGE,
        required=True,
        invalid=_not_an_order,
        loading=lambda text: f":mag: Looking up order *{escape_slack(text)}*…",
        work=order_answer,
    )
