"""/pipeline [mine | @user | team]"""

from slack_bolt import Ack, BoltContext, Respond

from bot.pipeline.answer import PIPELINE_USAGE, not_a_pipeline_question, pipeline_answer
from handlers.commands._status import run_status_command


def pipeline_command(ack: Ack, respond: Respond, command: dict, context: BoltContext) -> None:
    run_status_command(
        ack,
        respond,
        command,
        context,
        usage=PIPELINE_USAGE,
        invalid=not_a_pipeline_question,
        progress=lambda arg: "Still adding up this quarter's pipeline…",
        work=lambda svc, user_id, arg: pipeline_answer(svc, user_id, arg.to_slack()),
    )
