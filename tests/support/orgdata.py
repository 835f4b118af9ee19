"""A small hand-built org whose figures the tests check by hand.

Frozen at Wednesday 2026-11-18 10:00 in New York (15:00 UTC): Q4 runs Oct 1 - Dec 31,
this week runs Sunday Nov 15 - Saturday Nov 21.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

NOW = dt.datetime(2026, 11, 18, 15, 0, tzinfo=dt.UTC)

ANA_SF = "005000000000001AAA"
RAJ_SF = "005000000000002AAA"
MARCUS_SF = "005000000000003AAA"
ACME = "001000000000001AAA"
ACME_MEDIA = "001000000000002AAA"
OHARE = "001000000000003AAA"
ZURICH = "001000000000004AAA"
PERCENT = "001000000000005AAA"
QUIET = "001000000000006AAA"
DRAFT_ORDER = "801000000000001AAA"
PENDING_ORDER = "801000000000002AAA"
ACTIVATED_ORDER = "801000000000003AAA"
RAJ_ORDER = "801000000000004AAA"


def small_org() -> dict[str, list[dict[str, Any]]]:
    return {
        "User": [
            {
                "Id": MARCUS_SF,
                "FirstName": "Marcus",
                "LastName": "Bell",
                "Email": "marcus.bell@example.com",
            },
            {
                "Id": ANA_SF,
                "FirstName": "Ana",
                "LastName": "Ruiz",
                "Email": "ana.rep@example.com",
                "ManagerId": MARCUS_SF,
            },
            {
                "Id": RAJ_SF,
                "FirstName": "Raj",
                "LastName": "Patel",
                "Email": "raj.rep@example.com",
                "ManagerId": MARCUS_SF,
            },
        ],
        "Account": [
            {
                "Id": ACME,
                "Name": "Acme Corp",
                "AccountNumber": "A-1001",
                "OwnerId": ANA_SF,
                "Type": "Customer - Direct",
                "Industry": "Telecommunications",
                "BillingCity": "Newark",
                "BillingState": "NJ",
                "LastActivityDate": "2026-11-10",
            },
            {
                "Id": ACME_MEDIA,
                "Name": "Acme Media Group",
                "AccountNumber": "A-1002",
                "OwnerId": RAJ_SF,
                "BillingCity": "Stamford",
                "BillingState": "CT",
                "LastActivityDate": "2026-11-17",
            },
            {
                "Id": OHARE,
                "Name": "O'Hare Signal & Sons",
                "AccountNumber": "A-1003",
                "OwnerId": ANA_SF,
                "LastActivityDate": "2026-07-01",
            },
            {
                "Id": ZURICH,
                "Name": "Zürich Data AG",
                "AccountNumber": "A-1004",
                "OwnerId": RAJ_SF,
                "LastActivityDate": "2026-11-16",
            },
            {
                "Id": PERCENT,
                "Name": "100% Fiber Co",
                "AccountNumber": "A-1005",
                "OwnerId": RAJ_SF,
                "LastActivityDate": "2026-11-16",
            },
            {
                "Id": QUIET,
                "Name": "Quiet Harbor Dental",
                "AccountNumber": "A-1006",
                "OwnerId": RAJ_SF,
                "LastActivityDate": "2026-11-12",
            },
        ],
        "Opportunity": [
            {
                "Name": "Fiber upgrade",
                "AccountId": ACME,
                "OwnerId": ANA_SF,
                "StageName": "Negotiation/Review",
                "Amount": 50000,
                "CloseDate": "2026-11-20",
            },
            {
                "Name": "SIP trunks",
                "AccountId": ACME,
                "OwnerId": ANA_SF,
                "StageName": "Prospecting",
                "Amount": 12000,
                "CloseDate": "2026-12-15",
            },
            {
                "Name": "Old Wi-Fi deal",
                "AccountId": ACME,
                "OwnerId": ANA_SF,
                "StageName": "Qualification",
                "Amount": 3000,
                "CloseDate": "2026-11-01",
            },
            {
                "Name": "Q4 renewal",
                "AccountId": ACME,
                "OwnerId": ANA_SF,
                "StageName": "Closed Won",
                "Amount": 20000,
                "CloseDate": "2026-10-15",
            },
            {
                "Name": "Lost TV deal",
                "AccountId": ACME,
                "OwnerId": ANA_SF,
                "StageName": "Closed Lost",
                "Amount": 9000,
                "CloseDate": "2026-11-02",
            },
            {
                "Name": "Last year's win",
                "AccountId": ACME,
                "OwnerId": ANA_SF,
                "StageName": "Closed Won",
                "Amount": 77000,
                "CloseDate": "2026-06-30",
            },
            {
                "Name": "Media flight",
                "AccountId": ACME_MEDIA,
                "OwnerId": RAJ_SF,
                "StageName": "Proposal/Price Quote",
                "Amount": 8000,
                "CloseDate": "2026-12-01",
                "ForecastCategoryName": "Best Case",
            },
        ],
        "Product2": [
            {"Id": "01t000000000001AAA", "Name": "Business Internet 1 Gig", "IsActive": True},
            {"Id": "01t000000000002AAA", "Name": "SIP Trunk", "IsActive": True},
        ],
        "Order": [
            {
                "Id": DRAFT_ORDER,
                "OrderNumber": "00000123",
                "AccountId": ACME,
                "OwnerId": ANA_SF,
                "Status": "Draft",
                "EffectiveDate": "2026-11-02",
                "CreatedDate": "2026-10-28T14:00:00.000+0000",
            },
            {
                "Id": PENDING_ORDER,
                "OrderNumber": "00000124",
                "AccountId": ACME,
                "OwnerId": ANA_SF,
                "Status": "Pending Install",
                "EffectiveDate": "2026-12-01",
                "CreatedDate": "2026-10-20T14:00:00.000+0000",
            },
            {
                "Id": ACTIVATED_ORDER,
                "OrderNumber": "00000125",
                "AccountId": ACME,
                "OwnerId": ANA_SF,
                "Status": "Activated",
                "EffectiveDate": "2026-11-10",
                "ActivatedDate": "2026-11-17T14:00:00.000+0000",
                "CreatedDate": "2026-11-01T14:00:00.000+0000",
            },
            {
                "Id": RAJ_ORDER,
                "OrderNumber": "00000126",
                "AccountId": ACME_MEDIA,
                "OwnerId": RAJ_SF,
                "Status": "Draft",
                "EffectiveDate": "2026-11-16",
                "CreatedDate": "2026-11-09T14:00:00.000+0000",
                "TotalAmount": 450.0,
            },
        ],
        "OrderItem": [
            {
                "OrderId": DRAFT_ORDER,
                "Product2Id": "01t000000000001AAA",
                "Quantity": 2,
                "UnitPrice": 249,
            },
            {
                "OrderId": DRAFT_ORDER,
                "Product2Id": "01t000000000002AAA",
                "Quantity": 10,
                "UnitPrice": 19.5,
            },
            {
                "OrderId": PENDING_ORDER,
                "Product2Id": "01t000000000001AAA",
                "Quantity": 1,
                "UnitPrice": 249,
            },
            {
                "OrderId": ACTIVATED_ORDER,
                "Product2Id": "01t000000000002AAA",
                "Quantity": 4,
                "UnitPrice": 19.5,
            },
        ],
        "Case": [
            {
                "Subject": "Double-billed for static IP block",
                "AccountId": ACME,
                "OwnerId": ANA_SF,
                "Status": "Escalated",
                "Priority": "High",
                "IsEscalated": True,
                "CreatedDate": "2026-11-16T13:00:00.000+0000",
            },
            {
                "Subject": "Install date missed",
                "AccountId": ACME,
                "OwnerId": ANA_SF,
                "Status": "Working",
                "Priority": "Medium",
                "CreatedDate": "2026-11-12T13:00:00.000+0000",
            },
            {
                "Subject": "Old question",
                "AccountId": ACME,
                "OwnerId": ANA_SF,
                "Status": "Closed",
                "Priority": "Low",
                "CreatedDate": "2026-10-01T13:00:00.000+0000",
            },
        ],
        "Contract": [
            {
                "AccountId": ACME,
                "Status": "Activated",
                "StartDate": "2024-01-01",
                "EndDate": "2026-12-31",
                "ContractTerm": 36,
            },
            {
                "AccountId": ACME,
                "Status": "Activated",
                "StartDate": "2025-01-01",
                "EndDate": "2027-12-31",
                "ContractTerm": 36,
            },
        ],
    }


TEAMS_YAML = """\
timezone: America/New_York
teams:
  - name: smb-east
    channel: C0SMBEAST01
    schedule: "0 8 * * mon-fri"
    owners: [ana.rep@example.com, raj.rep@example.com]
    managers: [U0MGR00001]
"""


# --- sharing ----------------------------------------------------------------------------

MANAGER_ROLE = "00E000000000001EAA"
REP_ROLE = "00E000000000002EAA"
RAJ_SIDE_DEAL = "006000000000099AAA"
OHARE_ORDER = "801000000000005AAA"


def private_org() -> dict[str, list[dict[str, Any]]]:
    """``small_org`` with private sharing: Accounts, Opportunities and Cases private; Marcus
    (manager role) above Ana and Raj (one rep role, so they do not see each other's
    accounts); account owners get no access to others' deals on their accounts; Raj's
    Zürich Data AG is shared with Ana (read-only, its deals too). Raj also has a $7,000
    deal on Ana's Acme Corp, which Ana may not read and Marcus may.

    Who reads which account: Ana: Acme Corp, O'Hare, Zürich (shared); Raj: Acme Media
    Group, Zürich, 100% Fiber, Quiet Harbor, and Acme Corp read-only through his deal on it
    (Salesforce's parent implicit sharing); Marcus: all. O'Hare has an overdue draft
    (00000130, $500), so Ana has three not-dones.
    """
    data = small_org()
    data["Organization"] = [
        {
            "DefaultAccountAccess": "None",
            "DefaultOpportunityAccess": "None",
            "DefaultCaseAccess": "None",
        }
    ]
    data["UserRole"] = [
        {"Id": MANAGER_ROLE, "Name": "SMB Sales Manager"},
        {
            "Id": REP_ROLE,
            "Name": "SMB Account Manager",
            "ParentRoleId": MANAGER_ROLE,
            "OpportunityAccessForAccountOwner": "None",
            "CaseAccessForAccountOwner": "Read",
        },
    ]
    roles = {MARCUS_SF: MANAGER_ROLE, ANA_SF: REP_ROLE, RAJ_SF: REP_ROLE}
    for user in data["User"]:
        user["UserRoleId"] = roles[user["Id"]]
    data["AccountShare"] = [
        {
            "AccountId": ZURICH,
            "UserOrGroupId": ANA_SF,
            "AccountAccessLevel": "Read",
            "OpportunityAccessLevel": "Read",
            "CaseAccessLevel": "None",
            "RowCause": "Manual",
        }
    ]
    data["Opportunity"].append(
        {
            "Id": RAJ_SIDE_DEAL,
            "Name": "Raj's side deal",
            "AccountId": ACME,
            "OwnerId": RAJ_SF,
            "StageName": "Prospecting",
            "Amount": 7000,
            "CloseDate": "2026-12-10",
        }
    )
    data["Order"].append(
        {
            "Id": OHARE_ORDER,
            "OrderNumber": "00000130",
            "AccountId": OHARE,
            "OwnerId": ANA_SF,
            "Status": "Draft",
            "EffectiveDate": "2026-11-01",
            "CreatedDate": "2026-10-30T14:00:00.000+0000",
            "TotalAmount": 500.0,
        }
    )
    return data
