"""A bare Bolt app that acks /order with a static message: the benchmark's baseline.
Served exactly like acctbot (waitress, same thread count) from the same environment."""

import os

from slack_bolt import Ack, App
from slack_sdk import WebClient
from waitress import serve

client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
app = App(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])


@app.command("/order")
def order(ack: Ack) -> None:
    ack(text="Static answer")


if __name__ == "__main__":
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    serve(
        SlackRequestHandler(app),
        host="127.0.0.1",
        port=int(os.environ["PORT"]),
        threads=64,
        _quiet=True,
    )
