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
from handlers.guard import guarded


def register(app: App) -> None:
    app.command("/account")(guarded(account.account_command))
    app.command("/order")(guarded(order.order_command))
    app.command("/orders")(guarded(orders.orders_command))
    app.command("/pipeline")(guarded(pipeline.pipeline_command))
    app.command("/digest")(guarded(digest.digest_command))
    app.command("/escalate")(guarded(escalate.escalate_command))
    app.command("/escalations")(guarded(escalations.escalations_command))
    app.command("/watch")(guarded(watch.watch_command))
