"""/order <order number | Id>"""

from slack_bolt import Ack, BoltContext, Respond

from bot.orders.answer import ORDER_USAGE, order_answer
from bot.orders.queries import parse_order_ref
from bot.text import Argument, escape_slack
from handlers.commands._status import run_status_command


def _not_an_order(arg: Argument) -> str | None:
    if parse_order_ref(arg.text) is None:
        return f"“{arg.text[:80]}” is not an order number or a Salesforce order Id."
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
        progress=lambda arg: f"Still looking up order *{escape_slack(arg.text)}*…",
        work=order_answer,
    )
