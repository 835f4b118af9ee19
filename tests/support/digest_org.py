"""The small org (tests/support/orgdata.py) plus the records the digest tests check by hand.

Frozen at Wed 2026-11-18 in New York. smb-east (Ana, Raj) runs Mon-Fri at 8:00, so
the daily digest covers Tue Nov 17 (local); the weekly one the week Sun Nov 8 - Sat
Nov 14 against Nov 1 - 7; the monthly one October 2026.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.support.orgdata import ACME, ACME_MEDIA, MARCUS_SF, OHARE, RAJ_SF, ZURICH, small_org

OTHER = "001000000000007AAA"  # owned by Marcus: outside smb-east
EIGHT_AM = dt.datetime(2026, 11, 18, 13, 0, tzinfo=dt.UTC)  # Wed 8:00 New York (EST)


def _order(number: int, account: str, status: str, **fields: Any) -> dict[str, Any]:
    return {
        "Id": f"8010000000{number:05d}AAA",
        "OrderNumber": f"{number:08d}",
        "AccountId": account,
        "Status": status,
        "EffectiveDate": fields.pop("EffectiveDate", "2026-11-01"),
        **fields,
    }


def _opp(name: str, account: str, stage: str, amount: float, close: str) -> dict[str, Any]:
    return {
        "Name": name,
        "AccountId": account,
        "StageName": stage,
        "Amount": amount,
        "CloseDate": close,
    }


def digest_org() -> dict[str, list[dict[str, Any]]]:
    data = small_org()
    data["Account"].append({"Id": OTHER, "Name": "Other Co", "OwnerId": MARCUS_SF})
    data["Order"] += [
        # yesterday (Nov 17 New York): created and activated
        _order(
            127,
            ACME_MEDIA,
            "Activated",
            OwnerId=RAJ_SF,
            EffectiveDate="2026-11-17",
            CreatedDate="2026-11-17T15:00:00.000+0000",
            ActivatedDate="2026-11-17T20:00:00.000+0000",
            TotalAmount=1200.0,
        ),
        # created yesterday, effective next week: new, not a not-done
        _order(
            128,
            ZURICH,
            "Draft",
            OwnerId=RAJ_SF,
            EffectiveDate="2026-11-25",
            CreatedDate="2026-11-17T16:00:00.000+0000",
            TotalAmount=300.0,
        ),
        # activated 23:30 on Nov 17 in New York (04:30 UTC on the 18th): yesterday
        _order(
            129,
            OHARE,
            "Activated",
            CreatedDate="2026-11-10T14:00:00.000+0000",
            ActivatedDate="2026-11-18T04:30:00.000+0000",
            TotalAmount=500.0,
        ),
        # activated 23:30 on Nov 16 in New York: not yesterday
        _order(
            130,
            OHARE,
            "Activated",
            CreatedDate="2026-11-05T14:00:00.000+0000",
            ActivatedDate="2026-11-17T04:30:00.000+0000",
            TotalAmount=999.0,
        ),
        # weekly: activated Thu Nov 12 (reported week) and Thu Nov 5 (the week before)
        _order(
            131,
            ACME,
            "Activated",
            CreatedDate="2026-11-02T14:00:00.000+0000",
            ActivatedDate="2026-11-12T15:00:00.000+0000",
            TotalAmount=2000.0,
        ),
        _order(
            132,
            ACME_MEDIA,
            "Activated",
            CreatedDate="2026-11-01T14:00:00.000+0000",
            ActivatedDate="2026-11-05T15:00:00.000+0000",
            TotalAmount=700.0,
        ),
        # monthly (October): 4.0 days, 5.5 days, and one created in September (4.0 days)
        _order(
            133,
            ACME,
            "Activated",
            CreatedDate="2026-10-05T14:00:00.000+0000",
            ActivatedDate="2026-10-09T14:00:00.000+0000",
            TotalAmount=1000.0,
        ),
        _order(
            134,
            ZURICH,
            "Activated",
            CreatedDate="2026-10-10T14:00:00.000+0000",
            ActivatedDate="2026-10-16T02:00:00.000+0000",
            TotalAmount=3000.0,
        ),
        _order(
            135,
            ACME_MEDIA,
            "Activated",
            CreatedDate="2026-09-28T14:00:00.000+0000",
            ActivatedDate="2026-10-02T14:00:00.000+0000",
            TotalAmount=500.0,
        ),
        # outside the team: activated yesterday on Marcus's account
        _order(
            136,
            OTHER,
            "Activated",
            CreatedDate="2026-11-17T14:00:00.000+0000",
            ActivatedDate="2026-11-17T18:00:00.000+0000",
            TotalAmount=99999.0,
        ),
    ]
    data["Opportunity"] += [
        _opp("Big win", ACME, "Closed Won", 40000, "2026-11-17"),
        _opp("Lost bid", ZURICH, "Closed Lost", 7000, "2026-11-17"),
        _opp("Media renewal", ACME_MEDIA, "Proposal/Price Quote", 15000, "2026-11-21"),
        _opp("Not ours", OTHER, "Closed Won", 88000, "2026-11-17"),
        _opp("Week win A", ACME, "Closed Won", 10000, "2026-11-10"),
        _opp("Week win B", ACME_MEDIA, "Closed Won", 5000, "2026-11-14"),
        _opp("Prev win", ACME, "Closed Won", 8000, "2026-11-03"),
    ]
    data["Case"] += [
        {
            "Subject": "Outage at HQ",
            "AccountId": ACME_MEDIA,
            "Status": "New",
            "Priority": "High",
            "CreatedDate": "2026-11-17T18:00:00.000+0000",
        },
        {
            "Subject": "Old escalation, closed",
            "AccountId": ACME,
            "Status": "Closed",
            "Priority": "High",
            "IsEscalated": True,
            "CreatedDate": "2026-11-01T13:00:00.000+0000",
        },
        {
            "Subject": "Not our case",
            "AccountId": OTHER,
            "Status": "New",
            "Priority": "High",
            "CreatedDate": "2026-11-17T18:00:00.000+0000",
        },
    ]
    return data


def quiet_org() -> dict[str, list[dict[str, Any]]]:
    """Users and accounts only: nothing happened."""
    data = small_org()
    return {"User": data["User"], "Account": data["Account"]}
