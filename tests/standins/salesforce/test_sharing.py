"""The sandbox org's sharing model and UserRecordAccess, through simple-salesforce over
HTTPS: each rule on its own (org-wide defaults, owner, role hierarchy, shares, account
teams, implicit sharing, View All Data, controlled by parent), and the query's limits as
Salesforce documents them."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from bot.standins.salesforce.schema import to_18
from bot.standins.salesforce.server import SandboxOrg
from bot.standins.salesforce.store import DataLoadError


def sid(prefix: str, n: int) -> str:
    return to_18(f"{prefix}{n:012d}")


BOSS, ANA, RAJ, OPS, LONER = (sid("005", n) for n in range(1, 6))
BOSS_ROLE, REP_ROLE = sid("00E", 1), sid("00E", 2)
ANA_ACCT, RAJ_ACCT, LONER_ACCT = sid("001", 1), sid("001", 2), sid("001", 3)
ANA_OPP, RAJ_OPP_ON_ANA, RAJ_OPP = sid("006", 1), sid("006", 2), sid("006", 3)
ANA_CASE, RAJ_CASE_ON_ANA = sid("500", 1), sid("500", 2)
ANA_ORDER, ANA_CONTRACT, ANA_ITEM = sid("801", 1), sid("800", 1), sid("802", 1)
PRODUCT = sid("01t", 1)


def org_data(defaults: str | None = "None", **extra: list[dict[str, Any]]) -> dict[str, Any]:
    """Boss's role above the rep role (Ana and Raj, peers); Ops has View All Data; Loner
    has no role. Each rep owns an account; Raj has a deal and a case on Ana's."""
    data: dict[str, Any] = {
        "UserRole": [
            {"Id": BOSS_ROLE, "Name": "Boss"},
            {"Id": REP_ROLE, "Name": "Rep", "ParentRoleId": BOSS_ROLE,
             "OpportunityAccessForAccountOwner": "Read", "CaseAccessForAccountOwner": "None"},
        ],
        "Profile": [
            {"Id": sid("00e", 1), "Name": "Standard User"},
            {"Id": sid("00e", 2), "Name": "Auditor", "PermissionsViewAllData": True},
        ],
        "User": [
            {"Id": BOSS, "LastName": "Boss", "Email": "boss@x.com", "UserRoleId": BOSS_ROLE},
            {"Id": ANA, "LastName": "Ana", "Email": "ana@x.com", "UserRoleId": REP_ROLE},
            {"Id": RAJ, "LastName": "Raj", "Email": "raj@x.com", "UserRoleId": REP_ROLE},
            {"Id": OPS, "LastName": "Ops", "Email": "ops@x.com", "ProfileId": sid("00e", 2)},
            {"Id": LONER, "LastName": "Loner", "Email": "loner@x.com"},
        ],
        "Account": [
            {"Id": ANA_ACCT, "Name": "Ana Co", "OwnerId": ANA},
            {"Id": RAJ_ACCT, "Name": "Raj Co", "OwnerId": RAJ},
            {"Id": LONER_ACCT, "Name": "Loner Co", "OwnerId": LONER},
        ],
        "Opportunity": [
            {"Id": ANA_OPP, "Name": "a", "AccountId": ANA_ACCT, "OwnerId": ANA,
             "StageName": "Prospecting", "CloseDate": "2026-12-01"},
            {"Id": RAJ_OPP_ON_ANA, "Name": "r", "AccountId": ANA_ACCT, "OwnerId": RAJ,
             "StageName": "Prospecting", "CloseDate": "2026-12-01"},
            {"Id": RAJ_OPP, "Name": "r2", "AccountId": RAJ_ACCT, "OwnerId": RAJ,
             "StageName": "Prospecting", "CloseDate": "2026-12-01"},
        ],
        "Case": [
            {"Id": ANA_CASE, "AccountId": ANA_ACCT, "OwnerId": ANA},
            {"Id": RAJ_CASE_ON_ANA, "AccountId": ANA_ACCT, "OwnerId": RAJ},
        ],
        "Contract": [{"Id": ANA_CONTRACT, "AccountId": ANA_ACCT, "OwnerId": ANA,
                      "Status": "Draft"}],
        "Product2": [{"Id": PRODUCT, "Name": "P"}],
        "Order": [{"Id": ANA_ORDER, "AccountId": ANA_ACCT, "OwnerId": RAJ,
                   "EffectiveDate": "2026-11-01"}],
        "OrderItem": [{"Id": ANA_ITEM, "OrderId": ANA_ORDER, "Product2Id": PRODUCT,
                       "Quantity": 1, "UnitPrice": 10}],
    }  # fmt: skip
    if defaults is not None:
        data["Organization"] = [
            {
                "DefaultAccountAccess": defaults,
                "DefaultOpportunityAccess": defaults,
                "DefaultCaseAccess": defaults,
            }
        ]
    data.update(extra)
    return data


def access(sf: Salesforce, user: str, *ids: str) -> dict[str, str]:
    """RecordId -> MaxAccessLevel for ``user`` (records without a row are absent)."""
    soql = (
        "SELECT RecordId, HasReadAccess, HasEditAccess, MaxAccessLevel FROM UserRecordAccess "
        "WHERE UserId = '{}' AND RecordId IN ({})".format(user, ",".join(f"'{i}'" for i in ids))
    )
    rows = sf.query(soql)["records"]
    for r in rows:
        assert r["HasReadAccess"] == (r["MaxAccessLevel"] != "None")
        assert r["HasEditAccess"] == (r["MaxAccessLevel"] in ("Edit", "Delete", "Transfer", "All"))
        assert r["attributes"]["type"] == "UserRecordAccess"
    return {r["RecordId"]: r["MaxAccessLevel"] for r in rows}


ALL_RECORDS = (ANA_ACCT, RAJ_ACCT, LONER_ACCT, ANA_OPP, RAJ_OPP_ON_ANA, RAJ_OPP, ANA_CASE,
               RAJ_CASE_ON_ANA, ANA_ORDER, ANA_CONTRACT)  # fmt: skip


def readable(sf: Salesforce, user: str) -> set[str]:
    return {i for i, level in access(sf, user, *ALL_RECORDS).items() if level != "None"}


def test_private_defaults_owner_and_peers(org: SandboxOrg, sf: Salesforce) -> None:
    org.load(org_data())
    got = access(sf, ANA, ANA_ACCT, RAJ_ACCT, ANA_OPP)
    assert got == {ANA_ACCT: "All", RAJ_ACCT: "None", ANA_OPP: "All"}  # owner; a peer's: no
    assert readable(sf, LONER) == {LONER_ACCT}


def test_role_hierarchy_inherits_whatever_the_roles_below_may(
    org: SandboxOrg, sf: Salesforce
) -> None:
    org.load(org_data())
    assert readable(sf, BOSS) == set(ALL_RECORDS) - {LONER_ACCT}  # not the role-less Loner's
    assert access(sf, BOSS, ANA_ACCT) == {ANA_ACCT: "All"}


def test_child_and_parent_implicit_sharing(org: SandboxOrg, sf: Salesforce) -> None:
    org.load(org_data())
    ana = readable(sf, ANA)
    # Account owner: others' deals on her account as her role says (Read), not cases (None).
    assert RAJ_OPP_ON_ANA in ana and access(sf, ANA, RAJ_OPP_ON_ANA)[RAJ_OPP_ON_ANA] == "Read"
    assert RAJ_CASE_ON_ANA not in ana
    # Raj owns a deal on Ana's account: read-only access to the account (parent implicit),
    # so also to its orders and contracts (controlled by parent); not to Ana's own deal.
    raj = readable(sf, RAJ)
    assert {ANA_ACCT, ANA_ORDER, ANA_CONTRACT, RAJ_OPP_ON_ANA, RAJ_CASE_ON_ANA} <= raj
    assert access(sf, RAJ, ANA_ACCT)[ANA_ACCT] == "Read" and ANA_OPP not in raj


def test_owning_a_contact_controlled_by_its_account_grants_nothing_on_the_account(
    org: SandboxOrg, sf: Salesforce
) -> None:
    """Parent implicit sharing is not used when the child's sharing is controlled by its
    parent (Salesforce, "Implicit Sharing"): Raj's contact on Ana's account opens neither."""
    data = org_data()
    data["Opportunity"] = [o for o in data["Opportunity"] if o["Id"] != RAJ_OPP_ON_ANA]
    data["Case"] = [c for c in data["Case"] if c["Id"] != RAJ_CASE_ON_ANA]
    contact = sid("003", 1)
    data["Contact"] = [{"Id": contact, "LastName": "C", "AccountId": ANA_ACCT, "OwnerId": RAJ}]
    org.load(data)
    assert access(sf, RAJ, ANA_ACCT, contact) == {ANA_ACCT: "None", contact: "None"}


def test_orders_and_contracts_follow_their_account_not_their_owner(
    org: SandboxOrg, sf: Salesforce
) -> None:
    data = org_data()
    data["Opportunity"] = [o for o in data["Opportunity"] if o["Id"] != RAJ_OPP_ON_ANA]
    data["Case"] = [c for c in data["Case"] if c["Id"] != RAJ_CASE_ON_ANA]
    org.load(data)
    # Raj owns the order, but it is controlled by Ana's account, which he may not read.
    assert access(sf, RAJ, ANA_ORDER, ANA_CONTRACT) == {ANA_ORDER: "None", ANA_CONTRACT: "None"}
    assert access(sf, ANA, ANA_ORDER, ANA_CONTRACT) == {ANA_ORDER: "All", ANA_CONTRACT: "All"}


def test_account_shares_and_teams_grant_their_levels(org: SandboxOrg, sf: Salesforce) -> None:
    share = {"AccountId": RAJ_ACCT, "UserOrGroupId": ANA, "AccountAccessLevel": "Edit",
             "OpportunityAccessLevel": "Read", "CaseAccessLevel": "None"}  # fmt: skip
    team = {"AccountId": RAJ_ACCT, "UserId": LONER, "TeamMemberRole": "Sales Engineer",
            "AccountAccessLevel": "Read", "OpportunityAccessLevel": "None",
            "CaseAccessLevel": "None"}  # fmt: skip
    org.load(org_data(AccountShare=[share], AccountTeamMember=[team]))
    assert access(sf, ANA, RAJ_ACCT, RAJ_OPP) == {RAJ_ACCT: "Edit", RAJ_OPP: "Read"}
    assert access(sf, LONER, RAJ_ACCT, RAJ_OPP) == {RAJ_ACCT: "Read", RAJ_OPP: "None"}
    # Shares reach up the hierarchy: Boss already owns-through-Raj; Loner has no role.
    assert access(sf, BOSS, RAJ_ACCT) == {RAJ_ACCT: "All"}


def test_org_wide_defaults_and_view_all_data(org: SandboxOrg, sf: Salesforce) -> None:
    org.load(org_data("Read"))
    assert readable(sf, LONER) == set(ALL_RECORDS)  # public read only
    assert access(sf, LONER, RAJ_ACCT) == {RAJ_ACCT: "Read"}
    org.load(org_data(None))  # no Organization record: Read (INTERFACE.md)
    assert access(sf, LONER, RAJ_ACCT) == {RAJ_ACCT: "Read"}
    org.load(org_data("Edit"))
    assert access(sf, LONER, RAJ_ACCT) == {RAJ_ACCT: "Edit"}
    org.load(org_data())
    assert readable(sf, OPS) == set(ALL_RECORDS)  # View All Data, whatever the defaults
    assert access(sf, OPS, RAJ_ACCT) == {RAJ_ACCT: "Read"}


def test_one_access_level_filter_and_order_by(org: SandboxOrg, sf: Salesforce) -> None:
    org.load(org_data())
    ids = ",".join(f"'{i}'" for i in (RAJ_ACCT, ANA_ACCT, ANA_OPP))
    rows = sf.query(
        f"SELECT RecordId FROM UserRecordAccess WHERE UserId = '{ANA}' AND RecordId IN ({ids}) "
        "AND HasReadAccess = true"
    )["records"]
    assert sorted(r["RecordId"] for r in rows) == sorted([ANA_ACCT, ANA_OPP])
    assert set(rows[0]) == {"attributes", "RecordId"}
    rows = sf.query(
        "SELECT RecordId, MaxAccessLevel FROM UserRecordAccess "
        f"WHERE UserId = '{RAJ}' AND RecordId IN ({ids}) ORDER BY MaxAccessLevel DESC"
    )["records"]
    assert [r["MaxAccessLevel"] for r in rows] == ["All", "Read", "None"]
    one = sf.query(
        f"SELECT RecordId, HasReadAccess FROM UserRecordAccess WHERE UserId = '{ANA[:15]}' "
        f"AND RecordId = '{ANA_ACCT[:15]}'"
    )["records"]
    assert one == [{"attributes": {"type": "UserRecordAccess"}, "RecordId": ANA_ACCT,
                    "HasReadAccess": True}]  # fmt: skip


def test_records_that_do_not_exist_are_filtered_out(org: SandboxOrg, sf: Salesforce) -> None:
    org.load(org_data())
    assert access(sf, ANA, ANA_ACCT, sid("001", 99)) == {ANA_ACCT: "All"}


@pytest.mark.parametrize(
    ("soql", "says"),
    [
        # "Up to 200 record IDs can be queried" (whatever the LIMIT).
        ("SELECT RecordId FROM UserRecordAccess WHERE UserId = '{ana}' AND RecordId IN ({many}) "
         "LIMIT 5", "Number of records exceeds limit: 200"),
        ("SELECT RecordId FROM UserRecordAccess WHERE RecordId = '{acct}'", "UserId"),
        ("SELECT RecordId FROM UserRecordAccess WHERE UserId = '{ana}'", "RecordId"),
        ("SELECT RecordId FROM UserRecordAccess WHERE UserId = '{ana}' OR RecordId = '{acct}'",
         "AND"),
        ("SELECT HasReadAccess FROM UserRecordAccess WHERE UserId = '{ana}' "
         "AND RecordId = '{acct}'", "select RecordId"),
        ("SELECT RecordId, UserId FROM UserRecordAccess WHERE UserId = '{ana}' "
         "AND RecordId = '{acct}'", "UserId"),
        ("SELECT RecordId, HasEditAccess FROM UserRecordAccess WHERE UserId = '{ana}' "
         "AND RecordId = '{acct}' AND HasReadAccess = true", "SELECT RecordId only"),
        ("SELECT RecordId FROM UserRecordAccess WHERE UserId = '{ana}' "
         "AND RecordId = '{acct}' ORDER BY HasReadAccess", "ORDER BY"),
        ("SELECT RecordId FROM UserRecordAccess WHERE UserId = '{ana}' AND RecordId = '{item}'",
         "Sharing Settings"),  # order products are not on the Sharing Settings page
        ("SELECT RecordId FROM UserRecordAccess WHERE UserId = '{ana}' AND RecordId = 'nope'",
         "invalid ID field: nope"),
        ("SELECT RecordId FROM UserRecordAccess WHERE UserId = '{acct}' AND RecordId = '{acct}'",
         "invalid ID field"),
        ("SELECT COUNT() FROM UserRecordAccess WHERE UserId = '{ana}' AND RecordId = '{acct}'",
         "RecordId"),
    ],
)  # fmt: skip
def test_queries_salesforce_refuses_are_refused(
    org: SandboxOrg, sf: Salesforce, soql: str, says: str
) -> None:
    org.load(org_data())
    many = ",".join(f"'{sid('001', n)}'" for n in range(1, 202))
    query = soql.format(ana=ANA, acct=ANA_ACCT, item=ANA_ITEM, many=many)
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.query(query)
    (error,) = info.value.content
    assert error["errorCode"] in ("MALFORMED_QUERY", "INVALID_FIELD",
                                  "INVALID_QUERY_FILTER_OPERATOR")  # fmt: skip
    assert says in error["message"]


def test_exactly_200_ids_are_fine(org: SandboxOrg, sf: Salesforce) -> None:
    org.load(org_data())
    ids = ",".join(f"'{sid('001', n)}'" for n in range(1, 201))
    rows = sf.query(
        f"SELECT RecordId FROM UserRecordAccess WHERE UserId = '{ANA}' AND RecordId IN ({ids})"
    )["records"]
    assert len(rows) == 3  # the three accounts that exist


def test_a_sharing_set_up_salesforce_would_not_hold_is_refused(org: SandboxOrg) -> None:
    with pytest.raises(DataLoadError, match="exactly one Organization"):
        org.load(org_data(Organization=[{}, {}]))
    cycle = org_data()
    cycle["UserRole"][0]["ParentRoleId"] = REP_ROLE
    with pytest.raises(DataLoadError, match="cycle"):
        org.load(cycle)
    bad = org_data()
    bad["Organization"][0]["DefaultAccountAccess"] = "Everyone"
    with pytest.raises(DataLoadError, match="DefaultAccountAccess"):
        org.load(bad)
