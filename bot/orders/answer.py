"""/order and /orders: an order's card, and a person's or an account's not-dones."""

from __future__ import annotations

from slack_sdk import WebClient

from bot import blocks as cards
from bot.blocks import Message
from bot.orders.card import not_done_list, order_card
from bot.orders.queries import OrderStatus, parse_order_ref
from bot.people import not_one_person, person_for
from bot.services import Services, UnmappedUser
from bot.slack_ids import CardKind
from bot.text import Argument, read_argument
from bot.watches.service import is_watching

ORDER_USAGE = (
    "*/order* `<order number | Salesforce Id>`\n"
    "Shows an order: status, account, owner, dates, amount, line items, contract, and "
    "whether it is stuck.\nExamples: `/order 00000123`, `/order 123`, `/order 801…`"
)


ORDERS_USAGE = (
    "*/orders* `[mine | @user | account name]`\n"
    "Lists the not-dones: drafts past their effective date and orders open longer than "
    "the threshold, oldest first.\nExamples: `/orders`, `/orders mine`, `/orders @ana`, "
    "`/orders Acme Corp`"
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


def order_answer(svc: Services, arg: Argument, viewer: str | None = None) -> Message:
    """The card of the order ``arg`` names (a number, ``#123``, an Id or its link), for
    ``viewer`` (the Slack user who asked: the card's Watch button is theirs)."""
    ref = parse_order_ref(arg.text)
    if ref is None:
        return cards.usage_message(ORDER_USAGE, f"'{arg.text}' is not an order number or Id.")
    status = _order_status(svc, ref[0], ref[1], fresh=False)
    if status is None:
        return cards.not_found("order", ref[1], [], "Order numbers look like 00000123.")
    return order_card(
        status,
        record_url=svc.record_url,
        now=svc.now(),
        tz=svc.tz,
        watching=is_watching(svc, viewer, status.record["Id"]),
    )


def order_card_for(
    svc: Services,
    order_id: str,
    *,
    fresh: bool = False,
    shared_by: str | None = None,
    viewer: str | None = None,
) -> Message:
    """The card of one order (cached unless ``fresh``), for ``viewer`` (see
    ``account_card_for``)."""
    status = _order_status(svc, "id", order_id, fresh=fresh)
    if status is None:
        return cards.error_message("That order no longer exists in Salesforce.")
    return order_card(
        status,
        record_url=svc.record_url,
        now=svc.now(),
        tz=svc.tz,
        shared_by=shared_by,
        watching=None if shared_by else is_watching(svc, viewer, status.record["Id"]),
    )


ORDERS_WHO = "`/orders` lists one person's not-dones (`@name`) or an account's (its name)."


def orders_answer(
    svc: Services, client: WebClient, user_id: str, question: str, *, shared_by: str | None = None
) -> Message:
    """The not-dones ``question`` asks for (the command's text in Slack's form, as
    :meth:`bot.text.Argument.to_slack` writes it): the asker's (``mine`` or nothing), a
    mentioned person's, or those of the accounts whose name contains the text."""
    arg = read_argument(question)
    problem = not_one_person(arg, ORDERS_WHO)
    if problem is not None:
        return problem
    try:
        who = person_for(svc, client, user_id, arg, shared=bool(shared_by))
    except UnmappedUser as exc:
        return cards.error_message(str(exc))
    today = svc.today()
    if who is not None:
        title, email = who
        nd = svc.orders.not_dones(today, owner_email=email)
        title = "your orders" if title == "you" else title
    else:
        if arg.mention is not None:  # a channel: no account is named like that
            return cards.usage_message(ORDERS_USAGE, f"{arg.text} is a channel. {ORDERS_WHO}")
        nd = svc.orders.not_dones(today, account_name=arg.text)
        title = f"accounts matching “{arg.text}”"
    listing = not_done_list(
        title,
        nd,
        record_url=svc.record_url,
        now=svc.now(),
        tz=svc.tz,
        stuck_days=svc.settings.stuck_days,
    )
    return cards.with_list_actions(listing, CardKind.ORDERS, arg.to_slack(), user_id, shared_by)
