"""/order and /orders: an order's card, and a person's or an account's not-dones.

Both are cut to what the asker's Salesforce user may read (bot/visibility.py): an order
they may not read is refused without its figures, and the not-dones list, its count and
its total leave out orders they may not read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from bot import blocks as cards
from bot import visibility
from bot.accounts.answer import denied
from bot.blocks import Message
from bot.orders.card import not_done_list, order_card
from bot.orders.queries import OrderStatus, parse_order_ref
from bot.people import UnmappedUser, identify, not_one_person, person_for, with_names
from bot.records import record_ref, wrong_record
from bot.services import Services
from bot.slack_ids import CardKind
from bot.text import Argument, read_argument
from bot.watches.service import is_watching

ORDER_USAGE = (
    "*/order* `<order number | Salesforce Id>`\n"
    "Shows an order: status, account, owner, dates, amount, line items, contract, and "
    "whether it is stuck.\nExamples: `/order 00000123`, `/order 123`, `/order 801…`"
)


ORDERS_USAGE = (
    "*/orders* `[mine | @user | account name, Id or link]`\n"
    "Lists the not-dones: drafts past their effective date and orders open longer than "
    "the threshold, oldest first.\nExamples: `/orders`, `/orders mine`, `/orders @ana`, "
    "`/orders Acme Corp` or a pasted account link"
)


def _order_status(svc: Services, kind: str, value: str, *, fresh: bool) -> OrderStatus | None:
    key = ("order", kind, value[:15] if kind == "id" else value)
    if not fresh:
        hit = svc.cache.get(key)
        if hit is not None:
            return hit
    status = svc.orders.get(kind, value, svc.today())
    if status is not None:
        svc.cache.put(key, status)
        svc.cache.put(("order", "id", status.record["Id"][:15]), status)
    return status


def _shown_ids(status: OrderStatus) -> list[str]:
    """The records an order card shows: the order, its account and its contract (line
    items follow their order and are not shared on their own)."""
    rec = status.record
    return [i for i in (rec["Id"], rec.get("AccountId"), rec.get("ContractId")) if i]


def _card(
    svc: Services,
    status: OrderStatus,
    *,
    viewer: str,
    fresh: bool = False,
    shared_by: str | None = None,
) -> Message:
    ids = _shown_ids(status)
    order_id = status.record["Id"]
    if visibility.enforced(svc):
        person = identify(svc, viewer)
        readable = visibility.readable_by(svc, person, ids, fresh=fresh)
        if order_id not in readable:
            return denied("order", order_id, shared_by)
        # Contracts have their own sharing in Salesforce (and an order its own, apart
        # from its account's, where OrderShare is used): a linked contract or account the
        # person may not read is left off the card, not named.
        hidden = [i for i in ids if i not in readable]
        if hidden:
            rec = dict(status.record)
            if rec.get("ContractId") in hidden:
                rec["ContractId"], rec["Contract"] = None, None
            if rec.get("AccountId") in hidden:
                rec["AccountId"], rec["Account"] = None, None
            status = dataclasses.replace(status, record=rec)
            ids = [i for i in ids if i in readable]
    else:
        identify(svc, viewer)
    msg = order_card(
        status,
        record_url=svc.record_url,
        now=svc.now(),
        tz=svc.tz,
        shared_by=shared_by,
        watching=None if shared_by else is_watching(svc, viewer, order_id),
    )
    msg.record_ids = tuple(ids)
    return visibility.add_scope(msg, visibility.scope_note(svc, shared_by))


def not_an_order(arg: Argument) -> str | None:
    """A plain sentence when ``arg`` is not an order number, an order's Id or a link to
    an order (a link to an account says so, and where to paste it), else None."""
    if parse_order_ref(arg.text) is not None:
        return None
    ref = record_ref(arg.text)
    if ref is not None:
        hint = (
            "For the account: `/account` with the same link; its stuck orders: `/orders` "
            "with the same link."
            if ref.is_a("Account")
            else "`/order` takes an order number (00000123) or an order's Id or link."
        )
        return wrong_record(ref, "an order", hint)
    return f"“{arg.text[:80]}” is not an order number or a Salesforce order Id."


def order_answer(svc: Services, user_id: str, arg: Argument) -> Message:
    """The card of the order ``arg`` names (a number, ``#123``, an Id or its link), as
    ``user_id`` may see it."""
    ref = parse_order_ref(arg.text)
    if ref is None:
        return cards.usage_message(ORDER_USAGE, not_an_order(arg))
    status = _order_status(svc, ref[0], ref[1], fresh=False)
    if status is None:
        return cards.not_found("order", ref[1], [], "Order numbers look like 00000123.")
    msg = _card(svc, status, viewer=user_id)
    if msg.outcome == "denied" and ref[0] == "number":
        # Found by number: an order they may not read is not there for them, in the same
        # words as one that does not exist (the audit log still records the denial).
        hidden = cards.not_found("order", ref[1], [], "Order numbers look like 00000123.")
        hidden.outcome, hidden.record_ids = "denied", msg.record_ids
        return hidden
    return msg


def order_card_for(
    svc: Services,
    order_id: str,
    *,
    viewer: str,
    fresh: bool = False,
    shared_by: str | None = None,
) -> Message:
    """The order's card as ``viewer`` (the asker, or a shared card's sharer) may see it."""
    status = _order_status(svc, "id", order_id, fresh=fresh)
    if status is None:
        msg = cards.error_message("That order no longer exists in Salesforce.")
        msg.outcome, msg.record_ids = "not_found", (order_id,)
        return msg
    return _card(svc, status, viewer=viewer, fresh=fresh, shared_by=shared_by)


def readable_filter(svc: Services, viewer: str) -> Callable[[list[str]], set[str]] | None:
    """What a query layer asks to keep only what ``viewer`` may read: None (everything)
    with ``ACCTBOT_VISIBILITY=workspace``."""
    if not visibility.enforced(svc):
        return None
    return lambda ids: visibility.readable_ids(svc, viewer, ids)


ORDERS_WHO = (
    "`/orders` lists one person's not-dones (`@name`) or an account's (its name, Id or link)."
)


def not_orders_question(arg: Argument) -> str | None:
    """A plain sentence when ``arg`` is a link to (or the Id of) a record that is neither
    an account nor an order, else None. Needs no request."""
    ref = record_ref(arg.text)
    if ref is None or ref.object in ("Account", "Order"):
        return None
    return wrong_record(ref, "an account", ORDERS_WHO)


def orders_answer(
    svc: Services, user_id: str, question: str, *, shared_by: str | None = None
) -> Message:
    """The not-dones ``question`` asks for (the command's text in Slack's form, as
    :meth:`bot.text.Argument.to_slack` writes it): the asker's (``mine`` or nothing), a
    mentioned person's, an account's (its Id or a link to it), or those of the accounts
    whose name contains the text; only those ``user_id`` (or ``shared_by``, when shared)
    may read. An order's Id or link is that order's card; a name or an Id that names no
    account says so (never "no stuck or overdue orders")."""
    viewer = shared_by or user_id
    identify(svc, viewer)
    arg = with_names(svc, read_argument(question))
    ref = record_ref(arg.text)
    if ref is not None and ref.is_a("Order"):
        return order_answer(svc, viewer, arg)
    refusal = not_orders_question(arg)
    if refusal is not None:
        return cards.usage_message(ORDERS_USAGE, refusal)
    problem = not_one_person(arg, ORDERS_WHO)
    if problem is not None:
        return problem
    try:
        who = person_for(svc, user_id, arg, shared=bool(shared_by))
    except UnmappedUser as exc:
        return cards.error_message(str(exc))
    today = svc.today()
    only = readable_filter(svc, viewer)
    if who is not None:
        title, email = who
        nd = svc.orders.not_dones(today, owner_email=email, readable=only, cache=svc.cache)
        title = "your orders" if title == "you" else title
    elif arg.mention is not None:  # a channel: no account is named like that
        return cards.usage_message(
            ORDERS_USAGE, f"{arg.mrkdwn} is a channel. {ORDERS_WHO}", note_mrkdwn=True
        )
    elif ref is not None:  # an account's Id or link (as /account: gone, then may not read)
        nd = svc.orders.not_dones(today, account_id=ref.id, readable=only, cache=svc.cache)
        if not nd.accounts:
            msg = cards.error_message(
                f"No account has the Id {ref.id} in Salesforce (it may have been deleted)."
            )
            msg.outcome, msg.record_ids = "not_found", (ref.id,)
            return msg
        if only is not None and ref.id not in only([ref.id]):
            return denied("account", ref.id, shared_by)
        title = nd.account_name or "that account"
    else:
        nd = svc.orders.not_dones(today, account_name=arg.text, readable=only, cache=svc.cache)
        if not nd.accounts:  # no account is named so: not an all-clear
            suggestions = [] if only is not None else svc.accounts.suggest(arg.text)
            msg = cards.not_found(
                "account",
                arg.text,
                suggestions,
                "`/orders` takes an account's name (or part of it), Id or link, or `@name`.",
            )
            msg.outcome = "not_found"
            return msg
        title = f"accounts matching “{arg.text}”"
    listing = not_done_list(
        title,
        nd,
        record_url=svc.record_url,
        now=svc.now(),
        tz=svc.tz,
        stuck_days=svc.settings.stuck_days,
    )
    listing.record_ids = tuple(n.record["Id"] for n in nd.orders)
    listing = visibility.add_scope(listing, visibility.scope_note(svc, shared_by))
    return cards.with_list_actions(listing, CardKind.ORDERS, arg.to_slack(), user_id, shared_by)
