"""The answers to the status commands, as messages: domain lookups + cards + cache.

Listeners stay thin: they acknowledge, parse the command and call one of these on the
worker pool. Cached values are keyed by record; "Refresh" always goes to Salesforce.
"""

from __future__ import annotations

from slack_sdk import WebClient

from . import cards
from .accounts import AccountStatus, Lookup
from .cards import Message
from .orders import OrderStatus, parse_order_ref
from .services import Services, UnmappedUser
from .text import escape_slack, parse_mention

ACCOUNT_USAGE = (
    "*/account* `<name | account number | Salesforce Id | Salesforce URL>`\n"
    "Shows where an account stands: owner, pipeline, bookings this quarter, open orders, "
    "open cases, contracts ending soon, last activity and a health flag.\n"
    "Examples: `/account Acme`, `/account A-10023`, `/account 001…` or a pasted Salesforce link."
)
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
PIPELINE_USAGE = (
    "*/pipeline* `[mine | @user | team]`\n"
    "This quarter's open pipeline by forecast category and stage, closed-won so far, deals "
    "closing this week and slipped deals.\nExamples: `/pipeline`, `/pipeline @raj`, "
    "`/pipeline smb-east`"
)

HELP_WORDS = frozenset({"help", "-h", "--help", "?", "usage"})


def is_help(text: str) -> bool:
    return text.strip().lower() in HELP_WORDS


# --- accounts -----------------------------------------------------------------------


def _account_status(svc: Services, account_id: str, *, fresh: bool) -> AccountStatus | None:
    key = ("account", account_id[:15])
    if not fresh:
        hit = svc.cache.get(key)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
    status = svc.accounts.by_id(account_id, svc.today())
    if status is not None:
        svc.cache.put(key, status)
    return status


def account_card_for(
    svc: Services, account_id: str, *, fresh: bool = False, shared_by: str | None = None
) -> Message:
    status = _account_status(svc, account_id, fresh=fresh)
    if status is None:
        return cards.error_message("That account no longer exists in Salesforce.")
    return cards.account_card(
        status, record_url=svc.record_url, now=svc.now(), tz=svc.tz, shared_by=shared_by
    )


def account_answer(svc: Services, text: str) -> Message:
    # The search cache remembers which account a text found, never the card itself: the
    # card always comes from the per-account entry, which "Refresh" replaces.
    key = ("account_search", text.strip().lower())
    found: Lookup | None = svc.cache.get(key)
    if found is None:
        found = svc.accounts.find(text, svc.today())
        if found.status is not None:
            svc.cache.put(("account", found.status.id[:15]), found.status)
            svc.cache.put(key, Lookup(resolved_id=found.status.id))
        else:
            svc.cache.put(key, found)
    account_id = found.resolved_id or (found.status.id if found.status else None)
    if account_id is not None:
        return account_card_for(svc, account_id)
    if found.matches:
        return cards.account_picker(text, found.matches, found.total)
    return cards.not_found(
        "account",
        text,
        found.suggestions,
        "Try part of the name, the account number, or paste its link.",
    )


# --- orders -------------------------------------------------------------------------


def _order_status(svc: Services, kind: str, value: str, *, fresh: bool) -> OrderStatus | None:
    key = ("order", kind, value[:15] if kind == "id" else value)
    if not fresh:
        hit = svc.cache.get(key)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
    status = svc.orders.get(kind, value, svc.today())
    if status is not None:
        svc.cache.put(key, status)
        svc.cache.put(("order", "id", status.record["Id"][:15]), status)
    return status


def order_answer(svc: Services, text: str) -> Message:
    ref = parse_order_ref(text)
    if ref is None:
        return cards.usage_message(ORDER_USAGE, f"'{text}' is not an order number or Id.")
    status = _order_status(svc, ref[0], ref[1], fresh=False)
    if status is None:
        return cards.not_found("order", ref[1], [], "Order numbers look like 00000123.")
    return cards.order_card(status, record_url=svc.record_url, now=svc.now(), tz=svc.tz)


def order_card_for(
    svc: Services, order_id: str, *, fresh: bool = False, shared_by: str | None = None
) -> Message:
    status = _order_status(svc, "id", order_id, fresh=fresh)
    if status is None:
        return cards.error_message("That order no longer exists in Salesforce.")
    return cards.order_card(
        status, record_url=svc.record_url, now=svc.now(), tz=svc.tz, shared_by=shared_by
    )


def card_for(
    svc: Services,
    kind: str,
    record_id: str,
    *,
    fresh: bool = False,
    shared_by: str | None = None,
    client: WebClient | None = None,
    asker: str | None = None,
) -> Message:
    """Re-render what a Share or Refresh button points at (``record_id`` is a list's
    question for /orders and /pipeline, asked by ``asker``)."""
    if kind == "account":
        return account_card_for(svc, record_id, fresh=fresh, shared_by=shared_by)
    if kind == "order":
        return order_card_for(svc, record_id, fresh=fresh, shared_by=shared_by)
    if kind in ("orders", "pipeline") and client is not None and asker:
        answer = orders_answer if kind == "orders" else pipeline_answer
        return answer(svc, client, asker, record_id, shared_by=shared_by)
    return cards.error_message("That card can no longer be refreshed.")


# --- who: mine | @user | other ------------------------------------------------------


def _person(
    svc: Services, client: WebClient, user_id: str, text: str, *, shared: bool = False
) -> tuple[str, str] | None:
    """(title, owner e-mail) for '', 'mine', 'me' or a mention; None for other text. The
    title is "you" for the asker's own, unless the answer is shared in a channel."""
    t = text.strip()
    target = user_id if t.lower() in ("", "mine", "me", "my") else parse_mention(t)
    if target is None:
        return None
    person = svc.salesforce_user(client, target)
    title = "you" if target == user_id and not shared else person.name
    return title, person.email


def _unknown_person(text: str) -> Message | None:
    """'@name' that Slack did not turn into a mention is nobody Slack knows."""
    t = text.strip()
    if t.startswith("@") and parse_mention(t) is None:
        return cards.error_message(
            f"I don't know who *{escape_slack(t)}* is. Pick the person from Slack's @ list so "
            "the name becomes a mention."
        )
    return None


def orders_answer(
    svc: Services, client: WebClient, user_id: str, text: str, *, shared_by: str | None = None
) -> Message:
    unknown = _unknown_person(text)
    if unknown is not None:
        return unknown
    try:
        who = _person(svc, client, user_id, text, shared=bool(shared_by))
    except UnmappedUser as exc:
        return cards.error_message(str(exc))
    today = svc.today()
    if who is not None:
        title, email = who
        nd = svc.orders.not_dones(today, owner_email=email)
        title = "your orders" if title == "you" else title
    else:
        if text.startswith("<#") or text.startswith("<!"):
            return cards.usage_message(ORDERS_USAGE, "Name a person or an account.")
        nd = svc.orders.not_dones(today, account_name=text)
        title = f"accounts matching “{text}”"
    listing = cards.not_done_list(
        title,
        nd,
        record_url=svc.record_url,
        now=svc.now(),
        tz=svc.tz,
        stuck_days=svc.settings.stuck_days,
    )
    return cards.with_list_actions(listing, "orders", text, user_id, shared_by)


def pipeline_answer(
    svc: Services, client: WebClient, user_id: str, text: str, *, shared_by: str | None = None
) -> Message:
    t = text.strip()
    unknown = _unknown_person(t)
    if unknown is not None:
        return unknown
    team = svc.teams.get(t) if t and not t.startswith("<") else None
    if team is not None:
        if not team.owners:
            return cards.error_message(f"Team {team.name} lists no owners in the teams file.")
        emails, title = list(team.owners), f"team {team.name}"
    else:
        try:
            who = _person(svc, client, user_id, t, shared=bool(shared_by))
        except UnmappedUser as exc:
            return cards.error_message(str(exc))
        if who is None:
            names = ", ".join(f"`{x.name}`" for x in svc.teams.teams) or "none configured"
            return cards.usage_message(
                PIPELINE_USAGE, f"“{t}” is not a team or a person. Teams: {names}."
            )
        title, email = who
        emails = [email]
    p = svc.pipeline.for_owners(emails, svc.today())
    card = cards.pipeline_card(title, p, record_url=svc.record_url, now=svc.now(), tz=svc.tz)
    return cards.with_list_actions(card, "pipeline", t, user_id, shared_by)
