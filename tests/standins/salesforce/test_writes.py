"""Record writes on the sandbox org through simple-salesforce (sObject create, update,
delete), answered and refused as Salesforce's REST API does, with the audit fields kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from bot.standins.salesforce.server import SandboxOrg

ANA = "005000000000001AAA"
RAJ = "005000000000002AAA"
ACME = "001000000000001AAA"
GLOBEX = "001000000000002AAA"
ORDER = "801000000000001AAA"
ITEM = "802000000000001AAA"
PRODUCT = "01t000000000001AAA"
OPP = "006000000000001AAA"
CASE = "500000000000001AAA"
CONTRACT = "800000000000001AAA"
T0 = dt.datetime(2026, 11, 18, 15, 0, tzinfo=dt.UTC)

ORG: dict[str, list[dict[str, Any]]] = {
    "User": [
        {"Id": ANA, "FirstName": "Ana", "LastName": "Ruiz", "Email": "ana.rep@example.com"},
        {"Id": RAJ, "FirstName": "Raj", "LastName": "Patel", "Email": "raj.rep@example.com"},
    ],
    "Account": [
        {"Id": ACME, "Name": "Acme Corp", "OwnerId": ANA},
        {"Id": GLOBEX, "Name": "Globex", "OwnerId": RAJ},
    ],
    "Product2": [{"Id": PRODUCT, "Name": "Fiber 1G", "IsActive": True}],
    "Contract": [
        {"Id": CONTRACT, "AccountId": ACME, "Status": "Activated", "StartDate": "2025-12-01",
         "ContractTerm": 12},
    ],
    "Order": [
        {"Id": ORDER, "AccountId": ACME, "Status": "Draft", "EffectiveDate": "2026-11-02",
         "CreatedDate": "2026-11-01T14:00:00Z"},
    ],
    "OrderItem": [
        {"Id": ITEM, "OrderId": ORDER, "Product2Id": PRODUCT, "Quantity": 2, "UnitPrice": 600},
    ],
    "Opportunity": [
        {"Id": OPP, "Name": "Fiber upgrade", "AccountId": ACME, "StageName": "Prospecting",
         "Amount": 50000, "CloseDate": "2026-12-15"},
    ],
    "Case": [{"Id": CASE, "Subject": "Outage", "AccountId": ACME, "Priority": "Medium"}],
}  # fmt: skip


@pytest.fixture
def loaded(org: SandboxOrg) -> Iterator[SandboxOrg]:
    org.load(ORG)
    org.set_now(T0)
    yield org
    org.load({})  # the session's org is shared: leave it as the next test expects


@pytest.fixture
def custom(org: SandboxOrg) -> Iterator[SandboxOrg]:
    yield org
    org.load({})


def one(sf: Salesforce, soql: str) -> dict[str, Any]:
    (rec,) = sf.query(soql)["records"]
    return rec


def error_of(exc: pytest.ExceptionInfo[Any]) -> dict[str, Any]:
    return exc.value.content[0]


def test_update_answers_204_and_stamps_who_and_when(loaded: SandboxOrg, sf: Salesforce) -> None:
    before = one(sf, f"SELECT SystemModstamp, LastModifiedById FROM Order WHERE Id = '{ORDER}'")
    assert before["LastModifiedById"] == ANA  # loaded by the session's user
    loaded.set_now(T0 + dt.timedelta(minutes=5))
    assert sf.Order.update(ORDER, {"Status": "Activated"}) == 204
    rec = one(
        sf,
        "SELECT Status, StatusCode, ActivatedDate, ActivatedById, LastModifiedDate, "
        f"SystemModstamp, LastModifiedById, LastModifiedBy.Name FROM Order WHERE Id = '{ORDER}'",
    )
    assert rec["Status"] == "Activated" and rec["StatusCode"] == "Activated"
    assert rec["SystemModstamp"] == rec["LastModifiedDate"] == "2026-11-18T15:05:00.000+0000"
    assert rec["ActivatedDate"] == "2026-11-18T15:05:00.000+0000" and rec["ActivatedById"] == ANA
    assert rec["LastModifiedBy"]["Name"] == "Ana Ruiz"


def test_acting_as_someone_else_through_the_control_endpoint(
    loaded: SandboxOrg, sf: Salesforce
) -> None:
    url = f"{loaded.instance_url}/__sandbox__/acting-user"
    resp = requests.post(url, json={"user": "raj.rep@example.com"}, timeout=10)
    assert resp.status_code == 200 and resp.json()["user"] == RAJ
    sf.Opportunity.update(OPP, {"StageName": "Negotiation/Review"})
    rec = one(
        sf,
        "SELECT StageName, ForecastCategoryName, Probability, LastModifiedBy.Name "
        f"FROM Opportunity WHERE Id = '{OPP}'",
    )
    assert rec["LastModifiedBy"]["Name"] == "Raj Patel"
    # The new stage brings its own forecast category and probability.
    assert (rec["ForecastCategoryName"], rec["Probability"]) == ("Commit", 90.0)
    bad = requests.post(url, json={"user": "nobody@example.com"}, timeout=10)
    assert bad.status_code == 400 and "nobody@example.com" in bad.json()["error"]
    requests.post(url, json={"user": None}, timeout=10)
    sf.Opportunity.update(OPP, {"Amount": 1})
    assert (
        one(sf, f"SELECT LastModifiedById FROM Opportunity WHERE Id = '{OPP}'")["LastModifiedById"]
        == ANA
    )


def test_create_answers_201_with_the_id_and_derives_fields(
    loaded: SandboxOrg, sf: Salesforce
) -> None:
    with loaded.acting_as(RAJ):
        made = sf.Case.create({"Subject": "Line down", "AccountId": ACME, "Priority": "High"})
    assert made["success"] is True and made["errors"] == [] and made["id"].startswith("500")
    rec = one(
        sf,
        "SELECT CaseNumber, Status, IsClosed, IsEscalated, OwnerId, CreatedById, CreatedDate, "
        f"Account.Name FROM Case WHERE Id = '{made['id']}'",
    )
    assert rec["CaseNumber"] == "00001002"  # after the loaded 00001001
    assert (rec["Status"], rec["IsClosed"], rec["IsEscalated"]) == ("New", False, False)
    assert rec["OwnerId"] == rec["CreatedById"] == RAJ
    assert rec["CreatedDate"] == "2026-11-18T15:00:00.000+0000"
    assert rec["Account"]["Name"] == "Acme Corp"
    # The new case is among the account's cases (the child relationship sees it).
    acme = one(sf, f"SELECT (SELECT Id FROM Cases) FROM Account WHERE Id = '{ACME}'")
    assert made["id"] in {c["Id"] for c in acme["Cases"]["records"]}


def test_closing_and_reopening_a_case_moves_its_derived_fields(
    loaded: SandboxOrg, sf: Salesforce
) -> None:
    sf.Case.update(CASE, {"Status": "Closed"})
    rec = one(sf, f"SELECT IsClosed, ClosedDate FROM Case WHERE Id = '{CASE}'")
    assert rec["IsClosed"] is True and rec["ClosedDate"] == "2026-11-18T15:00:00.000+0000"
    sf.Case.update(CASE, {"Status": "Working"})
    rec = one(sf, f"SELECT IsClosed, ClosedDate FROM Case WHERE Id = '{CASE}'")
    assert rec["IsClosed"] is False and rec["ClosedDate"] is None


def test_an_order_product_change_rolls_up_to_the_order(loaded: SandboxOrg, sf: Salesforce) -> None:
    assert one(sf, f"SELECT TotalAmount FROM Order WHERE Id = '{ORDER}'")["TotalAmount"] == 1200
    loaded.set_now(T0 + dt.timedelta(minutes=1))
    sf.OrderItem.update(ITEM, {"Quantity": 3})
    rec = one(sf, f"SELECT TotalAmount, SystemModstamp, LastModifiedDate FROM Order "
                  f"WHERE Id = '{ORDER}'")  # fmt: skip
    assert rec["TotalAmount"] == 1800.0
    # A roll-up value moving is a save of the order by whoever saved the product
    # (Help 000387261 lists when SystemModstamp alone moves; this is not among them).
    assert rec["SystemModstamp"] == "2026-11-18T15:01:00.000+0000"
    assert rec["LastModifiedDate"] == rec["SystemModstamp"]
    with loaded.acting_as(RAJ):
        loaded.set_now(T0 + dt.timedelta(minutes=2))
        sf.OrderItem.update(ITEM, {"Quantity": 4})
    rec = one(sf, f"SELECT LastModifiedById, LastModifiedDate FROM Order WHERE Id = '{ORDER}'")
    assert rec == {**rec, "LastModifiedById": RAJ,
                   "LastModifiedDate": "2026-11-18T15:02:00.000+0000"}  # fmt: skip


def test_contract_end_date_follows_its_term(loaded: SandboxOrg, sf: Salesforce) -> None:
    assert one(sf, f"SELECT EndDate FROM Contract WHERE Id = '{CONTRACT}'")["EndDate"] == (
        "2026-11-30"
    )
    sf.Contract.update(CONTRACT, {"ContractTerm": 6})
    assert one(sf, f"SELECT EndDate FROM Contract WHERE Id = '{CONTRACT}'")["EndDate"] == (
        "2026-05-31"
    )
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.Contract.update(CONTRACT, {"EndDate": "2027-01-01"})
    assert error_of(exc)["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


@pytest.mark.parametrize(
    ("sobject", "body", "code", "fields"),
    [
        ("Order", {"Colour": "red"}, "INVALID_FIELD", []),
        ("Order", {"Id": ORDER}, "INVALID_FIELD", []),
        ("Order", {"TotalAmount": 5}, "INVALID_FIELD_FOR_INSERT_UPDATE", ["TotalAmount"]),
        ("Order", {"SystemModstamp": "2026-01-01T00:00:00Z", "LastModifiedById": RAJ},
         "INVALID_FIELD_FOR_INSERT_UPDATE", ["SystemModstamp", "LastModifiedById"]),
        ("Order", {"OrderNumber": "1"}, "INVALID_FIELD_FOR_INSERT_UPDATE", ["OrderNumber"]),
        ("Order", {"StatusCode": "Activated"}, "INVALID_FIELD_FOR_INSERT_UPDATE", ["StatusCode"]),
        ("Order", {"Status": "Shipped"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", ["Status"]),
        ("Order", {"EffectiveDate": "2026-13-01"}, "JSON_PARSER_ERROR", []),
        ("Order", {"EffectiveDate": None}, "REQUIRED_FIELD_MISSING", ["EffectiveDate"]),
        ("Order", {"AccountId": "not-an-id"}, "MALFORMED_ID", ["AccountId"]),
        ("Order", {"AccountId": OPP}, "FIELD_INTEGRITY_EXCEPTION", ["AccountId"]),
        ("Order", {"AccountId": "001000000000099AAA"}, "INVALID_CROSS_REFERENCE_KEY",
         ["AccountId"]),
        ("Order", {"Name": "x" * 81}, "STRING_TOO_LONG", ["Name"]),
        ("Opportunity", {"IsWon": True}, "INVALID_FIELD_FOR_INSERT_UPDATE", ["IsWon"]),
        ("Opportunity", {"Amount": [1]}, "JSON_PARSER_ERROR", []),
        ("Case", {"IsClosed": True}, "INVALID_FIELD_FOR_INSERT_UPDATE", ["IsClosed"]),
    ],
)  # fmt: skip
def test_refused_updates_change_nothing(
    loaded: SandboxOrg, sf: Salesforce, sobject: str, body: dict[str, Any], code: str,
    fields: list[str],
) -> None:  # fmt: skip
    record_id = {"Order": ORDER, "Opportunity": OPP, "Case": CASE}[sobject]
    soql = f"SELECT FIELDS_PLACEHOLDER FROM {sobject} WHERE Id = '{record_id}'"
    names = "Id, SystemModstamp, LastModifiedById, " + (
        "Status, AccountId, EffectiveDate, Name"
        if sobject == "Order"
        else "Subject"
        if sobject == "Case"
        else "StageName, Amount"
    )
    before = one(sf, soql.replace("FIELDS_PLACEHOLDER", names))
    loaded.set_now(T0 + dt.timedelta(minutes=1))
    with pytest.raises(SalesforceMalformedRequest) as exc:
        getattr(sf, sobject).update(record_id, body)
    assert exc.value.status == 400
    err = error_of(exc)
    assert err["errorCode"] == code, err
    assert err["fields"] == fields and err["message"]
    assert one(sf, soql.replace("FIELDS_PLACEHOLDER", names)) == before


def test_create_needs_the_required_fields(loaded: SandboxOrg, sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.Opportunity.create({"Name": "New deal"})
    err = error_of(exc)
    assert err["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert err["fields"] == ["StageName", "CloseDate"]
    assert err["message"] == "Required fields are missing: [StageName, CloseDate]"
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.Order.create({"EffectiveDate": "2026-12-01"})
    assert error_of(exc)["fields"] == ["AccountId"]
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.OrderItem.create({"OrderId": ORDER, "Quantity": 1, "UnitPrice": 1})
    assert error_of(exc)["fields"] == ["PricebookEntryId"]
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.Account.create({"Id": ACME, "Name": "Again"})
    assert error_of(exc)["message"] == "The Id field should not be specified in the sobject data."
    assert sf.query("SELECT COUNT() FROM Opportunity")["totalSize"] == 1
    made = sf.Order.create({"AccountId": GLOBEX, "EffectiveDate": "2026-12-01"})
    rec = one(sf, f"SELECT OrderNumber, Status, TotalAmount FROM Order WHERE Id = '{made['id']}'")
    assert rec == {**rec, "OrderNumber": "00000101", "Status": "Draft", "TotalAmount": 0.0}


def test_delete_then_entity_is_deleted(loaded: SandboxOrg, sf: Salesforce) -> None:
    assert sf.Order.delete(ORDER) == 204
    assert sf.query(f"SELECT COUNT() FROM Order WHERE Id = '{ORDER}'")["totalSize"] == 0
    # The order's products went with it (master-detail).
    assert sf.query("SELECT COUNT() FROM OrderItem")["totalSize"] == 0
    for attempt in (lambda: sf.Order.delete(ORDER), lambda: sf.Order.update(ORDER, {"Name": "x"})):
        with pytest.raises(SalesforceResourceNotFound) as exc:
            attempt()
        assert error_of(exc)["errorCode"] == "ENTITY_IS_DELETED"
    with pytest.raises(SalesforceResourceNotFound) as exc:
        sf.Order.update("801000000000099AAA", {"Name": "x"})
    assert error_of(exc)["errorCode"] == "NOT_FOUND"
    # An account others still point at is not deleted out from under them.
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.Account.delete(ACME)
    assert error_of(exc)["errorCode"] == "DELETE_FAILED"
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 2


def test_moving_a_record_to_another_parent_moves_it_in_subqueries(
    loaded: SandboxOrg, sf: Salesforce
) -> None:
    sf.Opportunity.update(OPP, {"AccountId": GLOBEX})
    accounts = sf.query(
        "SELECT Name, (SELECT Id FROM Opportunities) FROM Account ORDER BY Name ASC"
    )["records"]
    assert accounts[0]["Opportunities"] is None  # Acme has none now
    assert accounts[1]["Opportunities"]["records"][0]["Id"] == OPP


def test_composite_all_or_none_undoes_earlier_writes(loaded: SandboxOrg, sf: Salesforce) -> None:
    base = f"/services/data/v{sf.sf_version}/sobjects"
    body = {
        "allOrNone": True,
        "compositeRequest": [
            {"method": "PATCH", "url": f"{base}/Order/{ORDER}", "referenceId": "a",
             "body": {"Status": "Activated"}},
            {"method": "POST", "url": f"{base}/Case", "referenceId": "b",
             "body": {"Subject": "x", "AccountId": ACME}},
            {"method": "PATCH", "url": f"{base}/Opportunity/{OPP}", "referenceId": "c",
             "body": {"StageName": "Nope"}},
        ],
    }  # fmt: skip
    out = sf.restful("composite", method="POST", json=body)["compositeResponse"]
    assert [r["httpStatusCode"] for r in out] == [400, 400, 400]
    assert out[2]["body"][0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert one(sf, f"SELECT Status FROM Order WHERE Id = '{ORDER}'")["Status"] == "Draft"
    assert sf.query("SELECT COUNT() FROM Case")["totalSize"] == 1
    body["allOrNone"] = False
    out = sf.restful("composite", method="POST", json=body)["compositeResponse"]
    assert [r["httpStatusCode"] for r in out] == [204, 201, 400]
    assert one(sf, f"SELECT Status FROM Order WHERE Id = '{ORDER}'")["Status"] == "Activated"


def test_writes_are_logged_and_counted(loaded: SandboxOrg, sf: Salesforce) -> None:
    loaded.clear_log()
    sf.Case.update(CASE, {"Priority": "High"})
    (entry,) = loaded.requests_log()
    assert entry["method"] == "PATCH" and entry["status"] == 204
    assert entry["path"].endswith(f"/sobjects/Case/{CASE}")
    assert loaded.limits()["used"] == 1


def test_writes_follow_the_orgs_own_picklists_and_currencies(
    custom: SandboxOrg, sf: Salesforce
) -> None:
    org = custom
    data = {
        **ORG,
        "CurrencyType": [
            {"IsoCode": "USD", "ConversionRate": 1, "IsCorporate": True},
            {"IsoCode": "EUR", "ConversionRate": 0.9},
        ],
        "User": [
            {**ORG["User"][0], "DefaultCurrencyIsoCode": "EUR"},
            ORG["User"][1],
        ],
        "_picklists": {
            "Order.Status": [
                {"value": "Entwurf", "default": True, "category": "Draft"},
                {"value": "In Bearbeitung", "category": "Draft"},
                {"value": "Aktiviert", "category": "Activated"},
            ]
        },
        "Order": [{**ORG["Order"][0], "Status": "Entwurf"}],
    }
    org.set_now(T0)
    org.load(data)
    sf.Order.update(ORDER, {"Status": "Aktiviert"})
    rec = one(sf, f"SELECT StatusCode, ActivatedDate FROM Order WHERE Id = '{ORDER}'")
    assert rec["StatusCode"] == "Activated" and rec["ActivatedDate"]
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.Order.update(ORDER, {"Status": "Activated"})  # not one of this org's values
    assert error_of(exc)["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    made = sf.Opportunity.create(
        {"Name": "Euro deal", "StageName": "Prospecting", "CloseDate": "2026-12-01"}
    )
    euro = one(sf, f"SELECT CurrencyIsoCode FROM Opportunity WHERE Id = '{made['id']}'")
    assert euro["CurrencyIsoCode"] == "EUR"  # the creator's currency
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.Opportunity.update(made["id"], {"CurrencyIsoCode": "GBP"})
    assert error_of(exc)["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    org_id = sf.query("SELECT Id FROM Organization")["records"][0]["Id"]
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.Organization.update(org_id, {"Name": "Renamed"})
    assert error_of(exc)["errorCode"] == "INVALID_TYPE_FOR_OPERATION"


# --- the recycle bin, reparenting, activation stamps, JSON errors, the Date header ---------


def test_query_all_reads_the_recycle_bin_with_is_deleted(
    loaded: SandboxOrg, sf: Salesforce
) -> None:
    """queryAll "returns records that are soft deleted due to a merge or delete" (REST API,
    QueryAll); query does not."""
    assert one(sf, f"SELECT IsDeleted FROM Order WHERE Id = '{ORDER}'")["IsDeleted"] is False
    modstamp = one(sf, f"SELECT SystemModstamp FROM Order WHERE Id = '{ORDER}'")
    loaded.set_now(T0 + dt.timedelta(minutes=5))
    sf.Order.delete(ORDER)
    assert sf.query(f"SELECT Id FROM Order WHERE Id = '{ORDER}'")["records"] == []
    (rec,) = sf.query_all_iter(
        f"SELECT Id, IsDeleted, Status, SystemModstamp FROM Order WHERE Id = '{ORDER}'",
        include_deleted=True,
    )
    assert rec["IsDeleted"] is True and rec["Status"] == "Draft"
    assert rec["SystemModstamp"] == modstamp["SystemModstamp"]  # a delete does not move it
    deleted = sf.query_all("SELECT Id FROM OrderItem WHERE IsDeleted = true", include_deleted=True)
    assert [r["Id"] for r in deleted["records"]] == [ITEM]  # the products went with it
    # By the order's account (the lookup's index) too.
    by_account = sf.query_all(
        f"SELECT Id FROM Order WHERE AccountId = '{ACME}'", include_deleted=True
    )["records"]
    assert [r["Id"] for r in by_account] == [ORDER]
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.Case.update(CASE, {"IsDeleted": True})
    assert error_of(exc)["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


def test_deleting_an_account_takes_what_salesforce_takes(
    loaded: SandboxOrg, sf: Salesforce
) -> None:
    """Contacts, opportunities (not closed won, the deleter's own) and contracts not
    activated go to the recycle bin with their account (Salesforce Help, "Considerations
    for Deleting Accounts"); cases, activated contracts, orders and other people's deals
    keep it."""
    contact = sf.Contact.create({"LastName": "Ng", "AccountId": GLOBEX})["id"]
    deal = sf.Opportunity.create(
        {"Name": "Small deal", "AccountId": GLOBEX, "StageName": "Prospecting",
         "CloseDate": "2026-12-31"}
    )["id"]  # fmt: skip
    draft = sf.Contract.create({"AccountId": GLOBEX, "Status": "Draft",
                                "StartDate": "2026-12-01", "ContractTerm": 12})["id"]  # fmt: skip
    assert sf.Account.delete(GLOBEX) == 204
    gone = sf.query_all("SELECT Id FROM Account WHERE IsDeleted = true", include_deleted=True)[
        "records"
    ]
    assert [r["Id"] for r in gone] == [GLOBEX]
    for sobject, record_id in (("Contact", contact), ("Opportunity", deal), ("Contract", draft)):
        rec = sf.query_all(
            f"SELECT IsDeleted FROM {sobject} WHERE Id = '{record_id}'", include_deleted=True
        )["records"]
        assert rec == [{**rec[0], "IsDeleted": True}], sobject

    # Acme has a case, an activated contract and an order: refused, nothing deleted.
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.Account.delete(ACME)
    assert error_of(exc)["errorCode"] == "DELETE_FAILED"
    assert "associated with the following" in error_of(exc)["message"]
    assert sf.query("SELECT COUNT() FROM Opportunity")["totalSize"] == 1


def test_a_deal_of_someone_else_keeps_its_account(custom: SandboxOrg, sf: Salesforce) -> None:
    custom.load({**ORG, "Case": [], "Contract": [], "Order": [], "OrderItem": [],
                 "Opportunity": [{**ORG["Opportunity"][0], "OwnerId": RAJ}]})  # fmt: skip
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.Account.delete(ACME)
    assert "opportunities" in error_of(exc)["message"]
    with custom.acting_as(RAJ):  # Raj's own deal goes with the account
        assert sf.Account.delete(ACME) == 204


def test_an_orders_account_changes_only_while_it_is_a_draft(
    loaded: SandboxOrg, sf: Salesforce
) -> None:
    """Order.AccountId "Can only be updated when the order's StatusCode value is Draft"
    (Object Reference, Order)."""
    sf.Order.update(ORDER, {"AccountId": GLOBEX})
    assert one(sf, f"SELECT AccountId FROM Order WHERE Id = '{ORDER}'")["AccountId"] == GLOBEX
    sf.Order.update(ORDER, {"AccountId": ACME, "Status": "Activated"})  # a draft until saved
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.Order.update(ORDER, {"AccountId": GLOBEX})
    err = error_of(exc)
    assert (err["errorCode"], err["fields"]) == ("FIELD_INTEGRITY_EXCEPTION", ["AccountId"])
    assert one(sf, f"SELECT AccountId FROM Order WHERE Id = '{ORDER}'")["AccountId"] == ACME
    # A draft order with a contract moves only to the contract's account.
    made = sf.Order.create({"AccountId": ACME, "EffectiveDate": "2026-12-01",
                            "ContractId": CONTRACT})["id"]  # fmt: skip
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.Order.update(made, {"AccountId": GLOBEX})
    assert error_of(exc)["fields"] == ["AccountId"]
    # An activated contract's account is locked too.
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.Contract.update(CONTRACT, {"AccountId": GLOBEX})
    assert error_of(exc)["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"


def test_activation_stamps_are_written_as_given(loaded: SandboxOrg, sf: Salesforce) -> None:
    """ActivatedDate and ActivatedById are updateable (Object Reference, Order): what a
    save gives is kept, never dropped."""
    fields = "ActivatedDate, ActivatedById"
    sf.Order.update(ORDER, {"Status": "Activated"})
    rec = one(sf, f"SELECT {fields} FROM Order WHERE Id = '{ORDER}'")
    assert rec == {**rec, "ActivatedDate": "2026-11-18T15:00:00.000+0000", "ActivatedById": ANA}
    sf.Order.update(ORDER, {"ActivatedDate": "2026-11-17T09:00:00Z", "ActivatedById": RAJ})
    rec = one(sf, f"SELECT {fields} FROM Order WHERE Id = '{ORDER}'")
    assert rec == {**rec, "ActivatedDate": "2026-11-17T09:00:00.000+0000", "ActivatedById": RAJ}
    sf.Order.update(ORDER, {"Status": "Draft", "ActivatedById": RAJ})
    assert one(sf, f"SELECT ActivatedById FROM Order WHERE Id = '{ORDER}'")["ActivatedById"] == RAJ


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{bad", "Unexpected character ('b' (code 98)): was expecting double-quote to start "
                  "field name at [line:1, column:3]"),
        (b'{"Name": }', "Unexpected character ('}' (code 125)): expected a valid value "
                        "(number, String, array, object, 'true', 'false' or 'null') at "
                        "[line:1, column:11]"),
        (b'{"Name": "x"', "Unexpected end-of-input"),
        (b"", "No content to map due to end-of-input"),
    ],
)  # fmt: skip
def test_a_body_that_is_not_json_is_refused_in_salesforces_words(
    loaded: SandboxOrg, raw: bytes, message: str
) -> None:
    resp = requests.patch(
        f"{loaded.instance_url}/services/data/v62.0/sobjects/Order/{ORDER}",
        data=raw,
        headers={"Authorization": f"Bearer {loaded.access_token}",
                 "Content-Type": "application/json"},
        timeout=10,
    )  # fmt: skip
    assert resp.status_code == 400
    (err,) = resp.json()
    assert err["errorCode"] == "JSON_PARSER_ERROR" and err["message"].startswith(message)


def test_every_answer_says_the_orgs_time_in_its_date_header(loaded: SandboxOrg) -> None:
    loaded.set_now(dt.datetime(2026, 11, 18, 15, 4, 5, tzinfo=dt.UTC))
    resp = requests.get(f"{loaded.instance_url}/services/data", timeout=10)
    assert resp.headers["Date"] == "Wed, 18 Nov 2026 15:04:05 GMT"
