"""The sandbox org does what a real org does where a convenient stand-in would not.

Issue 12, over real HTTPS with simple-salesforce (unmodified) as the client: child
relationship results page past 199 rows; a request whose URI and headers pass 16,384
bytes is refused with 414/431; multicurrency orgs (CurrencyType, CurrencyIsoCode,
convertCurrency(), aggregates in the corporate currency); the org's own picklist values
with their status categories; date literals in the integration user's time zone and
locale. Each behaviour's source is cited next to the sandbox code that implements it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceGeneralError, SalesforceMalformedRequest

from bot.standins.salesforce.schema import make_id
from bot.standins.salesforce.server import SandboxOrg

ANA, RAJ, ZED = "005000000000001AAA", "005000000000002AAA", "005000000000003AAA"
ACME, GLOBEX = "001000000000001AAA", "001000000000002AAA"
ORDER = "801000000000001AAA"
CHILD_URL = re.compile(r"^/services/data/v\d+\.\d/query/01g[0-9A-Za-z]{15}-(\d+)$")


def control(org: SandboxOrg, method: str, name: str, body: Any = None) -> requests.Response:
    return requests.request(method, f"{org.instance_url}/__sandbox__/{name}", json=body, timeout=30)


@pytest.fixture
def loaded(org: SandboxOrg) -> Iterator[SandboxOrg]:
    """The org fixture, emptied again after the test (other modules expect it empty)."""
    yield org
    org.load({})


def error_of(exc: pytest.ExceptionInfo[Any]) -> dict[str, Any]:
    return exc.value.content[0]


def composite_query(sf: Salesforce, soql: str) -> dict[str, Any]:
    """One query sent in a composite request body (not in the URL)."""
    url = f"/services/data/v{sf.sf_version}/query?q={requests.utils.quote(soql)}"
    body = sf.restful(
        "composite",
        method="POST",
        json={"compositeRequest": [{"method": "GET", "url": url, "referenceId": "q"}]},
    )
    return body["compositeResponse"][0]


def big_org(accounts: int, orders_each: int) -> dict[str, list[dict[str, Any]]]:
    """``accounts`` accounts (Ids 001...1, 2, ...) each with ``orders_each`` draft orders
    numbered so ORDER BY OrderNumber gives a known order."""
    account_ids = [make_id("001", a + 1) for a in range(accounts)]
    return {
        "User": [{"Id": ANA, "LastName": "Rep", "Email": "ana@example.com"}],
        "Account": [
            {"Id": aid, "Name": f"Account {a:03d}", "OwnerId": ANA}
            for a, aid in enumerate(account_ids)
        ],
        "Order": [
            {
                "AccountId": aid,
                "Status": "Draft",
                "EffectiveDate": "2026-11-02",
                "OrderNumber": f"{a * 10000 + n:08d}",
                "TotalAmount": 10.0,
            }
            for a, aid in enumerate(account_ids)
            for n in range(orders_each)
        ],
    }


# --- child relationship results page ----------------------------------------------------


def follow(sf: Salesforce, sub: dict[str, Any]) -> list[dict[str, Any]]:
    """Every row of a child result, following its nextRecordsUrl pages."""
    rows = list(sub["records"])
    while not sub["done"]:
        sub = sf.query_more(sub["nextRecordsUrl"], identifier_is_url=True)
        rows.extend(sub["records"])
    return rows


def test_a_child_result_past_199_rows_pages_inside_its_parent(
    sf: Salesforce, loaded: SandboxOrg
) -> None:
    loaded.load(big_org(1, 450))
    body = sf.query("SELECT Id, (SELECT OrderNumber FROM Orders ORDER BY OrderNumber) FROM Account")
    assert body["done"] is True and body["totalSize"] == 1
    sub = body["records"][0]["Orders"]
    assert sub["totalSize"] == 450 and sub["done"] is False
    assert len(sub["records"]) == 199
    m = CHILD_URL.match(sub["nextRecordsUrl"])
    assert m is not None and m.group(1) == "199"
    second = sf.query_more(sub["nextRecordsUrl"], identifier_is_url=True)
    assert second["totalSize"] == 450 and len(second["records"]) == 200
    assert second["done"] is False
    numbers = [r["OrderNumber"] for r in follow(sf, sub)]
    assert numbers == [f"{n:08d}" for n in range(450)]  # every row once, in order


@pytest.mark.parametrize(("rows", "paged"), [(1, False), (199, False), (200, True), (257, True)])
def test_the_cut_is_at_199_rows(sf: Salesforce, loaded: SandboxOrg, rows: int, paged: bool) -> None:
    loaded.load(big_org(1, rows))
    sub = sf.query("SELECT Id, (SELECT Id FROM Orders) FROM Account")["records"][0]["Orders"]
    assert sub["totalSize"] == rows
    assert sub["done"] is (not paged)
    assert len(sub["records"]) == min(rows, 199)
    assert ("nextRecordsUrl" in sub) is paged
    assert len({r["Id"] for r in follow(sf, sub)}) == rows


def test_a_subquery_limit_still_bounds_the_child_result(sf: Salesforce, loaded: SandboxOrg) -> None:
    loaded.load(big_org(1, 450))
    sub = sf.query("SELECT Id, (SELECT Id FROM Orders LIMIT 250) FROM Account")["records"][0][
        "Orders"
    ]
    assert sub["totalSize"] == 250 and sub["done"] is False
    assert len(follow(sf, sub)) == 250


def test_child_rows_count_toward_the_parent_batch(sf: Salesforce, loaded: SandboxOrg) -> None:
    loaded.load(big_org(20, 150))  # each parent costs 1 + 150 rows of a 2,000-row batch
    first = sf.query("SELECT Id, (SELECT Id FROM Orders) FROM Account ORDER BY Name")
    assert first["totalSize"] == 20 and first["done"] is False
    assert len(first["records"]) == 13  # 13 x 151 = 1,963; a 14th would pass 2,000
    seen = [r["Id"] for r in first["records"]]
    page = first
    while not page["done"]:
        page = sf.query_more(page["nextRecordsUrl"], identifier_is_url=True)
        seen += [r["Id"] for r in page["records"]]
    assert len(seen) == len(set(seen)) == 20
    # Without children a page is the whole batch as before.
    assert sf.query("SELECT Id FROM Account")["done"] is True


def test_the_next_parent_page_invalidates_the_child_locators_before_it(
    sf: Salesforce, loaded: SandboxOrg
) -> None:
    loaded.load(big_org(12, 250))  # each parent: 1 + 199 rows -> 10 parents a page
    first = sf.query("SELECT Id, (SELECT Id FROM Orders) FROM Account ORDER BY Name")
    assert len(first["records"]) == 10 and first["done"] is False
    child_url = first["records"][0]["Orders"]["nextRecordsUrl"]
    assert len(sf.query_more(child_url, identifier_is_url=True)["records"]) == 51
    second = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert len(second["records"]) == 2 and second["done"] is True
    # "A queryMore() call on a parent object invalidates all child cursors in the
    # previous result set" - the new page's own child locators work.
    with pytest.raises(SalesforceMalformedRequest) as stale:
        sf.query_more(child_url, identifier_is_url=True)
    assert error_of(stale)["errorCode"] == "INVALID_QUERY_LOCATOR"
    fresh = second["records"][0]["Orders"]
    assert len(follow(sf, fresh)) == 250


def test_child_results_page_inside_a_composite_query_too(
    sf: Salesforce, loaded: SandboxOrg
) -> None:
    loaded.load(big_org(1, 300))
    entry = composite_query(sf, "SELECT Id, (SELECT Id FROM Orders) FROM Account")
    assert entry["httpStatusCode"] == 200
    sub = entry["body"]["records"][0]["Orders"]
    assert sub["done"] is False and len(sub["records"]) == 199
    assert len(follow(sf, sub)) == 300


def test_an_aggregate_query_past_one_batch_is_refused(sf: Salesforce, loaded: SandboxOrg) -> None:
    loaded.load({"Account": [{"Name": f"A{n:05d}"} for n in range(2001)]})
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.query("SELECT Name, COUNT(Id) FROM Account GROUP BY Name")
    assert error_of(exc) == {
        "errorCode": "EXCEEDED_ID_LIMIT",
        "message": "Aggregate query does not support queryMore(), use LIMIT to restrict the "
        "results to a single batch",
    }
    body = sf.query("SELECT Name, COUNT(Id) FROM Account GROUP BY Name LIMIT 2000")
    assert body["done"] is True and len(body["records"]) == 2000
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 2001


# --- 16,384 bytes of URI and headers ---------------------------------------------------


def long_in_query(n: int) -> str:
    emails = ", ".join(f"'owner.number.{i:04d}@example.com'" for i in range(n))
    return f"SELECT Id FROM Account WHERE Owner.Email IN ({emails})"


def test_a_uri_over_16384_bytes_is_refused_with_414(sf: Salesforce, loaded: SandboxOrg) -> None:
    loaded.load({"Account": [{"Name": "Acme"}]})
    used = loaded.limits()["used"]
    assert sf.query(long_in_query(200))["totalSize"] == 0  # ~10 KB: fine
    with pytest.raises(SalesforceGeneralError) as exc:
        sf.query(long_in_query(400))  # ~21 KB of URI
    assert exc.value.status == 414
    content = exc.value.content
    assert "URI Too Long" in (content.decode() if isinstance(content, bytes) else content)
    # Refused before the API: not counted, but in the request log with its status.
    assert loaded.limits()["used"] == used + 1  # the 10 KB query only
    entry = loaded.requests_log()[-1]
    assert entry["status"] == 414 and "URI Too Long" in entry["refused"]
    # The same query in a composite request body is fine (Help 000386264's advice).
    assert composite_query(sf, long_in_query(400))["httpStatusCode"] == 200


def test_uri_and_headers_over_16384_bytes_is_431(org: SandboxOrg) -> None:
    url = f"{org.instance_url}/services/data/v62.0/query"
    soql = "SELECT Id FROM Account WHERE Name = '" + "x" * 9000 + "'"
    auth = {"Authorization": f"Bearer {org.access_token}"}
    ok = requests.get(url, params={"q": soql}, headers=auth, timeout=30)
    assert ok.status_code == 200
    big = requests.get(url, params={"q": soql}, headers={**auth, "X-Pad": "y" * 8000}, timeout=30)
    assert big.status_code == 431
    assert "Request Header Fields Too Large" in big.text
    assert big.headers["Content-Type"].startswith("text/html")


def test_soql_over_100000_characters_is_malformed(sf: Salesforce, loaded: SandboxOrg) -> None:
    entry = composite_query(sf, "SELECT Id FROM Account WHERE Name = '" + "x" * 100_000 + "'")
    assert entry["httpStatusCode"] == 400
    assert entry["body"][0]["errorCode"] == "MALFORMED_QUERY"
    assert "100000" in entry["body"][0]["message"]


# --- currencies ---------------------------------------------------------------------------

CURRENCIES = [
    {"IsoCode": "USD", "ConversionRate": 1, "IsCorporate": True, "IsActive": True},
    {"IsoCode": "EUR", "ConversionRate": 0.8, "IsActive": True},
    {"IsoCode": "JPY", "ConversionRate": 160, "IsActive": True},
    {"IsoCode": "GBP", "ConversionRate": 0.5, "IsActive": False},
]


def multicurrency_org(user_currency: str | None = "EUR") -> dict[str, Any]:
    user: dict[str, Any] = {"Id": ANA, "LastName": "Rep", "Email": "ana@example.com"}
    if user_currency:
        user["DefaultCurrencyIsoCode"] = user_currency
    return {
        "User": [user],
        "CurrencyType": CURRENCIES,
        "Account": [{"Id": ACME, "Name": "Acme", "OwnerId": ANA, "CurrencyIsoCode": "EUR"}],
        "Opportunity": [
            {
                "Name": "euro",
                "AccountId": ACME,
                "StageName": "Prospecting",
                "CloseDate": "2026-12-01",
                "Amount": 100_000,
                "CurrencyIsoCode": "EUR",
            },
            {
                "Name": "yen",
                "AccountId": ACME,
                "StageName": "Prospecting",
                "CloseDate": "2026-12-02",
                "Amount": 5_000_000,
                "CurrencyIsoCode": "JPY",
            },
            {
                "Name": "dollar",
                "AccountId": ACME,
                "StageName": "Closed Won",
                "CloseDate": "2026-11-02",
                "Amount": 40_000,
            },
            {
                "Name": "pound",
                "AccountId": ACME,
                "StageName": "Closed Won",
                "CloseDate": "2026-11-03",
                "Amount": 1_000,
                "CurrencyIsoCode": "GBP",
            },
        ],
        "Order": [
            {
                "Id": ORDER,
                "AccountId": ACME,
                "EffectiveDate": "2026-11-02",
                "CurrencyIsoCode": "JPY",
            }
        ],
        "OrderItem": [{"OrderId": ORDER, "Quantity": 2, "UnitPrice": 1500}],
    }


def test_a_single_currency_org_has_no_currency_fields(sf: Salesforce, loaded: SandboxOrg) -> None:
    loaded.load({"Organization": [{"DefaultCurrencyIsoCode": "EUR"}], "Account": [{"Name": "A"}]})
    (org_rec,) = sf.query("SELECT Id, Name, DefaultCurrencyIsoCode FROM Organization")["records"]
    assert org_rec["DefaultCurrencyIsoCode"] == "EUR" and org_rec["Id"].startswith("00D")
    with pytest.raises(SalesforceMalformedRequest) as no_field:
        sf.query("SELECT CurrencyIsoCode FROM Account")
    assert error_of(no_field)["errorCode"] == "INVALID_FIELD"
    with pytest.raises(SalesforceMalformedRequest) as no_object:
        sf.query("SELECT IsoCode FROM CurrencyType")
    assert error_of(no_object)["errorCode"] == "INVALID_TYPE"
    for bad in (
        "SELECT convertCurrency(AnnualRevenue) FROM Account",
        "SELECT Id FROM Account WHERE AnnualRevenue > USD5000",
    ):
        with pytest.raises(SalesforceMalformedRequest) as exc:
            sf.query(bad)
        assert error_of(exc)["errorCode"] == "MALFORMED_QUERY"
    fields = {f["name"] for f in sf.Account.describe()["fields"]}
    assert "CurrencyIsoCode" not in fields and "AnnualRevenue" in fields
    assert "CurrencyType" not in {o["name"] for o in sf.describe()["sobjects"]}
    loaded.load({"Account": [{"Name": "A"}]})
    default = sf.query("SELECT DefaultCurrencyIsoCode FROM Organization")["records"][0]
    assert default["DefaultCurrencyIsoCode"] == "USD"


def test_every_record_of_a_multicurrency_org_has_a_currency(
    sf: Salesforce, loaded: SandboxOrg
) -> None:
    loaded.load(multicurrency_org())
    opps = sf.query("SELECT Name, Amount, CurrencyIsoCode FROM Opportunity ORDER BY CloseDate")
    assert {r["Name"]: (r["Amount"], r["CurrencyIsoCode"]) for r in opps["records"]} == {
        "euro": (100_000.0, "EUR"),
        "yen": (5_000_000.0, "JPY"),
        "dollar": (40_000.0, "USD"),  # none given: the corporate currency
        "pound": (1_000.0, "GBP"),  # an inactive currency stays on old records
    }
    (item,) = sf.query("SELECT CurrencyIsoCode, TotalPrice FROM OrderItem")["records"]
    assert item == {**item, "CurrencyIsoCode": "JPY", "TotalPrice": 3000.0}  # the order's
    (order,) = sf.query("SELECT TotalAmount, CurrencyIsoCode FROM Order")["records"]
    assert (order["TotalAmount"], order["CurrencyIsoCode"]) == (3000.0, "JPY")
    currencies = sf.query(
        "SELECT IsoCode, ConversionRate, DecimalPlaces, IsActive, IsCorporate FROM CurrencyType "
        "ORDER BY IsoCode"
    )["records"]
    assert [
        (c["IsoCode"], c["ConversionRate"], c["DecimalPlaces"], c["IsActive"], c["IsCorporate"])
        for c in currencies
    ] == [
        ("EUR", 0.8, 2, True, False),
        ("GBP", 0.5, 2, False, False),
        ("JPY", 160.0, 0, True, False),
        ("USD", 1.0, 2, True, True),
    ]
    org_rec = sf.query("SELECT DefaultCurrencyIsoCode FROM Organization")["records"][0]
    assert org_rec["DefaultCurrencyIsoCode"] == "USD"  # the corporate currency
    described = {f["name"]: f for f in sf.Opportunity.describe()["fields"]}
    iso = described["CurrencyIsoCode"]
    assert iso["type"] == "picklist" and iso["restrictedPicklist"] is True
    assert [(p["value"], p["active"]) for p in iso["picklistValues"]] == [
        ("EUR", True),
        ("GBP", False),
        ("JPY", True),
        ("USD", True),
    ]
    assert "DefaultCurrencyIsoCode" in {f["name"] for f in sf.User.describe()["fields"]}
    assert "CurrencyType" in {o["name"] for o in sf.describe()["sobjects"]}


def test_convert_currency_converts_to_the_integration_users_currency(
    sf: Salesforce, loaded: SandboxOrg
) -> None:
    loaded.load(multicurrency_org(user_currency="EUR"))
    rows = sf.query(
        "SELECT Name, Amount, convertCurrency(Amount) inEuro FROM Opportunity ORDER BY Name"
    )["records"]
    assert {r["Name"]: (r["Amount"], r["inEuro"]) for r in rows} == {
        "dollar": (40_000.0, 32_000.0),
        "euro": (100_000.0, 100_000.0),
        "pound": (1_000.0, 1_600.0),
        "yen": (5_000_000.0, 25_000.0),
    }
    # Without an alias the converted value takes the field's own name.
    plain = sf.query("SELECT convertCurrency(Amount) FROM Opportunity WHERE Name = 'yen'")
    assert plain["records"][0]["Amount"] == 25_000.0
    nested = sf.query("SELECT convertCurrency(Order.TotalAmount) FROM OrderItem")["records"][0]
    assert nested["Order"]["TotalAmount"] == 15.0  # JPY 3,000 in EUR
    with pytest.raises(SalesforceMalformedRequest) as both:
        sf.query("SELECT Amount, convertCurrency(Amount) FROM Opportunity")
    assert "duplicate field" in error_of(both)["message"]
    with pytest.raises(SalesforceMalformedRequest) as not_money:
        sf.query("SELECT convertCurrency(Name) FROM Opportunity")
    assert error_of(not_money)["errorCode"] == "MALFORMED_QUERY"
    loaded.load(multicurrency_org(user_currency=None))  # default: the corporate currency
    yen = sf.query("SELECT convertCurrency(Amount) FROM Opportunity WHERE Name = 'yen'")
    assert yen["records"][0]["Amount"] == 31_250.0


def test_aggregates_of_currency_fields_are_in_the_corporate_currency(
    sf: Salesforce, loaded: SandboxOrg
) -> None:
    loaded.load(multicurrency_org())
    (total,) = sf.query(
        "SELECT SUM(Amount) total, MAX(Amount) biggest, MIN(Amount) smallest, "
        "AVG(Amount) mean, COUNT(Id) n FROM Opportunity"
    )["records"]
    # EUR 100,000 = USD 125,000; JPY 5,000,000 = USD 31,250; USD 40,000; GBP 1,000 = 2,000.
    assert total["total"] == 198_250.0
    assert total["biggest"] == 125_000.0 and total["smallest"] == 2_000.0
    assert total["mean"] == pytest.approx(49_562.5) and total["n"] == 4
    grouped = sf.query(
        "SELECT CurrencyIsoCode, SUM(Amount) total FROM Opportunity GROUP BY CurrencyIsoCode "
        "ORDER BY CurrencyIsoCode"
    )["records"]
    # Grouped by currency, the sums are still in USD.
    assert [(g["CurrencyIsoCode"], g["total"]) for g in grouped] == [
        ("EUR", 125_000.0),
        ("GBP", 2_000.0),
        ("JPY", 31_250.0),
        ("USD", 40_000.0),
    ]
    having = sf.query(
        "SELECT AccountId, SUM(Amount) FROM Opportunity GROUP BY AccountId "
        "HAVING SUM(Amount) > 198000"
    )
    assert having["totalSize"] == 1
    for bad in (
        "SELECT SUM(convertCurrency(Amount)) FROM Opportunity",
        "SELECT AccountId, convertCurrency(Amount) FROM Opportunity GROUP BY AccountId",
        "SELECT AccountId, SUM(Amount) FROM Opportunity GROUP BY AccountId "
        "HAVING SUM(Amount) > USD5000",
    ):
        with pytest.raises(SalesforceMalformedRequest) as exc:
            sf.query(bad)
        assert error_of(exc)["errorCode"] == "MALFORMED_QUERY", bad


def test_iso_coded_values_and_sorting_use_converted_amounts(
    sf: Salesforce, loaded: SandboxOrg
) -> None:
    loaded.load(multicurrency_org())

    def names(soql: str) -> list[str]:
        return [r["Name"] for r in sf.query(soql)["records"]]

    # EUR 100,000 is USD 125,000; JPY 5,000,000 is only USD 31,250.
    assert names("SELECT Name FROM Opportunity WHERE Amount > USD50000") == ["euro"]
    assert names("SELECT Name FROM Opportunity WHERE Amount > EUR30000 ORDER BY Name") == [
        "dollar",
        "euro",
    ]
    assert names("SELECT Name FROM Opportunity WHERE Amount IN (EUR25000, USD2000)") == [
        "yen",
        "pound",
    ]
    # A plain number compares the stored amounts, whatever their currency.
    assert names("SELECT Name FROM Opportunity WHERE Amount > 50000") == ["euro", "yen"]
    # "Ordering is always based on the converted currency value".
    assert names("SELECT Name FROM Opportunity ORDER BY Amount DESC") == [
        "euro",
        "dollar",
        "yen",
        "pound",
    ]
    for bad in (
        "SELECT Name FROM Opportunity WHERE Amount IN (USD5, 6)",
        "SELECT Name FROM Opportunity WHERE convertCurrency(Amount) > 5",
        "SELECT Name FROM Opportunity ORDER BY convertCurrency(Amount)",
        "SELECT Name FROM Opportunity WHERE Amount > GBP5",  # inactive
        "SELECT Name FROM Opportunity WHERE Amount > CHF5",  # not the org's
        "SELECT Name FROM Opportunity WHERE Name = USD5",
    ):
        with pytest.raises(SalesforceMalformedRequest) as exc:
            sf.query(bad)
        assert error_of(exc)["errorCode"] in ("MALFORMED_QUERY", "INVALID_FIELD"), bad


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"CurrencyType": [{"IsoCode": "USD", "ConversionRate": 1}]}, "exactly one currency"),
        (
            {"CurrencyType": [{"IsoCode": "USD", "ConversionRate": 2, "IsCorporate": True}]},
            "must have ConversionRate 1",
        ),
        (
            {"CurrencyType": [{"IsoCode": "usd", "ConversionRate": 1, "IsCorporate": True}]},
            "three-letter ISO 4217",
        ),
        (
            {"CurrencyType": [*CURRENCIES, {"IsoCode": "EUR", "ConversionRate": 0.9}]},
            "EUR is given twice",
        ),
        (
            {"CurrencyType": [*CURRENCIES, {"IsoCode": "CHF", "ConversionRate": 0}]},
            "ConversionRate above 0",
        ),
        ({"Contact": [{"LastName": "A", "CurrencyIsoCode": "CHF"}]}, "CurrencyIsoCode = 'CHF'"),
        (
            {
                "OrderItem": [
                    {"OrderId": ORDER, "Quantity": 1, "UnitPrice": 1, "CurrencyIsoCode": "EUR"}
                ]
            },
            "is not its order's currency JPY",
        ),
        (
            {"Organization": [{"DefaultCurrencyIsoCode": "EUR"}]},
            "is not the corporate currency USD",
        ),
        ({"User": [{"Id": ANA, "LastName": "R", "DefaultCurrencyIsoCode": "XXX"}]}, "'XXX'"),
    ],
)
def test_a_bad_currency_setup_is_refused_in_one_line(
    loaded: SandboxOrg, change: dict[str, Any], message: str
) -> None:
    data = {**multicurrency_org(), **change}
    resp = control(loaded, "POST", "data", data)
    assert resp.status_code == 400
    error = resp.json()["error"]
    assert message in error and "\n" not in error


def test_a_single_currency_org_refuses_currency_fields_in_the_data(loaded: SandboxOrg) -> None:
    resp = control(loaded, "POST", "data", {"Account": [{"Name": "A", "CurrencyIsoCode": "USD"}]})
    assert resp.status_code == 400 and "No such column 'CurrencyIsoCode'" in resp.json()["error"]
    bad = control(loaded, "POST", "data", {"Organization": [{"DefaultCurrencyIsoCode": "Euro"}]})
    assert bad.status_code == 400 and "three-letter" in bad.json()["error"]
    two = control(loaded, "POST", "data", {"Organization": [{"Name": "A"}, {"Name": "B"}]})
    assert two.status_code == 400 and "exactly one Organization" in two.json()["error"]
    # An empty CurrencyType list leaves the org single-currency.
    empty = control(loaded, "POST", "data", {"CurrencyType": [], "Account": [{"Name": "A"}]})
    assert empty.status_code == 200 and empty.json()["loaded"] == {"Account": 1}
    assert not loaded.store.schema.multi_currency


# --- the org's own picklists -----------------------------------------------------------

PICKLISTS = {
    "Order.Status": [
        {"value": "Draft", "default": True, "category": "Draft"},
        {"value": "Cancelled", "category": "Draft"},
        {"value": "Awaiting Install", "label": "Awaiting install", "category": "Draft"},
        {"value": "Activated", "category": "Activated"},
        {"value": "Complete", "category": "Activated"},
        {"value": "Legacy", "category": "Draft", "active": False},
    ],
    "Case.Priority": [
        {"value": "P1"},
        {"value": "P2"},
        {"value": "P3", "default": True},
    ],
}


def picklist_org(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "_picklists": PICKLISTS,
        "Account": [{"Id": ACME, "Name": "Acme"}],
        "Order": [
            {"AccountId": ACME, "Status": status, "EffectiveDate": "2026-11-02", "Name": status}
            for status in ("Cancelled", "Complete", "Legacy", "Awaiting Install")
        ]
        + [{"AccountId": ACME, "EffectiveDate": "2026-11-03", "Name": "no status given"}],
        "Case": [
            {"AccountId": ACME, "Subject": "low", "Priority": "P3"},
            {"AccountId": ACME, "Subject": "urgent", "Priority": "P1"},
            {"AccountId": ACME, "Subject": "default"},
        ],
    }
    data.update(changes)
    return data


def test_the_orgs_picklists_replace_the_stock_values(sf: Salesforce, loaded: SandboxOrg) -> None:
    loaded.load(picklist_org())
    status = {f["name"]: f for f in sf.Order.describe()["fields"]}["Status"]
    assert [
        (p["value"], p["label"], p["defaultValue"], p["active"]) for p in status["picklistValues"]
    ] == [
        ("Draft", "Draft", True, True),
        ("Cancelled", "Cancelled", False, True),
        ("Awaiting Install", "Awaiting install", False, True),
        ("Activated", "Activated", False, True),
        ("Complete", "Complete", False, True),
        ("Legacy", "Legacy", False, False),
    ]
    assert status["restrictedPicklist"] is True
    priority = {f["name"]: f for f in sf.Case.describe()["fields"]}["Priority"]
    assert [p["value"] for p in priority["picklistValues"]] == ["P1", "P2", "P3"]
    rows = sf.query("SELECT Name, Status, StatusCode FROM Order ORDER BY Name")["records"]
    assert {r["Name"]: (r["Status"], r["StatusCode"]) for r in rows} == {
        "Cancelled": ("Cancelled", "Draft"),  # the category decides StatusCode
        "Complete": ("Complete", "Activated"),
        "Legacy": ("Legacy", "Draft"),  # an inactive value stays on old records
        "Awaiting Install": ("Awaiting Install", "Draft"),
        "no status given": ("Draft", "Draft"),  # the org's default
    }
    activated = sf.query("SELECT Name FROM Order WHERE StatusCode = 'Activated'")["records"]
    assert [r["Name"] for r in activated] == ["Complete"]
    cases = sf.query("SELECT Subject, Priority FROM Case ORDER BY Priority, Subject")["records"]
    # Picklists sort in the org's order; a case given no priority gets the org's default.
    assert [(c["Subject"], c["Priority"]) for c in cases] == [
        ("urgent", "P1"),
        ("default", "P3"),
        ("low", "P3"),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {
                "Order": [
                    {"AccountId": ACME, "Status": "Pending Install", "EffectiveDate": "2026-11-02"}
                ]
            },
            "bad value for restricted picklist field: Status = 'Pending Install'",
        ),
        ({"Case": [{"AccountId": ACME, "Priority": "High"}]}, "Priority = 'High'"),
        ({"_picklists": {"Order.Colour": [{"value": "x"}]}}, "'Order.Colour'"),
        ({"_picklists": {"Order.OrderNumber": [{"value": "x"}]}}, "not a picklist"),
        ({"_picklists": {"Order.StatusCode": [{"value": "x"}]}}, "not a picklist"),
        ({"_picklists": {"Account.CurrencyIsoCode": [{"value": "x"}]}}, "'Account.CurrencyIso"),
        ({"_picklists": {"User.LocaleSidKey": [{"value": "x"}]}}, "not a picklist an org"),
        (
            {"_picklists": {"Order.Status": [{"value": "Draft", "category": "Draft"}]}},
            "no value in the Activated category",
        ),
        (
            {
                "_picklists": {
                    "Order.Status": [
                        {"value": "Draft"},
                        {"value": "Activated", "category": "Activated"},
                    ]
                }
            },
            "category must be one of Draft, Activated",
        ),
        (
            {
                "_picklists": {
                    "Case.Priority": [
                        {"value": "A", "default": True},
                        {"value": "B", "default": True},
                    ]
                }
            },
            "more than one default",
        ),
        ({"_picklists": {"Case.Priority": [{"value": "A"}, {"value": "a"}]}}, "given twice"),
        ({"_picklists": {"Case.Priority": [{"value": "A", "colour": "red"}]}}, "'colour'"),
        ({"_picklists": {"Case.Priority": [{"value": "A", "category": "Draft"}]}}, "'category'"),
        ({"_picklists": {"Case.Priority": []}}, "non-empty list"),
        ({"_picklists": {"Case.Status": [{"value": "Open", "closed": False}]}}, "open and closed"),
        ({"_widgets": {}}, "unknown data-set key '_widgets'"),
    ],
)
def test_a_value_outside_the_orgs_list_is_refused_in_one_line(
    loaded: SandboxOrg, change: dict[str, Any], message: str
) -> None:
    loaded.load({"Account": [{"Name": "Keep me"}]})
    resp = control(loaded, "POST", "data", picklist_org(**change))
    assert resp.status_code == 400
    error = resp.json()["error"]
    assert message in error and "\n" not in error
    assert [a["Name"] for a in loaded.store.records("Account")] == ["Keep me"]


def test_case_and_stage_picklists_carry_their_closed_and_won_flags(
    sf: Salesforce, loaded: SandboxOrg
) -> None:
    loaded.load(
        {
            "_picklists": {
                "Case.Status": [
                    {"value": "Open", "closed": False, "default": True},
                    {"value": "Resolved", "closed": True},
                ],
                "Opportunity.StageName": [
                    {"value": "Talking", "closed": False, "probability": 20},
                    {"value": "Signed", "closed": True, "won": True},
                    {"value": "Gone", "closed": True, "forecastCategory": "Omitted"},
                ],
            },
            "Case": [{"Subject": "a"}, {"Subject": "b", "Status": "Resolved"}],
            "Opportunity": [
                {"Name": n, "StageName": n, "CloseDate": "2026-11-02"}
                for n in ("Talking", "Signed", "Gone")
            ],
        }
    )
    cases = sf.query("SELECT Subject, Status, IsClosed FROM Case ORDER BY Subject")["records"]
    assert [(c["Status"], c["IsClosed"]) for c in cases] == [("Open", False), ("Resolved", True)]
    opps = sf.query(
        "SELECT Name, IsClosed, IsWon, ForecastCategoryName, Probability FROM Opportunity "
        "ORDER BY StageName"
    )["records"]
    assert [
        (o["Name"], o["IsClosed"], o["IsWon"], o["ForecastCategoryName"], o["Probability"])
        for o in opps
    ] == [
        ("Talking", False, False, "Pipeline", 20.0),
        ("Signed", True, True, "Closed", 100.0),
        ("Gone", True, False, "Omitted", 0.0),
    ]


# --- the integration user's time zone and locale ---------------------------------------

# Wednesday 18 November 2026, 20:00 UTC: 15:00 in New York, Thursday 05:00 in Tokyo.
NOW = dt.datetime(2026, 11, 18, 20, 0, tzinfo=dt.UTC)


def dated_org(user: dict[str, Any], org_fields: dict[str, Any] | None = None) -> dict[str, Any]:
    days = [dt.date(2026, 11, 14) + dt.timedelta(days=n) for n in range(10)]  # Sat 14 .. Mon 23
    data: dict[str, Any] = {
        "User": [
            {
                "Id": ZED,
                "LastName": "Gone",
                "IsActive": False,
                "TimeZoneSidKey": "Pacific/Auckland",
            },
            {"Id": ANA, "LastName": "Integration", "Email": "int@example.com", **user},
            {"Id": RAJ, "LastName": "Rep", "LocaleSidKey": "en_US"},
        ],
        "Opportunity": [
            {"Name": d.isoformat(), "StageName": "Prospecting", "CloseDate": d.isoformat()}
            for d in days
        ],
        "Account": [
            # Created Thursday 19 November 01:00 in Tokyo = Wednesday 16:00 UTC.
            {"Name": "tokyo-thursday", "CreatedDate": "2026-11-18T16:00:00Z"},
            # Created Wednesday 18 November 09:00 in New York (23:00 in Tokyo).
            {"Name": "ny-wednesday", "CreatedDate": "2026-11-18T14:00:00Z"},
        ],
    }
    if org_fields:
        data["Organization"] = [org_fields]
    return data


def close_dates(sf: Salesforce, literal: str) -> list[str]:
    soql = f"SELECT Name FROM Opportunity WHERE CloseDate = {literal} ORDER BY CloseDate"
    return [r["Name"][5:] for r in sf.query(soql)["records"]]


@pytest.mark.parametrize(
    ("user", "org_fields", "this_week"),
    [
        (
            {"LocaleSidKey": "en_US"},
            None,
            ["11-15", "11-16", "11-17", "11-18", "11-19", "11-20", "11-21"],
        ),
        (
            {"LocaleSidKey": "de_DE"},
            None,
            ["11-16", "11-17", "11-18", "11-19", "11-20", "11-21", "11-22"],
        ),
        (
            {"LocaleSidKey": "en_GB"},
            None,
            ["11-16", "11-17", "11-18", "11-19", "11-20", "11-21", "11-22"],
        ),
        # No locale on the user: the org's default locale decides.
        (
            {},
            {"DefaultLocaleSidKey": "fr_FR"},
            ["11-16", "11-17", "11-18", "11-19", "11-20", "11-21", "11-22"],
        ),
        ({}, None, ["11-15", "11-16", "11-17", "11-18", "11-19", "11-20", "11-21"]),
    ],
)
def test_weeks_start_on_the_integration_users_locale_first_day(
    sf: Salesforce,
    loaded: SandboxOrg,
    user: dict[str, Any],
    org_fields: dict[str, Any] | None,
    this_week: list[str],
) -> None:
    loaded.load(dated_org(user, org_fields))
    loaded.set_now(NOW)
    assert close_dates(sf, "THIS_WEEK") == this_week
    last_week = close_dates(sf, "LAST_WEEK")
    assert last_week == ["11-14"] if this_week[0] == "11-15" else ["11-14", "11-15"]


def test_today_is_the_integration_users_day(sf: Salesforce, loaded: SandboxOrg) -> None:
    loaded.load(dated_org({"TimeZoneSidKey": "Asia/Tokyo", "LocaleSidKey": "ja_JP"}))
    loaded.set_now(NOW)  # Thursday 05:00 in Tokyo
    assert close_dates(sf, "TODAY") == ["11-19"]
    assert close_dates(sf, "YESTERDAY") == ["11-18"]
    created = sf.query("SELECT Name FROM Account WHERE CreatedDate = TODAY")["records"]
    assert [a["Name"] for a in created] == ["tokyo-thursday"]
    assert control(loaded, "GET", "clock").json()["today"] == "2026-11-19"
    # The same moment for an integration user with no zone: the org's (New York).
    loaded.load(dated_org({}))
    loaded.set_now(NOW)
    assert close_dates(sf, "TODAY") == ["11-18"]
    created = sf.query("SELECT Name FROM Account WHERE CreatedDate = TODAY ORDER BY Name")
    assert [a["Name"] for a in created["records"]] == ["ny-wednesday", "tokyo-thursday"]
    loaded.load(dated_org({}, {"TimeZoneSidKey": "Asia/Tokyo"}))
    loaded.set_now(NOW)
    assert close_dates(sf, "TODAY") == ["11-19"]


def test_userinfo_names_the_integration_user_with_its_zone_and_locale(
    sf: Salesforce, loaded: SandboxOrg
) -> None:
    loaded.load(dated_org({"TimeZoneSidKey": "Europe/Berlin", "LocaleSidKey": "de_DE"}))
    loaded.set_now(NOW)
    used = loaded.limits()["used"]
    url = f"{loaded.instance_url}/services/oauth2/userinfo"
    info = sf.session.get(url, headers=sf.headers, timeout=30).json()
    # The first *active* user of the data set is the session's user.
    assert info["user_id"] == ANA and info["name"] == "Integration"
    assert info["organization_id"].startswith("00D")
    assert (info["zoneinfo"], info["locale"], info["utcOffset"]) == (
        "Europe/Berlin",
        "de_DE",
        3_600_000,
    )
    assert info["urls"]["rest"].endswith("/services/data/v{version}/")
    assert loaded.limits()["used"] == used  # an OAuth endpoint: not an API call
    assert requests.get(url, timeout=30).status_code == 401
    loaded.load(dated_org({}))
    info = sf.session.get(url, headers=sf.headers, timeout=30).json()
    assert (info["zoneinfo"], info["locale"]) == ("America/New_York", "en_US")


@pytest.mark.parametrize(
    ("user", "message"),
    [
        ({"TimeZoneSidKey": "Mars/Olympus"}, "'Mars/Olympus' is not a time zone"),
        ({"LocaleSidKey": "xx_YY"}, "'xx_YY' is not a locale the sandbox knows"),
    ],
)
def test_an_unknown_zone_or_locale_is_refused(
    loaded: SandboxOrg, user: dict[str, Any], message: str
) -> None:
    resp = control(loaded, "POST", "data", dated_org(user))
    assert resp.status_code == 400 and message in resp.json()["error"]


def test_a_lookup_equality_reads_the_parents_children_with_the_same_answer(
    sf: Salesforce, loaded: SandboxOrg
) -> None:
    """``WHERE AccountId = '...'`` is answered from the child index (for speed); the
    records, their order and the counts are those of a full scan (IN is not narrowed)."""
    loaded.load(big_org(3, 40))
    acct = make_id("001", 2)
    for where in (f"AccountId = '{acct}'", f"AccountId = '{acct[:15]}' AND TotalAmount > 5"):
        narrowed = sf.query_all(f"SELECT Id, OrderNumber FROM Order WHERE {where}")["records"]
        scanned = sf.query_all(
            f"SELECT Id, OrderNumber FROM Order WHERE AccountId IN ('{acct}') "
            + ("AND TotalAmount > 5" if "AND" in where else "")
        )["records"]
        assert [r["Id"] for r in narrowed] == [r["Id"] for r in scanned] and len(scanned) == 40
        count = sf.query(f"SELECT COUNT() FROM Order WHERE {where}")["totalSize"]
        agg = sf.query(f"SELECT COUNT(Id) n FROM Order WHERE {where}")["records"][0]["n"]
        assert count == agg == 40
    none = sf.query(f"SELECT COUNT() FROM Order WHERE AccountId = '{make_id('001', 9)}'")
    assert none["totalSize"] == 0
