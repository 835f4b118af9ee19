"""What the escalation modal can be pre-filled with, found within a small time budget.

The modal must open within the trigger_id's 3 seconds, so every Salesforce look-up here
runs on the small look-up queue with a hard deadline (:meth:`Services.quick_call`); when
it is not back in time, or that queue is full, the modal opens without it (the account
select searches Salesforce as the user types). Only records the reporter's Salesforce
user may read are ever filled in (bot/visibility.py).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from bot import visibility
from bot.accounts.queries import TYPEAHEAD_OPTIONS
from bot.escalations.views import Prefill, account_option_label
from bot.orders.queries import parse_order_ref
from bot.people import identify
from bot.records import record_ref, wrong_record
from bot.text import Argument

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

BUDGET = 1.2  # seconds for a look-up before views.open


def _within(services: Services, fn: Any, budget: float) -> Any:
    try:
        return services.quick_call(fn, timeout=budget, what="escalation prefill")
    except Exception as exc:  # too slow, too busy, or Salesforce failed: no prefill
        log.info("escalation prefill skipped (%s)", type(exc).__name__)
        return None


def _readable(services: Services, viewer: str, record_id: str | None) -> bool:
    return bool(record_id) and record_id in visibility.readable_ids(
        services, viewer, [record_id or ""]
    )


def from_argument(
    services: Services, viewer: str, arg: Argument, *, budget: float = BUDGET
) -> Prefill:
    """``/escalate <account or order>`` typed by ``viewer``: ``arg`` read as Slack sends it
    (a link is what was typed, a link to a Salesforce record is that record)."""
    mention = arg.mention
    if mention is not None:
        what = mention.typed[:80] if mention.label or mention.kind == "special" else "That"
        kind = {"user": "a person", "channel": "a channel"}.get(mention.kind, "a group")
        return Prefill(note=f"{what} is {kind}, not an account: pick the account below.")
    return from_text(services, viewer, arg.text, budget=budget)


MAX_SEARCHED = 200  # characters of a name searched for (a record link is read whole)


def from_text(services: Services, viewer: str, text: str, *, budget: float = BUDGET) -> Prefill:
    """An account or order as typed by ``viewer``: an order number or Id (or its link), an
    account Id (or its link), or an account name (its first ``MAX_SEARCHED`` characters:
    read first, then cut, so a long Salesforce link still names its record); only records
    they may read. A link to any other record is said to be one."""
    text = text.strip()
    if not text:
        return Prefill()
    ref = parse_order_ref(text)
    if ref is not None:
        if ref[0] == "number":
            return Prefill(order_number=ref[1])
        return from_order_id(services, viewer, ref[1], budget=budget)
    record = record_ref(text)
    if record is not None:
        if record.is_a("Account"):
            return from_account_id(services, viewer, record.id, budget=budget)
        return Prefill(
            note=wrong_record(record, "an account or an order", "Pick the account below.")
        )
    text = text[:MAX_SEARCHED]
    matches = _within(services, lambda: search_options(services, viewer, text), budget)
    if matches is None:
        return Prefill(note=f"Pick the account for “{text[:80]}” below.")
    exact = [m for m in matches if m.name.lower() == text.lower()]
    chosen = exact[0] if len(exact) == 1 else (matches[0] if len(matches) == 1 else None)
    if chosen is None:
        note = (
            f"{len(matches):,} accounts match “{text[:80]}”: pick one below."
            if matches
            else f"No account matches “{text[:80]}”: search below, or give an order number."
        )
        return Prefill(note=note)
    place = ", ".join(p for p in (chosen.city, chosen.state) if p) or None
    return Prefill(
        account_id=chosen.id,
        account_name=account_option_label(chosen.name, chosen.number, place),
    )


def search_options(services: Services, viewer: str, text: str) -> list[Any]:
    """Accounts whose name contains ``text`` that ``viewer`` may read (the type-ahead).

    Raises AccessRefused before searching when ``viewer`` is not someone acctbot serves."""
    identify(services, viewer)
    if not visibility.enforced(services):
        return services.accounts.search_options(text)
    # Read a whole access check's worth (200) and keep the best readable ones: the first
    # 50 by name may all be hidden from this person while readable matches follow.
    matches = services.accounts.search_options(text, limit=visibility.MAX_IDS_PER_QUERY)
    readable = visibility.readable_records(services, viewer, matches, lambda m: m.id)
    return readable[:TYPEAHEAD_OPTIONS]


def from_account_id(
    services: Services, viewer: str, account_id: str, *, budget: float = BUDGET
) -> Prefill:
    def load() -> tuple[str, str] | None:
        cached = services.cache.get(("account", account_id[:15]))
        found: tuple[str, str] | None
        if cached is not None:
            found = (cached.id, cached.name)
        else:
            recs = services.salesforce.query_records(
                "SELECT Id, Name FROM Account WHERE Id = {}", account_id
            )
            found = (recs[0]["Id"], recs[0]["Name"]) if recs else None
        return found if found and _readable(services, viewer, found[0]) else None

    found = _within(services, load, budget)
    if found:
        return Prefill(account_id=found[0], account_name=found[1])
    return Prefill(note="Pick the account below.")


def from_order_id(
    services: Services, viewer: str, order_id: str, *, budget: float = BUDGET
) -> Prefill:
    def load() -> dict[str, Any] | None:
        cached = services.cache.get(("order", "id", order_id[:15]))
        rec = cached.record if cached is not None else None
        if rec is None:
            recs = services.salesforce.query_records(
                "SELECT Id, OrderNumber, AccountId, Account.Name FROM Order WHERE Id = {}",
                order_id,
            )
            rec = recs[0] if recs else None
        return rec if rec and _readable(services, viewer, rec["Id"]) else None

    rec = _within(services, load, budget)
    if rec is None:
        return Prefill(order_number=order_id)
    account = rec.get("Account") or {}
    return Prefill(
        account_id=rec.get("AccountId") if account.get("Name") else None,
        account_name=account.get("Name"),
        order_number=str(rec["OrderNumber"]),
    )


def from_card(services: Services, viewer: str, kind: str, record_id: str) -> Prefill:
    """The "Escalate" button on an account or order card, pressed by ``viewer``."""
    if kind == "order":
        return from_order_id(services, viewer, record_id)
    return from_account_id(services, viewer, record_id)
