"""Share and Refresh: re-render what a button's :class:`CardRef` points at.

Each status command's own answer lives with its feature (``bot/accounts/answer.py``,
``bot/orders/answer.py``, ``bot/pipeline/answer.py``); this module only dispatches a
button back to the right one.
"""

from __future__ import annotations

from slack_sdk import WebClient

from bot import blocks as cards
from bot.accounts.answer import account_card_for
from bot.blocks import Message
from bot.orders.answer import order_card_for, orders_answer
from bot.pipeline.answer import pipeline_answer
from bot.services import Services
from bot.slack_ids import CardKind, CardRef


def card_for(
    svc: Services,
    ref: CardRef,
    *,
    fresh: bool = False,
    shared_by: str | None = None,
    client: WebClient | None = None,
    viewer: str | None = None,
) -> Message:
    """Re-render what a Share or Refresh button points at: a record card (``ref.id`` is
    its Salesforce Id), or a list answer (``ref.id`` is the question as typed for
    /orders and /pipeline, asked by ``ref.asker``). ``viewer``: who sees a private record
    card (its Watch button is theirs)."""
    if ref.kind is CardKind.ACCOUNT:
        return account_card_for(svc, ref.id, fresh=fresh, shared_by=shared_by, viewer=viewer)
    if ref.kind is CardKind.ORDER:
        return order_card_for(svc, ref.id, fresh=fresh, shared_by=shared_by, viewer=viewer)
    if client is not None and ref.asker:
        answer = orders_answer if ref.kind is CardKind.ORDERS else pipeline_answer
        return answer(svc, client, ref.asker, ref.id, shared_by=shared_by)
    return cards.error_message("That card can no longer be refreshed.")
