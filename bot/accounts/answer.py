"""/account: find the account a person typed and answer with its card (or a picker).

The caches hold what the integration user read, per account and per search text; what a
person sees is cut from that for them on every answer (bot/visibility.py), so one
person's answer never reaches another. With ``ACCTBOT_VISIBILITY=salesforce`` an
account they may not read is refused without any of its figures when they give its Id
or link, and is simply not found when they search by name or number (as Salesforce's
own search would not show it); a card shows only the deals, orders, cases and contracts
they may read (its totals and health are of those).
The search cache remembers which account a text found, never the card itself: the card
always comes from the per-account entry, which "Refresh" replaces.
"""

from __future__ import annotations

from bot import blocks as cards
from bot import visibility
from bot.accounts.card import account_card, account_picker
from bot.accounts.queries import MAX_MATCHES, AccountStatus, Lookup, extract_account_id
from bot.accounts.search import readable_suggestions, visible_matches
from bot.blocks import Message
from bot.people import identify
from bot.records import record_ref, wrong_record
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
        if hit is not None and (hit.checked or not visibility.enforced(svc)):
            return hit
    status = svc.accounts.by_id(account_id, svc.today(), probe=visibility.enforced(svc))
    if status is not None:
        svc.cache.put(key, status)
    return status


def visible_status(
    svc: Services, viewer: str, status: AccountStatus, *, fresh: bool = False
) -> AccountStatus | str | None:
    """``status`` as ``viewer`` may see it: None when they may not read the account; a
    refusal (str) when acctbot cannot show it exactly; else the status, read again for
    the deals and cases they may read when they may not read them all (one access check
    for every record the card rests on; the extra read only then)."""
    person = identify(svc, viewer)
    if not visibility.enforced(svc):
        return status
    checked = status.checked
    listed = [
        r["Id"]
        for r in (status.next_close, status.biggest, status.last_activated, *status.escalated)
        if r
    ]
    ids = [status.id, *(i for ids in checked.values() for i in ids), *listed]
    readable = visibility.readable_by(svc, person, ids, fresh=fresh)
    if status.id not in readable:
        return None
    if any(i not in readable for i in (*checked.get("orders", ()), *checked.get("contracts", ()))):
        # Orders and contracts follow their account in Salesforce; if this org says
        # otherwise for this person, no figure of the card could be exact for them.
        return (
            ":lock: Some of this account's orders or contracts are hidden from your "
            "Salesforce user, so acctbot can't show its figures exactly. Open it in "
            "Salesforce."
        )
    deals = [i for i in checked.get("deals", ()) if i in readable]
    cases = [i for i in checked.get("cases", ()) if i in readable]
    whole = len(deals) == len(checked.get("deals", ())) and len(cases) == len(
        checked.get("cases", ())
    )
    if whole and all(i in readable for i in listed):
        return status
    # Cached by what is readable (not by person): whoever may read exactly these deals
    # and cases sees exactly this card.
    key = ("account_part", status.id[:15], tuple(sorted(set(deals))), tuple(sorted(set(cases))))
    part: AccountStatus | None = None if fresh else svc.cache.get(key)
    if part is None:
        part = svc.accounts.by_id(
            status.id, status.today, deal_ids=tuple(deals), case_ids=tuple(cases)
        )
        if part is not None:
            svc.cache.put(key, part)
    return part


def shown_ids(status: AccountStatus) -> tuple[str, ...]:
    """The record Ids a card names (for the audit log)."""
    named = (status.next_close, status.biggest, status.last_activated, *status.escalated,
             *status.contracts)  # fmt: skip
    return (status.id, *(r["Id"] for r in named if r and r.get("Id")))


def denied(kind: str, record_id: str, shared_by: str | None = None) -> Message:
    """The refusal for a record the viewer's Salesforce user may not read: no figures."""
    if shared_by:
        text = (
            f":lock: <@{shared_by}>'s Salesforce user can no longer see that {kind}, so this "
            "shared card can't be shown."
        )
    else:
        text = (
            f":lock: Your Salesforce user can't see that {kind}, so I can't show it here. "
            "Ask its owner or a Salesforce admin to share it with you."
        )
    msg = cards.refusal_message(text, outcome="denied")
    msg.record_ids = (record_id,)
    return msg


def account_card_for(
    svc: Services,
    account_id: str,
    *,
    viewer: str,
    fresh: bool = False,
    shared_by: str | None = None,
) -> Message:
    """The account's card as ``viewer`` (the asker, or the sharer of a shared card) may
    see it, or why not."""
    status = _account_status(svc, account_id, fresh=fresh)
    if status is None:
        msg = cards.error_message("That account no longer exists in Salesforce.")
        msg.outcome, msg.record_ids = "not_found", (account_id,)
        return msg
    seen = visible_status(svc, viewer, status, fresh=fresh)
    if seen is None:
        return denied("account", status.id, shared_by)
    if isinstance(seen, str):
        msg = cards.refusal_message(seen, outcome="denied")
        msg.record_ids = (status.id,)
        return msg
    msg = account_card(
        seen,
        record_url=svc.record_url,
        now=svc.now(),
        tz=svc.tz,
        shared_by=shared_by,
        watching=None if shared_by else is_watching(svc, viewer, seen.id),
    )
    msg.record_ids = shown_ids(seen)
    return visibility.add_scope(msg, visibility.scope_note(svc, shared_by))


def not_an_account(arg: Argument) -> str | None:
    """A plain sentence when ``arg`` is a link to (or the Id of) a Salesforce record that
    is not an account, else None. Needs no request: the key prefix or the link says."""
    ref = record_ref(arg.text)
    if ref is None or ref.is_a("Account"):
        return None
    hint = {
        "Order": "To see the order: `/order` with the same link; its account's stuck "
        "orders: `/orders` with the account's name.",
    }.get(ref.object or "", "`/account` takes an account's name, number, Id or link.")
    return wrong_record(ref, "an account", hint)


def account_answer(svc: Services, user_id: str, arg: Argument) -> Message:
    """The card of the account ``arg`` names (name, account number, Id, or a link to it)
    as ``user_id`` may see it, a picker of the matches they may read, or "no match" with
    the closest names they may read. A link to or Id of another kind of record (an order,
    an opportunity ...) is said to be one."""
    mention = arg.mention
    if mention is not None:
        what = {"user": "a person", "channel": "a channel"}.get(mention.kind, "a group of people")
        return cards.usage_message(
            ACCOUNT_USAGE,
            f"{arg.mrkdwn} is {what}, not an account. For someone's orders: "
            "/orders @name; their quarter: /pipeline @name.",
            note_mrkdwn=True,
        )
    problem = not_an_account(arg)
    if problem is not None:
        return cards.usage_message(ACCOUNT_USAGE, problem)
    text = arg.text
    # The search cache remembers which account a text found, never the card itself: the
    # card always comes from the per-account entry, which "Refresh" replaces.
    key = ("account_search", text.strip().lower())
    found: Lookup | None = svc.cache.get(key)
    if found is None:
        found = svc.accounts.find(text, svc.today(), probe=visibility.enforced(svc))
        if found.status is not None:
            svc.cache.put(("account", found.status.id[:15]), found.status)
            svc.cache.put(key, Lookup(resolved_id=found.status.id))
        else:
            svc.cache.put(key, found)
    account_id = found.resolved_id or (found.status.id if found.status else None)
    if account_id is not None:
        msg = account_card_for(svc, account_id, viewer=user_id)
        if msg.outcome == "denied" and extract_account_id(text) is None:
            # Found by name or number: like Salesforce's own search, an account they may
            # not read is not there for them (the audit log still records the denial).
            return _no_match(svc, user_id, text, None, denied=msg.record_ids)
        return msg
    if found.matches:
        return _picker(svc, user_id, text, found)
    return _no_match(svc, user_id, text, found)


def _picker(svc: Services, user_id: str, text: str, found: Lookup) -> Message:
    visible, total, exact = visible_matches(svc, user_id, found)
    if not visible:
        return _no_match(svc, user_id, text, None)
    if len(visible) == 1 and visibility.enforced(svc):
        return account_card_for(svc, visible[0].id, viewer=user_id)
    msg = account_picker(text, visible[:MAX_MATCHES], total, exact=exact)
    msg.record_ids = tuple(m.id for m in visible[:MAX_MATCHES])
    return msg


def _no_match(
    svc: Services, user_id: str, text: str, found: Lookup | None, denied: tuple[str, ...] = ()
) -> Message:
    # Suggestions come from readable accounts only, and the same way whether an account
    # the person may not read matched or nothing did (no existence oracle).
    suggestions = readable_suggestions(svc, user_id, text, found)
    msg = cards.not_found(
        "account",
        text,
        suggestions,
        "Try part of the name, the account number, or paste its link.",
    )
    if denied:
        msg.outcome, msg.record_ids = "denied", denied
    return msg
