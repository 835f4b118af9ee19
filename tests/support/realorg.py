"""Data sets that do what real orgs do and the small org does not (issue 12): accounts
far past a child page, several currencies, the org's own order statuses, an integration
user in another zone and locale, and teams with hundreds of owners.

Each builds on ``tests.support.orgdata.small_org`` (frozen Wed 2026-11-18 in New York),
so the small org's hand-checked figures still hold beside the big ones.
"""

from __future__ import annotations

from typing import Any

from bot.standins.salesforce.schema import make_id
from tests.support.orgdata import ACME, ANA_SF, RAJ_SF, small_org

BIG = "001000000000090AAA"  # Big Co, Ana's: the account far past one child page
EURO = "001000000000091AAA"  # Euro GmbH, Ana's: deals in EUR and JPY
INTEGRATION_SF = "005000000000009AAA"

Data = dict[str, list[dict[str, Any]]]


def with_big_account(
    data: Data | None = None,
    *,
    open_deals: int = 0,
    slipped_deals: int = 0,
    won: float | None = None,
    overdue_drafts: int = 0,
    open_cases: int = 0,
    escalated_cases: int = 0,
) -> Data:
    """The small org plus Big Co (Ana's) with as many records as asked:

    - ``open_deals`` open deals of $1,000 closing Dec 10 (this quarter, not slipped);
    - ``slipped_deals`` open deals of $1,000 whose close date (Oct 1 … ) has passed;
    - ``won``: one deal of that amount won Nov 5 (this quarter);
    - ``overdue_drafts`` drafts of $10 effective Nov 2, created Oct 30 (19 days ago);
    - ``open_cases`` Low-priority open cases, and ``escalated_cases`` escalated High ones.
    """
    data = data or small_org()
    data["Account"].append(
        {"Id": BIG, "Name": "Big Co", "AccountNumber": "A-9000", "OwnerId": ANA_SF,
         "LastActivityDate": "2026-11-16"}
    )  # fmt: skip
    opp = {"AccountId": BIG, "OwnerId": ANA_SF, "StageName": "Prospecting", "Amount": 1000}
    data["Opportunity"] += [
        {**opp, "Name": f"Big deal {i:04d}", "CloseDate": "2026-12-10"} for i in range(open_deals)
    ]
    data["Opportunity"] += [
        {**opp, "Name": f"Slipped deal {i:04d}", "CloseDate": f"2026-10-{1 + i % 28:02d}"}
        for i in range(slipped_deals)
    ]
    if won is not None:
        data["Opportunity"].append(
            {**opp, "Name": "Big win", "StageName": "Closed Won", "Amount": won,
             "CloseDate": "2026-11-05"}
        )  # fmt: skip
    data["Order"] += [
        {
            "Id": make_id("801", 90000 + i),
            "OrderNumber": f"{90000 + i:08d}",
            "AccountId": BIG,
            "OwnerId": ANA_SF,
            "Status": "Draft",
            "EffectiveDate": "2026-11-02",
            "CreatedDate": "2026-10-30T14:00:00.000+0000",
            "TotalAmount": 10.0,
        }
        for i in range(overdue_drafts)
    ]
    case = {"AccountId": BIG, "OwnerId": ANA_SF, "Status": "Working",
            "CreatedDate": "2026-11-10T13:00:00.000+0000"}  # fmt: skip
    data["Case"] += [
        {**case, "Subject": f"Question {i}", "Priority": "Low"} for i in range(open_cases)
    ]
    data["Case"] += [
        {**case, "Subject": f"Escalated {i}", "Priority": "High", "IsEscalated": True}
        for i in range(escalated_cases)
    ]
    return data


CURRENCIES = [
    {"IsoCode": "USD", "ConversionRate": 1, "IsCorporate": True},
    {"IsoCode": "EUR", "ConversionRate": 0.9},
    {"IsoCode": "JPY", "ConversionRate": 150},
]


def multicurrency_org() -> Data:
    """The small org in a multi-currency org (USD corporate, EUR at 0.9, JPY at 150),
    plus Euro GmbH (Ana's) with a EUR 100,000 deal and a JPY 5,000,000 deal closing
    Dec 1, and a EUR order of 2 × €600 created Nov 17 and activated that day."""
    data = small_org()
    data["CurrencyType"] = CURRENCIES
    data["Account"].append(
        {"Id": EURO, "Name": "Euro GmbH", "OwnerId": ANA_SF, "CurrencyIsoCode": "EUR",
         "LastActivityDate": "2026-11-16"}
    )  # fmt: skip
    base = {"AccountId": EURO, "OwnerId": ANA_SF, "StageName": "Prospecting",
            "CloseDate": "2026-12-01"}  # fmt: skip
    data["Opportunity"] += [
        {**base, "Name": "Euro deal", "Amount": 100_000, "CurrencyIsoCode": "EUR"},
        {**base, "Name": "Yen deal", "Amount": 5_000_000, "CurrencyIsoCode": "JPY"},
    ]
    euro_order = make_id("801", 91000)
    data["Order"].append(
        {"Id": euro_order, "OrderNumber": "00091000", "AccountId": EURO, "OwnerId": ANA_SF,
         "Status": "Activated", "EffectiveDate": "2026-11-17", "CurrencyIsoCode": "EUR",
         "CreatedDate": "2026-11-17T14:00:00.000+0000",
         "ActivatedDate": "2026-11-17T16:00:00.000+0000"}
    )  # fmt: skip
    data["OrderItem"].append(
        {"OrderId": euro_order, "Product2Id": "01t000000000001AAA", "Quantity": 2,
         "UnitPrice": 600}
    )  # fmt: skip
    return data


# The org's own Order statuses: "Cancelled" is filed under Draft, as Salesforce allows.
ORDER_STATUSES = {
    "Order.Status": [
        {"value": "Draft", "default": True, "category": "Draft"},
        {"value": "Pending Install", "category": "Draft"},
        {"value": "On Hold", "category": "Draft"},
        {"value": "Cancelled", "category": "Draft"},
        {"value": "Activated", "category": "Activated"},
    ]
}
CANCELLED_ORDER = make_id("801", 92000)
ON_HOLD_ORDER = make_id("801", 92001)


def cancelled_org() -> Data:
    """The small org whose Order.Status has "Cancelled" (category Draft), with Acme's
    order 00092000 cancelled 48 days ago (created Oct 1, effective Oct 5) and order
    00092001 on hold since Oct 1."""
    data = small_org()
    data["_picklists"] = ORDER_STATUSES  # type: ignore[assignment]
    old = {"AccountId": ACME, "OwnerId": ANA_SF, "EffectiveDate": "2026-10-05",
           "CreatedDate": "2026-10-01T14:00:00.000+0000", "TotalAmount": 777.0}  # fmt: skip
    data["Order"] += [
        {**old, "Id": CANCELLED_ORDER, "OrderNumber": "00092000", "Status": "Cancelled"},
        {**old, "Id": ON_HOLD_ORDER, "OrderNumber": "00092001", "Status": "On Hold"},
    ]
    return data


def integration_user_elsewhere(data: Data, zone: str, locale: str) -> Data:
    """``data`` whose API session belongs to an integration user in ``zone`` and
    ``locale`` (the sandbox's session user is the data set's first active User)."""
    user = {"Id": INTEGRATION_SF, "FirstName": "Integration", "LastName": "User",
            "Email": "integration@example.com", "TimeZoneSidKey": zone,
            "LocaleSidKey": locale}  # fmt: skip
    data["User"] = [user, *data["User"]]
    return data


def many_owners(n: int) -> list[str]:
    """``n`` Salesforce users' long e-mail addresses (no records), for teams files."""
    return [f"account.manager.{i:04d}@regional-subsidiary-{i % 7}.example.com" for i in range(n)]


def with_owners(data: Data, emails: list[str]) -> Data:
    """``data`` plus an active user for each e-mail (owning nothing)."""
    data["User"] += [
        {"Id": make_id("005", 5000 + i), "LastName": f"Manager {i}", "Email": email}
        for i, email in enumerate(emails)
    ]
    return data


__all__ = [
    "BIG",
    "CANCELLED_ORDER",
    "EURO",
    "ON_HOLD_ORDER",
    "RAJ_SF",
    "cancelled_org",
    "integration_user_elsewhere",
    "many_owners",
    "multicurrency_org",
    "with_big_account",
    "with_owners",
]
