"""/watch <order number | account name | Salesforce Id or URL>, /watch list, /watch stop"""

from slack_bolt import Ack, BoltContext, Respond

from bot.watches.answer import WATCH_USAGE, progress, watch_answer
from handlers.commands._status import run_status_command


def watch_command(ack: Ack, respond: Respond, command: dict, context: BoltContext) -> None:
    run_status_command(
        ack,
        respond,
        command,
        context,
        usage=WATCH_USAGE,
        required=True,
        progress=progress,
        work=watch_answer,
        audit="watch",
    )
