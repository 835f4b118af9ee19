"""The sandbox store: Ids, derived fields and data-set validation."""

import datetime as dt

import pytest

from bot.standins.salesforce import schema
from bot.standins.salesforce.store import Clock, DataLoadError, OrgStore


def test_ids_carry_the_case_safe_suffix() -> None:
    assert schema.make_id("005", 1) == "005000000000001AAA"
    # Real Salesforce Ids (documented examples) round-trip through the checksum.
    assert schema.to_18("001D000000IqhSL") == "001D000000IqhSLIAZ"
    assert schema.is_valid_id("001D000000IqhSLIAZ")
    assert not schema.is_valid_id("001D000000IqhSLIAA")


def test_derived_fields_are_computed_as_salesforce_would() -> None:
    store = OrgStore(Clock(dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)))
    store.load(
        {
            "User": [
                {
                    "Id": "005000000000001AAA",
                    "FirstName": "Ana",
                    "LastName": "Rep",
                    "Email": "ana.rep@example.com",
                }
            ],
            "Account": [{"Id": "001000000000001AAA", "Name": "Acme"}],
            "Order": [
                {
                    "Id": "801000000000001AAA",
                    "AccountId": "001000000000001AAA",
                    "Status": "Pending Install",
                    "EffectiveDate": "2026-11-02",
                }
            ],
            "OrderItem": [
                {"OrderId": "801000000000001AAA", "Quantity": 3, "UnitPrice": 99.5},
                {"OrderId": "801000000000001AAA", "Quantity": 1, "UnitPrice": 10},
            ],
            "Opportunity": [
                {
                    "Name": "Fiber",
                    "StageName": "Closed Won",
                    "CloseDate": "2026-11-20",
                    "AccountId": "001000000000001AAA",
                }
            ],
        }
    )
    (user,) = store.records("User")
    assert user["Name"] == "Ana Rep" and user["IsActive"] is True
    (order,) = store.records("Order")
    assert order["StatusCode"] == "Draft"
    assert order["TotalAmount"] == pytest.approx(308.5)
    assert order["OrderNumber"] == "00000100"
    (opp,) = store.records("Opportunity")
    assert (opp["IsClosed"], opp["IsWon"], opp["ForecastCategoryName"]) == (True, True, "Closed")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"Widget": []}, "sObject type 'Widget' is not supported"),
        ({"Account": [{"Name": "A", "Colour": "red"}]}, "No such column 'Colour'"),
        ({"Account": [{"Name": "A", "OwnerId": "005000000000009AAA"}]}, "does not match any"),
        ({"Order": [{"Status": "Shipped", "EffectiveDate": "2026-01-01"}]}, "bad value"),
    ],
)
def test_a_bad_data_set_is_refused_and_the_old_data_stays(data: dict, message: str) -> None:
    store = OrgStore()
    store.load({"Account": [{"Name": "Keep me"}]})
    with pytest.raises(DataLoadError, match=message):
        store.load(data)
    assert [a["Name"] for a in store.records("Account")] == ["Keep me"]
