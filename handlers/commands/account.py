"""/account <name | number | Id | URL>"""

from slack_bolt import Ack, BoltContext, Respond

from bot.accounts.answer import ACCOUNT_USAGE, account_answer, not_an_account
from handlers.commands._status import run_status_command


def account_command(ack: Ack, respond: Respond, command: dict, context: BoltContext) -> None:
    run_status_command(
        ack,
        respond,
        command,
        context,
        usage=ACCOUNT_USAGE,
        required=True,
        invalid=not_an_account,
        progress=lambda arg: f"Still looking up *{arg.mrkdwn}* in Salesforce…",
        work=account_answer,
    )
