"""Slash commands."""

from slack_bolt import App

from . import account, order, orders, pipeline


def register(app: App) -> None:
    app.command("/account")(account.account_command)
    app.command("/order")(order.order_command)
    app.command("/orders")(orders.orders_command)
    app.command("/pipeline")(pipeline.pipeline_command)
