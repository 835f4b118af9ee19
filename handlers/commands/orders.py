"""/orders [mine | @user | account name]"""

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.orders.answer import ORDERS_USAGE, orders_answer
from handlers.commands._status import run_status_command


def orders_command(
    ack: Ack, respond: Respond, command: dict, context: BoltContext, client: WebClient
) -> None:
    run_status_command(
        ack,
        respond,
        command,
        context,
        usage=ORDERS_USAGE,
        progress=lambda arg: "Still finding the stuck and overdue orders…",
        work=lambda svc, arg: orders_answer(svc, client, command["user_id"], arg.to_slack()),
    )
