"""Orders: one order's status, and the "not dones" (stuck and overdue orders)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from bot.accounts.queries import Desk, not_done_age, order_stuck_reason

_ORDER_ID = re.compile(r"^801[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$")
_ORDER_ID_IN_URL = re.compile(r"/(801[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?)(?:[/?#]|$)")
_ORDER_NUMBER = re.compile(r"^#?0*(\d{1,10})$")

ORDER_SELECT = (
    "SELECT Id, OrderNumber, Name, Status, StatusCode, Type, EffectiveDate, EndDate, "
    "ActivatedDate, CreatedDate, TotalAmount, Description, PoNumber, "
    "AccountId, Account.Name, Owner.Name, Owner.Email, "
    "Contract.ContractNumber, Contract.Status, Contract.EndDate, "
    "(SELECT Id, Quantity, UnitPrice, TotalPrice, Product2.Name, Product2.ProductCode"
    " FROM OrderItems ORDER BY TotalPrice DESC NULLS LAST LIMIT 200) "
    "FROM Order "
)

NOT_DONE_SELECT = (
    "SELECT Id, OrderNumber, Status, StatusCode, EffectiveDate, CreatedDate, TotalAmount, "
    "AccountId, Account.Name, Owner.Name FROM Order "
    "WHERE StatusCode = 'Draft' AND ((Status = {} AND EffectiveDate < TODAY) "
    "OR CreatedDate < LAST_N_DAYS:{}) "
)


@dataclass
class OrderStatus:
    record: dict[str, Any]
    items: list[dict[str, Any]]
    today: dt.date
    stuck_reason: str | None

    @property
    def number(self) -> str:
        return str(self.record["OrderNumber"])

    @property
    def is_activated(self) -> bool:
        return self.record.get("StatusCode") == "Activated"


@dataclass
class NotDone:
    record: dict[str, Any]
    reason: str
    age_days: int


@dataclass
class NotDoneList:
    orders: list[NotDone] = field(default_factory=list)  # oldest first
    total: int = 0  # all that match; more than len(orders) past the first 2,000

    @property
    def amount(self) -> float:
        return sum(n.record.get("TotalAmount") or 0.0 for n in self.orders)


def parse_order_ref(text: str) -> tuple[str, str] | None:
    """('id', Id) or ('number', '00000123') for what a user typed, else None."""
    t = text.strip()
    m = _ORDER_ID_IN_URL.search(t)
    if m:
        return "id", m.group(1)
    if _ORDER_ID.match(t):
        return "id", t
    m = _ORDER_NUMBER.match(t)
    if m:
        return "number", m.group(1).zfill(8)
    return None


class OrderDesk(Desk):
    def _stuck(self, rec: dict[str, Any], today: dt.date) -> str | None:
        draft = self.vocabulary().draft_status
        return order_stuck_reason(rec, today, self.tz, self.stuck_days, draft)

    def get(self, kind: str, value: str, today: dt.date) -> OrderStatus | None:
        where = "WHERE Id = {}" if kind == "id" else "WHERE OrderNumber = {}"
        recs = self.sf.query_records(ORDER_SELECT + where + " LIMIT 1", value)
        if not recs:
            return None
        rec = recs[0]
        items = list(rec["OrderItems"]["records"]) if rec.get("OrderItems") else []
        return OrderStatus(
            record=rec,
            items=items,
            today=today,
            stuck_reason=self._stuck(rec, today),
        )

    def not_dones(
        self,
        today: dt.date,
        *,
        owner_email: str | None = None,
        account_name: str | None = None,
    ) -> NotDoneList:
        """Stuck and overdue orders, oldest first, for an owner or an account name.

        One request: the first page (up to 2,000 orders, more than any rep has) is read
        whole and sorted by age here, since an order's age runs from its effective date
        (drafts) or its creation (the rest), an order SOQL cannot sort by.
        """
        draft = self.vocabulary().draft_status
        args: list[Any] = [draft, self.stuck_days]
        if owner_email is not None:
            template = NOT_DONE_SELECT + "AND (Owner.Email = {} OR Account.Owner.Email = {}) "
            args += [owner_email, owner_email]
        elif account_name is not None:
            template = NOT_DONE_SELECT + "AND Account.Name LIKE '%{:like}%' "
            args += [account_name]
        else:
            template = NOT_DONE_SELECT
        result = self.sf.query(template + "ORDER BY EffectiveDate ASC, CreatedDate ASC", *args)
        out = NotDoneList(total=int(result["totalSize"]))
        for rec in result["records"]:
            reason = order_stuck_reason(rec, today, self.tz, self.stuck_days, draft)
            if reason is None:  # boundary: created exactly N days ago in another zone
                out.total -= 1
                continue
            out.orders.append(NotDone(rec, reason, not_done_age(rec, today, self.tz, draft)))
        out.orders.sort(key=lambda n: -n.age_days)
        return out
