"""/pipeline [mine | @user | team]"""

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot import answers, cards
from bot.services import services_of
from bot.text import clean_argument


def pipeline_command(
    ack: Ack, respond: Respond, command: dict, context: BoltContext, client: WebClient
) -> None:
    text = clean_argument(command.get("text"))
    if answers.is_help(text):
        ack(**cards.usage_message(answers.PIPELINE_USAGE).payload())
        return
    if len(text) > 200:
        ack(**cards.usage_message(answers.PIPELINE_USAGE, "That is too long.").payload())
        return
    ack(text=":bar_chart: Adding up this quarter's pipeline…")
    svc = services_of(context)
    user_id = command["user_id"]
    svc.answer(
        respond,
        lambda: answers.pipeline_answer(svc, client, user_id, text),
        replace_original=True,
        what="/pipeline",
        channel_id=command["channel_id"],
        user_id=command["user_id"],
    )
