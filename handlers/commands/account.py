"""/account <name | number | Id | URL>"""

from slack_bolt import Ack, BoltContext, Respond

from bot.accounts.answer import ACCOUNT_USAGE, account_answer
from bot.text import escape_slack
from handlers.commands._status import run_status_command


def account_command(ack: Ack, respond: Respond, command: dict, context: BoltContext) -> None:
    run_status_command(
        ack,
        respond,
        command,
        context,
        usage=ACCOUNT_USAGE,
        required=True,
        progress=lambda arg: f"Still looking up *{escape_slack(arg.text)}* in Salesforce…",
        work=account_answer,
    )
