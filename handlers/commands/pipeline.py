"""/pipeline [mine | @user | team]"""

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.pipeline.answer import PIPELINE_USAGE, pipeline_answer
from handlers.commands._status import run_status_command


def pipeline_command(
    ack: Ack, respond: Respond, command: dict, context: BoltContext, client: WebClient
) -> None:
    run_status_command(
        ack,
        respond,
        command,
        context,
        usage=PIPELINE_USAGE,
        progress=lambda arg: "Still adding up this quarter's pipeline…",
        work=lambda svc, arg: pipeline_answer(svc, client, command["user_id"], arg.to_slack()),
    )
