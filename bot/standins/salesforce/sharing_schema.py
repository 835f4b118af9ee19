"""The sandbox org's sharing metadata: the objects and fields behind who may read what.

Added to ``schema.SOBJECTS`` by ``schema._build`` (kept here, apart from the record
objects, so the sharing model can change on its own). Names, types and picklist values
follow Salesforce's Object Reference:

- ``Organization``: ``DefaultAccountAccess``, ``DefaultOpportunityAccess``,
  ``DefaultCaseAccess`` (the organization-wide defaults; None = private, Read, Edit;
  Cases may also be ReadEditTransfer), ``DefaultContactAccess`` (ControlledByParent);
  https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_organization.htm
- ``UserRole``: ``ParentRoleId`` (the role hierarchy), ``OpportunityAccessForAccountOwner``
  and ``CaseAccessForAccountOwner`` (what an account owner in the role may do with the
  account's deals and cases others own: None, Read, Edit);
  https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_userrole.htm
- ``Profile``: ``PermissionsViewAllData``, ``PermissionsModifyAllData``;
- ``AccountShare`` (``AccountId``, ``UserOrGroupId``, ``AccountAccessLevel`` Read/Edit/All,
  ``OpportunityAccessLevel`` and ``CaseAccessLevel`` None/Read/Edit, ``RowCause``);
  https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-accountshare.html
- ``AccountTeamMember`` (``AccountId``, ``UserId``, ``TeamMemberRole`` and the same three
  access levels);
- ``User.UserRoleId`` and ``User.ProfileId``.

``UserRecordAccess`` is not stored: the sandbox computes it (``sharing.py``).
"""

from __future__ import annotations

from typing import Any

ACCESS = ("None", "Read", "Edit")
ORG_DEFAULTS = ("DefaultAccountAccess", "DefaultOpportunityAccess", "DefaultCaseAccess")
LEVEL_FIELDS = ("AccountAccessLevel", "OpportunityAccessLevel", "CaseAccessLevel")


def add_sharing_objects(objs: dict[str, Any]) -> None:
    """Add the sharing objects to the schema being built (``schema._build``)."""
    from bot.standins.salesforce import schema as s

    def pl(*values: str) -> tuple[Any, ...]:
        return tuple(s.PicklistValue(v, v) for v in values)

    def add(obj: Any, fields: list[Any]) -> None:
        if obj.name in objs:  # another part of the sandbox defines it: add our fields
            for f in fields:
                objs[obj.name].fields.setdefault(f.name, f)
            return
        obj.fields = {f.name: f for f in fields}
        objs[obj.name] = obj

    add(
        s.SObject("Organization", "Organization", "Organizations", "00D"),
        [
            s._f("Id", s.ID, "Organization ID", nillable=False),
            s._f("Name", s.STRING, "Name", length=80),
            s._f(
                "DefaultAccountAccess", s.PICKLIST, "Default Account Access", picklist=pl(*ACCESS)
            ),
            s._f(
                "DefaultOpportunityAccess",
                s.PICKLIST,
                "Default Opportunity Access",
                picklist=pl(*ACCESS),
            ),
            s._f(
                "DefaultCaseAccess",
                s.PICKLIST,
                "Default Case Access",
                picklist=pl(*ACCESS, "ReadEditTransfer"),
            ),
            s._f(
                "DefaultContactAccess",
                s.PICKLIST,
                "Default Contact Access",
                picklist=pl("ControlledByParent"),
            ),
            *s._audit(),
        ],
    )
    add(
        s.SObject("UserRole", "Role", "Roles", "00E"),
        [
            s._f("Id", s.ID, "Role ID", nillable=False),
            s._f("Name", s.STRING, "Name", length=80, nillable=False),
            s._ref("ParentRoleId", "UserRole", "ParentRole", "Parent Role ID"),
            s._f(
                "OpportunityAccessForAccountOwner",
                s.PICKLIST,
                "Opportunity Access for Account Owner",
                picklist=pl(*ACCESS),
            ),
            s._f(
                "CaseAccessForAccountOwner",
                s.PICKLIST,
                "Case Access for Account Owner",
                picklist=pl(*ACCESS),
            ),
            *s._audit(),
        ],
    )
    add(
        s.SObject("Profile", "Profile", "Profiles", "00e"),
        [
            s._f("Id", s.ID, "Profile ID", nillable=False),
            s._f("Name", s.STRING, "Name", nillable=False),
            s._f("PermissionsViewAllData", s.BOOLEAN, "View All Data", nillable=False),
            s._f("PermissionsModifyAllData", s.BOOLEAN, "Modify All Data", nillable=False),
            *s._audit(),
        ],
    )
    share_levels = [
        s._f(
            "AccountAccessLevel", s.PICKLIST, "Account Access", picklist=pl("Read", "Edit", "All")
        ),
        s._f("OpportunityAccessLevel", s.PICKLIST, "Opportunity Access", picklist=pl(*ACCESS)),
        s._f("CaseAccessLevel", s.PICKLIST, "Case Access", picklist=pl(*ACCESS)),
    ]
    add(
        s.SObject("AccountShare", "Account Share", "Account Share", "00r"),
        [
            s._f("Id", s.ID, "Account Share ID", nillable=False),
            s._ref("AccountId", "Account", "Account", "Account ID"),
            # Polymorphic in Salesforce (a user or a group); the sandbox models users.
            s._ref("UserOrGroupId", "User", "UserOrGroup", "User/Group ID"),
            *share_levels,
            s._f(
                "RowCause",
                s.PICKLIST,
                "Row Cause",
                picklist=pl("Manual", "Owner", "Rule", "Team", "ImplicitChild", "ImplicitParent"),
            ),
            *s._audit(),
        ],
    )
    add(
        s.SObject("AccountTeamMember", "Account Team Member", "Account Team Members", "01M"),
        [
            s._f("Id", s.ID, "Account Team Member ID", nillable=False),
            s._ref("AccountId", "Account", "Account", "Account ID"),
            s._ref("UserId", "User", "User", "User ID"),
            s._f(
                "TeamMemberRole",
                s.PICKLIST,
                "Team Role",
                picklist=pl(
                    "Account Manager",
                    "Sales Engineer",
                    "Executive Sponsor",
                    "Channel Manager",
                    "Sales Rep",
                ),
            ),
            *share_levels,
            *s._audit(),
        ],
    )
    user = objs["User"]
    user.fields.setdefault("UserRoleId", s._ref("UserRoleId", "UserRole", "UserRole", "Role ID"))
    user.fields.setdefault("ProfileId", s._ref("ProfileId", "Profile", "Profile", "Profile ID"))
    objs["UserRole"].children = {
        "Users": s.ChildRelationship("Users", "User", "UserRoleId"),
    }
    objs["Account"].children.setdefault(
        "Shares", s.ChildRelationship("Shares", "AccountShare", "AccountId")
    )
    objs["Account"].children.setdefault(
        "AccountTeamMembers",
        s.ChildRelationship("AccountTeamMembers", "AccountTeamMember", "AccountId"),
    )
