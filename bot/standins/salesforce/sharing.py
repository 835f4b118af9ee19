"""The sandbox org's sharing model, and the ``UserRecordAccess`` object that reports it.

**Who may read what.** A user's access to a record is the highest of these grants
(Salesforce, "Salesforce Record Access: Under the Hood",
https://developer.salesforce.com/docs/platform/salesforce-record-access-under-the-hood/guide/uth-grants.html,
and the Security Implementation Guide's "Sharing Default Access Settings"):

- **View All Data / Modify All Data** on the user's profile: Read / All on everything.
- **Organization-wide defaults** (``Organization.DefaultAccountAccess``,
  ``DefaultOpportunityAccess``, ``DefaultCaseAccess``): None (private), Read or Edit for
  everyone. Absent, the sandbox assumes Read (INTERFACE.md).
- **Owner**: All on what they own.
- **Role hierarchy**: a user inherits every grant of the users in roles *below* theirs
  (owner, shares, teams), "Grant Access Using Hierarchies" being always on for standard
  objects. Users in the same role do not see each other's records.
- **Account shares and account teams** (``AccountShare``, ``AccountTeamMember``):
  ``AccountAccessLevel`` on the account, ``OpportunityAccessLevel`` and
  ``CaseAccessLevel`` on its deals and cases.
- **Implicit sharing** ("Designing Record Access for Enterprise Scale", Implicit Sharing,
  https://developer.salesforce.com/docs/atlas.en-us.draes.meta/draes/draes_object_relationships_implicit_sharing.htm):
  *child*: the account's owner (and those above them) may read or edit its deals and
  cases as their role's ``OpportunityAccessForAccountOwner`` /
  ``CaseAccessForAccountOwner`` says; *parent*: whoever has a grant on a deal or case
  of an account may read the account ("read-only access to the parent account for a user
  with access to a child record"; organization-wide defaults are not grants). Not a
  contact: parent implicit sharing is "not used when sharing on the child is controlled
  by its parent", as contacts are here.
- **Controlled by parent**: Orders and Contracts (and Contacts) have the access their
  Account gives (INTERFACE.md); line items follow their order.
- Users are public read-only to everyone inside the company.

**UserRecordAccess** (Object Reference,
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_userrecordaccess.htm):
``SELECT RecordId, HasReadAccess, HasEditAccess, HasDeleteAccess, HasTransferAccess,
HasAllAccess, MaxAccessLevel FROM UserRecordAccess WHERE UserId = [single ID] AND
RecordId = [single ID] | RecordId IN [list of IDs] [AND HasReadAccess = true]``.
What the reference says, the sandbox enforces:

- "Up to 200 record IDs can be queried": more is an error, whatever the LIMIT (the
  message Salesforce gives, per https://sf-ninjas.com/troubleshooting-exceptions/5-system-queryexception-number-of-records-exceeds-limit-200:
  "Number of records exceeds limit: 200");
- "When filtering by UserId and RecordId only, you must use SELECT RecordId and
  optionally one or more of the access level fields"; "When filtering by UserId,
  RecordId, and an access level field, you must use SELECT RecordId only";
- "You can include an ORDER BY clause for any field that is being selected";
- "You can only query records of objects listed on the Sharing Settings Setup page"
  (here Account, Contact, Opportunity, Case, Order, Contract, User): others are refused;
- records that do not exist (or that the running user cannot read: the sandbox's
  session user reads everything) are "filtered out of the results": no row.

Where the reference is silent (the exact error codes), the sandbox answers 400
``MALFORMED_QUERY`` with a message that names the rule: stricter, never a quiet answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from bot.standins.salesforce import schema
from bot.standins.salesforce.soql_parser import (
    MALFORMED,
    BoolOp,
    Comparison,
    Condition,
    FieldPath,
    Query,
    SoqlError,
    SubQuery,
    locate,
)
from bot.standins.salesforce.store import DataLoadError, OrgStore

MAX_RECORD_IDS = 200
LEVELS = ("None", "Read", "Edit", "Delete", "Transfer", "All")
NONE, READ, EDIT, DELETE, TRANSFER, ALL = range(6)
_LEVEL = {name: i for i, name in enumerate(LEVELS)} | {"ReadEditTransfer": EDIT}
ACCESS_FIELDS = {
    "hasreadaccess": "HasReadAccess",
    "haseditaccess": "HasEditAccess",
    "hasdeleteaccess": "HasDeleteAccess",
    "hastransferaccess": "HasTransferAccess",
    "hasallaccess": "HasAllAccess",
}
SELECTABLE = {"recordid": "RecordId", "maxaccesslevel": "MaxAccessLevel", **ACCESS_FIELDS}
# Objects on the Sharing Settings page, and how their records are shared.
SHARED_OBJECTS = ("Account", "Contact", "Opportunity", "Case", "Order", "Contract", "User")
DEFAULT_ACCESS = READ  # an org without an Organization record (INTERFACE.md: absent = Read)
# The sharing set-up's restricted picklists (sharing_schema.py), checked on load.
SHARING_PICKLISTS = {
    "Organization": (
        "DefaultAccountAccess",
        "DefaultOpportunityAccess",
        "DefaultCaseAccess",
        "DefaultContactAccess",
    ),
    "UserRole": ("OpportunityAccessForAccountOwner", "CaseAccessForAccountOwner"),
    "AccountShare": ("AccountAccessLevel", "OpportunityAccessLevel", "CaseAccessLevel", "RowCause"),
    "AccountTeamMember": (
        "AccountAccessLevel",
        "OpportunityAccessLevel",
        "CaseAccessLevel",
        "TeamMemberRole",
    ),
}


# --- the data set -----------------------------------------------------------------------


def check_data(new: Mapping[str, Mapping[str, dict[str, Any]]]) -> None:
    """Refuse a data set whose sharing set-up Salesforce would not hold: one
    Organization, access levels from their restricted picklists, a role hierarchy
    without cycles. Raises DataLoadError."""
    for obj_name, names in SHARING_PICKLISTS.items():
        obj = schema.SOBJECTS[obj_name]
        picklists = [obj.fields[n] for n in names]
        for rec in (new.get(obj_name) or {}).values():
            for f in picklists:
                value = rec.get(f.name)
                if value is not None and value not in {v.value for v in f.picklist}:
                    raise DataLoadError(
                        f"{obj_name} {rec['Id']}: bad value for restricted picklist field: "
                        f"{f.name} = {value!r}"
                    )
    if len(new.get("Organization") or {}) > 1:
        raise DataLoadError("Organization: an org has exactly one Organization record")
    roles = new.get("UserRole") or {}
    for role_id in roles:
        seen = {role_id}
        parent = roles[role_id].get("ParentRoleId")
        while parent:
            if parent in seen:
                raise DataLoadError(f"UserRole {role_id}: the role hierarchy has a cycle")
            seen.add(parent)
            parent = (roles.get(parent) or {}).get("ParentRoleId")
    for rec in (new.get("Profile") or {}).values():
        for flag in ("PermissionsViewAllData", "PermissionsModifyAllData"):
            if rec.get(flag) is None:
                rec[flag] = False


# --- the model ------------------------------------------------------------------------


class SharingModel:
    """Who may read what in one snapshot of the org (build it under ``store.lock``)."""

    def __init__(self, store: OrgStore) -> None:
        self.store = store
        org = next(iter(store.records("Organization")), None) or {}
        self.defaults = {
            name: _LEVEL.get(org.get(f"Default{name}Access") or "", DEFAULT_ACCESS)
            for name in ("Account", "Opportunity", "Case")
        }
        self.users = {u["Id"]: u for u in store.records("User")}
        self.roles = {r["Id"]: r for r in store.records("UserRole")}
        self.profiles = {p["Id"]: p for p in store.records("Profile")}
        children: dict[str | None, list[str]] = defaultdict(list)
        for role in self.roles.values():
            children[role.get("ParentRoleId")].append(role["Id"])
        self._role_children = children
        self._groups: dict[str, set[str]] = {}
        self._grants: dict[str, list[tuple[str, int, int, int]]] = defaultdict(list)
        for share in store.records("AccountShare"):
            self._grants[share["UserOrGroupId"]].append(_levels(share))
        for member in store.records("AccountTeamMember"):
            self._grants[member["UserId"]].append(_levels(member))

    # -- people
    def group(self, user_id: str) -> set[str]:
        """The user and everyone in the roles below theirs (whose grants they inherit)."""
        cached = self._groups.get(user_id)
        if cached is not None:
            return cached
        out = {user_id}
        self._groups[user_id] = out
        role = (self.users.get(user_id) or {}).get("UserRoleId")
        if not role:
            return out
        below: list[str] = []
        stack = list(self._role_children.get(role, []))
        while stack:
            r = stack.pop()
            below.append(r)
            stack += self._role_children.get(r, [])
        below_set = set(below)
        out |= {u for u, rec in self.users.items() if rec.get("UserRoleId") in below_set}
        return out

    def profile_level(self, user_id: str) -> int:
        profile = self.profiles.get((self.users.get(user_id) or {}).get("ProfileId") or "")
        if not profile:
            return NONE
        if profile.get("PermissionsModifyAllData"):
            return ALL
        return READ if profile.get("PermissionsViewAllData") else NONE

    # -- records
    def level(self, user_id: str, sobject: str, rec: dict[str, Any]) -> int:
        """The user's highest access to ``rec`` (an index into ``LEVELS``)."""
        group = self.group(user_id)
        if sobject == "User":  # internal users are public read-only; one's own is editable
            level = EDIT if rec["Id"] == user_id else READ
        else:
            level = self._level(group, sobject, rec)
        return max(self.profile_level(user_id), level)

    def _level(self, group: set[str], sobject: str, rec: dict[str, Any]) -> int:
        if sobject in ("Order", "Contract", "Contact"):  # controlled by parent
            account = self._account(rec.get("AccountId"))
            return self._account_level(group, account) if account else NONE
        if sobject == "Account":
            return self._account_level(group, rec)
        if sobject in ("Opportunity", "Case"):
            return self._child_level(group, sobject, rec)
        raise ValueError(sobject)

    def _account(self, account_id: str | None) -> dict[str, Any] | None:
        found = self.store.get(account_id) if account_id else None
        return found[1] if found and found[0] == "Account" else None

    def _account_level(self, group: set[str], account: dict[str, Any]) -> int:
        level = self.defaults["Account"]
        if account.get("OwnerId") in group:
            return ALL
        for user in group:
            for acct, acct_level, _, _ in self._grants.get(user, ()):
                if acct == account["Id"]:
                    level = max(level, acct_level)
        if level < READ and self._has_child_grant(group, account["Id"]):
            level = READ  # parent implicit sharing
        return level

    def _has_child_grant(self, group: set[str], account_id: str) -> bool:
        # Parent implicit sharing is "Not used when sharing on the child is controlled by
        # its parent" (Designing Record Access for Enterprise Scale, Implicit Sharing,
        # https://developer.salesforce.com/docs/atlas.en-us.draes.meta/draes/draes_object_relationships_implicit_sharing.htm):
        # here Contacts are always controlled by their account, so owning a contact grants
        # nothing on the account; only deals and cases (shared on their own) do.
        for name in ("Opportunities", "Cases"):
            rel = schema.SOBJECTS["Account"].children[name]
            for child in self.store.children(rel, account_id):
                if child.get("OwnerId") in group:
                    return True
        return False

    def _child_level(self, group: set[str], sobject: str, rec: dict[str, Any]) -> int:
        level = self.defaults[sobject]
        if rec.get("OwnerId") in group:
            return ALL
        account = self._account(rec.get("AccountId"))
        if account is None:
            return level
        index = 2 if sobject == "Opportunity" else 3
        for user in group:
            for grant in self._grants.get(user, ()):
                if grant[0] == account["Id"]:
                    level = max(level, grant[index])
        owner = account.get("OwnerId")
        if owner in group:  # child implicit sharing, by the account owner's role
            role = self.roles.get((self.users.get(owner) or {}).get("UserRoleId") or "") or {}
            field = f"{sobject}AccessForAccountOwner"
            level = max(level, _LEVEL.get(role.get(field) or "", NONE))
        return level


def _levels(grant: dict[str, Any]) -> tuple[str, int, int, int]:
    return (
        grant["AccountId"],
        _LEVEL.get(grant.get("AccountAccessLevel") or "", READ),
        _LEVEL.get(grant.get("OpportunityAccessLevel") or "", NONE),
        _LEVEL.get(grant.get("CaseAccessLevel") or "", NONE),
    )


def access_row(level: int) -> dict[str, Any]:
    """The access fields for a level, as UserRecordAccess reports them."""
    return {
        "HasReadAccess": level >= READ,
        "HasEditAccess": level >= EDIT,
        "HasDeleteAccess": level >= DELETE,
        "HasTransferAccess": level >= TRANSFER,
        "HasAllAccess": level >= ALL,
        "MaxAccessLevel": LEVELS[level],
    }


# --- the UserRecordAccess query --------------------------------------------------------


def is_access_query(tree: Query) -> bool:
    return tree.sobject.lower() == "userrecordaccess"


def run_access_query(tree: Query, query: str, store: OrgStore, api_version: str) -> Any:
    """Answer a ``UserRecordAccess`` query (rules in the module docstring) as a
    ``soql.QueryResult``. Raises SoqlError as Salesforce refuses the query."""
    from bot.standins.salesforce.soql import QueryResult, canonical_id

    def fail(message: str, pos: int | None = None, code: str = MALFORMED) -> SoqlError:
        return SoqlError(code, locate(query, pos, message))

    selected: list[str] = []
    for item in tree.select:
        expr = item.expr
        if isinstance(expr, SubQuery) or not isinstance(expr, FieldPath) or item.alias:
            raise fail("UserRecordAccess can only select RecordId and access level fields")
        name = SELECTABLE.get(".".join(expr.parts).lower())
        if name is None:
            raise fail(
                f"No such column '{expr.text}' on entity 'UserRecordAccess' that can be "
                "selected: select RecordId and the access level fields",
                expr.pos,
                "INVALID_FIELD",
            )
        selected.append(name)
    if "RecordId" not in selected:
        raise fail("When filtering by UserId and RecordId, you must select RecordId")
    if tree.group_by or tree.having is not None:
        raise fail("UserRecordAccess does not support GROUP BY or HAVING")
    user_id, record_ids, access_filter = _where(tree.where, fail)
    if access_filter is not None and selected != ["RecordId"]:
        raise fail(
            "When filtering by UserId, RecordId and an access level field, you must use "
            "SELECT RecordId only"
        )
    if len(record_ids) > MAX_RECORD_IDS:
        raise fail(f"Number of records exceeds limit: {MAX_RECORD_IDS}")
    user = canonical_id(user_id[0])
    found_user = store.get(user) if user else None
    if user is None or found_user is None or found_user[0] != "User":
        raise fail(f"invalid ID field: {user_id[0]}", user_id[1], "INVALID_QUERY_FILTER_OPERATOR")
    model = SharingModel(store)
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for raw, pos in record_ids:
        record_id = canonical_id(raw)
        if record_id is None:
            raise fail(f"invalid ID field: {raw}", pos, "INVALID_QUERY_FILTER_OPERATOR")
        obj = schema.sobject_for_id(record_id)
        if obj is None or obj.name not in SHARED_OBJECTS:
            kind = obj.name if obj else "an unknown object"
            raise fail(
                f"UserRecordAccess can't report on records of {kind}: only objects listed on "
                "the Sharing Settings page can be queried",
                pos,
            )
        found = store.get(record_id)
        if found is None or record_id in seen:
            continue  # no such record: filtered out of the results
        seen.add(record_id)
        row = {"RecordId": record_id, **access_row(model.level(user, obj.name, found[1]))}
        if access_filter is None or row[access_filter[0]] == access_filter[1]:
            rows.append(row)
    for item in reversed(tree.order_by):
        key = SELECTABLE.get(".".join(getattr(item.expr, "parts", [])).lower())
        if key not in selected:
            raise fail("ORDER BY is allowed only on fields that are selected")
        rows.sort(
            key=lambda r, k=key: LEVELS.index(r[k]) if k == "MaxAccessLevel" else r[k],
            reverse=item.desc,
        )
    start = tree.offset or 0
    rows = rows[start : None if tree.limit is None else start + tree.limit]
    records = [
        {"attributes": {"type": "UserRecordAccess"}, **{k: r[k] for k in selected}} for r in rows
    ]
    return QueryResult(len(records), records)


def _where(
    where: Condition | None, fail: Any
) -> tuple[tuple[str, int], list[tuple[str, int]], tuple[str, bool] | None]:
    """(UserId, [RecordIds], optional (access field, value)) from an AND of comparisons."""
    terms = list(_conjuncts(where, fail))
    user: tuple[str, int] | None = None
    records: list[tuple[str, int]] | None = None
    access: tuple[str, bool] | None = None
    for c in terms:
        field = ".".join(c.left.parts).lower() if isinstance(c.left, FieldPath) else ""
        values = c.value if isinstance(c.value, list) else [c.value]
        if not all(v.kind == "STRING" for v in values) and field in ("userid", "recordid"):
            raise fail(f"value of filter criterion for field '{field}' must be a quoted Id", c.pos)
        if field == "userid" and c.op == "=" and user is None:
            user = (str(values[0].value), values[0].pos)
        elif field == "recordid" and c.op in ("=", "IN") and records is None:
            records = [(str(v.value), v.pos) for v in values]
        elif field in ACCESS_FIELDS and c.op == "=" and access is None:
            lit = values[0]
            if lit.kind != "BOOLEAN":
                raise fail(f"value of filter criterion for field '{field}' must be true or false")
            access = (ACCESS_FIELDS[field], bool(lit.value))
        else:
            raise fail(
                "UserRecordAccess queries must filter by UserId = [single ID] AND RecordId = "
                "[single ID] (or RecordId IN [list of IDs]), optionally with one access level "
                "field",
                c.pos,
            )
    if user is None or records is None:
        raise fail(
            "UserRecordAccess queries must filter by UserId = [single ID] AND RecordId = "
            "[single ID] (or RecordId IN [list of IDs])"
        )
    return user, records, access


def _conjuncts(where: Condition | None, fail: Any) -> Iterable[Comparison]:
    if where is None:
        return
    if isinstance(where, Comparison):
        yield where
        return
    if isinstance(where, BoolOp) and where.op == "AND":
        for item in where.items:
            yield from _conjuncts(item, fail)
        return
    raise fail("UserRecordAccess queries can only combine their filters with AND")
