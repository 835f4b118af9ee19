"""/order <order number | Id>"""

from slack_bolt import Ack, BoltContext, Respond

from bot.orders.answer import ORDER_USAGE, not_an_order, order_answer
from handlers.commands._status import run_status_command


def order_command(ack: Ack, respond: Respond, command: dict, context: BoltContext) -> None:
    run_status_command(
        ack,
        respond,
        command,
        context,
        usage=ORDER_USAGE,
        required=True,
        invalid=not_an_order,
        progress=lambda arg: f"Still looking up order *{arg.mrkdwn}*…",
        work=order_answer,
    )
