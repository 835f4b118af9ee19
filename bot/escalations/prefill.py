"""What the escalation modal can be pre-filled with, found within a small time budget.

The modal must open within the trigger_id's 3 seconds, so every Salesforce look-up here
runs with a deadline; when it is not back in time the modal opens without it (the
account select searches Salesforce as the user types).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.accounts.queries import extract_account_id
from bot.escalations.views import Prefill, account_option_label
from bot.orders.queries import parse_order_ref
from bot.text import Argument

if TYPE_CHECKING:
    from bot.services import Services

BUDGET = 1.2  # seconds for a look-up before views.open


def _within(services: Services, fn: Any, budget: float) -> Any:
    try:
        return services.submit(fn, what="escalation prefill").result(timeout=budget)
    except Exception:  # too slow (a TimeoutError too), or Salesforce failed: no prefill
        return None


def from_argument(services: Services, arg: Argument, *, budget: float = BUDGET) -> Prefill:
    """``/escalate <account or order>``: ``arg`` read as Slack sends it (a link is what was
    typed, a link to a Salesforce record is that record)."""
    mention = arg.mention
    if mention is not None:
        return Prefill(note=f"{arg.text[:80]} is not an account: pick the account below.")
    return from_text(services, arg.text[:200], budget=budget)


def from_text(services: Services, text: str, *, budget: float = BUDGET) -> Prefill:
    """An account or order as typed: an order number or Id (or its link), an account Id
    (or its link), or an account name."""
    text = text.strip()
    if not text:
        return Prefill()
    ref = parse_order_ref(text)
    if ref is not None:
        if ref[0] == "number":
            return Prefill(order_number=ref[1])
        return from_order_id(services, ref[1], budget=budget)
    account_id = extract_account_id(text)
    if account_id:
        return from_account_id(services, account_id, budget=budget)
    matches = _within(services, lambda: services.accounts.search_options(text), budget)
    if matches is None:
        return Prefill(note=f"Pick the account for “{text[:80]}” below.")
    exact = [m for m in matches if m.name.lower() == text.lower()]
    chosen = exact[0] if len(exact) == 1 else (matches[0] if len(matches) == 1 else None)
    if chosen is None:
        note = (
            f"{len(matches)} accounts match “{text[:80]}”: pick one below."
            if matches
            else f"No account matches “{text[:80]}”: search below, or give an order number."
        )
        return Prefill(note=note)
    place = ", ".join(p for p in (chosen.city, chosen.state) if p) or None
    return Prefill(
        account_id=chosen.id,
        account_name=account_option_label(chosen.name, chosen.number, place),
    )


def from_account_id(services: Services, account_id: str, *, budget: float = BUDGET) -> Prefill:
    cached = services.cache.get(("account", account_id[:15]))
    if cached is not None:
        return Prefill(account_id=cached.id, account_name=cached.name)
    recs = _within(
        services,
        lambda: services.salesforce.query_records(
            "SELECT Id, Name FROM Account WHERE Id = {}", account_id
        ),
        budget,
    )
    if recs:
        return Prefill(account_id=recs[0]["Id"], account_name=recs[0]["Name"])
    return Prefill(note="Pick the account below.")


def from_order_id(services: Services, order_id: str, *, budget: float = BUDGET) -> Prefill:
    cached = services.cache.get(("order", "id", order_id[:15]))
    rec = cached.record if cached is not None else None
    if rec is None:
        recs = _within(
            services,
            lambda: services.salesforce.query_records(
                "SELECT Id, OrderNumber, AccountId, Account.Name FROM Order WHERE Id = {}",
                order_id,
            ),
            budget,
        )
        rec = recs[0] if recs else None
    if rec is None:
        return Prefill(order_number=order_id)
    account = rec.get("Account") or {}
    return Prefill(
        account_id=rec.get("AccountId") if account.get("Name") else None,
        account_name=account.get("Name"),
        order_number=str(rec["OrderNumber"]),
    )


def from_card(services: Services, kind: str, record_id: str) -> Prefill:
    """The "Escalate" button on an account or order card."""
    if kind == "order":
        return from_order_id(services, record_id)
    return from_account_id(services, record_id)
