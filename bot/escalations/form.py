"""The escalation modal's values: read and checked into a :class:`Draft`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bot.escalations import views as ec
from bot.orders.queries import parse_order_ref
from bot.records import record_ref

MIN_DESCRIPTION = 10


@dataclass
class Draft:
    reporter: str
    category: str
    severity: str
    description: str
    account_id: str | None = None
    account_name: str | None = None
    order_ref: tuple[str, str] | None = None  # ("number", "00000123") or ("id", "801...")
    order_id: str | None = None
    order_number: str | None = None
    due_at: dt.datetime | None = None


def _state_value(values: dict[str, Any], block: str, action: str) -> dict[str, Any]:
    return (values.get(block) or {}).get(action) or {}


def read_form(
    view: dict[str, Any], reporter: str, now: dt.datetime
) -> tuple[Draft | None, dict[str, str]]:
    """The modal's values as a Draft, or the errors to show next to the inputs."""
    values = (view.get("state") or {}).get("values") or {}
    errors: dict[str, str] = {}
    account = _state_value(values, "account", ec.ACCOUNT_ACTION).get("selected_option") or {}
    order_text = (_state_value(values, "order", "order_input").get("value") or "").strip()
    category = _state_value(values, "category", "category_select").get("selected_option") or {}
    severity = _state_value(values, "severity", "severity_select").get("selected_option") or {}
    description = _state_value(values, "description", "description_input").get("value") or ""
    due_raw = _state_value(values, "due", "due_input").get("selected_date_time")

    order_ref = parse_order_ref(order_text) if order_text else None
    if order_text and order_ref is None:
        other = record_ref(order_text)  # a link to the account, say: named for what it is
        errors["order"] = (
            f"That is {other.what}, not an order: give the order number (like 00000123) "
            "or the order's Id or link."
            if other is not None
            else "That is not an order number (like 00000123) or a Salesforce order Id."
        )
    if not account.get("value") and not order_text:
        errors["account"] = "Pick the account (or give an order number below)."
    if category.get("value") not in ec.CATEGORY_LABELS:
        errors["category"] = "Choose a category."
    if severity.get("value") not in ec.SEVERITY_LABELS:
        errors["severity"] = "Choose a severity."
    description = description.strip()
    if len(description) < MIN_DESCRIPTION:
        errors["description"] = (
            f"Describe the problem in at least {MIN_DESCRIPTION} characters, so a manager "
            "can act on it."
        )
    due_at = None
    if due_raw not in (None, ""):
        try:
            due_at = dt.datetime.fromtimestamp(int(due_raw), dt.UTC)
        except (TypeError, ValueError):
            errors["due"] = "That is not a date and time."
        else:
            if due_at <= now:
                errors["due"] = "That time has already passed. Pick a time in the future."
    if errors:
        return None, errors
    name = (account.get("text") or {}).get("text")
    return (
        Draft(
            reporter=reporter,
            category=str(category["value"]),
            severity=str(severity["value"]),
            description=description,
            account_id=account.get("value") or None,
            account_name=name.split(" · ")[0] if name else None,
            order_ref=order_ref,
            due_at=due_at,
        ),
        {},
    )
