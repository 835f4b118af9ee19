"""Link buttons still send an action; acknowledge it so Slack shows no error."""

from slack_bolt import Ack


def open_in_salesforce(ack: Ack) -> None:
    ack()
