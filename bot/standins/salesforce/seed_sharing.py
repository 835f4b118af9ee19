"""The seeded demo org's sharing set-up: who may read what (bot/standins/salesforce/sharing.py).

A realistic private sales org:

- organization-wide defaults: Accounts, Opportunities and Cases **private** (Orders and
  Contracts follow their Account);
- a role hierarchy: the director's role above the three sales managers' roles, each
  above their reps' role (Marcus Bell above Ana, Raj, Kevin and Brian; Priya Natarajan
  above Lauren and David; Tom Kowalski above Jamal and Emily). Reps sharing a role do not
  see each other's accounts; managers see their reps', the director sees all;
- account owners may edit the deals and cases others own on their accounts (their
  role's ``OpportunityAccessForAccountOwner`` / ``CaseAccessForAccountOwner``);
- one shared account: Raj's "O'Hare Signal & Sons" is shared with Ana (read-only, its
  deals and cases too) while she covers it; and one account team: David is the sales
  engineer on Lauren's "100% Fiber Co" (read-only);
- profiles: "Standard User" for the sales team, "Sales Director" (View All Data) for
  the director.

So in the demo, Ana sees her accounts and O'Hare, and Kevin (same team, same role) is
refused Ana's "Acme Corp".
"""

from __future__ import annotations

from typing import Any

from bot.standins.salesforce import schema

Record = dict[str, Any]

# role key -> (name, parent role key, who)
ROLES: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "vp": ("VP, Business Sales", None, ("denise",)),
    "smb_mgr": ("Sales Manager, SMB East", "vp", ("marcus",)),
    "ent_mgr": ("Sales Manager, Enterprise NYC", "vp", ("priya",)),
    "media_mgr": ("Sales Manager, Media & Advertising", "vp", ("tom",)),
    "smb_rep": ("Account Manager, SMB East", "smb_mgr", ("ana", "raj", "kevin", "brian")),
    "ent_rep": ("Account Executive, Enterprise NYC", "ent_mgr", ("lauren", "david")),
    "media_rep": ("Account Executive, Media", "media_mgr", ("jamal", "emily")),
}
SHARED_ACCOUNT = ("O'Hare Signal & Sons", "ana")  # shared by its owner (Raj) with Ana
TEAM_ACCOUNT = ("100% Fiber Co", "david", "Sales Engineer")  # Lauren's, David on its team


def add_sharing(out: dict[str, list[Record]], user_ids: dict[str, str], created: str) -> None:
    """Add the org's sharing set-up to the generated data set ``out`` (in place):
    Organization, UserRole, Profile, AccountShare, AccountTeamMember, and each User's
    UserRoleId and ProfileId. ``user_ids`` maps seed user keys to their Ids."""
    org = (out.get("Organization") or [{}])[0]  # the org's record, if the seed has one
    org.setdefault("Id", schema.make_id("00D", 1))
    org.setdefault("Name", "Acctbot Demo Business Sales")
    org.setdefault("CreatedDate", created)
    org.update(
        DefaultAccountAccess="None", DefaultOpportunityAccess="None", DefaultCaseAccess="None"
    )
    out["Organization"] = [org]
    role_ids = {key: schema.make_id("00E", i + 1) for i, key in enumerate(ROLES)}
    out["UserRole"] = [
        {
            "Id": role_ids[key],
            "Name": name,
            "ParentRoleId": role_ids[parent] if parent else None,
            "OpportunityAccessForAccountOwner": "Edit",
            "CaseAccessForAccountOwner": "Edit",
            "CreatedDate": created,
        }
        for key, (name, parent, _) in ROLES.items()
    ]
    standard, director = schema.make_id("00e", 1), schema.make_id("00e", 2)
    out["Profile"] = [
        {"Id": standard, "Name": "Standard User", "PermissionsViewAllData": False,
         "PermissionsModifyAllData": False, "CreatedDate": created},
        {"Id": director, "Name": "Sales Director", "PermissionsViewAllData": True,
         "PermissionsModifyAllData": False, "CreatedDate": created},
    ]  # fmt: skip
    role_of = {who: key for key, (_, _, people) in ROLES.items() for who in people}
    key_of = {uid: key for key, uid in user_ids.items()}
    for user in out["User"]:
        key = key_of[user["Id"]]
        user["UserRoleId"] = role_ids[role_of[key]]
        user["ProfileId"] = director if key == "denise" else standard
    by_name = {a["Name"]: a for a in out["Account"]}
    shared = by_name.get(SHARED_ACCOUNT[0])
    out["AccountShare"] = (
        [
            {
                "Id": schema.make_id("00r", 1),
                "AccountId": shared["Id"],
                "UserOrGroupId": user_ids[SHARED_ACCOUNT[1]],
                "AccountAccessLevel": "Read",
                "OpportunityAccessLevel": "Read",
                "CaseAccessLevel": "Read",
                "RowCause": "Manual",
                "CreatedDate": created,
            }
        ]
        if shared
        else []
    )
    team = by_name.get(TEAM_ACCOUNT[0])
    out["AccountTeamMember"] = (
        [
            {
                "Id": schema.make_id("01M", 1),
                "AccountId": team["Id"],
                "UserId": user_ids[TEAM_ACCOUNT[1]],
                "TeamMemberRole": TEAM_ACCOUNT[2],
                "AccountAccessLevel": "Read",
                "OpportunityAccessLevel": "Read",
                "CaseAccessLevel": "None",
                "CreatedDate": created,
            }
        ]
        if team
        else []
    )
