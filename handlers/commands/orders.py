"""/orders [mine | @user | account name]"""

from slack_bolt import Ack, BoltContext, Respond

from bot.orders.answer import ORDERS_USAGE, not_orders_question, orders_answer
from handlers.commands._status import run_status_command


def orders_command(ack: Ack, respond: Respond, command: dict, context: BoltContext) -> None:
    run_status_command(
        ack,
        respond,
        command,
        context,
        usage=ORDERS_USAGE,
        invalid=not_orders_question,
        progress=lambda arg: "Still finding the stuck and overdue orders…",
        work=lambda svc, user_id, arg: orders_answer(svc, user_id, arg.to_slack()),
    )
