"""Slash commands."""

from slack_bolt import App

from handlers.commands import (
    account,
    digest,
    escalate,
    escalations,
    order,
    orders,
    pipeline,
    watch,
)


def register(app: App) -> None:
    app.command("/account")(account.account_command)
    app.command("/order")(order.order_command)
    app.command("/orders")(orders.orders_command)
    app.command("/pipeline")(pipeline.pipeline_command)
    app.command("/digest")(digest.digest_command)
    app.command("/escalate")(escalate.escalate_command)
    app.command("/escalations")(escalations.escalations_command)
    app.command("/watch")(watch.watch_command)
