"""Orders: one order's status, and the "not dones" (stuck and overdue orders).

An order's card is one query (its line items are a subquery: the card names the largest
and counts the rest from the child result's ``totalSize`` and the order's
``TotalAmount``, so an order of 500 items is counted right). A list of not-dones is one
composite request: the oldest by creation, the oldest overdue drafts by effective date
(an order's age runs from whichever came first, an order SOQL cannot sort by, so the
oldest N are among these two lists), and an aggregate for the exact count and amount.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.accounts.queries import Desk
from bot.cache import PART_TTL, TTLCache
from bot.infra.salesforce import format_soql, url_bytes
from bot.money import Currencies, Total
from bot.orders.rules import OrderRules
from bot.records import record_ref

_ORDER_NUMBER = re.compile(r"^#?0*(\d{1,10})$")

MAX_LISTED = 30  # not-dones a list names (the rest are counted)


def order_select(currencies: Currencies) -> str:
    """The order card's SELECT (constant text; values go in through format_soql)."""
    return (
        "SELECT Id, OrderNumber, Name, Status, StatusCode, Type, EffectiveDate, EndDate, "
        "ActivatedDate, CreatedDate, TotalAmount, Description, PoNumber, "
        "AccountId, Account.Name, ContractId, Owner.Name, Owner.Email, "
        f"Contract.ContractNumber, Contract.Status, Contract.EndDate{currencies.field}, "
        "(SELECT Id, Quantity, UnitPrice, TotalPrice, Product2.Name, Product2.ProductCode"
        " FROM OrderItems ORDER BY TotalPrice DESC NULLS LAST, Id ASC) "
        "FROM Order "
    )


def not_done_fields(currencies: Currencies) -> str:
    return (
        "SELECT Id, OrderNumber, Status, StatusCode, EffectiveDate, CreatedDate, TotalAmount, "
        f"AccountId, Account.Name, Owner.Name{currencies.field} FROM Order WHERE "
    )


@dataclass
class OrderStatus:
    record: dict[str, Any]
    items: list[dict[str, Any]]  # the largest line items (Salesforce's first page)
    today: dt.date
    stuck_reason: str | None
    item_count: int = 0  # every line item
    currency: str = "USD"  # the order's (its items are in it too)

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
    currency: str = "USD"


@dataclass
class NotDoneList:
    orders: list[NotDone] = field(default_factory=list)  # the oldest first (at most N)
    total: int = 0  # every not-done that matches
    amount: Total = field(default_factory=lambda: Total(0.0, "USD"))  # over all of them
    # How many accounts the question named (a name: those whose name contains it; an
    # Id: 0 or 1), None when it named none (an owner's); and the account's name (an Id).
    accounts: int | None = None
    account_name: str | None = None


def parse_order_ref(text: str) -> tuple[str, str] | None:
    """('id', Id) or ('number', '00000123') for what a user typed, else None: an order's
    Id or a link to it (:func:`bot.records.record_ref`), or an order number (``123``,
    ``#123``, ``00000123``). A link to or an Id of another object is None."""
    t = text.strip()
    ref = record_ref(t)
    if ref is not None:
        return ("id", ref.id) if ref.is_a("Order") else None
    m = _ORDER_NUMBER.match(t)
    if m:
        return "number", m.group(1).zfill(8)
    return None


@dataclass(frozen=True)
class NotDoneQueries:
    """One composite for the not-dones in a scope (a formatted SOQL condition).

    ``probe``: also list every not-done's Id ("ids"), to check who may read them.
    ``accounts`` (a formatted query): also the accounts the scope names, so that a name
    or an Id that names no account is told apart from an account with nothing stuck."""

    scope: str
    today: dt.date
    rules: OrderRules
    currencies: Currencies
    limit: int = MAX_LISTED
    probe: bool = False
    accounts: str | None = None

    def build(self) -> dict[str, str]:
        select = not_done_fields(self.currencies) + f"({self.scope}) AND "
        queries = {"accounts": self.accounts} if self.accounts else {}
        queries |= {
            "oldest": select
            + self.rules.not_done_soql(self.today)
            + f" ORDER BY CreatedDate ASC, Id ASC LIMIT {self.limit}",
            "overdue": select
            + self.rules.overdue_soql(self.today)
            + f" ORDER BY EffectiveDate ASC, Id ASC LIMIT {self.limit}",
            "totals": f"SELECT COUNT(Id) n, SUM(TotalAmount) amount{self.currencies.field} "
            f"FROM Order WHERE ({self.scope}) AND "
            + self.rules.not_done_soql(self.today)
            + (" GROUP BY CurrencyIsoCode" if self.currencies.multi else ""),
        }
        if self.probe:
            queries["ids"] = (
                f"SELECT Id FROM Order WHERE ({self.scope}) AND "
                + self.rules.not_done_soql(self.today)
                + " ORDER BY Id ASC"
            )
        return queries

    def read(self, found: dict[str, dict[str, Any]]) -> NotDoneList:
        rows = found["totals"]["records"]
        out = NotDoneList(
            total=sum(int(r.get("n") or 0) for r in rows),
            amount=self.currencies.total(rows, "amount"),
        )
        seen: dict[str, NotDone] = {}
        for rec in [*found["oldest"]["records"], *found["overdue"]["records"]]:
            reason = self.rules.stuck_reason(rec, self.today)
            if reason is not None and rec["Id"] not in seen:
                age = self.rules.age(rec, self.today)
                seen[rec["Id"]] = NotDone(rec, reason, age, self.currencies.of(rec))
        ordered = sorted(seen.values(), key=lambda n: (-n.age_days, n.record["OrderNumber"]))
        out.orders = ordered[: self.limit]
        named = found.get("accounts")
        if named is not None:
            out.accounts = int(named.get("totalSize") or 0)
            recs = named.get("records") or []
            out.account_name = recs[0].get("Name") if len(recs) == 1 else None
        return out

    def merge(self, parts: list[NotDoneList]) -> NotDoneList:
        """One list from the lists of disjoint scopes: counts and amounts add up, the
        oldest ``limit`` of all of them."""
        out = NotDoneList(amount=Total(0.0, self.currencies.corporate))
        for part in parts:
            out.total += part.total
            out.amount = out.amount + part.amount
            out.orders += part.orders
        out.orders.sort(key=lambda n: (-n.age_days, n.record["OrderNumber"]))
        out.orders = out.orders[: self.limit]
        return out


class OrderDesk(Desk):
    def get(self, kind: str, value: str, today: dt.date) -> OrderStatus | None:
        """One order's card (one request)."""
        vocab = self.vocabulary()
        where = "WHERE Id = {}" if kind == "id" else "WHERE OrderNumber = {}"
        recs = self.sf.query_records(order_select(vocab.currencies) + where + " LIMIT 1", value)
        if not recs:
            return None
        rec = recs[0]
        items = rec.get("OrderItems")
        return OrderStatus(
            record=rec,
            items=list(items["records"]) if items else [],
            item_count=int(items["totalSize"]) if items else 0,
            today=today,
            stuck_reason=self.rules().stuck_reason(rec, today),
            currency=vocab.currencies.of(rec),
        )

    def not_dones(
        self,
        today: dt.date,
        *,
        owner_email: str | None = None,
        account_name: str | None = None,
        account_id: str | None = None,
        limit: int = MAX_LISTED,
        readable: Callable[[list[str]], set[str]] | None = None,
        cache: TTLCache | None = None,
    ) -> NotDoneList:
        """Stuck and overdue orders for an owner (theirs, or on their accounts), for the
        account ``account_id``, or for accounts whose name contains ``account_name``: the
        oldest ``limit`` and the exact count and amount of all of them, and for an account
        Id or name how many accounts it names (``NotDoneList.accounts``: none is not an
        all-clear). One composite request.

        ``readable`` (the Ids a person may read, of the Ids given): only the not-dones
        they may read. The composite then lists every not-done's Id too; when the person
        may not read them all, the queries are asked again for those they may
        (``Id IN (...)``, as many requests as the URLs need), so the count and amount
        stay Salesforce's exact figures, of what they may read. That re-read is kept in
        ``cache`` for ``PART_TTL`` seconds, keyed by the Ids (never by person)."""
        accounts = None
        if owner_email is not None:
            scope = format_soql(
                "Owner.Email = {} OR Account.Owner.Email = {}", owner_email, owner_email
            )
        elif account_id is not None:
            scope = format_soql("AccountId = {}", account_id)
            accounts = format_soql("SELECT Id, Name FROM Account WHERE Id = {}", account_id)
        elif account_name is not None:
            scope = format_soql("Account.Name LIKE '%{:like}%'", account_name)
            accounts = format_soql(
                "SELECT COUNT() FROM Account WHERE Name LIKE '%{:like}%'", account_name
            )
        else:
            scope = "Id != null"
        rules, currencies = self.rules(), self.vocabulary().currencies
        probe = readable is not None
        queries = NotDoneQueries(
            scope, today, rules, currencies, limit, probe=probe, accounts=accounts
        )
        found = self.sf.composite_queries(queries.build())
        whole = queries.read(found)
        if readable is None:
            return whole
        ids = [r["Id"] for r in self.sf.pages(found["ids"])]
        allowed = readable(ids)
        if all(i in allowed for i in ids):
            return whole
        mine = [i for i in ids if i in allowed]

        def only(chunk: list[str]) -> NotDoneQueries:
            return NotDoneQueries(format_soql("Id IN {}", chunk), today, rules, currencies, limit)

        def longest(chunk: list[str]) -> str:
            return max(only(chunk).build().values(), key=url_bytes)

        # The re-read depends only on the Ids (and the day): whoever may read exactly
        # these not-dones shares it for PART_TTL seconds, so a warm list costs a partial
        # viewer no more requests than anyone else.
        key = ("not_dones_part", today, limit, tuple(sorted(mine)))
        answers = cache.get(key) if cache is not None else None
        if answers is None:
            answers = [
                (chunk, self.sf.composite_queries(only(chunk).build()))
                for chunk in self.sf.chunk_values(mine, longest)
            ]
            if cache is not None:
                cache.put(key, answers, ttl=PART_TTL)
        parts = [only(chunk).read(found) for chunk, found in answers]
        merged = queries.merge(parts)
        merged.accounts, merged.account_name = whole.accounts, whole.account_name
        return merged
