"""The sandbox org's SOQL engine, feature by feature, on a small hand-built org.

Every test goes through ``run_soql`` (the REST JSON body of a query, fetched over HTTPS
from the sandbox org with simple-salesforce) or ``soql_error`` (the first element of the
REST error body).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError

from bot.standins.salesforce.server import SandboxOrg
from bot.standins.salesforce.soql import execute
from bot.standins.salesforce.store import Clock, OrgStore

# Wednesday 18 November 2026, 10:00 in New York. The week runs Sun 15 - Sat 21.
NOW = dt.datetime(2026, 11, 18, 15, 0, tzinfo=dt.UTC)

ANA, RAJ, EMILE = "005000000000001AAA", "005000000000002AAA", "005000000000003AAA"
ACME, OHARE, FIBER, BACKSLASH, UNICODE, SUB = (
    "001000000000001AAA",
    "001000000000002AAA",
    "001000000000003AAA",
    "001000000000004AAA",
    "001000000000005AAA",
    "001000000000006AAA",
)
ORD1, ORD2, ORD3, ORD4 = (
    "801000000000001AAA",
    "801000000000002AAA",
    "801000000000003AAA",
    "801000000000004AAA",
)

DATA: dict[str, list[dict[str, Any]]] = {
    "User": [
        {"Id": ANA, "FirstName": "Ana", "LastName": "Rep", "Email": "ana.rep@example.com"},
        {
            "Id": RAJ,
            "FirstName": "Raj",
            "LastName": "Rep",
            "Email": "raj.rep@example.com",
            "ManagerId": ANA,
        },
        {
            "Id": EMILE,
            "FirstName": "Émile",
            "LastName": "Zola",
            "Email": "emile@example.com",
            "ManagerId": RAJ,
            "IsActive": False,
        },
    ],
    "Account": [
        {
            "Id": ACME,
            "Name": "Acme Corp",
            "AccountNumber": "A-1001",
            "Industry": "Retail",
            "Type": "Customer - Direct",
            "AnnualRevenue": 1000000,
            "NumberOfEmployees": 50,
            "OwnerId": RAJ,
            "BillingCity": "Boston",
            "BillingStreet": "1 Main St\nSuite 2",
            # Saturday 21 November 23:30 in New York: still THIS_WEEK.
            "CreatedDate": "2026-11-22T04:30:00Z",
        },
        {
            "Id": OHARE,
            "Name": "O'Hare Signal & Sons",
            "AccountNumber": "A-1002",
            "Industry": "Telecommunications",
            "Type": "Prospect",
            "AnnualRevenue": 250000.5,
            "NumberOfEmployees": 7,
            "OwnerId": ANA,
            "BillingCity": "Chicago",
            "CreatedDate": "2026-11-15T05:00:00Z",  # Sunday 00:00 local
        },
        {
            "Id": FIBER,
            "Name": "100% Fiber_Co",
            "AccountNumber": "A-1003",
            "OwnerId": RAJ,
            "BillingCity": "boston",
            "CreatedDate": "2026-11-15T04:59:59Z",  # Saturday 14th 23:59:59 local
        },
        {
            "Id": BACKSLASH,
            "Name": "Back\\slash Ltd",
            "Industry": "Banking",
            "Type": "Other",
            "AnnualRevenue": 5000,
            "NumberOfEmployees": 120,
            "OwnerId": EMILE,
            "BillingCity": "Tab\tCity",
            "CreatedDate": "2026-11-01T04:30:00Z",  # 1 Nov 00:30 EDT (DST ends that day)
        },
        {
            "Id": UNICODE,
            "Name": "Ünïcode Café",
            "Industry": "Retail",
            "AnnualRevenue": 75000,
            "BillingCity": 'Say "hi"',
            "CreatedDate": "2026-11-01T03:30:00Z",  # 31 Oct 23:30 EDT
        },
        {
            "Id": SUB,
            "Name": "acme subsidiary",
            "Industry": "Retail",
            "Type": "Prospect",
            "AnnualRevenue": 1000,
            "NumberOfEmployees": 50,
            "OwnerId": RAJ,
            "ParentId": ACME,
            "CreatedDate": "2026-11-18T15:00:00Z",
        },
    ],
    "Contact": [
        {"FirstName": "Cara", "LastName": "Buyer", "AccountId": ACME, "Email": "cara@acme.test"},
    ],
    "Product2": [
        {"Id": "01t000000000001AAA", "Name": "Fiber 1G", "Family": "Internet", "IsActive": True},
        {"Id": "01t000000000002AAA", "Name": "Voice Line", "Family": "Voice", "IsActive": True},
    ],
    "Order": [
        {
            "Id": ORD1,
            "AccountId": ACME,
            "OwnerId": RAJ,
            "Status": "Draft",
            "EffectiveDate": "2026-11-02",
            "OrderNumber": "00000101",
        },
        {
            "Id": ORD2,
            "AccountId": ACME,
            "OwnerId": RAJ,
            "Status": "Activated",
            "EffectiveDate": "2026-11-10",
            "ActivatedDate": "2026-11-10T14:03:00Z",
            "TotalAmount": 500,
            "OrderNumber": "00000102",
        },
        {
            "Id": ORD3,
            "AccountId": ACME,
            "OwnerId": ANA,
            "Status": "Provisioning",
            "EffectiveDate": "2026-11-16",
            "TotalAmount": 80,
            "OrderNumber": "00000103",
        },
        {
            "Id": ORD4,
            "AccountId": OHARE,
            "OwnerId": ANA,
            "Status": "Activated",
            "EffectiveDate": "2026-10-05",
            "TotalAmount": 42,
            "OrderNumber": "00000104",
        },
    ],
    "OrderItem": [
        {
            "OrderId": ORD1,
            "Product2Id": "01t000000000001AAA",
            "Quantity": 2,
            "UnitPrice": 100,
        },
        {
            "OrderId": ORD1,
            "Product2Id": "01t000000000002AAA",
            "Quantity": 1,
            "UnitPrice": 25.5,
        },
    ],
    "Opportunity": [
        {"Name": name, "CloseDate": close, "StageName": stage, "Amount": amount, **extra}
        for name, close, stage, amount, extra in [
            ("today", "2026-11-18", "Prospecting", 100, {"AccountId": ACME, "OwnerId": RAJ}),
            ("yesterday", "2026-11-17", "Closed Won", 200, {"AccountId": ACME, "OwnerId": RAJ}),
            ("tomorrow", "2026-11-19", "Qualification", None, {"AccountId": OHARE}),
            ("sun15", "2026-11-15", "Closed Lost", 50, {"AccountId": OHARE, "OwnerId": ANA}),
            ("sun22", "2026-11-22", "Negotiation/Review", 300, {"OwnerId": ANA}),
            ("sat14", "2026-11-14", "Prospecting", 10, {"AccountId": SUB, "OwnerId": RAJ}),
            ("oct31", "2026-10-31", "Closed Won", 1000, {"AccountId": ACME, "OwnerId": ANA}),
            ("sep30", "2026-09-30", "Closed Won", 20, {"OwnerId": EMILE}),
            ("jan1", "2027-01-01", "Prospecting", None, {}),
            ("dec31", "2025-12-31", "Closed Lost", 5, {"AccountId": FIBER}),
        ]
    ],
}

_STORE: OrgStore | None = None


def org() -> OrgStore:
    global _STORE
    if _STORE is None:
        _STORE = OrgStore(Clock(NOW), timezone="America/New_York")
        _STORE.load(DATA)
    return _STORE


class QueryFailed(Exception):
    def __init__(self, status: int, body: list[dict[str, Any]]) -> None:
        super().__init__(body)
        self.status = status
        self.body = body


_SF: Salesforce | None = None


@pytest.fixture(scope="module", autouse=True)
def _served(sandbox: SandboxOrg) -> Iterator[None]:
    """DATA served by the sandbox org over HTTPS at the frozen NOW, for this module."""
    global _SF
    sandbox.reset()
    sandbox.load(DATA)
    sandbox.set_now(NOW)
    _SF = Salesforce(
        instance_url=sandbox.instance_url, session_id=sandbox.access_token, version="62.0"
    )
    yield
    _SF.session.close()
    _SF = None
    sandbox.reset()


def run_soql(query: str) -> dict[str, Any]:
    """The REST JSON body of ``GET /query?q=...`` through HTTPS with simple-salesforce
    (raises QueryFailed with Salesforce's error body on an error)."""
    assert _SF is not None
    try:
        body = _SF.query(query)
    except SalesforceError as exc:
        raise QueryFailed(exc.status, exc.content) from None
    return json.loads(json.dumps(body))


def soql_error(query: str) -> dict[str, Any]:
    """The first element of the REST error body for a failing query."""
    with pytest.raises(QueryFailed) as info:
        run_soql(query)
    assert info.value.status == 400
    return info.value.body[0]


def names(body: dict[str, Any], key: str = "Name") -> list[Any]:
    return [r[key] for r in body["records"]]


# --- basic shapes --------------------------------------------------------------------


def test_simple_select_has_salesforce_shape() -> None:
    body = run_soql(f"SELECT Id, Name FROM Account WHERE Id = '{ACME}'")
    assert body == {
        "totalSize": 1,
        "done": True,
        "records": [
            {
                "attributes": {
                    "type": "Account",
                    "url": f"/services/data/v62.0/sobjects/Account/{ACME}",
                },
                "Id": ACME,
                "Name": "Acme Corp",
            }
        ],
    }


def test_keywords_and_names_are_case_insensitive_and_keys_use_api_names() -> None:
    body = run_soql(f"select NAME, annualrevenue, owner.NAME from ACCOUNT where ID = '{ACME}'")
    (rec,) = body["records"]
    assert list(rec) == ["attributes", "Name", "AnnualRevenue", "Owner"]
    assert rec["attributes"]["type"] == "Account"
    assert rec["Owner"]["Name"] == "Raj Rep"


def test_values_are_formatted_as_rest_json() -> None:
    body = run_soql(
        f"SELECT EffectiveDate, ActivatedDate, TotalAmount, OrderNumber FROM Order "
        f"WHERE Id = '{ORD2}'"
    )
    (rec,) = body["records"]
    assert rec["EffectiveDate"] == "2026-11-10"
    assert rec["ActivatedDate"] == "2026-11-10T14:03:00.000+0000"
    assert rec["TotalAmount"] == 500
    assert rec["OrderNumber"] == "00000102"
    user = run_soql(f"SELECT IsActive, ManagerId FROM User WHERE Id = '{EMILE}'")["records"][0]
    assert user["IsActive"] is False and user["ManagerId"] == RAJ


def test_api_version_appears_in_record_urls() -> None:
    result = execute(f"SELECT Id FROM Account WHERE Id = '{ACME}'", org(), api_version="58.0")
    assert result.records[0]["attributes"]["url"].startswith("/services/data/v58.0/sobjects/")


def test_select_returns_every_row_in_insertion_order_without_order_by() -> None:
    body = run_soql("SELECT Name FROM Account")
    assert body["totalSize"] == 6 == len(body["records"])
    assert names(body)[0] == "Acme Corp"


# --- WHERE ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Name = 'acme corp'", {"Acme Corp"}),
        ("Name = 'ACME CORP'", {"Acme Corp"}),
        ("Name = 'ünïcode café'", {"Ünïcode Café"}),
        ("Name = 'O\\'Hare Signal & Sons'", {"O'Hare Signal & Sons"}),
        ("Name = 'Back\\\\slash Ltd'", {"Back\\slash Ltd"}),
        ("BillingStreet = '1 Main St\\nSuite 2'", {"Acme Corp"}),
        ("BillingCity = 'Tab\\tCity'", {"Back\\slash Ltd"}),
        ("BillingCity = 'Say \\\"hi\\\"'", {"Ünïcode Café"}),
        ("BillingCity = 'Boston'", {"Acme Corp", "100% Fiber_Co"}),
        ("Industry = null", {"100% Fiber_Co"}),
        (
            "Industry != null",
            {
                "Acme Corp",
                "O'Hare Signal & Sons",
                "Back\\slash Ltd",
                "Ünïcode Café",
                "acme subsidiary",
            },
        ),
        # != matches null fields (no three-valued logic in SOQL)
        ("Industry != 'Retail'", {"O'Hare Signal & Sons", "100% Fiber_Co", "Back\\slash Ltd"}),
        ("Industry <> 'retail'", {"O'Hare Signal & Sons", "100% Fiber_Co", "Back\\slash Ltd"}),
        (
            "Industry IN ('retail', 'Banking')",
            {"Acme Corp", "Back\\slash Ltd", "Ünïcode Café", "acme subsidiary"},
        ),
        ("Industry NOT IN ('Retail', 'Banking')", {"O'Hare Signal & Sons", "100% Fiber_Co"}),
        (
            "Industry IN ('Retail', null)",
            {"Acme Corp", "100% Fiber_Co", "Ünïcode Café", "acme subsidiary"},
        ),
        ("AnnualRevenue > 5000", {"Acme Corp", "O'Hare Signal & Sons", "Ünïcode Café"}),
        (
            "AnnualRevenue >= 5000",
            {"Acme Corp", "O'Hare Signal & Sons", "Ünïcode Café", "Back\\slash Ltd"},
        ),
        ("AnnualRevenue < 5000", {"acme subsidiary"}),
        ("AnnualRevenue <= 1000.0", {"acme subsidiary"}),
        ("AnnualRevenue = 250000.5", {"O'Hare Signal & Sons"}),
        ("AnnualRevenue > -1 AND AnnualRevenue < 1001", {"acme subsidiary"}),
        ("NumberOfEmployees = 50", {"Acme Corp", "acme subsidiary"}),
        ("NumberOfEmployees IN (7, 120)", {"O'Hare Signal & Sons", "Back\\slash Ltd"}),
        ("Name > 'b'", {"O'Hare Signal & Sons", "Back\\slash Ltd", "Ünïcode Café"}),
        ("Owner.Name = 'raj rep'", {"Acme Corp", "100% Fiber_Co", "acme subsidiary"}),
        ("Owner.Manager.Name = 'Ana Rep'", {"Acme Corp", "100% Fiber_Co", "acme subsidiary"}),
        # a missing parent compares as null
        ("Owner.Name = null", {"Ünïcode Café"}),
        ("Owner.Name != 'Raj Rep'", {"O'Hare Signal & Sons", "Back\\slash Ltd", "Ünïcode Café"}),
        ("Parent.Name = 'Acme Corp'", {"acme subsidiary"}),
        ("Account.Name = 'Acme Corp'", {"Acme Corp"}),  # prefixed with the object's own name
    ],
)
def test_where_comparisons(where: str, expected: set[str]) -> None:
    assert set(names(run_soql(f"SELECT Name FROM Account WHERE {where}"))) == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Name LIKE 'acme%'", {"Acme Corp", "acme subsidiary"}),
        ("Name LIKE '%CORP'", {"Acme Corp"}),
        ("Name LIKE '%c_rp%'", {"Acme Corp"}),
        ("Name LIKE '100\\% %'", {"100% Fiber_Co"}),
        ("Name LIKE '%\\%%'", {"100% Fiber_Co"}),
        ("Name LIKE '%r\\_c%'", {"100% Fiber_Co"}),
        ("Name LIKE '%er_co'", {"100% Fiber_Co"}),
        ("Name LIKE '%\\_%'", {"100% Fiber_Co"}),
        ("Name LIKE '%\\\\%'", {"Back\\slash Ltd"}),
        ("Name LIKE '%\\'%'", {"O'Hare Signal & Sons"}),
        ("Name LIKE 'ün%'", {"Ünïcode Café"}),
        ("Name LIKE '%.%'", set()),
        ("Name LIKE 'Acme'", set()),
        ("Industry LIKE 'ret%'", {"Acme Corp", "Ünïcode Café", "acme subsidiary"}),
        ("NOT Name LIKE '%a%'", {"100% Fiber_Co"}),
        ("Owner.Email LIKE 'ana%'", {"O'Hare Signal & Sons"}),
    ],
)
def test_like(where: str, expected: set[str]) -> None:
    assert set(names(run_soql(f"SELECT Name FROM Account WHERE {where}"))) == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Industry = 'Retail' AND AnnualRevenue > 50000", {"Acme Corp", "Ünïcode Café"}),
        ("Industry = 'Banking' OR Industry = null", {"Back\\slash Ltd", "100% Fiber_Co"}),
        ("NOT Industry = 'Retail'", {"O'Hare Signal & Sons", "100% Fiber_Co", "Back\\slash Ltd"}),
        (
            "NOT (Industry = 'Retail' OR Industry = 'Banking')",
            {"O'Hare Signal & Sons", "100% Fiber_Co"},
        ),
        (
            "(Industry = 'Retail' AND NumberOfEmployees = 50) OR Name = 'Back\\\\slash Ltd'",
            {"Acme Corp", "acme subsidiary", "Back\\slash Ltd"},
        ),
        (
            "Industry = 'Retail' AND (NumberOfEmployees = 50 OR AnnualRevenue = 75000)",
            {"Acme Corp", "acme subsidiary", "Ünïcode Café"},
        ),
        ("((Name = 'Acme Corp'))", {"Acme Corp"}),
        # NOT binds to the next condition only
        (
            "NOT Industry = 'Retail' AND AnnualRevenue > 1000",
            {"O'Hare Signal & Sons", "Back\\slash Ltd"},
        ),
        ("NOT NOT Name = 'Acme Corp'", {"Acme Corp"}),
        (
            "Industry = 'Retail' AND Type = 'Prospect' AND OwnerId = '005000000000002'",
            {"acme subsidiary"},
        ),
    ],
)
def test_logical_operators(where: str, expected: set[str]) -> None:
    assert set(names(run_soql(f"SELECT Name FROM Account WHERE {where}"))) == expected


def test_boolean_filters_and_null_boolean_equals_false() -> None:
    assert set(names(run_soql("SELECT Name FROM User WHERE IsActive = true"))) == {
        "Ana Rep",
        "Raj Rep",
    }
    assert names(run_soql("SELECT Name FROM User WHERE IsActive = FALSE")) == ["Émile Zola"]
    # "If you run a query on a boolean field, null matches FALSE values."
    assert names(run_soql("SELECT Name FROM User WHERE IsActive = null")) == ["Émile Zola"]
    assert len(run_soql("SELECT Name FROM User WHERE IsActive != null")["records"]) == 2
    won = run_soql("SELECT Name FROM Opportunity WHERE IsWon = true AND IsClosed = true")
    assert set(names(won)) == {"yesterday", "oct31", "sep30"}


@pytest.mark.parametrize("literal", [ACME, ACME[:15], ACME.lower()])
def test_ids_compare_as_15_or_18_characters(literal: str) -> None:
    body = run_soql(f"SELECT Name FROM Account WHERE Id = '{literal}'")
    assert names(body) == ["Acme Corp"]
    body = run_soql(f"SELECT Name FROM Account WHERE ParentId IN ('{literal}')")
    assert names(body) == ["acme subsidiary"]


def test_id_range_comparison_supports_pk_chunking() -> None:
    body = run_soql(f"SELECT Id FROM Account WHERE Id > '{BACKSLASH}' ORDER BY Id")
    assert names(body, "Id") == [UNICODE, SUB]


# --- dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("CloseDate = 2026-11-18", {"today"}),
        ("CloseDate > 2026-11-18", {"tomorrow", "sun22", "jan1"}),
        ("CloseDate <= 2025-12-31", {"dec31"}),
        ("CloseDate IN (2026-11-14, 2026-11-15)", {"sat14", "sun15"}),
        ("CloseDate = TODAY", {"today"}),
        ("CloseDate = YESTERDAY", {"yesterday"}),
        ("CloseDate = TOMORROW", {"tomorrow"}),
        ("CloseDate = THIS_WEEK", {"today", "yesterday", "tomorrow", "sun15"}),
        ("CloseDate = LAST_WEEK", {"sat14"}),
        ("CloseDate = NEXT_WEEK", {"sun22"}),
        ("CloseDate = THIS_MONTH", {"today", "yesterday", "tomorrow", "sun15", "sun22", "sat14"}),
        ("CloseDate = LAST_MONTH", {"oct31"}),
        ("CloseDate = NEXT_MONTH", set()),
        (
            "CloseDate = THIS_QUARTER",
            {"today", "yesterday", "tomorrow", "sun15", "sun22", "sat14", "oct31"},
        ),
        ("CloseDate = LAST_QUARTER", {"sep30"}),
        ("CloseDate = NEXT_QUARTER", {"jan1"}),
        ("CloseDate = LAST_YEAR", {"dec31"}),
        ("CloseDate = NEXT_YEAR", {"jan1"}),
        ("CloseDate != THIS_YEAR", {"dec31", "jan1"}),
        ("CloseDate = LAST_N_DAYS:4", {"today", "yesterday", "sun15", "sat14"}),
        ("CloseDate = NEXT_N_DAYS:4", {"tomorrow", "sun22"}),
        ("CloseDate = N_DAYS_AGO:1", {"yesterday"}),
        ("CloseDate = LAST_N_WEEKS:1", {"sat14"}),
        ("CloseDate = NEXT_N_WEEKS:1", {"sun22"}),
        ("CloseDate = LAST_N_MONTHS:2", {"oct31", "sep30"}),
        ("CloseDate = NEXT_N_MONTHS:2", {"jan1"}),
        ("CloseDate = LAST_90_DAYS", {"today", "yesterday", "sun15", "sat14", "oct31", "sep30"}),
        ("CloseDate > THIS_WEEK", {"sun22", "jan1"}),
        ("CloseDate < THIS_WEEK", {"sat14", "oct31", "sep30", "dec31"}),
        ("CloseDate >= THIS_WEEK", {"today", "yesterday", "tomorrow", "sun15", "sun22", "jan1"}),
        ("CloseDate <= LAST_MONTH", {"oct31", "sep30", "dec31"}),
        ("CloseDate > THIS_QUARTER", {"jan1"}),
        ("CloseDate < THIS_QUARTER", {"sep30", "dec31"}),
        ("CloseDate IN (YESTERDAY, TOMORROW)", {"yesterday", "tomorrow"}),
        ("CloseDate NOT IN (THIS_YEAR)", {"dec31", "jan1"}),
    ],
)
def test_date_field_filters(where: str, expected: set[str]) -> None:
    assert set(names(run_soql(f"SELECT Name FROM Opportunity WHERE {where}"))) == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        # The Saturday 23:30 local record is 04:30 UTC on Sunday: still THIS_WEEK.
        ("CreatedDate = THIS_WEEK", {ACME, OHARE, SUB}),
        ("CreatedDate = NEXT_WEEK", set()),
        ("CreatedDate = LAST_WEEK", {FIBER}),
        ("CreatedDate > THIS_WEEK", set()),
        ("CreatedDate = TODAY", {SUB}),
        ("CreatedDate < TODAY", {OHARE, FIBER, BACKSLASH, UNICODE}),
        ("CreatedDate > TODAY", {ACME}),
        # Across the end of daylight saving time (1 Nov 2026 02:00 EDT -> 01:00 EST):
        # 1 Nov starts at 04:00 UTC, not 05:00.
        ("CreatedDate = LAST_MONTH", {UNICODE}),
        ("CreatedDate = THIS_MONTH", {ACME, OHARE, FIBER, BACKSLASH, SUB}),
        ("CreatedDate = LAST_N_DAYS:17", {OHARE, FIBER, BACKSLASH, SUB}),
        ("CreatedDate < LAST_N_DAYS:17", {UNICODE}),
        ("CreatedDate = LAST_N_DAYS:16", {OHARE, FIBER, SUB}),
        # dateTime literals in every documented form
        ("CreatedDate = 2026-11-15T05:00:00Z", {OHARE}),
        ("CreatedDate = 2026-11-15T00:00:00-05:00", {OHARE}),
        ("CreatedDate = 2026-11-15T10:30:00+05:30", {OHARE}),
        ("CreatedDate = 2026-11-15T05:00:00.000+0000", {OHARE}),
        ("CreatedDate < 2026-11-01T00:00:00-04:00", {UNICODE}),
        ("CreatedDate >= 2026-11-18T15:00:00Z", {ACME, SUB}),
        ("CreatedDate > 2026-11-18T15:00:00.000+0000", {ACME}),
    ],
)
def test_datetime_filters_use_the_org_time_zone(where: str, expected: set[str]) -> None:
    body = run_soql(f"SELECT Id FROM Account WHERE {where}")
    assert set(names(body, "Id")) == expected


def test_yesterday_on_the_daylight_saving_day_is_25_hours_long() -> None:
    """Engine-level: a second org whose clock stands on Monday 2 November 2026."""
    store = OrgStore(Clock(dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.UTC)))
    store.load(
        {
            "Account": [
                {"Name": "before", "CreatedDate": "2026-11-01T03:59:59Z"},  # 31 Oct 23:59 EDT
                {"Name": "first", "CreatedDate": "2026-11-01T04:00:00Z"},  # 1 Nov 00:00 EDT
                {"Name": "last", "CreatedDate": "2026-11-02T04:59:59Z"},  # 1 Nov 23:59 EST
                {"Name": "after", "CreatedDate": "2026-11-02T05:00:00Z"},  # 2 Nov 00:00 EST
            ]
        }
    )
    result = execute("SELECT Name FROM Account WHERE CreatedDate = YESTERDAY", store)
    assert [r["Name"] for r in result.records] == ["first", "last"]
    result = execute("SELECT Name FROM Account WHERE CreatedDate = TODAY", store)
    assert [r["Name"] for r in result.records] == ["after"]


# --- ORDER BY, LIMIT, OFFSET ---------------------------------------------------------


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        # text sorts case-insensitively
        (
            "Name",
            [
                "100% Fiber_Co",
                "Acme Corp",
                "acme subsidiary",
                "Back\\slash Ltd",
                "O'Hare Signal & Sons",
                "Ünïcode Café",
            ],
        ),
        (
            "Name DESC",
            [
                "Ünïcode Café",
                "O'Hare Signal & Sons",
                "Back\\slash Ltd",
                "acme subsidiary",
                "Acme Corp",
                "100% Fiber_Co",
            ],
        ),
        # nulls first by default, in either direction
        (
            "AnnualRevenue",
            [
                "100% Fiber_Co",
                "acme subsidiary",
                "Back\\slash Ltd",
                "Ünïcode Café",
                "O'Hare Signal & Sons",
                "Acme Corp",
            ],
        ),
        (
            "AnnualRevenue DESC",
            [
                "100% Fiber_Co",
                "Acme Corp",
                "O'Hare Signal & Sons",
                "Ünïcode Café",
                "Back\\slash Ltd",
                "acme subsidiary",
            ],
        ),
        (
            "AnnualRevenue ASC NULLS LAST",
            [
                "acme subsidiary",
                "Back\\slash Ltd",
                "Ünïcode Café",
                "O'Hare Signal & Sons",
                "Acme Corp",
                "100% Fiber_Co",
            ],
        ),
        (
            "AnnualRevenue DESC NULLS LAST",
            [
                "Acme Corp",
                "O'Hare Signal & Sons",
                "Ünïcode Café",
                "Back\\slash Ltd",
                "acme subsidiary",
                "100% Fiber_Co",
            ],
        ),
        (
            "AnnualRevenue DESC NULLS FIRST",
            [
                "100% Fiber_Co",
                "Acme Corp",
                "O'Hare Signal & Sons",
                "Ünïcode Café",
                "Back\\slash Ltd",
                "acme subsidiary",
            ],
        ),
        # several keys, parent paths (missing parent sorts as null)
        (
            "Industry DESC NULLS LAST, Name DESC",
            [
                "O'Hare Signal & Sons",
                "Ünïcode Café",
                "acme subsidiary",
                "Acme Corp",
                "Back\\slash Ltd",
                "100% Fiber_Co",
            ],
        ),
        (
            "Owner.Name, Name",
            [
                "Ünïcode Café",
                "O'Hare Signal & Sons",
                "100% Fiber_Co",
                "Acme Corp",
                "acme subsidiary",
                "Back\\slash Ltd",
            ],
        ),
        (
            "Owner.Manager.Name NULLS LAST, CreatedDate DESC",
            [
                "Acme Corp",
                "acme subsidiary",
                "100% Fiber_Co",
                "Back\\slash Ltd",
                "O'Hare Signal & Sons",
                "Ünïcode Café",
            ],
        ),
    ],
)
def test_order_by(order: str, expected: list[str]) -> None:
    assert names(run_soql(f"SELECT Name FROM Account ORDER BY {order}")) == expected


def test_picklists_sort_in_their_defined_order() -> None:
    body = run_soql("SELECT StageName FROM Opportunity WHERE Amount != null ORDER BY StageName, Id")
    stages = names(body, "StageName")
    assert stages == [
        "Prospecting",
        "Prospecting",
        "Negotiation/Review",
        "Closed Won",
        "Closed Won",
        "Closed Won",
        "Closed Lost",
        "Closed Lost",
    ]


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        ("LIMIT 2", ["100% Fiber_Co", "Acme Corp"]),
        ("LIMIT 2 OFFSET 4", ["O'Hare Signal & Sons", "Ünïcode Café"]),
        ("LIMIT 10 OFFSET 5", ["Ünïcode Café"]),
        ("OFFSET 5", ["Ünïcode Café"]),
        ("LIMIT 0", []),
        ("OFFSET 9", []),
    ],
)
def test_limit_and_offset(tail: str, expected: list[str]) -> None:
    body = run_soql(f"SELECT Name FROM Account ORDER BY Name {tail}")
    assert names(body) == expected
    assert body["totalSize"] == len(expected)


# --- relationships -------------------------------------------------------------------


def test_parent_paths_nest_and_merge() -> None:
    body = run_soql(
        "SELECT Name, Owner.Name, Account.Name, Owner.Email, Account.Owner.Manager.Name, "
        "Account.Industry FROM Opportunity WHERE Name = 'today'"
    )
    (rec,) = body["records"]
    assert list(rec) == ["attributes", "Name", "Owner", "Account"]
    assert rec["Owner"] == {
        "attributes": {"type": "User", "url": f"/services/data/v62.0/sobjects/User/{RAJ}"},
        "Name": "Raj Rep",
        "Email": "raj.rep@example.com",
    }
    assert rec["Account"]["Name"] == "Acme Corp"
    assert rec["Account"]["Industry"] == "Retail"
    assert rec["Account"]["Owner"]["attributes"]["type"] == "User"
    assert rec["Account"]["Owner"]["Manager"] == {
        "attributes": {"type": "User", "url": f"/services/data/v62.0/sobjects/User/{ANA}"},
        "Name": "Ana Rep",
    }


def test_empty_lookups_are_null_at_the_first_missing_level() -> None:
    body = run_soql(
        "SELECT Name, Account.Name, Account.Owner.Name, Owner.Manager.Manager.Name "
        "FROM Opportunity WHERE Name IN ('jan1', 'sep30', 'tomorrow') ORDER BY Name"
    )
    jan1, sep30, tomorrow = body["records"]
    assert jan1["Account"] is None and jan1["Owner"] is None
    assert sep30["Account"] is None
    # Émile's manager is Raj, whose manager is Ana
    assert sep30["Owner"]["Manager"]["Manager"]["Name"] == "Ana Rep"
    assert tomorrow["Account"]["Owner"]["Name"] == "Ana Rep"
    assert tomorrow["Owner"] is None


def test_five_level_parent_path() -> None:
    body = run_soql(
        "SELECT Order.Account.Owner.Manager.Manager.Name FROM OrderItem ORDER BY UnitPrice"
    )
    first = body["records"][0]
    assert first["Order"]["Account"]["Owner"]["Manager"] == {
        "attributes": {"type": "User", "url": f"/services/data/v62.0/sobjects/User/{ANA}"},
        "Manager": None,
    }


def test_child_subquery_shape_and_null_when_empty() -> None:
    body = run_soql(
        "SELECT Name, (SELECT OrderNumber, Status FROM Orders ORDER BY OrderNumber) "
        "FROM Account WHERE Name IN ('Acme Corp', 'Ünïcode Café') ORDER BY Name"
    )
    acme, uni = body["records"]
    assert acme["Orders"]["totalSize"] == 3
    assert acme["Orders"]["done"] is True
    assert [o["OrderNumber"] for o in acme["Orders"]["records"]] == [
        "00000101",
        "00000102",
        "00000103",
    ]
    assert acme["Orders"]["records"][0]["attributes"] == {
        "type": "Order",
        "url": f"/services/data/v62.0/sobjects/Order/{ORD1}",
    }
    assert uni["Orders"] is None


def test_child_subquery_filters_sorts_limits_and_is_null_when_filtered_empty() -> None:
    body = run_soql(
        "SELECT Name, (SELECT Status, Owner.Name FROM orders WHERE Status != 'Draft' "
        "ORDER BY EffectiveDate DESC LIMIT 1), (SELECT Name FROM Opportunities "
        "WHERE Amount > 5000) FROM Account WHERE Name = 'Acme Corp'"
    )
    (acme,) = body["records"]
    assert list(acme) == ["attributes", "Name", "Orders", "Opportunities"]
    assert acme["Orders"]["totalSize"] == 1
    assert acme["Orders"]["records"][0]["Status"] == "Provisioning"
    assert acme["Orders"]["records"][0]["Owner"]["Name"] == "Ana Rep"
    assert acme["Opportunities"] is None


@pytest.mark.parametrize(
    ("query", "key", "count"),
    [
        (
            "SELECT Id, (SELECT Quantity, Product2.Name FROM OrderItems) FROM Order "
            f"WHERE Id = '{ORD1}'",
            "OrderItems",
            2,
        ),
        (
            f"SELECT Id, (SELECT Name FROM ChildAccounts) FROM Account WHERE Id = '{ACME}'",
            "ChildAccounts",
            1,
        ),
        (
            f"SELECT Id, (SELECT Email FROM Contacts) FROM Account WHERE Id = '{ACME}'",
            "Contacts",
            1,
        ),
        (
            f"SELECT Id, (SELECT Name FROM ManagedUsers) FROM User WHERE Id = '{ANA}'",
            "ManagedUsers",
            1,
        ),
    ],
)
def test_child_relationships(query: str, key: str, count: int) -> None:
    (rec,) = run_soql(query)["records"]
    assert rec[key]["totalSize"] == count


def test_subquery_may_use_parent_paths() -> None:
    body = run_soql(
        f"SELECT OrderNumber, (SELECT Product2.Name, TotalPrice FROM OrderItems "
        f"ORDER BY Product2.Name DESC) FROM Order WHERE Id = '{ORD1}'"
    )
    items = body["records"][0]["OrderItems"]["records"]
    assert [i["Product2"]["Name"] for i in items] == ["Voice Line", "Fiber 1G"]
    assert [i["TotalPrice"] for i in items] == [25.5, 200.0]


# --- aggregates ----------------------------------------------------------------------


def test_count_returns_total_size_only() -> None:
    assert run_soql("SELECT COUNT() FROM Account") == {
        "totalSize": 6,
        "done": True,
        "records": [],
    }
    assert run_soql("SELECT COUNT() FROM Account WHERE Industry = 'Retail'")["totalSize"] == 3
    assert run_soql("SELECT count() FROM Account LIMIT 2")["totalSize"] == 2


def test_count_with_group_by_counts_groups() -> None:
    body = run_soql("SELECT COUNT() FROM Account GROUP BY Industry")
    assert body == {"totalSize": 4, "done": True, "records": []}


def test_aggregates_without_group_by_give_one_row() -> None:
    body = run_soql(
        "SELECT COUNT(Id), COUNT(Industry), COUNT_DISTINCT(Industry), SUM(AnnualRevenue), "
        "MIN(AnnualRevenue), MAX(AnnualRevenue), AVG(NumberOfEmployees), MIN(Name), "
        "MAX(CreatedDate) FROM Account"
    )
    assert body["totalSize"] == 1
    (row,) = body["records"]
    assert row == {
        "attributes": {"type": "AggregateResult"},
        "expr0": 6,
        "expr1": 5,
        "expr2": 3,
        "expr3": pytest.approx(1331000.5),
        "expr4": 1000.0,
        "expr5": 1000000.0,
        "expr6": pytest.approx(227 / 4),
        "expr7": "100% Fiber_Co",
        "expr8": "2026-11-22T04:30:00.000+0000",
    }


def test_aggregate_over_no_rows() -> None:
    body = run_soql(
        "SELECT COUNT(Id), SUM(Amount), MAX(CloseDate) FROM Opportunity WHERE Amount < 0"
    )
    assert body["records"] == [
        {"attributes": {"type": "AggregateResult"}, "expr0": 0, "expr1": None, "expr2": None}
    ]


def test_group_by_with_aliases_and_expr_numbering() -> None:
    body = run_soql(
        "SELECT Industry, COUNT(Id) n, SUM(AnnualRevenue), MAX(Name) FROM Account "
        "GROUP BY Industry ORDER BY Industry NULLS LAST"
    )
    assert body["records"] == [
        {
            "attributes": {"type": "AggregateResult"},
            "Industry": "Banking",
            "n": 1,
            "expr0": 5000.0,
            "expr1": "Back\\slash Ltd",
        },
        {
            "attributes": {"type": "AggregateResult"},
            "Industry": "Retail",
            "n": 3,
            "expr0": 1076000.0,
            "expr1": "Ünïcode Café",
        },
        {
            "attributes": {"type": "AggregateResult"},
            "Industry": "Telecommunications",
            "n": 1,
            "expr0": 250000.5,
            "expr1": "O'Hare Signal & Sons",
        },
        {
            "attributes": {"type": "AggregateResult"},
            "Industry": None,
            "n": 1,
            "expr0": None,
            "expr1": "100% Fiber_Co",
        },
    ]


def test_group_by_parent_path_uses_the_last_name_as_key() -> None:
    body = run_soql(
        "SELECT Owner.Name, COUNT(Id) FROM Opportunity GROUP BY Owner.Name ORDER BY Owner.Name"
    )
    assert [(r["Name"], r["expr0"]) for r in body["records"]] == [
        (None, 3),
        ("Ana Rep", 3),
        ("Raj Rep", 3),
        ("Émile Zola", 1),  # upper-cased UTF-8 order: É sorts after Z
    ]


def test_group_by_several_fields_having_and_order_by_aggregate() -> None:
    body = run_soql(
        "SELECT StageName, Account.Name acct, SUM(Amount) total FROM Opportunity "
        "GROUP BY StageName, Account.Name HAVING SUM(Amount) > 60 ORDER BY SUM(Amount) DESC"
    )
    assert [(r["StageName"], r["acct"], r["total"]) for r in body["records"]] == [
        ("Closed Won", "Acme Corp", 1200.0),
        ("Negotiation/Review", None, 300.0),
        ("Prospecting", "Acme Corp", 100.0),
    ]


def test_having_on_count_and_on_a_grouped_field() -> None:
    body = run_soql(
        "SELECT AccountId, COUNT(Id) FROM Opportunity WHERE AccountId != null "
        "GROUP BY AccountId HAVING COUNT(Id) > 1 AND AccountId != null ORDER BY COUNT(Id) DESC"
    )
    assert [(r["AccountId"], r["expr0"]) for r in body["records"]] == [(ACME, 3), (OHARE, 2)]
    body = run_soql(
        "SELECT Industry FROM Account GROUP BY Industry HAVING Industry LIKE 'R%' LIMIT 5"
    )
    assert body["records"] == [{"attributes": {"type": "AggregateResult"}, "Industry": "Retail"}]


def test_group_by_groups_text_case_insensitively() -> None:
    body = run_soql("SELECT BillingCity, COUNT(Id) c FROM Account GROUP BY BillingCity")
    counts = {
        r["BillingCity"].lower() if r["BillingCity"] else None: r["c"] for r in body["records"]
    }
    assert counts["boston"] == 2


# --- errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code", "text"),
    [
        # syntax
        ("SELECT Id, FROM Account", "MALFORMED_QUERY", "unexpected token: 'FROM'"),
        ("SELECT FROM Account", "MALFORMED_QUERY", "unexpected token: 'FROM'"),
        ("SELECT Id FROM", "MALFORMED_QUERY", "unexpected token: '<EOF>'"),
        ("SELECT Id FROM Account WHERE", "MALFORMED_QUERY", "unexpected token: '<EOF>'"),
        (
            "SELECT Id FROM Account WHERE Name = 'x' AND Name = 'y' OR Name = 'z'",
            "MALFORMED_QUERY",
            "unexpected token: 'OR'",
        ),
        ("SELECT Id FROM Account WHERE Name = 'unterminated", "MALFORMED_QUERY", "unterminated"),
        ("SELECT * FROM Account", "MALFORMED_QUERY", "unexpected token: '*'"),
        ("SELECT Id FROM Account LIMIT x", "MALFORMED_QUERY", "unexpected token: 'x'"),
        (
            "SELECT Id FROM Account ORDER BY Name SIDEWAYS",
            "MALFORMED_QUERY",
            "unexpected token: 'SIDEWAYS'",
        ),
        (
            "SELECT Id FROM Account WHERE Name = 'a\\qb'",
            "MALFORMED_QUERY",
            "Illegal character sequence '\\q'",
        ),
        ("SELECT Id FROM Account WHERE Name = 'a\\%b'", "MALFORMED_QUERY", "LIKE"),
        ("SELECT Id FROM Account WHERE CloseDate = 2026-13-45", "MALFORMED_QUERY", "invalid date"),
        (
            "SELECT Name, COUNT(Id) FROM Account",
            "MALFORMED_QUERY",
            "Field must be grouped or aggregated: Name",
        ),
        (
            "SELECT Name, COUNT(Id) FROM Account GROUP BY Industry",
            "MALFORMED_QUERY",
            "Field must be grouped or aggregated: Name",
        ),
        ("SELECT Id, COUNT() FROM Account", "MALFORMED_QUERY", "COUNT()"),
        (
            "SELECT SUM(Name) FROM Account",
            "MALFORMED_QUERY",
            "field Name does not support aggregate operator SUM",
        ),
        ("SELECT Id FROM Account WHERE COUNT(Id) > 1", "MALFORMED_QUERY", "HAVING"),
        ("SELECT Id, Id FROM Account", "MALFORMED_QUERY", "duplicate field selected: Id"),
        (
            "SELECT Name, Owner.Name FROM Account GROUP BY Name, Owner.Name",
            "MALFORMED_QUERY",
            "duplicate alias: Name",
        ),
        ("SELECT Name n FROM Account", "MALFORMED_QUERY", "unexpected token: 'n'"),
        ("SELECT Name FROM Account HAVING COUNT(Id) > 1", "MALFORMED_QUERY", "GROUP BY"),
        ("SELECT Id FROM Account ORDER BY COUNT(Id)", "MALFORMED_QUERY", "GROUP BY"),
        ("SELECT Id FROM Account WHERE Name LIKE null", "INVALID_FIELD", "must be of type string"),
        ("SELECT Id FROM Account WHERE Name IN ()", "MALFORMED_QUERY", "unexpected token: ')'"),
        ("SELECT Id FROM Account;", "MALFORMED_QUERY", "unexpected token: ';'"),
        # features the sandbox does not implement
        (
            "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact)",
            "MALFORMED_QUERY",
            "semi-join",
        ),
        (
            "SELECT Id FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact)",
            "MALFORMED_QUERY",
            "semi-join",
        ),
        ("SELECT TYPEOF Owner WHEN User THEN Name END FROM Account", "MALFORMED_QUERY", "TYPEOF"),
        ("SELECT FIELDS(ALL) FROM Account LIMIT 200", "MALFORMED_QUERY", "FIELDS()"),
        ("SELECT Id FROM Account WITH SECURITY_ENFORCED", "MALFORMED_QUERY", "WITH"),
        ("SELECT Id FROM Account FOR UPDATE", "MALFORMED_QUERY", "FOR UPDATE"),
        ("SELECT Id FROM Account LIMIT 1 FOR VIEW", "MALFORMED_QUERY", "FOR VIEW"),
        (
            "SELECT Industry, COUNT(Id) FROM Account GROUP BY ROLLUP(Industry)",
            "MALFORMED_QUERY",
            "ROLLUP",
        ),
        (
            "SELECT Industry, COUNT(Id) FROM Account GROUP BY CUBE(Industry)",
            "MALFORMED_QUERY",
            "CUBE",
        ),
        (
            "SELECT Id FROM Opportunity WHERE CALENDAR_YEAR(CloseDate) = 2026",
            "MALFORMED_QUERY",
            "CALENDAR_YEAR()",
        ),
        ("SELECT toLabel(StageName) FROM Opportunity", "MALFORMED_QUERY", "toLabel()"),
        ("SELECT FORMAT(Amount) FROM Opportunity", "MALFORMED_QUERY", "FORMAT()"),
        ("SELECT convertCurrency(Amount) FROM Opportunity", "MALFORMED_QUERY", "convertCurrency()"),
        (
            "SELECT Id FROM Account WHERE Industry INCLUDES ('Retail')",
            "MALFORMED_QUERY",
            "INCLUDES",
        ),
        (
            "SELECT Id FROM Account WHERE Industry EXCLUDES ('Retail')",
            "MALFORMED_QUERY",
            "EXCLUDES",
        ),
        ("SELECT Id FROM Account USING SCOPE mine", "MALFORMED_QUERY", "USING SCOPE"),
        ("SELECT Id FROM Account WHERE Name = :name", "MALFORMED_QUERY", "bind variable"),
        (
            "SELECT Id FROM Opportunity WHERE CloseDate = THIS_FISCAL_YEAR",
            "MALFORMED_QUERY",
            "fiscal",
        ),
        ("SELECT Id FROM Account a", "MALFORMED_QUERY", "alias"),
        (
            "SELECT Id, (SELECT Id, (SELECT Id FROM OrderItems) FROM Orders) FROM Account",
            "MALFORMED_QUERY",
            "nested child subquery",
        ),
        # unknown names
        ("SELECT Id FROM Foo", "INVALID_TYPE", "sObject type 'Foo' is not supported."),
        (
            "SELECT Id, (SELECT Id FROM Widgets) FROM Account",
            "INVALID_TYPE",
            "Didn't understand relationship 'Widgets' in FROM part of query call",
        ),
        (
            "SELECT Id, Foo FROM Account",
            "INVALID_FIELD",
            "No such column 'Foo' on entity 'Account'. If you are attempting to use a custom "
            "field, be sure to append the '__c' after the custom field name.",
        ),
        ("SELECT Id FROM Account WHERE Foo = 'x'", "INVALID_FIELD", "No such column 'Foo'"),
        ("SELECT Id FROM Account ORDER BY Foo", "INVALID_FIELD", "No such column 'Foo'"),
        ("SELECT Owner.Foo FROM Account", "INVALID_FIELD", "No such column 'Foo' on entity 'User'"),
        (
            "SELECT Foo.Name FROM Account",
            "INVALID_FIELD",
            "Didn't understand relationship 'Foo' in field path",
        ),
        (
            "SELECT Name.First FROM Account",
            "INVALID_FIELD",
            "Didn't understand relationship 'Name' in field path",
        ),
        (
            "SELECT Id, (SELECT Foo FROM Orders) FROM Account",
            "INVALID_FIELD",
            "No such column 'Foo' on entity 'Order'",
        ),
        # literal types
        (
            "SELECT Id FROM Opportunity WHERE CloseDate = '2026-11-22'",
            "INVALID_FIELD",
            "value of filter criterion for field 'CloseDate' must be of type date and should "
            "not be enclosed in quotes",
        ),
        (
            "SELECT Id FROM Opportunity WHERE CloseDate > 2026-11-22T00:00:00Z",
            "INVALID_FIELD",
            "must be of type date",
        ),
        (
            "SELECT Id FROM Account WHERE CreatedDate > 2026-11-22",
            "INVALID_FIELD",
            "must be of type dateTime",
        ),
        (
            "SELECT Id FROM Opportunity WHERE Amount > '5'",
            "INVALID_FIELD",
            "field 'Amount' must be of type double and should not be enclosed in quotes",
        ),
        (
            "SELECT Id FROM Account WHERE NumberOfEmployees = '5'",
            "INVALID_FIELD",
            "must be of type integer",
        ),
        (
            "SELECT Id FROM Opportunity WHERE IsWon = 'true'",
            "INVALID_FIELD",
            "field 'IsWon' must be of type boolean and should not be enclosed in quotes",
        ),
        (
            "SELECT Id FROM Account WHERE Name = 5",
            "INVALID_FIELD",
            "field 'Name' must be of type string and should be enclosed in quotes",
        ),
        ("SELECT Id FROM Account WHERE Name = TODAY", "INVALID_FIELD", "must be of type string"),
        (
            "SELECT Id FROM Account WHERE Industry IN ('Retail', 5)",
            "INVALID_FIELD",
            "must be of type string",
        ),
        ("SELECT Id FROM Opportunity WHERE Amount LIKE '5%'", "INVALID_FIELD", "LIKE"),
        ("SELECT Id FROM Opportunity WHERE CloseDate LIKE '2026%'", "INVALID_FIELD", "LIKE"),
        # operators
        (
            "SELECT Id FROM Opportunity WHERE IsWon < true",
            "INVALID_QUERY_FILTER_OPERATOR",
            "invalid operator on boolean field",
        ),
        (
            "SELECT Id FROM Account WHERE Id LIKE '001%'",
            "INVALID_QUERY_FILTER_OPERATOR",
            "invalid operator on id field",
        ),
        (
            "SELECT Id FROM Account WHERE Id = 'abc'",
            "INVALID_QUERY_FILTER_OPERATOR",
            "invalid ID field: abc",
        ),
        (
            "SELECT Id FROM Account WHERE OwnerId IN ('005000000000001AAA', 'nope')",
            "INVALID_QUERY_FILTER_OPERATOR",
            "invalid ID field: nope",
        ),
        (
            "SELECT Id FROM Account WHERE AnnualRevenue > null",
            "INVALID_QUERY_FILTER_OPERATOR",
            "null",
        ),
    ],
)
def test_errors(query: str, code: str, text: str) -> None:
    err = soql_error(query)
    assert err["errorCode"] == code
    assert text in err["message"]


def test_unsupported_features_say_so() -> None:
    err = soql_error("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact)")
    assert "not supported by the sandbox" in err["message"]


def test_error_messages_locate_the_problem_like_salesforce() -> None:
    err = soql_error("SELECT Id, Nme FROM Account")
    assert err["message"].startswith(
        "SELECT Id, Nme FROM Account\n           ^\nERROR at Row:1:Column:12\nNo such column 'Nme'"
    )
    err = soql_error("SELECT Id\nFROM Acount")
    assert "ERROR at Row:2:Column:6\nsObject type 'Acount'" in err["message"]


def test_validation_happens_even_when_no_row_would_be_touched() -> None:
    err = soql_error("SELECT Id FROM Contract WHERE Bogus = 1")
    assert err["errorCode"] == "INVALID_FIELD"
    err = soql_error("SELECT Id, (SELECT Bogus FROM Orders) FROM Account WHERE Name = 'none'")
    assert err["errorCode"] == "INVALID_FIELD"
