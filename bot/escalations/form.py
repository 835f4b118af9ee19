"""The escalation modal's values: read and checked into a :class:`Draft`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.accounts.queries import is_account_id
from bot.escalations import views as ec
from bot.orders.queries import parse_order_ref
from bot.payloads import FORM_OUT_OF_DATE, Refused, Submission
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


def read_form(form: Submission, now: dt.datetime) -> tuple[Draft | None, dict[str, str]]:
    """The modal's values as a Draft, or the errors to show next to the inputs.

    Raises:
        Refused: the submitted state does not have the modal's shape (an older form).
    """
    errors: dict[str, str] = {}
    account = form.option("account", ec.ACCOUNT_ACTION)
    if account is not None and account[0] == ec.NO_ACCOUNT:  # "no match", "slow": no pick
        account = None
    order_text = (form.text("order", "order_input") or "").strip()
    category = form.option("category", "category_select")
    severity = form.option("severity", "severity_select")
    description = (form.text("description", "description_input") or "").strip()
    due_raw = form.epoch("due", "due_input")

    if account is not None and not is_account_id(account[0]):
        raise Refused("the escalation form's account is not an Account Id", FORM_OUT_OF_DATE)
    order_ref = parse_order_ref(order_text) if order_text else None
    if order_text and order_ref is None:
        other = record_ref(order_text)  # a link to the account, say: named for what it is
        errors["order"] = (
            f"That is {other.what}, not an order: give the order number (like 00000123) "
            "or the order's Id or link."
            if other is not None
            else "That is not an order number (like 00000123) or a Salesforce order Id."
        )
    if account is None and not order_text:
        errors["account"] = "Pick the account (or give an order number below)."
    if category is None or category[0] not in ec.CATEGORY_LABELS:
        errors["category"] = "Choose a category."
    if severity is None or severity[0] not in ec.SEVERITY_LABELS:
        errors["severity"] = "Choose a severity."
    if len(description) < MIN_DESCRIPTION:
        errors["description"] = (
            f"Describe the problem in at least {MIN_DESCRIPTION} characters, so a manager "
            "can act on it."
        )
    due_at = None
    if due_raw is not None:
        try:
            due_at = dt.datetime.fromtimestamp(due_raw, dt.UTC)
        except (OverflowError, OSError, ValueError):
            errors["due"] = "That is not a date and time."
        else:
            if due_at <= now:
                errors["due"] = "That time has already passed. Pick a time in the future."
    if errors or category is None or severity is None:
        return None, errors
    return (
        Draft(
            reporter=form.user_id,
            category=category[0],
            severity=severity[0],
            description=description[:3000],
            account_id=account[0] if account else None,
            account_name=account[1].split(" · ")[0] if account else None,
            order_ref=order_ref,
            due_at=due_at,
        ),
        {},
    )
