"""What a watch looks at, and what counts as news: pure functions, no I/O.

Per kind of record, the fields acctbot keeps (their last values are in the database, so a
change is always "old → new"), states that follow from them and the date (an order past
its effective date, stuck, a contract ending soon), and the rules that turn a difference
into announcements:

- **Order**: its status (old → new), activation (the status moving into Salesforce's
  Activated category, ``StatusCode``), a draft passing its effective date, becoming stuck
  (still not activated ``ACCTBOT_STUCK_DAYS`` after it was created);
- **Deal** (Opportunity): stage, amount or close date moving; won or lost (``IsWon``,
  ``IsClosed``);
- **Case**: opened at the org's top priority (the first value of ``Case.Priority``),
  escalated (``IsEscalated`` turning true);
- **Contract**: an activated contract ending within 30 days;
- any of them **moving to another account** (``AccountId``), so the news follows the
  record to its new account's watchers (and the old account's are told it left).

**A record seen for the first time** (not among the values kept) is judged by what can be
known about it (:func:`first_news`): created since the last check, it is new, and what the
rules say of its state now is told (an order created or activated within the minute, a
deal created won or lost, a case opened at high priority or escalated, a draft already
past its effective date, a contract ending soon); created earlier, it must have moved to
the watched account since (an account watch keeps every record of the account when it
starts), and that is what is told ("now on this account", with its status), except for a
closed deal or case, which an account watch does not follow.

An account watch follows open deals: a deal closed before and after a change is only news
to those who watch the deal itself (:func:`account_news`).

Anything else (a changed description, a new order line) is not news: nothing is said.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bot.text import local_date, parse_sf_date

ENDING_SOON_DAYS = 30

# Kinds of record a person can watch, by Salesforce Id key prefix.
PREFIXES = {
    "001": "Account",
    "801": "Order",
    "006": "Opportunity",
    "500": "Case",
    "800": "Contract",
}
NOUNS = {
    "Account": "account",
    "Order": "order",
    "Opportunity": "deal",
    "Case": "case",
    "Contract": "contract",
}

_AUDIT = "CreatedBy.Name, LastModifiedDate, LastModifiedBy.Name, SystemModstamp"
# The SELECT of each kind of record: what is compared, plus what labels and links need.
SELECTS: dict[str, str] = {
    "Order": (
        "SELECT Id, OrderNumber, AccountId, Account.Name, Status, StatusCode, EffectiveDate, "
        f"ActivatedDate, ActivatedBy.Name, CreatedDate, {_AUDIT} FROM Order"
    ),
    "Opportunity": (
        "SELECT Id, Name, AccountId, Account.Name, StageName, Amount, CloseDate, IsClosed, "
        f"IsWon, CreatedDate, {_AUDIT} FROM Opportunity"
    ),
    "Case": (
        "SELECT Id, CaseNumber, AccountId, Account.Name, Status, Priority, "
        f"IsEscalated, IsClosed, CreatedDate, {_AUDIT} FROM Case"
    ),
    "Contract": (
        "SELECT Id, ContractNumber, AccountId, Account.Name, Status, StatusCode, EndDate, "
        f"CreatedDate, {_AUDIT} FROM Contract"
    ),
}
# Kinds whose announced amounts need their currency (multi-currency orgs: the record's
# CurrencyIsoCode; Salesforce never converts an amount it returns as a field).
WITH_CURRENCY = frozenset({"Opportunity"})
# The fields whose last values are kept (with ``AccountName``, the account's name then).
KEPT: dict[str, tuple[str, ...]] = {
    "Order": ("AccountId", "Status", "StatusCode", "EffectiveDate", "CreatedDate"),
    "Opportunity": (
        "AccountId",
        "StageName",
        "Amount",
        "CloseDate",
        "IsClosed",
        "IsWon",
        "CurrencyIsoCode",
    ),
    "Case": ("AccountId", "Status", "Priority", "IsEscalated", "IsClosed"),
    "Contract": ("AccountId", "Status", "StatusCode", "EndDate"),
}
# What a record's state is called in "now on this account" and "created" news.
STATE_FIELD = {
    "Order": "Status",
    "Opportunity": "StageName",
    "Case": "Status",
    "Contract": "Status",
}
# Field changes announced as "field: old → new", with their labels.
ANNOUNCED: dict[str, dict[str, str]] = {
    "Order": {"Status": "Status"},
    "Opportunity": {"StageName": "Stage", "Amount": "Amount", "CloseDate": "Close date"},
}
MONEY_FIELDS = frozenset({"Amount"})
DATE_FIELDS = frozenset({"CloseDate", "EffectiveDate", "EndDate"})


def select(kind: str, currency_field: str = "") -> str:
    """The SELECT of one kind of record (``SELECTS``), with ``currency_field``
    (``Currencies.field``: ", CurrencyIsoCode" in a multi-currency org, else "") for the
    kinds whose amounts are announced. A constant: no value enters SOQL through it."""
    if kind not in WITH_CURRENCY or not currency_field:
        return SELECTS[kind]
    return SELECTS[kind].replace(" FROM ", f"{currency_field} FROM ", 1)


@dataclass(frozen=True)
class Context:
    """What the rules need besides the record: the org's today and time zone, the stuck
    threshold, the org's own picklist words, and its (corporate) currency."""

    today: dt.date
    tz: dt.tzinfo
    stuck_days: int = 14
    draft_status: str = "Draft"
    top_priority: str = "High"
    corporate: str = "USD"


@dataclass
class Change:
    """One thing to announce. ``kind`` is ``field`` (``field`` went ``old`` → ``new``) or
    an event: activated, overdue, stuck, won, lost, opened_high, escalated, ending_soon,
    moved (``old`` → ``new`` account names), created (``new``: its state), appeared
    (``new``: its state; it is on a watched account now and was not before), deleted."""

    kind: str
    field: str | None = None
    label: str | None = None
    old: Any = None
    new: Any = None
    currency: str | None = None  # an amount's ISO currency code

    def to_json(self) -> dict[str, Any]:
        """The change as stored (JSON-ready; empty parts left out)."""
        return {k: v for k, v in vars(self).items() if v is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        """A change as :meth:`to_json` stored it."""
        return cls(**data)


@dataclass
class Snapshot:
    """A record's kept values and the states that follow from them."""

    values: dict[str, Any]
    flags: dict[str, bool] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The values with the flags under ``_flags`` (as stored)."""
        return {**self.values, "_flags": self.flags}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Snapshot:
        """A snapshot as :meth:`to_json` stored it."""
        values = dict(data)
        flags = values.pop("_flags", {}) or {}
        return cls(values, dict(flags))


def kind_of(record_id: str) -> str | None:
    """The watchable kind of a Salesforce Id (``Order``...), or None."""
    return PREFIXES.get(record_id[:3])


def label_of(sobject: str, rec: dict[str, Any]) -> str:
    """How a record is named in messages: "Acme Corp", "Order 00000123 · Acme Corp",
    "Deal Fiber upgrade · Acme Corp", "Case 00001234 · Acme Corp"..."""
    if sobject == "Account":
        return str(rec.get("Name") or rec["Id"])
    number = {
        "Order": rec.get("OrderNumber"),
        "Opportunity": rec.get("Name"),
        "Case": rec.get("CaseNumber"),
        "Contract": rec.get("ContractNumber"),
    }.get(sobject)
    account = (rec.get("Account") or {}).get("Name")
    name = f"{NOUNS[sobject].capitalize()} {number or rec['Id']}"
    return f"{name} · {account}" if account else name


def snapshot(sobject: str, rec: dict[str, Any], ctx: Context) -> Snapshot:
    """The kept values of a record as Salesforce returned it, and its states today."""
    values = {name: rec.get(name) for name in KEPT[sobject]}
    values["AccountName"] = (rec.get("Account") or {}).get("Name")
    return Snapshot(values, flags(sobject, values, ctx))


def first_news(sobject: str, new: Snapshot, ctx: Context, *, created: bool) -> list[Change]:
    """What to announce about a record acctbot has no values of (see the module
    docstring): ``created`` since the last check, or else on a watched account now."""
    now = new.values
    state = now.get(STATE_FIELD[sobject])
    if not created:
        if now.get("IsClosed"):  # a closed deal or case is not followed by the account
            return []
        return [Change("appeared", new=state)]
    out: list[Change] = []
    if sobject == "Order" and now.get("StatusCode") == "Activated":
        out = [Change("created", new=state), Change("activated")]
    elif sobject == "Opportunity" and now.get("IsClosed"):
        out = [
            Change("created", new=state),
            Change("won" if now.get("IsWon") else "lost", new=state),
        ]
    elif sobject == "Case" and not now.get("IsClosed"):
        if now.get("Priority") == ctx.top_priority:
            out.append(Change("opened_high", new=ctx.top_priority))
        if now.get("IsEscalated"):
            out.append(Change("escalated"))
    for flag, on in new.flags.items():
        if on and flag != "stuck":  # a new record is not stuck; a new draft can be overdue
            out.append(Change(flag, new=_flag_detail(sobject, flag, now)))
    return out


def account_news(sobject: str, old: Snapshot | None, new: Snapshot) -> bool:
    """Is this news for those who watch the record's account? Not a deal that was closed
    and still is (an account watch follows open deals; the deal's own watchers hear it)."""
    if sobject != "Opportunity" or old is None:  # first seen: ``first_news`` decided
        return True
    return not (old.values.get("IsClosed") and new.values.get("IsClosed"))


def moved(old: Snapshot, new: Snapshot) -> bool:
    """Did the record move to another account? (Values kept before acctbot kept the
    account do not count.)"""
    return "AccountId" in old.values and old.values["AccountId"] != new.values.get("AccountId")


def flags(sobject: str, values: dict[str, Any], ctx: Context) -> dict[str, bool]:
    """States that follow from the values and the date (they change with time alone)."""
    if sobject == "Order":
        open_ = values.get("StatusCode") != "Activated"
        effective = parse_sf_date(values.get("EffectiveDate"))
        created = local_date(values.get("CreatedDate"), ctx.tz)
        return {
            "overdue": bool(
                open_
                and values.get("Status") == ctx.draft_status
                and effective is not None
                and effective < ctx.today
            ),
            "stuck": bool(
                open_ and created is not None and (ctx.today - created).days > ctx.stuck_days
            ),
        }
    if sobject == "Contract":
        end = parse_sf_date(values.get("EndDate"))
        soon = (
            values.get("StatusCode") == "Activated"
            and end is not None
            and 0 <= (end - ctx.today).days <= ENDING_SOON_DAYS
        )
        return {"ending_soon": bool(soon)}
    return {}


def changes(
    sobject: str, old: Snapshot | None, new: Snapshot, ctx: Context, *, created: bool = False
) -> list[Change]:
    """What to announce about a record that went from ``old`` to ``new`` (``old`` None: seen
    for the first time, :func:`first_news`; ``created``: it was created since the last
    check)."""
    if old is None:
        return first_news(sobject, new, ctx, created=created)
    out: list[Change] = []
    if moved(old, new):
        out.append(
            Change(
                "moved",
                field="AccountId",
                label="Account",
                old=old.values.get("AccountName") or old.values.get("AccountId"),
                new=new.values.get("AccountName") or new.values.get("AccountId"),
            )
        )
    currency = new.values.get("CurrencyIsoCode") or ctx.corporate
    for name, label in ANNOUNCED.get(sobject, {}).items():
        before, after = old.values.get(name), new.values.get(name)
        if _differs(before, after):
            money = currency if name in MONEY_FIELDS else None
            out.append(
                Change("field", field=name, label=label, old=before, new=after, currency=money)
            )
    was, now = old.values, new.values
    if sobject == "Order":
        if now.get("StatusCode") == "Activated" and was.get("StatusCode") != "Activated":
            out.append(Change("activated"))
    elif sobject == "Opportunity":
        if now.get("IsClosed") and not was.get("IsClosed"):
            out.append(Change("won" if now.get("IsWon") else "lost", new=now.get("StageName")))
    elif sobject == "Case" and now.get("IsEscalated") and not was.get("IsEscalated"):
        out.append(Change("escalated"))
    for flag, on in new.flags.items():
        if on and not old.flags.get(flag):
            out.append(Change(flag, new=_flag_detail(sobject, flag, now)))
    return out


def _flag_detail(sobject: str, flag: str, values: dict[str, Any]) -> Any:
    if flag == "overdue":
        return values.get("EffectiveDate")
    if flag == "stuck":
        return values.get("Status")
    if flag == "ending_soon":
        return values.get("EndDate")
    return None


def _differs(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(float(a) - float(b)) > 1e-9
    return bool(a != b)
