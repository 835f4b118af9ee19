"""Share and Refresh: re-render what a button's :class:`CardRef` points at.

Each status command's own answer lives with its feature (``bot/accounts/answer.py``,
``bot/orders/answer.py``, ``bot/pipeline/answer.py``); this module only dispatches a
button back to the right one, for the right viewer.

**Who a re-rendered card is for.** A private card is re-rendered for the person who
pressed the button. A card shared in a channel is what its *sharer* may see in
Salesforce (README, "Who sees what"): sharing it is their decision, and Refresh on it,
by whoever presses it, keeps it to what the sharer may see.

**Sharing** (``ACCTBOT_SHARING``): ``on`` posts the card; ``preview`` posts only the
record's name and link (each reader opens it in Salesforce under their own permissions),
and for a list its title; ``off`` removes the Share button and refuses old ones.
"""

from __future__ import annotations

from bot import blocks as cards
from bot.accounts.answer import account_card_for
from bot.blocks import Message
from bot.orders.answer import order_card_for, orders_answer
from bot.pipeline.answer import pipeline_answer
from bot.services import Services
from bot.slack_ids import CardKind, CardRef
from bot.text import escape_slack

SHARING_OFF = (
    "Sharing in channels is turned off for acctbot here (an admin's setting), so this "
    "stays only visible to you."
)
_LIST_COMMANDS = {CardKind.ORDERS: "/orders", CardKind.PIPELINE: "/pipeline"}


def card_for(
    svc: Services,
    ref: CardRef,
    *,
    viewer: str,
    fresh: bool = False,
    shared_by: str | None = None,
    preview: bool = False,
) -> Message:
    """Re-render what a Share or Refresh button points at, as ``viewer`` may see it: a
    record card (``ref.id`` is its Salesforce Id), or a list answer (``ref.id`` is the
    question as typed for /orders and /pipeline, asked by ``ref.asker``). ``preview``
    gives the sharing preview instead (name and link only)."""
    if ref.kind is CardKind.ACCOUNT:
        msg = account_card_for(svc, ref.id, viewer=viewer, fresh=fresh, shared_by=shared_by)
    elif ref.kind is CardKind.ORDER:
        msg = order_card_for(svc, ref.id, viewer=viewer, fresh=fresh, shared_by=shared_by)
    elif ref.asker:
        # A list is the viewer's question: the sharer's for a shared card, else the person
        # pressing the button (never the asker the button names: a private card is theirs).
        answer = orders_answer if ref.kind is CardKind.ORDERS else pipeline_answer
        msg = answer(svc, viewer, ref.id, shared_by=shared_by)
    else:
        return cards.error_message("That card can no longer be refreshed.")
    if preview and not msg.is_error:
        return preview_of(svc, msg, ref, shared_by or viewer)
    return msg


def _header(msg: Message) -> str:
    for block in msg.blocks:
        if block.get("type") == "header":
            return str(block["text"]["text"])
    return msg.text.split(":")[0]


def preview_of(svc: Services, msg: Message, ref: CardRef, shared_by: str) -> Message:
    """The sharing preview of a card: the record's name and link, or a list's title."""
    title = _header(msg)
    if ref.kind in (CardKind.ACCOUNT, CardKind.ORDER):
        body = cards.section(f"*{cards.link(svc.record_url(ref.id), title)}*")
        note = f"Shared by <@{shared_by}> · open it in Salesforce to see what you may see"
        ids: tuple[str, ...] = (ref.id,)
    else:
        body = cards.section(f"*{escape_slack(title)}*")
        command = _LIST_COMMANDS.get(ref.kind, "the command")
        note = (
            f"Shared by <@{shared_by}> · run `{command} {escape_slack(ref.id)}`".rstrip()
            + " to see it as you may see it"
        )
        ids = ()
    return Message(
        text=escape_slack(f"{title} (shared by a teammate)"),
        blocks=[body, cards.context(note)],
        record_ids=ids,
        outcome=msg.outcome,
    )
