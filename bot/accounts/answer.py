"""/account: find the account a person typed and answer with its card (or a picker).

The search cache remembers which account a text found, never the card itself: the card
always comes from the per-account entry, which "Refresh" replaces.
"""

from __future__ import annotations

from bot import blocks as cards
from bot.accounts.card import account_card, account_picker
from bot.accounts.queries import AccountStatus, Lookup
from bot.blocks import Message
from bot.services import Services
from bot.text import Argument
from bot.watches.service import is_watching

ACCOUNT_USAGE = (
    "*/account* `<name | account number | Salesforce Id | Salesforce URL>`\n"
    "Shows where an account stands: owner, pipeline, bookings this quarter, open orders, "
    "open cases, contracts ending soon, last activity and a health flag.\n"
    "Examples: `/account Acme`, `/account A-10023`, `/account 001…` or a pasted Salesforce link."
)


def _account_status(svc: Services, account_id: str, *, fresh: bool) -> AccountStatus | None:
    key = ("account", account_id[:15])
    if not fresh:
        hit = svc.cache.get(key)
        if hit is not None:
            return hit
    status = svc.accounts.by_id(account_id, svc.today())
    if status is not None:
        svc.cache.put(key, status)
    return status


def account_card_for(
    svc: Services,
    account_id: str,
    *,
    fresh: bool = False,
    shared_by: str | None = None,
    viewer: str | None = None,
) -> Message:
    """The card of one account (cached unless ``fresh``), for ``viewer`` (the Slack user
    who sees this private copy: its Watch button says whether they watch it)."""
    status = _account_status(svc, account_id, fresh=fresh)
    if status is None:
        return cards.error_message("That account no longer exists in Salesforce.")
    return account_card(
        status,
        record_url=svc.record_url,
        now=svc.now(),
        tz=svc.tz,
        shared_by=shared_by,
        watching=None if shared_by else is_watching(svc, viewer, status.id),
    )


def account_answer(svc: Services, arg: Argument, viewer: str | None = None) -> Message:
    """The card of the account ``arg`` names (name, account number, Id, or a link to it),
    a picker when several match, or "no match" with the closest names. ``viewer``: the
    Slack user who asked (the card's Watch button is theirs)."""
    mention = arg.mention
    if mention is not None:
        what = {"user": "a person", "channel": "a channel"}.get(mention.kind, "a group of people")
        return cards.usage_message(
            ACCOUNT_USAGE,
            f"{arg.text} is {what}, not an account. For someone's orders: "
            "/orders @name; their quarter: /pipeline @name.",
        )
    text = arg.text
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
        return account_card_for(svc, account_id, viewer=viewer)
    if found.matches:
        return account_picker(text, found.matches, found.total)
    return cards.not_found(
        "account",
        text,
        found.suggestions,
        "Try part of the name, the account number, or paste its link.",
    )
