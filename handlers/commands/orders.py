"""/orders [mine | @user | account name]"""

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot import answers

from ._status import run_status_command


def orders_command(
    ack: Ack, respond: Respond, command: dict, context: BoltContext, client: WebClient
) -> None:
    run_status_command(
        ack,
        respond,
        command,
        context,
        usage=answers.ORDERS_USAGE,
        loading=lambda text: ":hourglass_flowing_sand: Finding stuck and overdue orders…",
        work=lambda svc, text: answers.orders_answer(svc, client, command["user_id"], text),
    )
