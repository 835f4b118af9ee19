"""The sandbox org over real HTTPS, with simple-salesforce (unmodified) as the client."""

from __future__ import annotations

import datetime as dt
import http.client
import os
import re
import ssl
import threading
import time
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from bot.standins.salesforce.server import SandboxOrg
from bot.standins.salesforce.store import parse_datetime

ANA = "005000000000001AAA"
ACME = "001000000000001AAA"
GLOBEX = "001000000000002AAA"
ORDER = "801000000000001AAA"
CONTACT = "003000000000001AAA"

SMALL_ORG: dict[str, list[dict[str, Any]]] = {
    "User": [
        {"Id": ANA, "FirstName": "Ana", "LastName": "Rep", "Email": "ana.rep@example.com"},
    ],
    "Account": [
        {"Id": ACME, "Name": "Acme Corp", "AccountNumber": "A-1001", "OwnerId": ANA},
        {"Id": GLOBEX, "Name": "Globex", "AccountNumber": "A-1002", "OwnerId": ANA},
    ],
    "Contact": [{"Id": CONTACT, "LastName": "Buyer", "AccountId": ACME}],
    "Order": [
        {
            "Id": ORDER,
            "AccountId": ACME,
            "Status": "Draft",
            "EffectiveDate": "2026-11-02",
            "TotalAmount": 1200.0,
        }
    ],
}

NEXT_URL = re.compile(r"^/services/data/v(\d+\.\d)/(query|queryAll)/01g[0-9A-Za-z]{15}-(\d+)$")


def control(org: SandboxOrg, method: str, name: str, body: Any = None) -> requests.Response:
    return requests.request(method, f"{org.instance_url}/__sandbox__/{name}", json=body, timeout=10)


@pytest.fixture
def small(org: SandboxOrg) -> SandboxOrg:
    org.load(SMALL_ORG)
    return org


@pytest.fixture
def big(org: SandboxOrg) -> SandboxOrg:
    org.load({"Account": [{"Name": f"Account {i:05d}"} for i in range(4500)]})
    return org


def error_code(exc: pytest.ExceptionInfo[Any]) -> str:
    return exc.value.content[0]["errorCode"]


# --- versions and resources ---------------------------------------------------------


def test_versions_need_no_session_and_cover_simple_salesforce_default(org: SandboxOrg) -> None:
    resp = requests.get(f"{org.instance_url}/services/data/", timeout=10)
    assert resp.status_code == 200
    versions = {v["version"]: v for v in resp.json()}
    for major in range(52, 63):
        assert f"{major}.0" in versions
    assert versions["62.0"] == {
        "label": "Winter '25",
        "url": "/services/data/v62.0",
        "version": "62.0",
    }
    assert versions["59.0"]["label"] == "Winter '24"
    assert versions["52.0"]["label"] == "Summer '21"
    assert "Sforce-Limit-Info" not in resp.headers  # not counted against the allocation


def test_resources_and_describe_global(sf: Salesforce) -> None:
    resources = sf.restful("")
    assert resources["query"] == f"/services/data/v{sf.sf_version}/query"
    assert {"sobjects", "limits", "composite", "queryAll"} <= set(resources)
    described = sf.describe()
    names = {o["name"] for o in described["sobjects"]}
    assert {"User", "Account", "Contact", "Opportunity", "Order", "OrderItem"} <= names
    assert {"Product2", "Case", "Contract"} <= names
    account = next(o for o in described["sobjects"] if o["name"] == "Account")
    assert account["keyPrefix"] == "001" and account["queryable"] is True


def test_unknown_version_path_and_method(sf: Salesforce, org: SandboxOrg) -> None:
    with pytest.raises(SalesforceResourceNotFound) as exc:
        sf.restful("no/such/resource")
    assert exc.value.content == [
        {"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}
    ]
    resp = requests.get(
        f"{org.instance_url}/services/data/v12.0/",
        headers={"Authorization": f"Bearer {org.access_token}"},
        timeout=10,
    )
    assert resp.status_code == 404
    with pytest.raises(SalesforceGeneralError) as general:
        sf.restful("limits", method="POST", json={})
    assert general.value.status == 405
    assert general.value.content[0]["errorCode"] == "METHOD_NOT_ALLOWED"


# --- queries --------------------------------------------------------------------------


def test_query_and_query_all(sf: Salesforce, small: SandboxOrg) -> None:
    result = sf.query("SELECT Id, Name FROM Account ORDER BY Name")
    assert result["totalSize"] == 2 and result["done"] is True
    assert "nextRecordsUrl" not in result
    first = result["records"][0]
    assert first["Name"] == "Acme Corp" and first["Id"] == ACME
    assert first["attributes"]["type"] == "Account"
    everything = sf.query("SELECT Id FROM Account", include_deleted=True)
    assert everything["totalSize"] == 2
    paths = [e["path"] for e in small.requests_log()]
    assert paths[-2].endswith("/query") and paths[-1].endswith("/queryAll")


def test_missing_q_and_bad_soql_are_malformed(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.restful("query")
    assert error_code(exc) == "MALFORMED_QUERY"
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.query("SELEKT Id FROM Account")
    assert error_code(exc) == "MALFORMED_QUERY"
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.query("SELECT Id FROM NoSuchThing")
    assert error_code(exc) == "INVALID_TYPE"


def test_paging_past_2000_rows_with_query_all(sf: Salesforce, big: SandboxOrg) -> None:
    soql = "SELECT Id, Name FROM Account"
    first = sf.query(soql)
    assert first["totalSize"] == 4500 and first["done"] is False
    assert len(first["records"]) == 2000
    m = NEXT_URL.match(first["nextRecordsUrl"])
    assert m is not None and m.group(1) == sf.sf_version and m.group(3) == "2000"

    big.reset()
    result = sf.query_all(soql)
    assert result["totalSize"] == 4500
    ids = [r["Id"] for r in result["records"]]
    assert len(set(ids)) == 4500
    entries = big.requests_log()
    assert len(entries) == 3  # one query, two continuations
    assert entries[0]["soql"] == soql
    assert all("soql" not in e and e["locator"].startswith("01g") for e in entries[1:])

    names = [r["Name"] for r in sf.query_all_iter(soql)]
    assert len(names) == 4500 and names[0] == "Account 00000" and names[-1] == "Account 04499"


def test_batch_size_header(sf: Salesforce, big: SandboxOrg) -> None:
    soql = "SELECT Id FROM Account"
    page = sf.query(soql, headers={"Sforce-Query-Options": "batchSize=500"})
    assert len(page["records"]) == 500 and page["done"] is False
    m = NEXT_URL.match(page["nextRecordsUrl"])
    assert m is not None and m.group(2) == "query" and m.group(3) == "500"
    second = sf.query_more(page["nextRecordsUrl"], identifier_is_url=True)
    assert len(second["records"]) == 500
    assert second["nextRecordsUrl"].endswith("-1000")
    # The locator alone also works (simple-salesforce's non-URL form).
    locator = page["nextRecordsUrl"].rsplit("/", 1)[1]
    again = sf.query_more(locator)
    assert [r["Id"] for r in again["records"]] == [r["Id"] for r in second["records"]]
    # Below the minimum the batch is 200, above the maximum 2000.
    small = sf.query(soql, headers={"Sforce-Query-Options": "batchSize=10"})
    assert len(small["records"]) == 200
    large = sf.query(soql, headers={"Sforce-Query-Options": "batchSize=5000"})
    assert len(large["records"]) == 2000
    all_rows = list(sf.query_all_iter(soql, headers={"Sforce-Query-Options": "batchSize=1000"}))
    assert len(all_rows) == 4500
    # queryAll continues on queryAll.
    deleted = sf.query(soql, include_deleted=True)
    assert NEXT_URL.match(deleted["nextRecordsUrl"]).group(2) == "queryAll"  # type: ignore[union-attr]


def test_unknown_query_locator(sf: Salesforce, big: SandboxOrg) -> None:
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.query_more(f"/services/data/v{sf.sf_version}/query/01g000000000000AAA-2000", True)
    assert error_code(exc) == "INVALID_QUERY_LOCATOR"
    with pytest.raises(SalesforceMalformedRequest):
        sf.query_more("garbage")


def test_query_snapshot_survives_a_data_load(sf: Salesforce, big: SandboxOrg) -> None:
    first = sf.query("SELECT Id FROM Account")
    big.load({})
    rest = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert len(rest["records"]) == 2000 and rest["totalSize"] == 4500


# --- sObjects -------------------------------------------------------------------------


def test_sobject_get(sf: Salesforce, small: SandboxOrg) -> None:
    order = sf.Order.get(ORDER)
    assert order["attributes"] == {
        "type": "Order",
        "url": f"/services/data/v{sf.sf_version}/sobjects/Order/{ORDER}",
    }
    assert order["AccountId"] == ACME and order["Status"] == "Draft"
    assert order["EffectiveDate"] == "2026-11-02"
    assert order["OrderNumber"] is not None and order["StatusCode"] == "Draft"
    account = sf.Account.get(ACME[:15], params={"fields": "Name,AccountNumber"})
    assert set(account) == {"attributes", "Name", "AccountNumber"}
    assert account["Name"] == "Acme Corp"


def test_sobject_get_not_found(sf: Salesforce, small: SandboxOrg) -> None:
    for call in (
        lambda: sf.Account.get("001000000000099AAA"),
        lambda: sf.Contact.get(ACME),  # an Account Id under Contact
        lambda: sf.Account.get("not-an-id"),
        lambda: sf.Widget__c.get(ACME),
    ):
        with pytest.raises(SalesforceResourceNotFound) as exc:
            call()
        assert exc.value.content == [
            {"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}
        ]
    with pytest.raises(SalesforceMalformedRequest) as bad_field:
        sf.Account.get(ACME, params={"fields": "Name,Nope"})
    assert error_code(bad_field) == "INVALID_FIELD"


def test_describe_has_fields_picklists_and_child_relationships(sf: Salesforce) -> None:
    order = sf.Order.describe()
    assert order["name"] == "Order" and order["keyPrefix"] == "801"
    assert order["label"] == "Order" and order["labelPlural"] == "Orders"
    fields = {f["name"]: f for f in order["fields"]}
    status = fields["Status"]
    assert status["type"] == "picklist"
    values = [p["value"] for p in status["picklistValues"]]
    assert {"Draft", "Activated"} <= set(values)
    assert status["picklistValues"][0] == {  # new orders start as Draft, as in a new org
        "active": True,
        "defaultValue": True,
        "label": "Draft",
        "validFor": None,
        "value": "Draft",
    }
    assert [p["value"] for p in status["picklistValues"] if p["defaultValue"]] == ["Draft"]
    account_id = fields["AccountId"]
    assert account_id["type"] == "reference"
    assert account_id["referenceTo"] == ["Account"] and account_id["relationshipName"] == "Account"
    assert fields["TotalAmount"]["calculated"] is True
    for key in ("label", "length", "nillable", "filterable", "sortable", "groupable"):
        assert key in account_id
    account = sf.Account.describe()
    children = {r["relationshipName"]: r for r in account["childRelationships"]}
    assert children["Orders"] == {
        "cascadeDelete": False,
        "childSObject": "Order",
        "deprecatedAndHidden": False,
        "field": "AccountId",
        "junctionIdListNames": [],
        "junctionReferenceTo": [],
        "relationshipName": "Orders",
        "restrictedDelete": False,
    }
    assert {"Opportunities", "Cases", "Contracts", "Contacts"} <= set(children)
    basic = sf.Account.metadata()
    assert basic["objectDescribe"]["name"] == "Account"
    assert basic["recentItems"] == []


# --- limits ---------------------------------------------------------------------------


def test_limits_decrement_and_header(sf: Salesforce, org: SandboxOrg) -> None:
    first = sf.limits()["DailyApiRequests"]
    assert first == {"Max": 100_000, "Remaining": 99_999}
    assert sf.api_usage["api-usage"].used == 1
    assert sf.api_usage["api-usage"].total == 100_000
    sf.describe()
    second = sf.limits()["DailyApiRequests"]
    assert second["Remaining"] == 99_997
    assert sf.api_usage["api-usage"].used == 3


def test_limit_exhausted_is_refused(sf: Salesforce, org: SandboxOrg) -> None:
    resp = control(org, "POST", "limits", {"max": 500, "remaining": 2})
    assert resp.json() == {"max": 500, "remaining": 2, "used": 498}
    sf.limits()
    sf.limits()
    with pytest.raises(SalesforceRefusedRequest) as exc:
        sf.limits()
    assert exc.value.content == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
    assert control(org, "GET", "limits").json()["remaining"] == 0
    org.reset()
    assert sf.limits()["DailyApiRequests"] == {"Max": 100_000, "Remaining": 99_999}


def test_auth_required(org: SandboxOrg) -> None:
    bad = Salesforce(instance_url=org.instance_url, session_id="00Dnope!bad")
    with pytest.raises(SalesforceExpiredSession) as exc:
        bad.query("SELECT Id FROM Account")
    assert exc.value.content == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]
    url = f"{org.instance_url}/services/data/v62.0/limits"
    assert requests.get(url, timeout=10).status_code == 401
    oauth = requests.get(url, headers={"Authorization": f"OAuth {org.access_token}"}, timeout=10)
    assert oauth.status_code == 200
    assert org.limits()["used"] == 1  # refused requests are not counted


# --- composite ------------------------------------------------------------------------


def composite(sf: Salesforce, subrequests: list[dict[str, Any]], **extra: Any) -> Any:
    return sf.restful("composite", method="POST", json={"compositeRequest": subrequests, **extra})


def query_url(sf: Salesforce, soql: str) -> str:
    return f"/services/data/v{sf.sf_version}/query?q=" + requests.utils.quote(soql)


def test_composite_queries_with_references(sf: Salesforce, small: SandboxOrg) -> None:
    result = composite(
        sf,
        [
            {
                "method": "GET",
                "url": query_url(sf, "SELECT Id, Name FROM Account WHERE Name = 'Acme Corp'"),
                "referenceId": "acct",
            },
            {
                "method": "GET",
                "url": f"/services/data/v{sf.sf_version}/sobjects/Account/@{{acct.records[0].Id}}",
                "referenceId": "detail",
            },
            {
                "method": "GET",
                "url": query_url(
                    sf, "SELECT Id FROM Contact WHERE AccountId = '@{acct.records[0].Id}'"
                ),
                "referenceId": "contacts",
            },
        ],
    )
    entries = result["compositeResponse"]
    assert [e["referenceId"] for e in entries] == ["acct", "detail", "contacts"]
    assert all(e["httpStatusCode"] == 200 and e["httpHeaders"] == {} for e in entries)
    assert entries[0]["body"]["records"][0]["Id"] == ACME
    assert entries[1]["body"]["AccountNumber"] == "A-1001"
    assert entries[2]["body"]["records"][0]["Id"] == CONTACT
    assert sf.api_usage["api-usage"].used == 1  # one API call for the lot
    (entry,) = small.requests_log()
    assert entry["path"].endswith("/composite") and entry["status"] == 200
    subs = entry["subrequests"]
    assert subs[0]["soql"] == "SELECT Id, Name FROM Account WHERE Name = 'Acme Corp'"
    assert subs[2]["soql"] == f"SELECT Id FROM Contact WHERE AccountId = '{ACME}'"
    assert "soql" not in subs[1]


def test_composite_subrequest_errors_stay_in_their_entry(sf: Salesforce, small: SandboxOrg) -> None:
    subs = [
        {"method": "GET", "url": query_url(sf, "SELECT Id FROM Account"), "referenceId": "ok"},
        {"method": "GET", "url": query_url(sf, "SELECT Nope FROM Account"), "referenceId": "bad"},
        {
            "method": "GET",
            "url": f"/services/data/v{sf.sf_version}/sobjects/Account/001000000000099AAA",
            "referenceId": "missing",
        },
    ]
    entries = composite(sf, subs)["compositeResponse"]
    assert entries[0]["httpStatusCode"] == 200
    assert entries[1]["httpStatusCode"] == 400
    assert entries[1]["body"][0]["errorCode"] == "INVALID_FIELD"
    assert entries[2]["httpStatusCode"] == 404
    assert entries[2]["body"] == [
        {"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}
    ]
    rolled_back = composite(sf, subs, allOrNone=True)["compositeResponse"]
    assert [e["httpStatusCode"] for e in rolled_back] == [400, 400, 400]
    assert rolled_back[0]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert rolled_back[1]["body"][0]["errorCode"] == "INVALID_FIELD"


def test_composite_limits(sf: Salesforce, small: SandboxOrg) -> None:
    get = {"method": "GET", "url": f"/services/data/v{sf.sf_version}/sobjects/Account/{ACME}"}
    too_many = [{**get, "referenceId": f"r{i}"} for i in range(26)]
    with pytest.raises(SalesforceMalformedRequest) as exc:
        composite(sf, too_many)
    assert error_code(exc) == "LIMIT_EXCEEDED"
    assert "25" in exc.value.content[0]["message"]
    assert len(composite(sf, too_many[:25])["compositeResponse"]) == 25
    queries = [
        {"method": "GET", "url": query_url(sf, "SELECT Id FROM Account"), "referenceId": f"q{i}"}
        for i in range(6)
    ]
    with pytest.raises(SalesforceMalformedRequest) as exc:
        composite(sf, queries)
    assert error_code(exc) == "LIMIT_EXCEEDED"
    assert len(composite(sf, queries[:5])["compositeResponse"]) == 5


# --- faults ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "exc_type", "status", "code"),
    [
        (
            {"error": "REQUEST_LIMIT_EXCEEDED"},
            SalesforceRefusedRequest,
            403,
            "REQUEST_LIMIT_EXCEEDED",
        ),
        ({"error": "INVALID_SESSION_ID"}, SalesforceExpiredSession, 401, "INVALID_SESSION_ID"),
        ({"error": "UNKNOWN_EXCEPTION"}, SalesforceGeneralError, 500, "UNKNOWN_EXCEPTION"),
        ({"status": 500}, SalesforceGeneralError, 500, "UNKNOWN_EXCEPTION"),
        ({"error": "SERVER_UNAVAILABLE"}, SalesforceGeneralError, 503, "SERVER_UNAVAILABLE"),
        ({"status": 503}, SalesforceGeneralError, 503, "SERVER_UNAVAILABLE"),
        ({"error": "MALFORMED_QUERY"}, SalesforceMalformedRequest, 400, "MALFORMED_QUERY"),
        ({"error": "NOT_FOUND"}, SalesforceResourceNotFound, 404, "NOT_FOUND"),
    ],
)
def test_error_faults_map_to_simple_salesforce_exceptions(
    sf: Salesforce, org: SandboxOrg, spec: dict[str, Any], exc_type: type, status: int, code: str
) -> None:
    assert control(org, "POST", "faults", spec).status_code == 200
    with pytest.raises(exc_type) as exc:
        sf.query("SELECT Id FROM Account")
    assert exc.value.status == status
    assert exc.value.content[0]["errorCode"] == code
    if status == 500:
        assert (
            "Please include this ErrorId if you contact support" in exc.value.content[0]["message"]
        )
    with pytest.raises(exc_type):  # no count: until cleared
        sf.limits()
    assert control(org, "POST", "faults", {}).json() == {}
    assert sf.query("SELECT Id FROM Account")["done"] is True


def test_fault_count_exhausts(sf: Salesforce, org: SandboxOrg) -> None:
    control(org, "POST", "faults", {"error": "REQUEST_LIMIT_EXCEEDED", "count": 3})
    for _ in range(3):
        with pytest.raises(SalesforceRefusedRequest):
            sf.limits()
    assert control(org, "GET", "faults").json() == {}
    assert sf.limits()["DailyApiRequests"]["Remaining"] == 99_999  # faulted calls not counted
    control(org, "POST", "faults", {"status": 500, "count": 1})
    with pytest.raises(SalesforceGeneralError):
        sf.limits()
    sf.limits()


def test_fault_path_filter(sf: Salesforce, small: SandboxOrg) -> None:
    control(small, "POST", "faults", {"error": "UNKNOWN_EXCEPTION", "path": "FROM Contact"})
    assert sf.query("SELECT Id FROM Account")["totalSize"] == 2
    with pytest.raises(SalesforceGeneralError):
        sf.query("SELECT Id FROM Contact")
    with pytest.raises(SalesforceGeneralError):
        sf.query("SELECT Id FROM Contact")
    control(small, "DELETE", "faults")
    assert sf.query("SELECT Id FROM Contact")["totalSize"] == 1


def test_latency_fault(sf: Salesforce, org: SandboxOrg) -> None:
    control(org, "POST", "faults", {"latency_ms": 500, "count": 2})
    for _ in range(2):
        started = time.monotonic()
        sf.limits()
        assert time.monotonic() - started >= 0.5
    started = time.monotonic()
    sf.limits()
    assert time.monotonic() - started < 0.45


def test_bad_fault_specs_are_rejected(org: SandboxOrg) -> None:
    for spec in (
        {"error": "NO_SUCH_CODE"},
        {"latency_ms": -1},
        {"status": 200},
        {"count": 0, "status": 500},
        {"bogus": 1},
        [1, 2],
    ):
        resp = control(org, "POST", "faults", spec)
        assert resp.status_code == 400, spec
        assert resp.json()["error"]
    assert control(org, "GET", "faults").json() == {}


def test_concurrent_requests_while_one_is_delayed(org: SandboxOrg) -> None:
    control(org, "POST", "faults", {"latency_ms": 1500, "count": 1})
    done = threading.Event()
    slow_elapsed: list[float] = []

    def slow() -> None:
        client = Salesforce(instance_url=org.instance_url, session_id=org.access_token)
        started = time.monotonic()
        client.limits()
        slow_elapsed.append(time.monotonic() - started)
        done.set()

    thread = threading.Thread(target=slow)
    thread.start()
    deadline = time.monotonic() + 5
    while control(org, "GET", "faults").json() and time.monotonic() < deadline:
        time.sleep(0.01)  # until the slow request has taken the fault
    fast = Salesforce(instance_url=org.instance_url, session_id=org.access_token)
    started = time.monotonic()
    for _ in range(5):
        fast.limits()
    assert time.monotonic() - started < 1.0
    assert not done.is_set()
    thread.join(timeout=10)
    assert slow_elapsed and slow_elapsed[0] >= 1.5


def test_unexpected_exception_is_unknown_exception(
    sf: Salesforce, org: SandboxOrg, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr(org._api, "dispatch", boom)
    with pytest.raises(SalesforceGeneralError) as exc:
        sf.limits()
    assert exc.value.status == 500
    assert exc.value.content[0]["errorCode"] == "UNKNOWN_EXCEPTION"
    assert re.search(r"ErrorId if you contact support: \d+-\d+", exc.value.content[0]["message"])


# --- control endpoints ----------------------------------------------------------------


def test_data_load_via_control_endpoint(sf: Salesforce, org: SandboxOrg) -> None:
    resp = control(org, "POST", "data", SMALL_ORG)
    assert resp.status_code == 200
    assert resp.json()["loaded"] == {"User": 1, "Account": 2, "Contact": 1, "Order": 1}
    assert sf.query("SELECT Id FROM Account")["totalSize"] == 2
    bad = control(org, "POST", "data", {"Account": [{"Name": "X", "Nope": 1}]})
    assert bad.status_code == 400
    assert "Nope" in bad.json()["error"]
    bad_ref = control(org, "POST", "data", {"Order": [{"AccountId": GLOBEX, "Status": "Draft"}]})
    assert bad_ref.status_code == 400 and GLOBEX in bad_ref.json()["error"]
    assert sf.query("SELECT Id FROM Account")["totalSize"] == 2  # the old data stays
    not_json = requests.post(f"{org.instance_url}/__sandbox__/data", data=b"{nope", timeout=10)
    assert not_json.status_code == 400


def test_request_log_and_reset(sf: Salesforce, small: SandboxOrg) -> None:
    control(small, "DELETE", "requests")
    sf.query("SELECT Id FROM Account")
    with pytest.raises(SalesforceResourceNotFound):
        sf.Account.get("001000000000099AAA")
    control(small, "GET", "limits")  # control endpoints are not logged
    entries = control(small, "GET", "requests").json()
    assert [(e["method"], e["status"]) for e in entries] == [("GET", 200), ("GET", 404)]
    assert entries[0]["path"] == f"/services/data/v{sf.sf_version}/query"
    assert entries[0]["soql"] == "SELECT Id FROM Account"
    assert entries[1]["path"].endswith("/sobjects/Account/001000000000099AAA")
    assert "soql" not in entries[1]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$", entries[0]["at"])
    assert control(small, "DELETE", "requests").status_code == 200
    assert control(small, "GET", "requests").json() == []
    assert small.requests_log() == []


def test_clock_endpoint(org: SandboxOrg) -> None:
    resp = control(org, "POST", "clock", {"now": "2026-11-22T14:00:00Z"})
    assert resp.json() == {"now": "2026-11-22T14:00:00.000+0000", "today": "2026-11-22"}
    assert org.store.today().isoformat() == "2026-11-22"
    late = control(org, "POST", "clock", {"now": "2026-11-23T03:00:00Z"}).json()
    assert late["today"] == "2026-11-22"  # still the 22nd in New York
    assert control(org, "POST", "clock", {"now": "yesterday"}).status_code == 400
    control(org, "POST", "clock", {"now": None})
    now = parse_datetime(control(org, "GET", "clock").json()["now"])
    assert abs((now - dt.datetime.now(dt.UTC)).total_seconds()) < 60
    control(org, "POST", "clock", {"now": "2030-01-01T00:00:00Z"})
    org.reset()
    assert not control(org, "GET", "clock").json()["now"].startswith("2030")


def test_control_endpoint_errors(org: SandboxOrg) -> None:
    assert control(org, "GET", "nope").status_code == 404
    assert control(org, "GET", "data").status_code == 405
    assert control(org, "POST", "limits", {"max": "x"}).status_code == 400


# --- HTTP behaviour -------------------------------------------------------------------


def test_keep_alive_serves_several_requests_on_one_connection(org: SandboxOrg) -> None:
    ctx = ssl.create_default_context(cafile=org.ca_path)
    conn = http.client.HTTPSConnection("127.0.0.1", org.port, context=ctx, timeout=10)
    headers = {"Authorization": f"Bearer {org.access_token}"}
    try:
        conn.request("GET", "/services/data/v62.0/limits", headers=headers)
        first = conn.getresponse()
        assert first.status == 200 and first.getheader("Content-Length")
        first.read()
        sock = conn.sock
        conn.request("GET", "/services/data/v62.0/sobjects/Account/describe", headers=headers)
        second = conn.getresponse()
        assert second.status == 200
        second.read()
        assert conn.sock is sock  # the same TLS connection
        assert second.getheader("Sforce-Limit-Info") == "api-usage=2/100000"
    finally:
        conn.close()


def test_certificate_is_for_localhost_too(org: SandboxOrg) -> None:
    url = f"https://localhost:{org.port}/services/data/"
    assert requests.get(url, timeout=10).status_code == 200


def test_context_manager_starts_and_stops() -> None:
    with SandboxOrg(data=SMALL_ORG) as own:
        assert own.instance_url == f"https://127.0.0.1:{own.port}"
        resp = requests.get(
            f"{own.instance_url}/services/data/v62.0/sobjects/Account/{ACME}",
            headers={"Authorization": f"Bearer {own.access_token}"},
            verify=own.ca_path,
            timeout=10,
        )
        assert resp.json()["Name"] == "Acme Corp"
        ca_path = own.ca_path
    assert not os.path.exists(ca_path)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{own.instance_url}/services/data/", verify=False, timeout=2)
